import { ArnFormat, Stack, Stage, Validations, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { ApplicationRole, EncryptionKey, ServiceRole } from '../src';
import { checkedApp, describeFindings, validate } from '../../../tools/testing/compliance';

const env = { account: '123456789012', region: 'eu-west-1' };

/**
 * Stands in for the data package's bucket. Its own findings are acknowledged here, on the fixture, because the
 * real bucket (with access logging and replication) is the data package's to build and check.
 */
const FIXTURE_ACKNOWLEDGEMENTS = [
  'AwsSolutions::AwsSolutions-S1',
  'NIST.800.53.R5::NIST.800.53.R5-S3BucketLoggingEnabled',
  'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
  'CloudFormation-Validate::s3_bucket_logging_enabled_check',
  'CloudFormation-Validate::s3_bucket_object_lock_enabled_check',
  'CloudFormation-Validate::s3_event_notifications_enabled_check',
  'CloudFormation-Validate::s3_lifecycle_policy_check',
  'CloudFormation-Validate::s3_version_lifecycle_policy_check',
];

function fixtureBucket(scope: Stack, key: EncryptionKey): s3.Bucket {
  const bucket = new s3.Bucket(scope, 'Bucket', {
    encryptionKey: key.key,
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  });
  for (const id of FIXTURE_ACKNOWLEDGEMENTS) {
    Validations.of(bucket).acknowledge({
      id,
      reason: 'Test fixture standing in for the data package bucket, which owns access logging and replication',
    });
  }
  return bucket;
}

describe('security constructs composed like the app, checked by every rule pack', () => {
  // GIVEN the keys in Security, the flow-log role in Network, the bucket, application role and monitoring role in
  // Data, all inside a Dev stage
  const app = checkedApp();
  const stage = new Stage(app, 'Dev', { env });
  const security = new Stack(stage, 'Security');
  const network = new Stack(stage, 'Network');
  const data = new Stack(stage, 'Data');

  new EncryptionKey(security, 'LogsKey', {
    aliasName: 'baseline/dev/logs',
    description: 'CloudWatch Logs and alarm topic of dev',
    allowCloudWatchLogs: true,
    allowCloudWatchAlarms: true,
  });
  const dataKey = new EncryptionKey(security, 'DataKey', {
    aliasName: 'baseline/dev/data',
    description: 'Bucket, database storage and database secret of dev',
    viaServices: ['s3', 'rds', 'secretsmanager'],
  });
  new ServiceRole(network, 'FlowLogRole', {
    servicePrincipal: 'vpc-flow-logs.amazonaws.com',
    sourceArn: network.formatArn({
      service: 'ec2',
      resource: 'vpc-flow-log',
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }),
  });
  const bucket = fixtureBucket(data, dataKey);
  new ApplicationRole(data, 'AppRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    bucket,
    encryptionKey: dataKey.key,
  });
  new ServiceRole(data, 'MonitoringRole', {
    servicePrincipal: 'monitoring.rds.amazonaws.com',
    sourceArn: data.formatArn({
      service: 'rds',
      resource: 'db',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  });

  // WHEN
  const { findings, acknowledged } = validate(app);

  // THEN
  test('has no unacknowledged finding', () => {
    expect(describeFindings(findings)).toEqual([]);
  });

  test('acknowledges only the object wildcard of the application role, with the id cdk-nag prints', () => {
    const ours = acknowledged.filter((a) => a.at !== 'Dev/Data/Bucket');
    expect(ours).toEqual([
      {
        plugin: 'AwsSolutions',
        rule: `AwsSolutions-IAM5[Resource::<${data.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${data.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
        at: 'Dev/Data/AppRole/Policy',
        reason: expect.stringMatching(/objects of this one bucket and no other bucket\. No delete action/),
        paths: ['Dev/Data/AppRole/Policy/Resource'],
      },
    ]);
  });

  test('reached the resources inside the stage (the fixture findings fired there and were acknowledged)', () => {
    const fixture = acknowledged.filter((a) => a.at === 'Dev/Data/Bucket');
    expect(fixture.map((a) => a.id).sort()).toEqual([...FIXTURE_ACKNOWLEDGEMENTS].sort());
    for (const a of fixture) {
      expect(a.paths).toEqual(['Dev/Data/Bucket/Resource']);
    }
  });
});

describe('application role whose bucket lives in another stack', () => {
  // GIVEN a bucket in one stack and the role in another, so the bucket ARN reaches the policy as an import
  const app = checkedApp();
  const stage = new Stage(app, 'Dev', { env });
  const security = new Stack(stage, 'Security');
  const data = new Stack(stage, 'Data');
  const consumer = new Stack(stage, 'Consumer');
  const dataKey = new EncryptionKey(security, 'DataKey', {
    aliasName: 'baseline/dev/data',
    description: 'data',
    viaServices: ['s3'],
  });
  const bucket = fixtureBucket(data, dataKey);
  new ApplicationRole(consumer, 'AppRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    bucket,
    encryptionKey: dataKey.key,
  });

  // WHEN
  const { findings, acknowledged } = validate(app);

  // THEN
  test('still acknowledges the wildcard under the import name cdk-nag prints', () => {
    expect(describeFindings(findings)).toEqual([]);
    expect(acknowledged.filter((a) => a.at === 'Dev/Consumer/AppRole/Policy').map((a) => a.id)).toEqual([
      expect.stringMatching(
        /^AwsSolutions::AwsSolutions-IAM5\[Resource::Dev-Data:ExportsOutputFnGetAttBucket[0-9A-F]+Arn[0-9A-F]+\/\*\]$/,
      ),
    ]);
  });
});
