/**
 * Which property of a resource type sets its physical name.
 *
 * A resource whose name is set in the template has a fixed physical name: CloudFormation creates it
 * under that name, and a second resource (or a retry after a failed create that left the first one
 * behind) cannot be created under the same name ("already exists"). Types whose physical name
 * CloudFormation always generates (a KMS key, an EC2 subnet, a policy attachment) are listed with none.
 * Property names from the AWS CloudFormation resource reference of each type.
 */
export const PHYSICAL_NAME_PROPERTY: Readonly<Record<string, string | undefined>> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::KMS::Key': undefined,
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::RDS::DBParameterGroup': 'DBParameterGroupName',
  'AWS::RDS::OptionGroup': 'OptionGroupName',
  'AWS::RDS::DBSubnetGroup': 'DBSubnetGroupName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::SSM::Association': 'AssociationName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Backup::BackupVault': 'BackupVaultName',
  'AWS::Backup::BackupPlan': undefined,
  'AWS::Events::Rule': 'Name',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::CodeBuild::Project': 'Name',
  'AWS::CodePipeline::Pipeline': 'Name',
  'AWS::CodeStarNotifications::NotificationRule': 'Name',
  'AWS::EC2::SecurityGroup': 'GroupName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::EFS::FileSystem': undefined,
};

/** The fixed physical name a resource sets, if any; `unknown` when its type is not in the table. */
export function fixedPhysicalName(resource: {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}): { readonly property: string; readonly value: unknown } | undefined | 'unknown' {
  if (!(resource.Type in PHYSICAL_NAME_PROPERTY)) {
    return 'unknown';
  }
  const property = PHYSICAL_NAME_PROPERTY[resource.Type];
  const value = property === undefined ? undefined : resource.Properties?.[property];
  return property !== undefined && value !== undefined ? { property, value } : undefined;
}
