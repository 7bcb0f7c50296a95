import {
  Stack,
  TimeZone,
  Token,
  aws_events as events,
  aws_iam as iam,
  aws_scheduler as scheduler,
  aws_scheduler_targets as targets,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { acknowledgeWildcardResource } from '@baseline/rules';
import { Construct } from 'constructs';

/**
 * What CloudFormation must be able to read to detect drift on a resource of each type: drift
 * detection reads every resource's live configuration with the caller's credentials ("To detect
 * drift on a stack, you need read permissions for each resource in the stack", CloudFormation User
 * Guide, "Detect unmanaged configuration changes to stacks and resources with drift detection"), as
 * the type's read handler does (its resource schema's `handlers.read.permissions`, shown by
 * `aws cloudformation describe-type --type RESOURCE --type-name <type>`).
 *
 * Configuration reads only: nothing here reads data (no s3:GetObject, no kms:Decrypt, no log events).
 * A test requires an entry for every resource type the stacks of a stage-region hold, so a new type
 * cannot be left out unnoticed (its drift would go undetected).
 */
export const DRIFT_READ_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'AWS::Backup::BackupPlan': ['backup:GetBackupPlan', 'backup:ListTags'],
  'AWS::Backup::BackupSelection': ['backup:GetBackupSelection'],
  'AWS::Backup::BackupVault': [
    'backup:DescribeBackupVault',
    'backup:GetBackupVaultAccessPolicy',
    'backup:GetBackupVaultNotifications',
    'backup:ListTags',
  ],
  'AWS::CDK::Metadata': [],
  'AWS::CloudWatch::Alarm': ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
  'AWS::CloudWatch::Dashboard': ['cloudwatch:GetDashboard'],
  'AWS::EC2::EIP': ['ec2:DescribeAddresses'],
  'AWS::EC2::FlowLog': ['ec2:DescribeFlowLogs'],
  'AWS::EC2::InternetGateway': ['ec2:DescribeInternetGateways'],
  'AWS::EC2::NatGateway': ['ec2:DescribeNatGateways'],
  'AWS::EC2::Route': ['ec2:DescribeRouteTables'],
  'AWS::EC2::RouteTable': ['ec2:DescribeRouteTables'],
  'AWS::EC2::SecurityGroup': ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
  'AWS::EC2::Subnet': ['ec2:DescribeSubnets'],
  'AWS::EC2::SubnetRouteTableAssociation': ['ec2:DescribeRouteTables'],
  'AWS::EC2::VPC': ['ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute'],
  'AWS::EC2::VPCEndpoint': ['ec2:DescribeVpcEndpoints'],
  'AWS::EC2::VPCGatewayAttachment': ['ec2:DescribeInternetGateways'],
  'AWS::Events::Rule': ['events:DescribeRule', 'events:ListTargetsByRule'],
  'AWS::IAM::ManagedPolicy': [
    'iam:GetPolicy',
    'iam:GetPolicyVersion',
    'iam:ListEntitiesForPolicy',
    'iam:ListPolicyVersions',
  ],
  'AWS::IAM::Role': [
    'iam:GetRole',
    'iam:GetRolePolicy',
    'iam:ListAttachedRolePolicies',
    'iam:ListRolePolicies',
    'iam:ListRoleTags',
  ],
  'AWS::IAM::Policy': ['iam:GetRolePolicy', 'iam:GetUserPolicy', 'iam:GetGroupPolicy'],
  'AWS::KMS::Alias': ['kms:ListAliases'],
  'AWS::KMS::Key': ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
  'AWS::Logs::LogGroup': ['logs:DescribeLogGroups', 'logs:ListTagsForResource', 'logs:GetDataProtectionPolicy'],
  'AWS::Logs::MetricFilter': ['logs:DescribeMetricFilters'],
  'AWS::RDS::DBInstance': ['rds:DescribeDBInstances', 'rds:ListTagsForResource'],
  'AWS::RDS::DBParameterGroup': [
    'rds:DescribeDBParameterGroups',
    'rds:DescribeDBParameters',
    'rds:ListTagsForResource',
  ],
  'AWS::RDS::DBSubnetGroup': ['rds:DescribeDBSubnetGroups', 'rds:ListTagsForResource'],
  'AWS::RDS::OptionGroup': ['rds:DescribeOptionGroups', 'rds:ListTagsForResource'],
  'AWS::S3::Bucket': [
    's3:GetAccelerateConfiguration',
    's3:GetBucketAcl',
    's3:GetBucketCORS',
    's3:GetBucketLocation',
    's3:GetBucketLogging',
    's3:GetBucketNotification',
    's3:GetBucketObjectLockConfiguration',
    's3:GetBucketOwnershipControls',
    's3:GetBucketPublicAccessBlock',
    's3:GetBucketTagging',
    's3:GetBucketVersioning',
    's3:GetBucketWebsite',
    's3:GetEncryptionConfiguration',
    's3:GetLifecycleConfiguration',
    's3:GetReplicationConfiguration',
  ],
  'AWS::S3::BucketPolicy': ['s3:GetBucketPolicy'],
  'AWS::Scheduler::Schedule': ['scheduler:GetSchedule'],
  'AWS::SNS::Subscription': ['sns:GetSubscriptionAttributes'],
  'AWS::SNS::Topic': ['sns:GetTopicAttributes', 'sns:ListTagsForResource', 'sns:GetDataProtectionPolicy'],
  'AWS::SNS::TopicPolicy': ['sns:GetTopicAttributes'],
  'AWS::SSM::Association': ['ssm:DescribeAssociation'],
};

/** Properties of a {@link StackDriftDetection}. */
export interface StackDriftDetectionProps {
  /** The stacks of this account and region to check (names, as CloudFormation knows them). */
  readonly stackNames: string[];

  /**
   * The topic a drifted stack notifies: an alarm topic of this stack, encrypted with a key whose
   * policy lets EventBridge rules of this account and region use it (security's EncryptionKey
   * `allowEventBridgeRules`). This construct adds the topic policy statement.
   */
  readonly topic: sns.ITopic;

  /**
   * The resource types of the stacks, for the read permissions drift detection needs
   * ({@link DRIFT_READ_ACTIONS}); a type without an entry fails synthesis.
   */
  readonly resourceTypes: string[];

  /**
   * When drift detection runs.
   *
   * @default - every day at 05:00 UTC
   */
  readonly schedule?: scheduler.ScheduleExpression;
}

/**
 * Detects drift of a set of stacks every day and notifies a topic when one has drifted, without a
 * Lambda function: an EventBridge Scheduler schedule per stack calls CloudFormation's DetectStackDrift
 * through the scheduler's universal target (`aws-sdk:cloudformation:detectStackDrift`), and an
 * EventBridge rule forwards CloudFormation's "CloudFormation Drift Detection Status Change" events
 * whose `stack-drift-status` is `DRIFTED` (CloudFormation User Guide, "Drift Detection Status Change
 * event detail") for these stacks to the topic.
 *
 * The schedules run as one role that may start drift detection on these stacks and read the
 * configuration of their resources (nothing else); the topic accepts the rule's events only.
 */
export class StackDriftDetection extends Construct {
  /** The role the schedules run as. */
  public readonly role: iam.Role;
  /** The rule that forwards drift to the topic. */
  public readonly rule: events.Rule;
  /** One schedule per stack, by stack name. */
  public readonly schedules: Record<string, scheduler.Schedule> = {};

  constructor(scope: Construct, id: string, props: StackDriftDetectionProps) {
    super(scope, id);
    if (props.stackNames.length === 0) {
      throw new Error(`${this.node.path}: stackNames is empty; give the stacks whose drift to detect`);
    }
    const stack = Stack.of(this);
    const stackArn = (name: string) =>
      stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${name}/*` });

    const detect = new iam.PolicyStatement({
      sid: 'DetectDriftOfTheseStacks',
      actions: ['cloudformation:DetectStackDrift', 'cloudformation:DetectStackResourceDrift'],
      resources: props.stackNames.map(stackArn),
    });
    const read = new iam.PolicyStatement({
      sid: 'ReadTheirResourcesConfiguration',
      // Drift detection also describes the types' configurations ("cloudformation:DetectStackDrift,
      // cloudformation:DetectStackResourceDrift, cloudformation:BatchDescribeTypeConfigurations" and
      // read permission for each resource: CloudFormation User Guide, "Detect drift on an entire stack").
      actions: [
        'cloudformation:BatchDescribeTypeConfigurations',
        ...readActionsFor(this, [...props.resourceTypes, ...OWN_RESOURCE_TYPES]),
      ],
      // These Describe, Get and List actions are authorized on '*' (most support no resource-level permissions).
      resources: ['*'],
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
        // EventBridge Scheduler User Guide, "Preventing cross-service confused deputy".
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      description: `Detects drift of ${props.stackNames.join(', ')} (EventBridge Scheduler)`,
      // A managed policy, not the role's inline default policy (NIST 800-53 IAMNoInlinePolicy).
      managedPolicies: [new iam.ManagedPolicy(this, 'Policy', { statements: [detect, read] })],
    });
    const policy = this.node.findChild('Policy');
    for (const name of props.stackNames) {
      acknowledgeWildcardResource(
        policy.node.defaultChild!,
        stackArn(name),
        `CloudFormation authorizes DetectStackDrift on the stack ARN, which ends in the stack's id (a UUID ` +
          `CloudFormation assigns); '${name}/*' names the one stack of this name in this account and region.`,
      );
    }
    acknowledgeWildcardResource(
      policy.node.defaultChild!,
      '*',
      "Drift detection reads every resource of the stacks with the caller's permissions; these are configuration " +
        "reads only (Describe, Get, List of the stacks' resource types), most of which support no resource-level " +
        'permissions, and none reads data (no s3:GetObject, no kms:Decrypt, no log events).',
    );
    // The targets would add their statements to an inline policy: they get the role without that.
    const targetRole = this.role.withoutPolicyUpdates();

    const schedule =
      props.schedule ?? scheduler.ScheduleExpression.cron({ minute: '0', hour: '5', timeZone: TimeZone.ETC_UTC });
    for (const name of props.stackNames) {
      this.schedules[name] = new scheduler.Schedule(this, `Detect-${Token.isUnresolved(name) ? 'stack' : name}`, {
        description: `Daily drift detection of the CloudFormation stack ${name}`,
        schedule,
        target: new targets.Universal({
          service: 'cloudformation',
          action: 'detectStackDrift',
          input: scheduler.ScheduleTargetInput.fromObject({ StackName: name }),
          role: targetRole,
          // Already in the managed policy; given so that the target does not default to '*'.
          policyStatements: [detect],
        }),
      });
    }

    this.rule = new events.Rule(this, 'Drifted', {
      description: `A drift detection found ${props.stackNames.join(', ')} DRIFTED`,
      eventPattern: {
        source: ['aws.cloudformation'],
        detailType: ['CloudFormation Drift Detection Status Change'],
        detail: {
          'status-details': { 'stack-drift-status': ['DRIFTED'] },
          'stack-id': props.stackNames.map((name) => ({ prefix: stackArn(name).replace(/\*$/, '') })),
        },
      },
    });
    const stackId = events.EventField.fromPath('$.detail.stack-id');
    const count = events.EventField.fromPath('$.detail.drift-detection-details.drifted-stack-resource-count');
    this.rule.addTarget({
      bind: () => ({
        arn: props.topic.topicArn,
        targetResource: props.topic,
        input: events.RuleTargetInput.fromText(
          `CloudFormation drift: ${count} resource(s) of ${stackId} no longer match the template. ` +
            'Someone changed them outside CloudFormation; see the stack in the CloudFormation console ' +
            '(Stack actions, View drift results), then redeploy through the pipeline or revert the change.',
        ),
      }),
    });
    props.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTheDriftRuleToPublish',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [props.topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } },
      }),
    );
  }
}

/** What this construct itself creates (its stack is usually one of the stacks it checks). */
const OWN_RESOURCE_TYPES = ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::Scheduler::Schedule', 'AWS::Events::Rule'];

function readActionsFor(scope: Construct, resourceTypes: string[]): string[] {
  const missing = [...new Set(resourceTypes)].filter((t) => !(t in DRIFT_READ_ACTIONS));
  if (missing.length > 0) {
    throw new Error(
      `${scope.node.path}: no read permissions known for ${missing.join(', ')}; add the type's read handler ` +
        'permissions to DRIFT_READ_ACTIONS, or drift detection cannot read those resources',
    );
  }
  return [...new Set(resourceTypes.flatMap((t) => DRIFT_READ_ACTIONS[t]))].sort();
}
