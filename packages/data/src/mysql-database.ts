import {
  ArnFormat,
  CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_rds as rds,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  Ipv4Cidr,
  LOGS_RETENTION_DAYS,
  MYSQL_ALLOCATED_STORAGE,
  MYSQL_BACKUP_RETENTION_DAYS,
  MYSQL_BACKUP_WINDOW,
  MYSQL_DATABASE_NAME,
  MYSQL_DEFAULT_MAJOR_VERSION,
  MYSQL_INSTANCE_IDENTIFIER,
  MYSQL_MAINTENANCE_WINDOW,
  MYSQL_MASTER_USERNAME,
  MYSQL_MAJOR_VERSION,
  MYSQL_MAX_ALLOCATED_STORAGE,
  MYSQL_PORT,
  MYSQL_WINDOWS_APART,
  acknowledgeKeyOfAnotherStack,
  cidrContains,
  enforceRule,
  formatCidr,
  parseIpv4Cidr,
  todayUtc,
} from '@baseline/rules';
import { mysqlSupportsPerformanceInsights } from './private/performance-insights';

/**
 * Properties of a {@link MysqlDatabase}.
 */
export interface MysqlDatabaseProps {
  /** The VPC the instance is placed in. */
  readonly vpc: ec2.IVpc;

  /**
   * The subnets of the DB subnet group: the VPC's isolated subnets.
   *
   * Isolated subnets have no route to or from the internet, so the database is unreachable from
   * outside the VPC whatever its security group says.
   */
  readonly subnets: ec2.SubnetSelection;

  /**
   * The CIDR blocks allowed to connect: the application subnets' own CIDRs, nothing broader.
   *
   * These are the only ingress sources of the database's security group. Refused: any block broader
   * than /16 (which includes `0.0.0.0/0` and `10.0.0.0/8`), and any block that covers the whole VPC
   * range when that range is known at synth time; either would let every workload in the VPC (or
   * beyond) reach the database port.
   */
  readonly clientCidrs: string[];

  /**
   * The stage key: encrypts the storage, the snapshots, the Performance Insights data and the
   * RDS-managed master user secret.
   */
  readonly encryptionKey: kms.IKey;

  /**
   * The role RDS enhanced monitoring assumes; it must trust `monitoring.rds.amazonaws.com`.
   *
   * The construct attaches a customer managed policy to it with exactly the permissions enhanced
   * monitoring uses (the `RDSOSMetrics` log group of this region and account), rather than the
   * broader AWS managed `AmazonRDSEnhancedMonitoringRole`, which covers every `RDS*` log group.
   */
  readonly monitoringRole: iam.IRole;

  /**
   * The DB instance identifier, also the middle part of the log group names.
   *
   * RDS rules: 1 to 63 characters, letters, digits and hyphens, starting with a letter, no two
   * consecutive hyphens, no trailing hyphen. Lower case is required here because RDS stores the
   * identifier in lower case and names the log groups after the stored form.
   */
  readonly instanceIdentifier: string;

  /** The instance class, e.g. `ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE)`. */
  readonly instanceType: ec2.InstanceType;

  /** Allocated gp3 storage in GiB, 20 to 65536. */
  readonly allocatedStorageGiB: number;

  /**
   * The storage autoscaling ceiling in GiB.
   *
   * RDS requires it to be at least 10% above the allocated storage.
   *
   * @default - twice `allocatedStorageGiB`
   */
  readonly maxAllocatedStorageGiB?: number;

  /**
   * Whether RDS keeps a synchronous standby in a second Availability Zone.
   *
   * @default true
   */
  readonly multiAz?: boolean;

  /**
   * How long automated backups (point-in-time recovery) are kept, 1 to 35 days.
   *
   * Zero, which disables automated backups, is refused.
   *
   * @default Duration.days(30)
   */
  readonly backupRetention?: Duration;

  /**
   * Whether RDS refuses to delete the instance until this is turned off.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * The port MySQL listens on, 1150 to 65535 and not 3306.
   *
   * The default port 3306 is refused: scanners try it first, and the rule packs flag it
   * (AwsSolutions-RDS11). The value comes from the environment config.
   */
  readonly port: number;

  /**
   * The daily backup window in UTC, `hh24:mi-hh24:mi`, at least 30 minutes.
   *
   * @default '03:00-04:00'
   */
  readonly preferredBackupWindow?: string;

  /**
   * The weekly maintenance window in UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least 30 minutes, not
   * overlapping the backup window.
   *
   * @default 'sun:04:30-sun:05:30'
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * How long the exported database logs (audit, error, slow query) are kept in CloudWatch Logs.
   *
   * One year, like the S3 access logs: the audit log is the record of who connected and who
   * changed schemas or privileges. A period CloudWatch Logs accepts; `RetentionDays.INFINITE` is
   * refused (`LOGS_RETENTION_DAYS` of `@baseline/rules`).
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /** The key that encrypts the exported log groups; its key policy must allow the CloudWatch Logs service. */
  readonly logsKey: kms.IKey;

  /**
   * Name of a database to create in the instance.
   *
   * MySQL rules: 1 to 64 letters, digits or underscores, starting with a letter.
   *
   * @default - no database is created
   */
  readonly databaseName?: string;

  /**
   * The MySQL major version, e.g. `8.4`: the major only, RDS chooses and applies the minor.
   *
   * Only the major is pinned, and automatic minor version upgrades are on, so the template never
   * names a minor that RDS has retired or already upgraded from (RDS API reference,
   * ModifyDBInstance EngineVersion: "If you specify only a major version, Amazon RDS updates the DB
   * instance to the default minor version if the current minor version is lower"), and the
   * instance gets security patches in the maintenance window. A major upgrade stays a reviewed
   * change. The major must be in RDS standard support today (`MYSQL_MAJOR_VERSIONS` of
   * `@baseline/rules`): the instance refuses paid Extended Support, so RDS would refuse to create a
   * major past it.
   *
   * @default '8.4' (the LTS line)
   */
  readonly engineMajorVersion?: string;

  /**
   * The master user's name. RDS keeps its password in Secrets Manager.
   *
   * Not `admin` (the RDS console default, which AWS Control Tower's CT.RDS.PR.22 refuses), nor
   * another name attackers try first or RDS reserves.
   *
   * @default 'dbadmin'
   */
  readonly masterUsername?: string;
}

/** Log types exported to CloudWatch Logs. */
const LOG_EXPORTS = ['audit', 'error', 'slowquery'] as const;

/** The master user's name when none is given: not a default name (CT.RDS.PR.22). */
const DEFAULT_MASTER_USERNAME = 'dbadmin';

/** Construct ids of the pre-created log groups, per log type; stable, part of the contract. */
const LOG_GROUP_IDS: Record<(typeof LOG_EXPORTS)[number], string> = {
  audit: 'AuditLogGroup',
  error: 'ErrorLogGroup',
  slowquery: 'SlowQueryLogGroup',
};

/**
 * A Multi-AZ RDS for MySQL 8 instance in isolated subnets, with an RDS-managed master password.
 *
 * The master password is generated, stored and rotated by RDS in Secrets Manager
 * (`ManageMasterUserPassword`), encrypted with the stage key: no password appears in the template
 * and no hand-made secret exists. Clients must use TLS (`require_secure_transport`), connect on a
 * non-default port from the application subnets only, and can authenticate with IAM.
 */
export class MysqlDatabase extends Construct {
  /** The DB instance. */
  public readonly instance: rds.DatabaseInstance;

  /** The security group of the instance; its only ingress is `port` from `clientCidrs`. */
  public readonly securityGroup: ec2.SecurityGroup;

  /** The port MySQL listens on. */
  public readonly port: number;

  /**
   * The master user secret that RDS creates and rotates (its ARN is the instance's
   * `MasterUserSecret.SecretArn` attribute).
   */
  public readonly secret: secretsmanager.ISecret;

  /** The pre-created log groups, keyed by log type (`audit`, `error`, `slowquery`). */
  public readonly logGroups: { readonly [logType: string]: logs.ILogGroup };

  /** Whether Performance Insights is on; it is off on the classes RDS for MySQL does not support it on. */
  public readonly performanceInsightsEnabled: boolean;

  constructor(scope: Construct, id: string, props: MysqlDatabaseProps) {
    super(scope, id);

    enforceRule(this, 'instanceIdentifier', props.instanceIdentifier, MYSQL_INSTANCE_IDENTIFIER);
    enforceRule(this, 'port', props.port, MYSQL_PORT);
    validateClientCidrs(this, props.clientCidrs, props.vpc);
    if (props.databaseName !== undefined) {
      enforceRule(this, 'databaseName', props.databaseName, MYSQL_DATABASE_NAME);
    }
    const masterUsername = props.masterUsername ?? DEFAULT_MASTER_USERNAME;
    enforceRule(this, 'masterUsername', masterUsername, MYSQL_MASTER_USERNAME);
    enforceRule(this, 'allocatedStorageGiB', props.allocatedStorageGiB, MYSQL_ALLOCATED_STORAGE);
    const maxAllocatedStorageGiB = props.maxAllocatedStorageGiB ?? props.allocatedStorageGiB * 2;
    enforceRule(
      this,
      'maxAllocatedStorageGiB',
      { allocated: props.allocatedStorageGiB, max: maxAllocatedStorageGiB },
      MYSQL_MAX_ALLOCATED_STORAGE,
      maxAllocatedStorageGiB,
    );
    const backupRetention = props.backupRetention ?? Duration.days(30);
    const backupRetentionDays = backupRetention.isUnresolved()
      ? undefined
      : backupRetention.toDays({ integral: false });
    if (backupRetentionDays !== undefined) {
      enforceRule(
        this,
        'backupRetention',
        backupRetentionDays,
        MYSQL_BACKUP_RETENTION_DAYS,
        backupRetention.toHumanString(),
      );
    }
    const backupWindow = props.preferredBackupWindow ?? '03:00-04:00';
    const maintenanceWindow = props.preferredMaintenanceWindow ?? 'sun:04:30-sun:05:30';
    enforceRule(this, 'preferredBackupWindow', backupWindow, MYSQL_BACKUP_WINDOW);
    enforceRule(this, 'preferredMaintenanceWindow', maintenanceWindow, MYSQL_MAINTENANCE_WINDOW);
    enforceRule(
      this,
      'preferredMaintenanceWindow',
      { backup: backupWindow, maintenance: maintenanceWindow },
      MYSQL_WINDOWS_APART,
      maintenanceWindow,
    );

    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    enforceRule(this, 'logRetention', logRetention, LOGS_RETENTION_DAYS);

    const major = props.engineMajorVersion ?? MYSQL_DEFAULT_MAJOR_VERSION;
    enforceRule(this, 'engineMajorVersion', { major, date: todayUtc() }, MYSQL_MAJOR_VERSION, major);
    // The major alone (`8.4`), as the full version too: CloudFormation then passes EngineVersion "8.4"
    // and RDS picks the default minor (and later upgrades it automatically).
    const engineVersion = rds.MysqlEngineVersion.of(major, major);
    const engine = rds.DatabaseInstanceEngine.mysql({ version: engineVersion });
    const stack = Stack.of(this);

    this.port = props.port;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'MySQL instance: database port from the application subnets only',
      // The database initiates no connections; the CDK renders a disallow-all placeholder egress
      // rule (255.255.255.255/32) so that EC2's implicit allow-all egress is removed.
      allowAllOutbound: false,
    });
    for (const cidr of props.clientCidrs) {
      this.securityGroup.addIngressRule(
        ec2.Peer.ipv4(cidr),
        ec2.Port.tcp(props.port),
        `MySQL from application subnet ${cidr}`,
      );
    }

    const parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine,
      description: `MySQL ${engineVersion.mysqlMajorVersion}: TLS required, slow query log to file`,
      parameters: {
        // Refuses any connection that is not TLS, whatever the client asks for.
        require_secure_transport: '1',
        // The slow query log is exported to CloudWatch Logs; RDS publishes only file logs.
        slow_query_log: '1',
        long_query_time: '2',
        log_output: 'FILE',
      },
    });

    // The audit log records connections and schema/privilege changes (DDL, DCL): who got in and
    // what they changed. It needs the MariaDB audit plugin, which RDS for MySQL ships as an option:
    // "All MySQL 8.4 versions" (RDS User Guide, "Options for MySQL DB instances",
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.MySQL.Options.html; older copies
    // of the AuditPlugin page list only 8.0.28+ and 5.7). SERVER_AUDIT_EVENTS takes CONNECT, QUERY,
    // QUERY_DDL, QUERY_DML, QUERY_DML_NO_SELECT, QUERY_DCL ("For MySQL, TABLE is not supported",
    // Appendix.MySQL.Options.AuditPlugin.html); SERVER_AUDIT_LOGGING is left at its default, ON.
    const optionGroup = new rds.OptionGroup(this, 'OptionGroup', {
      engine,
      description: `MySQL ${engineVersion.mysqlMajorVersion}: audit plugin for connections, DDL and DCL`,
      configurations: [
        {
          name: 'MARIADB_AUDIT_PLUGIN',
          settings: { SERVER_AUDIT_EVENTS: 'CONNECT,QUERY_DDL,QUERY_DCL' },
        },
      ],
    });

    // Pre-created so that retention, encryption and removal are ours: otherwise RDS creates them
    // on first export, unencrypted and kept forever (and `cloudwatchLogsRetention` would fix that
    // with a Lambda-backed custom resource).
    const logGroups: { [logType: string]: logs.LogGroup } = {};
    for (const logType of LOG_EXPORTS) {
      logGroups[logType] = new logs.LogGroup(this, LOG_GROUP_IDS[logType], {
        logGroupName: `/aws/rds/instance/${props.instanceIdentifier}/${logType}`,
        retention: logRetention,
        encryptionKey: props.logsKey,
        // Named, so not plain Retain: a group kept after a failed first create makes the retry fail
        // with "already exists". RetainExceptOnCreate deletes it only when its creation rolls back.
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      });
    }
    this.logGroups = logGroups;

    const monitoringPolicy = new iam.ManagedPolicy(this, 'MonitoringPolicy', {
      description: 'RDS enhanced monitoring: write OS metrics to the RDSOSMetrics log group',
      roles: [props.monitoringRole],
      statements: [
        // CloudWatch Logs authorizes group-level actions against the group ARN with or without the
        // trailing ':*' (the ARN its API returns for a group ends in ':*'); AWS's own
        // AmazonRDSEnhancedMonitoringRole covers both with 'log-group:RDS*'. Both forms are listed
        // for the one group enhanced monitoring writes (AWS managed policy reference,
        // AmazonRDSEnhancedMonitoringRole).
        new iam.PolicyStatement({
          sid: 'CreateRdsOsMetricsLogGroup',
          actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy'],
          resources: [rdsOsMetricsArn(stack), `${rdsOsMetricsArn(stack)}:*`],
        }),
        new iam.PolicyStatement({
          sid: 'WriteRdsOsMetricsLogStreams',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:GetLogEvents'],
          resources: [`${rdsOsMetricsArn(stack)}:log-stream:*`],
        }),
      ],
    });
    Validations.of(monitoringPolicy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${rdsOsMetricsFindingArn(stack)}:log-stream:*]`,
      reason:
        'RDS enhanced monitoring writes one stream per instance into the fixed log group RDSOSMetrics, ' +
        'named after the DbiResourceId that exists only once the instance does; the group is named ' +
        'exactly, only the stream is open, and only to the log actions of AmazonRDSEnhancedMonitoringRole.',
    });
    Validations.of(monitoringPolicy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${rdsOsMetricsFindingArn(stack)}:*]`,
      reason:
        "The group ARN with a trailing ':*' is the second form CloudWatch Logs authorizes group-level actions " +
        '(CreateLogGroup, PutRetentionPolicy) against; it names the RDSOSMetrics group itself, nothing else ' +
        "(AmazonRDSEnhancedMonitoringRole grants 'log-group:RDS*' for the same reason).",
    });

    this.performanceInsightsEnabled = mysqlSupportsPerformanceInsights(props.instanceType);

    const subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      description: `Isolated subnets of MySQL instance ${props.instanceIdentifier}`,
    });

    this.instance = new rds.DatabaseInstance(this, 'Resource', {
      engine,
      instanceType: props.instanceType,
      instanceIdentifier: props.instanceIdentifier,
      vpc: props.vpc,
      subnetGroup,
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      port: props.port,
      databaseName: props.databaseName,
      // RDS generates the master password and keeps it in a secret it rotates itself, encrypted
      // with the stage key; nothing secret passes through the template.
      credentials: rds.Credentials.fromUsername(masterUsername, { encryptionKey: props.encryptionKey }),
      manageMasterUserPassword: true,
      iamAuthentication: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
      storageEncryptionKey: props.encryptionKey,
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: maxAllocatedStorageGiB,
      multiAz: props.multiAz ?? true,
      backupRetention,
      preferredBackupWindow: backupWindow,
      preferredMaintenanceWindow: maintenanceWindow,
      copyTagsToSnapshot: true,
      // Automated backups outlive an instance deletion until their retention ends.
      deleteAutomatedBackups: false,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      // With the major only pinned, minor upgrades are RDS's job (security patches in the
      // maintenance window); a major upgrade is a reviewed code change.
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      // Refuses paid RDS Extended Support: creating an instance of a major past its end of standard
      // support fails instead of silently costing extra (CreateDBInstance, EngineLifecycleSupport).
      engineLifecycleSupport: rds.EngineLifecycleSupport.OPEN_SOURCE_RDS_EXTENDED_SUPPORT_DISABLED,
      parameterGroup,
      optionGroup,
      cloudwatchLogsExports: [...LOG_EXPORTS],
      monitoringInterval: Duration.seconds(60),
      monitoringRole: props.monitoringRole,
      enablePerformanceInsights: this.performanceInsightsEnabled,
      performanceInsightEncryptionKey: this.performanceInsightsEnabled ? props.encryptionKey : undefined,
      performanceInsightRetention: this.performanceInsightsEnabled
        ? rds.PerformanceInsightRetention.DEFAULT
        : undefined,
    });
    // manageMasterUserPassword: true always gives the instance a secret; the `!` only narrows the type.
    this.secret = this.instance.secret!;

    const cfnInstance = this.instance.node.defaultChild as CfnResource;
    // The log groups must exist before RDS first exports, or RDS creates them itself (unencrypted,
    // no retention) and CloudFormation then fails to create ours with "already exists".
    for (const logGroup of Object.values(logGroups)) {
      cfnInstance.addResourceDependency(
        logGroup.node.defaultChild as CfnResource,
        'RDS must find the log group ours, not create it',
      );
    }
    // Enhanced monitoring starts with the instance; its role must already hold the permissions.
    cfnInstance.addResourceDependency(
      monitoringPolicy.node.defaultChild as CfnResource,
      'enhanced monitoring needs its permissions from the start',
    );

    this.acknowledgeDeliberateFindings(props);
  }

  /**
   * Replicates the instance's automated backups (snapshots and transaction logs) to another region,
   * where the database can then be restored to any point in the retention period (RDS User Guide,
   * "Replicating automated backups to another AWS Region"): a recovery point objective of minutes
   * instead of the last daily copy. The replicas are encrypted with `keyArn`, a key of that region.
   * Charged per GB of snapshot copy and storage; RDS allows 20 replicated backups per destination region
   * per account.
   */
  public replicateAutomatedBackupsTo(replication: { region: string; keyArn: string; retentionDays: number }): void {
    enforceRule(this, 'replication.retentionDays', replication.retentionDays, MYSQL_BACKUP_RETENTION_DAYS);
    const cfn = this.instance.node.defaultChild as rds.CfnDBInstance;
    cfn.automaticBackupReplicationRegion = replication.region;
    cfn.automaticBackupReplicationKmsKeyId = replication.keyArn;
    cfn.automaticBackupReplicationRetentionPeriod = replication.retentionDays;
  }

  private acknowledgeDeliberateFindings(props: MysqlDatabaseProps): void {
    const cfnInstance = this.instance.node.defaultChild as CfnResource;
    acknowledgeKeyOfAnotherStack(cfnInstance, props.encryptionKey, 'rds_storage_encrypted_kms_key_check');
    for (const logGroup of Object.values(this.logGroups)) {
      acknowledgeKeyOfAnotherStack(logGroup.node.defaultChild!, props.logsKey, 'cloudwatch_log_group_encrypted_check');
    }
    // The validator attributes this control's finding to the stack, not the instance (it fails on the
    // list of log types, which has no logical id): acknowledged there, for this instance's reason.
    Validations.of(Stack.of(this)).acknowledge({
      id: 'CloudFormation-Validate::rds_instance_logging_enabled_check',
      reason:
        `${this.node.path} exports the audit, error and slow query logs (CT.RDS.PR.14 wants every log type): ` +
        'not the general query log, which records every statement with its literal values (personal data, ' +
        'secrets in INSERTs) at a large I/O cost; connections, DDL and DCL are in the audit log.',
    });
    Validations.of(cfnInstance).acknowledge({
      id: 'NIST.800.53.R5::NIST.800.53.R5-RDSLoggingEnabled[LogExport::general]',
      reason:
        'The general query log records every statement with its literal values (personal data, ' +
        'secrets in INSERTs) at a large I/O cost; connections, DDL and DCL are exported through the ' +
        'audit log (MARIADB_AUDIT_PLUGIN), error and slow queries through their own logs.',
    });
    Validations.of(cfnInstance).acknowledge({
      id: 'CloudFormation-Validate::E9006',
      reason:
        "The validator's list of MySQL EngineVersion values holds full versions only (8.4.3 ... 8.4.11); the " +
        "major alone ('8.4') is deliberate and accepted by RDS, which then runs its default minor and upgrades it " +
        '(RDS API reference, ModifyDBInstance EngineVersion: "If you specify only a major version, Amazon RDS ' +
        'updates the DB instance to the default minor version"; aws-cdk-lib MysqlEngineVersion.VER_8_0 is such a ' +
        'major-only version). A test synthesizes the instance with a full version and finds no E9006 left.',
    });
    Validations.of(cfnInstance).acknowledge({
      id: 'NIST.800.53.R5::NIST.800.53.R5-RDSInBackupPlan',
      reason:
        'This construct alone recovers from RDS automated backups (BackupRetentionPeriod 30 days by ' +
        'default, point-in-time restore, kept after deletion: DeleteAutomatedBackups false) and a final ' +
        'snapshot on removal. An AWS Backup plan is the separate DatabaseBackup construct of this package, ' +
        "which the app's Data stack always adds (the finding then does not arise).",
    });
  }
}

/** `arn:<partition>:logs:<region>:<account>:log-group:RDSOSMetrics`, the fixed enhanced monitoring group. */
function rdsOsMetricsArn(stack: Stack): string {
  return stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: 'RDSOSMetrics',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The same ARN as cdk-nag prints it in a finding id (tokens as `<AWS::...>`). */
function rdsOsMetricsFindingArn(stack: Stack): string {
  // A stack with a concrete region resolves the partition too (`aws`, `aws-cn`, ...).
  const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `arn:${partition}:logs:${region}:${account}:log-group:RDSOSMetrics`;
}

/** Narrowest client block accepted: anything broader reaches far beyond one subnet tier. */
const BROADEST_CLIENT_PREFIX = 16;

function validateClientCidrs(scope: Construct, clientCidrs: string[], vpc: ec2.IVpc): void {
  if (clientCidrs.length === 0) {
    throw new Error(
      `${scope.node.path}: clientCidrs is empty; list the application subnets' CIDRs, the only sources ` +
        'allowed to reach the database port',
    );
  }
  const vpcCidr = concreteVpcCidr(vpc);
  for (const text of clientCidrs) {
    if (Token.isUnresolved(text)) {
      continue;
    }
    const cidr = parseIpv4Cidr(text);
    if (typeof cidr === 'string') {
      throw new Error(`${scope.node.path}: clientCidrs entry '${text}' ${cidr}`);
    }
    if (cidr.prefix < BROADEST_CLIENT_PREFIX) {
      throw new Error(
        `${scope.node.path}: clientCidrs entry '${text}' is broader than /${BROADEST_CLIENT_PREFIX}; ` +
          "list the application subnets' own CIDRs (for example 10.0.16.0/20), never 0.0.0.0/0 or 10.0.0.0/8",
      );
    }
    if (vpcCidr && cidrContains(cidr, vpcCidr)) {
      throw new Error(
        `${scope.node.path}: clientCidrs entry '${text}' covers the whole VPC range ${formatCidr(vpcCidr)}; ` +
          "list the application subnets' own CIDRs so that other tiers cannot reach the database",
      );
    }
  }
}

/**
 * The VPC's primary CIDR when it is known at synth time.
 *
 * `vpc.vpcCidrBlock` of an `ec2.Vpc` is a `Fn::GetAtt` token, but the CIDR the VPC was created with
 * is a plain string on its `AWS::EC2::VPC` resource; an imported VPC may carry it as an attribute.
 */
function concreteVpcCidr(vpc: ec2.IVpc): Ipv4Cidr | undefined {
  const candidates: unknown[] = [];
  try {
    candidates.push(vpc.vpcCidrBlock);
  } catch {
    // An imported VPC without a CIDR attribute throws here; the CIDR is then simply unknown.
  }
  const cfnVpc = vpc.node.defaultChild;
  if (cfnVpc instanceof ec2.CfnVPC) {
    candidates.push(cfnVpc.cidrBlock);
  }
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && !Token.isUnresolved(candidate)) {
      const parsed = parseIpv4Cidr(candidate);
      if (typeof parsed !== 'string') {
        return parsed;
      }
    }
  }
  return undefined;
}
