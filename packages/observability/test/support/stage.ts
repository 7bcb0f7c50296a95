/**
 * Test fixture mirroring the app: one Stage per stage-region with the Security, Network, Data and
 * Observability stacks, the first three written inline here because this package may not import the
 * others. Only aws-cdk-lib interfaces cross stacks, as in the app.
 */
import {
  App,
  Aws,
  CfnElement,
  RemovalPolicy,
  Stack,
  Stage,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_rds as rds,
} from 'aws-cdk-lib';
import { acknowledgeKeyOfAnotherStack, denyGrantsExceptForAwsResources } from '@baseline/rules';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { AlarmTopic, DatabaseAlarms, FlowLogRejectAlarm, OperationsDashboard } from '../../src';

export const ENV = { account: '123456789012', region: 'eu-west-1' };

/** The AWS default flow log format: `action` is field 13 of 14. */
export const DEFAULT_FLOW_LOG_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ' +
  '${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

/** A custom format as the network package may use: more fields, `action` elsewhere. */
export const CUSTOM_FLOW_LOG_FORMAT =
  '${version} ${account-id} ${vpc-id} ${subnet-id} ${interface-id} ${instance-id} ${srcaddr} ${dstaddr} ' +
  '${srcport} ${dstport} ${protocol} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${action} ' +
  '${packets} ${bytes} ${start} ${end} ${log-status} ${flow-direction} ${traffic-path}';

export interface StageOptions {
  /**
   * A real `rds.DatabaseInstance` (with its VPC) in a Data stack, or one imported by identifier.
   *
   * The imported one lives in the Observability stack: an empty Data stack is not a valid template, and a
   * real instance would bring the data package's own findings into this package's compliance test.
   */
  readonly database: 'real' | 'imported';
  /** Whether the key policy grants cloudwatch.amazonaws.com what alarms need. @default true */
  readonly keyAllowsCloudWatch?: boolean;
  /** @default DEFAULT_FLOW_LOG_FORMAT */
  readonly flowLogFormat?: string;
}

export interface ComposedStage {
  readonly stage: Stage;
  readonly security: Stack;
  readonly network: Stack;
  /** The Data stack, only with a real database. */
  readonly data?: Stack;
  readonly observability: Stack;
  readonly key: kms.Key;
  readonly flowLogGroup: logs.LogGroup;
  readonly instance: rds.IDatabaseInstance;
  readonly alarmTopic: AlarmTopic;
  readonly databaseAlarms: DatabaseAlarms;
  readonly flowLogRejectAlarm: FlowLogRejectAlarm;
  readonly dashboard: OperationsDashboard;
}

/** Builds the `Dev` stage of the app in `app`. */
export function composeStage(app: App, options: StageOptions): ComposedStage {
  const stage = new Stage(app, 'Dev', { env: ENV });

  const security = new Stack(stage, 'Security');
  const key = new kms.Key(security, 'AlarmKey', {
    description: 'Encrypts the alarm topic and the flow log group',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // Like the security package's keys: grants only for AWS resources (CT.KMS.PR.3).
  key.addToResourcePolicy(denyGrantsExceptForAwsResources());
  if (options.keyAllowsCloudWatch ?? true) {
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
  }
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogs',
      principals: [new iam.ServicePrincipal(`logs.${ENV.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${ENV.region}:${ENV.account}:log-group:*`,
        },
      },
    }),
  );

  const network = new Stack(stage, 'Network');
  const flowLogGroup = new logs.LogGroup(network, 'FlowLogGroup', {
    encryptionKey: key,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // As PlatformVpc does for its flow log group: the key is in another stack (Fn::ImportValue).
  acknowledgeKeyOfAnotherStack(flowLogGroup.node.defaultChild!, key, 'cloudwatch_log_group_encrypted_check');

  const observability = new Stack(stage, 'Observability');
  let data: Stack | undefined;
  let instance: rds.IDatabaseInstance;
  if (options.database === 'real') {
    data = new Stack(stage, 'Data');
    const vpc = new ec2.Vpc(data, 'Vpc', { maxAzs: 2, natGateways: 0 });
    instance = new rds.DatabaseInstance(data, 'Database', {
      engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0_43 }),
      storageEncrypted: true,
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      allocatedStorage: 100,
    });
  } else {
    instance = rds.DatabaseInstance.fromDatabaseInstanceAttributes(observability, 'Database', {
      instanceIdentifier: 'dev-baseline-db',
      instanceEndpointAddress: 'dev-baseline-db.example.eu-west-1.rds.amazonaws.com',
      port: 3306,
      securityGroups: [],
    });
  }

  const alarmTopic = new AlarmTopic(observability, 'AlarmTopic', {
    encryptionKey: key,
    emailAddresses: ['oncall@example.com', 'platform-team@example.org'],
    displayName: 'Baseline dev alarms',
  });
  const databaseAlarms = new DatabaseAlarms(observability, 'DatabaseAlarms', {
    instance,
    allocatedStorageGiB: 100,
    alarmTopic: alarmTopic.topic,
  });
  const flowLogRejectAlarm = new FlowLogRejectAlarm(observability, 'FlowLogRejects', {
    flowLogGroup,
    flowLogFormat: options.flowLogFormat ?? DEFAULT_FLOW_LOG_FORMAT,
    alarmTopic: alarmTopic.topic,
  });
  const dashboard = new OperationsDashboard(observability, 'Dashboard', {
    dashboardName: 'Baseline-dev-eu-west-1',
    alarms: [...databaseAlarms.alarms, ...flowLogRejectAlarm.alarms],
  });

  return {
    stage,
    security,
    network,
    data,
    observability,
    key,
    flowLogGroup,
    instance,
    alarmTopic,
    databaseAlarms,
    flowLogRejectAlarm,
    dashboard,
  };
}

/** The logical id of a construct's CloudFormation resource (its default child) in its stack. */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(element).getLogicalId(element);
}

/**
 * The `Fn::ImportValue` with which another stack reads `value` from `exporting`.
 *
 * Lets a test say "this property is the Security stack's key ARN" instead of hard-coding an export name.
 */
export function importOf(exporting: Stack, value: unknown): { 'Fn::ImportValue': string } {
  const outputs = Template.fromStack(exporting).toJSON().Outputs ?? {};
  const match = Object.values(outputs as Record<string, { Value: unknown; Export?: { Name: string } }>).find(
    (output) => output.Export && JSON.stringify(output.Value) === JSON.stringify(value),
  );
  if (!match?.Export) {
    throw new Error(`${exporting.stackName} exports no ${JSON.stringify(value)}`);
  }
  return { 'Fn::ImportValue': match.Export.Name };
}
