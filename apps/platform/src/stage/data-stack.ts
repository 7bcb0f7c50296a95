import {
  CfnResource,
  Duration,
  Stack,
  StackProps,
  Validations,
  aws_backup as backup,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { DataBucket, DatabaseBackup, MysqlDatabase, RecoveryPointVault } from '@baseline/data';
import { backupJobHourClearOf, enforceRule, MYSQL_BACKUP_JOB_CLEAR } from '@baseline/rules';
import { ApplicationRole, ServiceRole } from '@baseline/security';
import { Construct } from 'constructs';
import { StageConfig } from '../config';

/** What AWS Control Tower's CT.RDS.PR.8 asks of automated backups: 7 days or more. */
const CONTROL_TOWER_MINIMUM_BACKUP_DAYS = 7;

export interface DataStackProps extends StackProps {
  /** The stage's name, for the reasons of config-driven acknowledgements. */
  readonly stageName: string;
  /** Whether the stage is protected (the config schema then refuses the relaxations below). */
  readonly protectedStage: boolean;
  readonly database: StageConfig['database'];
  readonly applicationPrincipal: string;
  readonly instanceIdentifier: string;
  readonly vpc: ec2.IVpc;
  readonly isolatedSubnets: ec2.ISubnet[];
  readonly applicationSubnetCidrs: string[];
  readonly dataKey: kms.IKey;
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** The AWS Backup vault of this stage-region and how long backups are kept. */
  readonly backup: { readonly vaultName: string; readonly retentionDays: number };
  /**
   * The copies in the recovery region (RecoveryStack): the bucket replicates there and each backup
   * is copied there. @default - no recovery region: the data stays in this region
   */
  readonly recovery?: {
    readonly region: string;
    readonly replicaBucketArn: string;
    readonly keyArn: string;
    readonly vaultArn: string;
  };
}

/**
 * The stateful tier of one stage-region: the data bucket, the application role that reads and
 * writes it, and the MySQL database.
 *
 * The application role lives here, next to the bucket it names, so the Security stack never
 * depends on this one: the reference graph stays Security → Network → Data.
 */
export class DataStack extends Stack {
  public readonly bucket: DataBucket;
  public readonly database: MysqlDatabase;
  public readonly applicationRole: ApplicationRole;
  public readonly backupVault: backup.IBackupVault;
  public readonly databaseBackup: DatabaseBackup;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    this.bucket = new DataBucket(this, 'Bucket', { encryptionKey: props.dataKey });
    this.applicationRole = new ApplicationRole(this, 'ApplicationRole', {
      assumedBy: new iam.ServicePrincipal(props.applicationPrincipal),
      bucket: this.bucket.bucket,
      encryptionKey: props.dataKey,
      description: 'Reads and writes objects of the data bucket (never deletes)',
    });
    const monitoringRole = new ServiceRole(this, 'MonitoringRole', {
      servicePrincipal: 'monitoring.rds.amazonaws.com',
      description: 'Lets RDS enhanced monitoring publish OS metrics of the database',
    });
    const db = props.database;
    this.database = new MysqlDatabase(this, 'Database', {
      vpc: props.vpc,
      subnets: { subnets: props.isolatedSubnets },
      clientCidrs: props.applicationSubnetCidrs,
      encryptionKey: props.dataKey,
      logsKey: props.logsKey,
      monitoringRole: monitoringRole.role,
      instanceIdentifier: props.instanceIdentifier,
      instanceType: new ec2.InstanceType(db.instanceType),
      allocatedStorageGiB: db.allocatedStorageGiB,
      multiAz: db.multiAz,
      backupRetention: Duration.days(db.backupRetentionDays),
      preferredBackupWindow: db.backupWindow,
      preferredMaintenanceWindow: db.maintenanceWindow,
      deletionProtection: db.deletionProtection,
      port: db.port,
      engineMajorVersion: db.engineVersion,
      masterUsername: db.masterUsername,
      logRetention: props.logRetention,
    });
    // The application connects as its own database user with IAM authentication, never as the master.
    this.applicationRole.allowDatabaseConnect(this.database.instance, db.applicationUser);
    // Only the application reads and writes the data: everyone else (an administrator included) is denied.
    this.bucket.limitObjectAccessTo(this.applicationRole.role);

    // Daily AWS Backup of the database into this region's vault (locked in a protected stage), each
    // backup copied to the recovery region; the bucket replicates there.
    this.backupVault = new RecoveryPointVault(this, 'BackupVault', {
      vaultName: props.backup.vaultName,
      encryptionKey: props.dataKey,
      lock: props.protectedStage ? { minRetentionDays: props.backup.retentionDays } : undefined,
    }).vault;
    this.databaseBackup = new DatabaseBackup(this, 'DatabaseBackup', {
      instance: this.database.instance,
      vault: this.backupVault,
      retentionDays: props.backup.retentionDays,
      copyToVaultArn: props.recovery?.vaultArn,
      scheduleHourUtc: backupJobHour(this, db.backupWindow, db.maintenanceWindow),
    });
    if (props.recovery && props.protectedStage) {
      // Decision: a protected stage also replicates the instance's automated backups to the recovery
      // region (AutomaticBackupReplicationRegion), so that the database can be restored there to any point
      // of the retention period (RPO of minutes; the daily AWS Backup copy alone gives up to a day plus
      // the copy's hours). Unprotected stages keep the daily copy only: the replication is charged per
      // GB copied and stored, and a day of loss is acceptable there.
      this.database.replicateAutomatedBackupsTo({
        region: props.recovery.region,
        keyArn: props.recovery.keyArn,
        retentionDays: db.backupRetentionDays,
      });
    }
    if (props.recovery) {
      this.bucket.replicateTo({
        bucketArn: props.recovery.replicaBucketArn,
        keyArn: props.recovery.keyArn,
        region: props.recovery.region,
      });
    }
    this.acknowledgeConfiguredRelaxations(props);
  }

  /**
   * An unprotected stage (dev) may turn Multi-AZ and deletion protection off in config to save
   * cost and allow teardown. The rule packs flag both; each is acknowledged here, on the database
   * resource only, and only when the config asked for it. A protected stage cannot ask (the config
   * schema refuses it), so prod never carries these acknowledgements.
   */
  private acknowledgeConfiguredRelaxations(props: DataStackProps): void {
    const db = props.database;
    if (props.protectedStage) {
      return;
    }

    const cfnInstance = this.database.instance.node.defaultChild as CfnResource;
    const where = `stage '${props.stageName}' is not protected and its config sets`;
    if (!db.multiAz) {
      const reason = `${where} database.multiAz: false (single-AZ to halve cost outside production).`;
      for (const id of [
        'AwsSolutions::AwsSolutions-RDS3',
        'NIST.800.53.R5::NIST.800.53.R5-RDSMultiAZSupport',
        'CloudFormation-Validate::rds_instance_multi_az_support_check',
      ]) {
        Validations.of(cfnInstance).acknowledge({ id, reason });
      }
    }
    if (db.backupRetentionDays < CONTROL_TOWER_MINIMUM_BACKUP_DAYS) {
      Validations.of(cfnInstance).acknowledge({
        id: 'CloudFormation-Validate::rds_instance_backup_enabled_check',
        reason: `${where} database.backupRetentionDays: ${db.backupRetentionDays} (AWS Control Tower's CT.RDS.PR.8 asks for ${CONTROL_TOWER_MINIMUM_BACKUP_DAYS} or more; point-in-time recovery over fewer days is enough outside production).`,
      });
    }
    if (!db.deletionProtection) {
      const reason = `${where} database.deletionProtection: false (so the stage can be torn down; a final snapshot is still taken).`;
      for (const id of [
        'AwsSolutions::AwsSolutions-RDS10',
        'NIST.800.53.R5::NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled',
        'CloudFormation-Validate::rds_instance_deletion_protection_enabled_check',
      ]) {
        Validations.of(cfnInstance).acknowledge({ id, reason });
      }
    }
  }
}

/**
 * The hour (UTC) of the daily AWS Backup job: the first from 01:00 on at which it can start (one-hour
 * start window) and run for four hours without meeting the instance's own backup window or its
 * maintenance window. AWS documents that backup jobs scheduled during, or in the hour before, a
 * database's maintenance window or automated backup window often fail (AWS Backup Developer Guide,
 * "AWS Backup metrics with Amazon CloudWatch", NumberOfBackupJobsFailed:
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/cloudwatch.html); a job clear of both for its
 * whole five hours is never scheduled in the five hours before either. The config loader checks the
 * same rule (MYSQL_BACKUP_JOB_CLEAR) on the config's windows, with every other problem; here it guards
 * other callers.
 */
function backupJobHour(scope: Construct, backupWindow: string, maintenanceWindow: string): number {
  const windows = { backup: backupWindow, maintenance: maintenanceWindow };
  enforceRule(scope, 'backupWindow', windows, MYSQL_BACKUP_JOB_CLEAR, backupWindow);
  const hour = backupJobHourClearOf(backupWindow, maintenanceWindow);
  if (hour === undefined) {
    // Only malformed windows get here, which MysqlDatabase has already refused.
    throw new Error(
      `${scope.node.path}: malformed backup window '${backupWindow}' or maintenance window '${maintenanceWindow}'`,
    );
  }
  return hour;
}
