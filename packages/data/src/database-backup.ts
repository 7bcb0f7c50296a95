import {
  Duration,
  RemovalPolicy,
  TimeZone,
  Validations,
  aws_backup as backup,
  aws_events as events,
  aws_iam as iam,
  aws_kms as kms,
  aws_rds as rds,
} from 'aws-cdk-lib';
import {
  BACKUP_JOB_COMPLETION_WINDOW_HOURS,
  BACKUP_JOB_START_WINDOW_HOURS,
  BACKUP_RETENTION_DAYS,
  BACKUP_VAULT_NAME,
  enforceRule,
} from '@baseline/rules';
import { Construct } from 'constructs';

/** Properties of a {@link RecoveryPointVault}. */
export interface RecoveryPointVaultProps {
  /** The vault's name (unique per account and region; others refer to it by name). */
  readonly vaultName: string;

  /** The customer managed key that encrypts the recovery points AWS Backup manages in this vault. */
  readonly encryptionKey: kms.IKey;

  /**
   * Lock the vault (AWS Backup Vault Lock in compliance mode): no recovery point can be deleted
   * before `minRetentionDays`, by anyone, the root user included, and after the grace time the lock
   * cannot be removed (AWS Backup Developer Guide, "AWS Backup Vault Lock").
   *
   * @default - no lock; recovery point deletion is still denied by the vault's access policy
   */
  readonly lock?: { readonly minRetentionDays: number };
}

/**
 * An AWS Backup vault encrypted with a customer managed key, kept when its stack goes, that nobody
 * may delete recovery points from (its access policy denies `backup:DeleteRecoveryPoint`), and, when
 * locked, that not even the root user can shorten their retention.
 */
export class RecoveryPointVault extends Construct {
  /** The vault. */
  public readonly vault: backup.BackupVault;

  constructor(scope: Construct, id: string, props: RecoveryPointVaultProps) {
    super(scope, id);
    enforceRule(this, 'vaultName', props.vaultName, BACKUP_VAULT_NAME);
    if (props.lock) {
      enforceRule(this, 'lock.minRetentionDays', props.lock.minRetentionDays, BACKUP_RETENTION_DAYS);
    }
    this.vault = new backup.BackupVault(this, 'Resource', {
      backupVaultName: props.vaultName,
      encryptionKey: props.encryptionKey,
      // Recovery points survive the stack; a failed first create leaves no vault whose name the retry
      // would collide with.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      blockRecoveryPointDeletion: true,
      lockConfiguration: props.lock
        ? {
            minRetention: Duration.days(props.lock.minRetentionDays),
            // Compliance mode: after 3 days (the shortest grace time) the lock is immutable.
            changeableFor: Duration.days(3),
          }
        : undefined,
    });
  }
}

/** Properties of a {@link DatabaseBackup}. */
export interface DatabaseBackupProps {
  /** The database instance to back up. */
  readonly instance: rds.IDatabaseInstance;

  /** The vault that receives the backups (in this stack's region). */
  readonly vault: backup.IBackupVault;

  /** How long each backup is kept, in days (and each copy, in the copy's vault). */
  readonly retentionDays: number;

  /**
   * A vault in another region (by ARN) that receives a copy of each backup.
   *
   * @default - no copy
   */
  readonly copyToVaultArn?: string;

  /**
   * When the daily backup starts (UTC). Keep it clear of the instance's own backup and maintenance
   * windows: RDS does not take two snapshots at once, and AWS Backup waits for the window to end.
   *
   * @default 01:00 UTC, within a one-hour start window
   */
  readonly scheduleHourUtc?: number;
}

/**
 * Backs an RDS instance up daily with AWS Backup, keeps each backup for the given days, and copies
 * each to a vault in another region, so that the database can be restored there if its region is
 * lost (AWS Backup Developer Guide, "Creating backup copies across AWS Regions").
 *
 * The RDS instance's automated backups (point-in-time restore within its region) continue as
 * configured on the instance; these are the copies that leave the region.
 */
export class DatabaseBackup extends Construct {
  /** The backup plan. */
  public readonly plan: backup.BackupPlan;
  /** The role AWS Backup uses to back up (and copy) the instance. */
  public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: DatabaseBackupProps) {
    super(scope, id);
    enforceRule(this, 'retentionDays', props.retentionDays, BACKUP_RETENTION_DAYS);
    const hour = props.scheduleHourUtc ?? 1;
    if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
      throw new Error(`${this.node.path}: scheduleHourUtc ${hour} is not an hour; give 0 to 23`);
    }
    const deleteAfter = Duration.days(props.retentionDays);
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: props.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: String(hour) }),
          scheduleExpressionTimezone: TimeZone.ETC_UTC,
          startWindow: Duration.hours(BACKUP_JOB_START_WINDOW_HOURS),
          completionWindow: Duration.hours(BACKUP_JOB_COMPLETION_WINDOW_HOURS),
          deleteAfter,
          copyActions: props.copyToVaultArn
            ? [
                {
                  destinationBackupVault: backup.BackupVault.fromBackupVaultArn(
                    this,
                    'CopyVault',
                    props.copyToVaultArn,
                  ),
                  deleteAfter,
                },
              ]
            : undefined,
        }),
      ],
    });
    const selection = this.plan.addSelection('Database', {
      resources: [backup.BackupResource.fromRdsDatabaseInstance(props.instance)],
    });
    this.role = selection.grantPrincipal as iam.IRole;
    Validations.of(this.role.node.defaultChild ?? this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        "AWS Backup's own managed policy for the role it assumes to back up and copy (AWS Backup Developer " +
        'Guide, "Default service role for AWS Backup"): AWS keeps it current with the services Backup supports; ' +
        'the selection names one database instance.',
    });
  }
}
