/**
 * Who can do what: the access matrix of every stage-region, as a table.
 *
 * Each row is a request (a principal, an action, a resource and what the request carries) and the
 * decision the platform intends for it. The deploy-config checks evaluate every row in every
 * stage-region with an IAM policy simulator over the synthesized identity, resource, key and trust
 * policies (test/deploy/access-matrix.test.ts), and `npm run docs` renders the table to
 * docs/access.md. A reviewer reads this table to learn who can do what; the tests prove it.
 *
 * Rule packs check the shape of a policy; this checks what the policies allow together: an explicit
 * deny anywhere wins, a KMS key policy that delegates to IAM makes IAM policies count, a bucket
 * policy can deny what IAM allows.
 *
 * Placeholders in context values and resources: `{account}`, `{region}`, `{partition}`, `{urlSuffix}`,
 * `{otherAccount}` (an account that is neither the stage's nor the tooling account), and `{<resource id>}`
 * for the ARN of a resource below (e.g. `{dataKey}`).
 */

/** The intended decision. `Denied` is met by an explicit deny or by no statement allowing it. */
export type Decision = 'Allowed' | 'Denied';

/** Who makes a request. */
export const PRINCIPALS = {
  applicationRole: "The application's role (Data stack), as the configured application service assumes it",
  administrator: 'A role of the stage account with AdministratorAccess (every IAM permission): a key administrator',
  deployRole: "The CDK bootstrap's CloudFormation execution role of the stage account (AdministratorAccess)",
  otherAccount: "A role with AdministratorAccess in an account that is neither the stage's nor the tooling account",
  anonymous: 'An unauthenticated request',
  applicationService: "The AWS service that runs the application (the stage's applicationPrincipal)",
  otherService:
    "An AWS service other than the one that runs the application (lambda or ECS tasks, whichever is not the stage's)",
  cloudWatchLogs: 'CloudWatch Logs of the region (logs.<region>.amazonaws.com), encrypting a log group',
  cloudWatchAlarms: 'CloudWatch alarms (cloudwatch.amazonaws.com), notifying the alarm topic',
  vpcFlowLogs: 'VPC Flow Logs (vpc-flow-logs.amazonaws.com), delivering flow records',
  rdsMonitoring: 'RDS enhanced monitoring (monitoring.rds.amazonaws.com)',
  flowLogRole: 'The role VPC Flow Logs assumes (Network stack)',
  monitoringRole: 'The role RDS enhanced monitoring assumes (Data stack)',
  validationRole: "The stage-region's validation role, as the pipeline's post-deployment check assumes it",
  validationStepRole: "The post-deployment check's CodeBuild role in the tooling account (pipeline stack)",
  toolingAdministrator: 'Any other role of the tooling account, with AdministratorAccess',
  codestarNotifications: 'CodeStar Notifications (codestar-notifications.amazonaws.com), for the pipeline',
  driftRole: "The role the stage-region's drift detection schedules run as (Observability stack)",
  eventBridge: "EventBridge (events.amazonaws.com), delivering a rule's event to its target",
} as const;
export type PrincipalId = keyof typeof PRINCIPALS;

/** What a request is made on. */
export const RESOURCES = {
  dataObject: 'An object of the data bucket',
  dataKey: "The stage-region's data key (bucket, database storage, master secret)",
  logsKey: "The stage-region's logs key (log groups, alarm topic)",
  alarmTopic: "The stage-region's alarm topic",
  flowLogGroup: 'The VPC flow log group',
  flowLogStream: 'A log stream of the VPC flow log group',
  rdsOsMetricsGroup: 'The RDSOSMetrics log group enhanced monitoring writes to (its ARN without a suffix)',
  rdsOsMetricsGroupWildcard: "The same group as CloudWatch Logs also names it, with ':*'",
  rdsOsMetricsStream: 'A log stream of RDSOSMetrics',
  otherLogStream: 'A log stream of another log group of the account',
  databaseAsApplicationUser: 'The database, as the configured application user (IAM authentication)',
  databaseAsMaster: 'The database, as the master user',
  masterSecret: "The database's master user secret, which RDS creates and rotates in Secrets Manager",
  applicationRole: "The application's role, assumed",
  flowLogRole: 'The flow log role, assumed',
  monitoringRole: 'The enhanced monitoring role, assumed',
  validationRole: 'The validation role, assumed',
  stageStack: "One of the stage-region's stacks",
  otherStack: 'Another stack of the stage account',
  alarms: 'A CloudWatch alarm of the stage-region',
  pipelineTopic: "The pipeline's notification topic (tooling account)",
  pipelineKey: "The pipeline's key, which encrypts that topic (tooling account)",
} as const;
export type ResourceId = keyof typeof RESOURCES;

/** One request and its intended decision. */
export interface AccessRow {
  /** The finding or control it guards, as the doc groups the rows. */
  readonly group: string;
  readonly principal: PrincipalId;
  readonly action: string;
  readonly resource: ResourceId;
  /** What the request carries besides the principal's own keys (principal ARN, account, TLS). @default {} */
  readonly context?: Readonly<Record<string, string | string[]>>;
  readonly expected: Decision;
  /** Why, in a few words. */
  readonly because: string;
}

const viaService = (service: string) => ({
  'kms:ViaService': `${service}.{region}.{urlSuffix}`,
  'kms:CallerAccount': '{account}',
});
const SSE = 's3:x-amz-server-side-encryption';
const SSE_KEY = 's3:x-amz-server-side-encryption-aws-kms-key-id';
const alarmSource = {
  'aws:SourceAccount': '{account}',
  'aws:SourceArn': 'arn:{partition}:cloudwatch:{region}:{account}:alarm:any',
};

const UPLOADS = 'Multipart uploads: the application writes, only with the stage key (seed items 2 and 6)';
const DATA_KEY = 'The data key decrypts only through S3, RDS and Secrets Manager; no administrator uses it for data';
const LOGS_KEY = 'The logs key serves CloudWatch Logs and the alarm topic, nothing else';
const DATABASE = 'The application reaches its database as its own user, not as the master';
const VALIDATION = "The post-deployment check reads through its own role, trusted by that step's role only";
const SERVICES = 'Service roles: each trusted by one service, for this account, allowed only its job';
const PIPELINE = 'Pipeline notifications arrive (tooling account)';
const DRIFT =
  "Drift detection: one role starts it on the stage-region's stacks and reads their configuration, never their data";
const driftRuleSource = { 'aws:SourceAccount': '{account}', 'aws:SourceArn': '{driftRule}' };

/** The access matrix of a stage-region (and, for the pipeline rows, of the tooling account). */
export const ACCESS_MATRIX: readonly AccessRow[] = [
  // Uploads
  {
    group: UPLOADS,
    principal: 'applicationRole',
    action: 's3:PutObject',
    resource: 'dataObject',
    expected: 'Allowed',
    because:
      'an upload without SSE headers (every part of a multipart upload) is encrypted by the bucket default, the stage key',
  },
  {
    group: UPLOADS,
    principal: 'applicationRole',
    action: 's3:PutObject',
    resource: 'dataObject',
    context: { [SSE]: 'aws:kms', [SSE_KEY]: '{dataKey}' },
    expected: 'Allowed',
    because: 'SSE-KMS with the stage key, named',
  },
  {
    group: UPLOADS,
    principal: 'applicationRole',
    action: 's3:PutObject',
    resource: 'dataObject',
    context: { [SSE]: 'AES256' },
    expected: 'Denied',
    because: 'SSE-S3 is not the stage key',
  },
  {
    group: UPLOADS,
    principal: 'applicationRole',
    action: 's3:PutObject',
    resource: 'dataObject',
    context: { [SSE]: 'aws:kms', [SSE_KEY]: 'arn:{partition}:kms:{region}:{account}:key/another-key' },
    expected: 'Denied',
    because: 'another KMS key',
  },
  {
    group: UPLOADS,
    principal: 'applicationRole',
    action: 's3:PutObject',
    resource: 'dataObject',
    context: { [SSE]: 'aws:kms' },
    expected: 'Denied',
    because: 'aws:kms without a key: S3 would use aws/s3',
  },
  {
    group: UPLOADS,
    principal: 'applicationRole',
    action: 's3:PutObject',
    resource: 'dataObject',
    context: { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' },
    expected: 'Denied',
    because: 'SSE-C: a key the stage does not hold',
  },
  {
    group: UPLOADS,
    principal: 'applicationRole',
    action: 's3:PutObject',
    resource: 'dataObject',
    context: { 'aws:SecureTransport': 'false' },
    expected: 'Denied',
    because: 'plain HTTP',
  },
  {
    group: UPLOADS,
    principal: 'applicationRole',
    action: 's3:AbortMultipartUpload',
    resource: 'dataObject',
    expected: 'Allowed',
    because: 'it may abandon its own uploads',
  },
  {
    group: UPLOADS,
    principal: 'applicationRole',
    action: 's3:GetObject',
    resource: 'dataObject',
    expected: 'Allowed',
    because: 'it reads its data (a GET carries no SSE header)',
  },
  {
    group: UPLOADS,
    principal: 'applicationRole',
    action: 's3:DeleteObject',
    resource: 'dataObject',
    expected: 'Denied',
    because: 'no delete, for anyone',
  },
  {
    group: UPLOADS,
    principal: 'applicationRole',
    action: 'kms:GenerateDataKey',
    resource: 'dataKey',
    context: viaService('s3'),
    expected: 'Allowed',
    because: 'S3 encrypts its uploads with the stage key on its behalf',
  },
  {
    group: UPLOADS,
    principal: 'applicationRole',
    action: 'kms:Decrypt',
    resource: 'dataKey',
    context: viaService('s3'),
    expected: 'Allowed',
    because: 'S3 decrypts its reads (and assembles multipart uploads) on its behalf',
  },
  // Data key
  {
    group: DATA_KEY,
    principal: 'administrator',
    action: 'kms:Decrypt',
    resource: 'dataKey',
    expected: 'Denied',
    because: 'no key-policy statement allows direct use, whatever IAM allows',
  },
  {
    group: DATA_KEY,
    principal: 'deployRole',
    action: 'kms:Decrypt',
    resource: 'dataKey',
    expected: 'Denied',
    because: 'the deploy role administers, it does not decrypt',
  },
  {
    group: DATA_KEY,
    principal: 'applicationRole',
    action: 'kms:Decrypt',
    resource: 'dataKey',
    expected: 'Denied',
    because: 'the application decrypts only through S3',
  },
  {
    group: DATA_KEY,
    principal: 'applicationRole',
    action: 'kms:Decrypt',
    resource: 'dataKey',
    context: viaService('secretsmanager'),
    expected: 'Denied',
    because: 'not through Secrets Manager either: the master secret is not its to read',
  },
  {
    group: DATA_KEY,
    principal: 'administrator',
    action: 's3:GetObject',
    resource: 'dataObject',
    expected: 'Denied',
    because: 'the bucket refuses object access to every principal but the application role',
  },
  {
    group: DATA_KEY,
    principal: 'administrator',
    action: 'kms:PutKeyPolicy',
    resource: 'dataKey',
    expected: 'Allowed',
    because: 'administration stays with IAM: no role loss makes the key unmanageable',
  },
  {
    group: DATA_KEY,
    principal: 'deployRole',
    action: 'kms:CreateGrant',
    resource: 'dataKey',
    context: { ...viaService('rds'), 'kms:GrantIsForAWSResource': 'true' },
    expected: 'Allowed',
    because: 'RDS encrypts the database storage with a grant for an AWS resource',
  },
  {
    group: DATA_KEY,
    principal: 'deployRole',
    action: 'kms:GenerateDataKey',
    resource: 'dataKey',
    context: viaService('secretsmanager'),
    expected: 'Allowed',
    because: 'Secrets Manager encrypts the RDS-managed master secret',
  },
  {
    group: DATA_KEY,
    principal: 'deployRole',
    action: 'kms:CreateGrant',
    resource: 'dataKey',
    context: { 'kms:GrantIsForAWSResource': 'false' },
    expected: 'Denied',
    because: 'a grant that is not for an AWS resource (CT.KMS.PR.3)',
  },
  {
    group: DATA_KEY,
    principal: 'otherAccount',
    action: 'kms:Decrypt',
    resource: 'dataKey',
    context: viaService('s3'),
    expected: 'Denied',
    because: 'another account, even through S3',
  },
  {
    group: DATA_KEY,
    principal: 'otherAccount',
    action: 's3:GetObject',
    resource: 'dataObject',
    expected: 'Denied',
    because: 'another account',
  },
  {
    group: DATA_KEY,
    principal: 'anonymous',
    action: 's3:GetObject',
    resource: 'dataObject',
    expected: 'Denied',
    because: 'nobody unauthenticated',
  },
  {
    group: DATA_KEY,
    principal: 'cloudWatchLogs',
    action: 'kms:GenerateDataKey',
    resource: 'dataKey',
    context: { 'kms:EncryptionContext:aws:logs:arn': '{flowLogGroup}' },
    expected: 'Denied',
    because: 'log groups never use the data key',
  },
  // Logs key and alarm topic
  {
    group: LOGS_KEY,
    principal: 'cloudWatchLogs',
    action: 'kms:GenerateDataKey',
    resource: 'logsKey',
    context: { 'kms:EncryptionContext:aws:logs:arn': '{flowLogGroup}' },
    expected: 'Allowed',
    because: 'CloudWatch Logs encrypts the flow log group',
  },
  {
    group: LOGS_KEY,
    principal: 'cloudWatchLogs',
    action: 'kms:GenerateDataKey',
    resource: 'logsKey',
    context: { 'kms:EncryptionContext:aws:logs:arn': 'arn:{partition}:logs:{region}:{otherAccount}:log-group:theirs' },
    expected: 'Denied',
    because: "another account's log group",
  },
  {
    group: LOGS_KEY,
    principal: 'administrator',
    action: 'kms:Decrypt',
    resource: 'logsKey',
    expected: 'Denied',
    because: 'no direct use of the logs key either',
  },
  {
    group: LOGS_KEY,
    principal: 'administrator',
    action: 'kms:GenerateDataKey',
    resource: 'logsKey',
    context: viaService('sns'),
    expected: 'Allowed',
    because: 'publishing to the encrypted alarm topic (a test message)',
  },
  {
    group: LOGS_KEY,
    principal: 'cloudWatchAlarms',
    action: 'kms:GenerateDataKey',
    resource: 'logsKey',
    context: alarmSource,
    expected: 'Allowed',
    because: 'an alarm of this account and region encrypts its notification',
  },
  {
    group: LOGS_KEY,
    principal: 'cloudWatchAlarms',
    action: 'sns:Publish',
    resource: 'alarmTopic',
    context: alarmSource,
    expected: 'Allowed',
    because: 'an alarm of this account and region notifies',
  },
  {
    group: LOGS_KEY,
    principal: 'cloudWatchAlarms',
    action: 'sns:Publish',
    resource: 'alarmTopic',
    context: {
      'aws:SourceAccount': '{otherAccount}',
      'aws:SourceArn': 'arn:{partition}:cloudwatch:{region}:{otherAccount}:alarm:any',
    },
    expected: 'Denied',
    because: "another account's alarm (confused deputy)",
  },
  {
    group: LOGS_KEY,
    principal: 'anonymous',
    action: 'sns:Publish',
    resource: 'alarmTopic',
    expected: 'Denied',
    because: 'nobody unauthenticated',
  },
  // Database
  {
    group: DATABASE,
    principal: 'applicationRole',
    action: 'rds-db:connect',
    resource: 'databaseAsApplicationUser',
    expected: 'Allowed',
    because: 'IAM database authentication as the application user',
  },
  {
    group: DATABASE,
    principal: 'applicationRole',
    action: 'rds-db:connect',
    resource: 'databaseAsMaster',
    expected: 'Denied',
    because: 'never as the master user',
  },
  {
    group: DATABASE,
    principal: 'applicationRole',
    action: 'secretsmanager:GetSecretValue',
    resource: 'masterSecret',
    expected: 'Denied',
    because: "the master password is not the application's",
  },
  {
    group: DATABASE,
    principal: 'applicationService',
    action: 'sts:AssumeRole',
    resource: 'applicationRole',
    expected: 'Allowed',
    because: 'the configured service runs the application',
  },
  {
    group: DATABASE,
    principal: 'otherService',
    action: 'sts:AssumeRole',
    resource: 'applicationRole',
    expected: 'Denied',
    because: 'no other service',
  },
  // Validation
  {
    group: VALIDATION,
    principal: 'validationStepRole',
    action: 'sts:AssumeRole',
    resource: 'validationRole',
    expected: 'Allowed',
    because: "the check's step role, named in the trust policy",
  },
  {
    group: VALIDATION,
    principal: 'toolingAdministrator',
    action: 'sts:AssumeRole',
    resource: 'validationRole',
    expected: 'Denied',
    because: 'no other principal of the tooling account',
  },
  {
    group: VALIDATION,
    principal: 'validationRole',
    action: 'cloudformation:DescribeStacks',
    resource: 'stageStack',
    expected: 'Allowed',
    because: 'the check reads the state of its stacks',
  },
  {
    group: VALIDATION,
    principal: 'validationRole',
    action: 'cloudformation:ListStackResources',
    resource: 'stageStack',
    expected: 'Allowed',
    because: 'and finds their alarms',
  },
  {
    group: VALIDATION,
    principal: 'validationRole',
    action: 'cloudwatch:DescribeAlarms',
    resource: 'alarms',
    expected: 'Allowed',
    because: 'and reads their states',
  },
  {
    group: VALIDATION,
    principal: 'validationRole',
    action: 'cloudformation:DescribeStacks',
    resource: 'otherStack',
    expected: 'Denied',
    because: 'no other stack',
  },
  {
    group: VALIDATION,
    principal: 'validationRole',
    action: 'logs:GetLogEvents',
    resource: 'flowLogStream',
    expected: 'Denied',
    because: 'no flow logs',
  },
  {
    group: VALIDATION,
    principal: 'validationRole',
    action: 's3:GetObject',
    resource: 'dataObject',
    expected: 'Denied',
    because: 'no data',
  },
  // Service roles
  {
    group: SERVICES,
    principal: 'vpcFlowLogs',
    action: 'sts:AssumeRole',
    resource: 'flowLogRole',
    context: {
      'aws:SourceAccount': '{account}',
      'aws:SourceArn': 'arn:{partition}:ec2:{region}:{account}:vpc-flow-log/fl-0123456789abcdef0',
    },
    expected: 'Allowed',
    because: 'a flow log of this account',
  },
  {
    group: SERVICES,
    principal: 'vpcFlowLogs',
    action: 'sts:AssumeRole',
    resource: 'flowLogRole',
    context: {
      'aws:SourceAccount': '{otherAccount}',
      'aws:SourceArn': 'arn:{partition}:ec2:{region}:{otherAccount}:vpc-flow-log/fl-0123456789abcdef0',
    },
    expected: 'Denied',
    because: "another account's flow log (confused deputy)",
  },
  {
    group: SERVICES,
    principal: 'flowLogRole',
    action: 'logs:PutLogEvents',
    resource: 'flowLogStream',
    expected: 'Allowed',
    because: 'it writes the flow log group',
  },
  {
    group: SERVICES,
    principal: 'flowLogRole',
    action: 'logs:PutLogEvents',
    resource: 'otherLogStream',
    expected: 'Denied',
    because: 'and no other',
  },
  {
    group: SERVICES,
    principal: 'rdsMonitoring',
    action: 'sts:AssumeRole',
    resource: 'monitoringRole',
    context: { 'aws:SourceAccount': '{account}' },
    expected: 'Allowed',
    because: 'enhanced monitoring of this account',
  },
  {
    group: SERVICES,
    principal: 'monitoringRole',
    action: 'logs:CreateLogGroup',
    resource: 'rdsOsMetricsGroup',
    expected: 'Allowed',
    because: 'enhanced monitoring creates RDSOSMetrics, named without a suffix',
  },
  {
    group: SERVICES,
    principal: 'monitoringRole',
    action: 'logs:CreateLogGroup',
    resource: 'rdsOsMetricsGroupWildcard',
    expected: 'Allowed',
    because: "or with ':*', as CloudWatch Logs also evaluates it",
  },
  {
    group: SERVICES,
    principal: 'monitoringRole',
    action: 'logs:PutLogEvents',
    resource: 'rdsOsMetricsStream',
    expected: 'Allowed',
    because: 'and writes its streams',
  },
  {
    group: SERVICES,
    principal: 'monitoringRole',
    action: 'logs:PutLogEvents',
    resource: 'otherLogStream',
    expected: 'Denied',
    because: 'and no other group',
  },
  // Pipeline
  {
    group: PIPELINE,
    principal: 'codestarNotifications',
    action: 'sns:Publish',
    resource: 'pipelineTopic',
    context: { 'aws:SourceAccount': '{toolingAccount}' },
    expected: 'Allowed',
    because: 'pipeline failures and approvals are published',
  },
  {
    group: PIPELINE,
    principal: 'codestarNotifications',
    action: 'kms:GenerateDataKey',
    resource: 'pipelineKey',
    context: { 'kms:ViaService': 'sns.{toolingRegion}.{urlSuffix}' },
    expected: 'Allowed',
    because: 'through SNS, with the one condition AWS documents',
  },
  {
    group: PIPELINE,
    principal: 'codestarNotifications',
    action: 'sns:Publish',
    resource: 'pipelineTopic',
    context: { 'aws:SourceAccount': '{otherAccount}' },
    expected: 'Denied',
    because: "another account's notification rule",
  },
  // Drift detection
  {
    group: DRIFT,
    principal: 'driftRole',
    action: 'cloudformation:DetectStackDrift',
    resource: 'stageStack',
    expected: 'Allowed',
    because: 'the daily schedule starts drift detection of each stack of the stage-region',
  },
  {
    group: DRIFT,
    principal: 'driftRole',
    action: 'cloudformation:DetectStackDrift',
    resource: 'otherStack',
    expected: 'Denied',
    because: 'no other stack of the account',
  },
  {
    group: DRIFT,
    principal: 'driftRole',
    action: 'kms:GetKeyPolicy',
    resource: 'dataKey',
    expected: 'Allowed',
    because: "drift detection reads the key's configuration (key administration is delegated to IAM)",
  },
  {
    group: DRIFT,
    principal: 'driftRole',
    action: 'kms:Decrypt',
    resource: 'dataKey',
    expected: 'Denied',
    because: 'configuration reads only: no data',
  },
  {
    group: DRIFT,
    principal: 'driftRole',
    action: 's3:GetObject',
    resource: 'dataObject',
    expected: 'Denied',
    because: 'configuration reads only: no data',
  },
  {
    group: DRIFT,
    principal: 'eventBridge',
    action: 'sns:Publish',
    resource: 'alarmTopic',
    context: driftRuleSource,
    expected: 'Allowed',
    because: 'the drift rule notifies the alarm topic',
  },
  {
    group: DRIFT,
    principal: 'eventBridge',
    action: 'kms:GenerateDataKey',
    resource: 'logsKey',
    context: driftRuleSource,
    expected: 'Allowed',
    because: 'the drift rule encrypts its notification with the topic key',
  },
  {
    group: DRIFT,
    principal: 'eventBridge',
    action: 'sns:Publish',
    resource: 'alarmTopic',
    context: {
      'aws:SourceAccount': '{account}',
      'aws:SourceArn': 'arn:{partition}:events:{region}:{account}:rule/another-rule',
    },
    expected: 'Denied',
    because: 'another rule of the account: the topic names the drift rule only',
  },
  {
    group: DRIFT,
    principal: 'eventBridge',
    action: 'kms:GenerateDataKey',
    resource: 'logsKey',
    context: {
      'aws:SourceAccount': '{otherAccount}',
      'aws:SourceArn': 'arn:{partition}:events:{region}:{otherAccount}:rule/any',
    },
    expected: 'Denied',
    because: "another account's rule (confused deputy)",
  },
];
