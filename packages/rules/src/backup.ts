/**
 * Rules of the recovery resources the app names from config values: AWS Backup vault names and
 * retention.
 */
import { valueRule } from './value-rules';

/**
 * "Backup vault names ... consist of letters, numbers, and hyphens" and are 2 to 50 characters
 * (AWS Backup API reference, CreateBackupVault, BackupVaultName: "Pattern: ^[a-zA-Z0-9\-\_]{2,50}$").
 */
export const BACKUP_VAULT_NAME = valueRule<string>(
  'backup.vaultName',
  "an AWS Backup vault name: 2 to 50 letters, digits, '-' and '_'",
  (name) =>
    /^[a-zA-Z0-9\-_]{2,50}$/.test(name)
      ? undefined
      : `is not a valid backup vault name; use 2 to 50 letters, digits, '-' and '_' (it has ${name.length} characters)`,
);

/**
 * A recovery point's retention: "DeleteAfterDays ... Minimum value of 1" (AWS Backup API reference,
 * Lifecycle), and a vault lock's MinRetentionDays "must be at least 1 day and at most 36500 days"
 * (AWS Backup API reference, PutBackupVaultLockConfiguration).
 */
export const BACKUP_RETENTION_DAYS = valueRule<number>(
  'backup.retentionDays',
  'a backup retention: a whole number of days from 1 to 36500',
  (days) =>
    Number.isInteger(days) && days >= 1 && days <= 36500
      ? undefined
      : 'is not a backup retention; give a whole number of days from 1 to 36500',
);
