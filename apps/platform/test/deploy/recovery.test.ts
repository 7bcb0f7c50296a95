/**
 * Recovery across regions, for the config you deploy: every stage-region backs its database up daily
 * with AWS Backup, and where the config names a recovery region, copies each backup there, replicates
 * its data bucket there, and (in a protected stage) replicates the database's automated backups there.
 * Expectations come from the config.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- templates are untyped JSON */
import { parseDailyWindow, parseWeeklyWindow, overlaps } from '@baseline/rules';
import { backupVaultNameOf, recoveryKeyAliasOf, recoveryVaultNameOf } from '../../src/config';
import { deployAssembly, resourcesOfType, StackView, StageRegionView } from '../support/assembly';
import { constructPathOf } from '../support/template-helpers';

const a = deployAssembly();
const project = a.config.project.name;
type Resource = StackView['template']['Resources'][string];

/** The one resource of `type` at a construct path ending in `suffix`. */
function at(stack: StackView, type: string, suffix: string): [string, Resource] {
  const found = resourcesOfType(stack.template, type).filter(([id]) => constructPathOf(stack, id).endsWith(suffix));
  expect({ stack: stack.path, type, suffix, count: found.length }).toEqual({
    stack: stack.path,
    type,
    suffix,
    count: 1,
  });
  return found[0];
}

/** What a `Fn::GetStackOutput` of `consumer` reads: the producer's output value, and the producer. */
function readOutput(sr: StageRegionView, value: unknown): { producer: StackView; value: unknown } {
  const read = (value as { 'Fn::GetStackOutput'?: { StackName: string; OutputName: string; Region: string } })[
    'Fn::GetStackOutput'
  ];
  if (!read) {
    throw new Error(`${sr.id}: ${JSON.stringify(value)} is not a Fn::GetStackOutput`);
  }
  const producer = sr.recovery!;
  expect({ stack: read.StackName, region: read.Region }).toEqual({
    stack: producer.stackName,
    region: producer.region,
  });
  const output = producer.template.Outputs?.[read.OutputName];
  expect(output).toBeDefined();
  return { producer, value: output!.Value };
}

const everyStageRegion = a.stageRegions.map((sr) => [sr.id, sr] as const);
const withRecovery = a.stageRegions.filter((sr) => sr.region.recoveryRegion).map((sr) => [sr.id, sr] as const);
const withoutRecovery = a.stageRegions.filter((sr) => !sr.region.recoveryRegion).map((sr) => [sr.id, sr] as const);

describe.each(everyStageRegion)('%s: the database is backed up daily with AWS Backup', (_id, sr) => {
  const data = sr.stacks.data;
  const [dbId] = at(data, 'AWS::RDS::DBInstance', '/Database/Resource/Resource');
  const [, vault] = at(data, 'AWS::Backup::BackupVault', '/BackupVault/Resource/Resource');
  const [, plan] = at(data, 'AWS::Backup::BackupPlan', '/DatabaseBackup/Plan/Resource');
  const [, selection] = at(data, 'AWS::Backup::BackupSelection', '/DatabaseBackup/Plan/Database/Resource');
  const rule = (plan.Properties?.BackupPlan as { BackupPlanRule: Array<Record<string, any>> }).BackupPlanRule[0];
  const days = sr.stage.recovery.backupRetentionDays;

  test('into a vault of the stage key, named for the stage, locked in a protected stage for the configured days', () => {
    expect(vault.Properties?.BackupVaultName).toBe(backupVaultNameOf(project, sr.stage.name));
    expect(JSON.stringify(vault.Properties?.EncryptionKeyArn)).toMatch(/DataKey/);
    expect(vault.Properties?.LockConfiguration).toEqual(
      sr.stage.protected ? { MinRetentionDays: days, ChangeableForDays: 3 } : undefined,
    );
    expect(vault.DeletionPolicy).toBe('RetainExceptOnCreate');
  });

  test('every day, kept the configured days, at an hour clear of the instance backup and maintenance windows', () => {
    expect(rule.Lifecycle).toEqual({ DeleteAfterDays: days });
    const hour = Number(/^cron\(0 (\d+) \* \* \? \*\)$/.exec(rule.ScheduleExpression)?.[1]);
    expect(rule.ScheduleExpressionTimezone).toBe('Etc/UTC');
    const job = { start: hour * 60, end: hour * 60 + (rule.StartWindowMinutes as number) + 240 };
    const daily = parseDailyWindow(sr.stage.database.backupWindow);
    const weekly = parseWeeklyWindow(sr.stage.database.maintenanceWindow);
    if (typeof daily === 'string' || typeof weekly === 'string') {
      throw new Error(`${sr.id}: the config's windows do not parse`);
    }
    const minutesPerDay = 24 * 60;
    expect([-minutesPerDay, 0, minutesPerDay].some((d) => job.start < daily.end + d && daily.start + d < job.end)).toBe(
      false,
    );
    expect(overlaps(job, weekly)).toBe(false);
  });

  test('the selection, in the same stack, names the instance (cdk-nag RDSInBackupPlan passes only so)', () => {
    expect(JSON.stringify((selection.Properties?.BackupSelection as { Resources: unknown }).Resources)).toContain(dbId);
  });
});

describe.each(withRecovery)('%s: copies in the recovery region', (_id, sr) => {
  const data = sr.stacks.data;
  const recovery = sr.recovery!;
  const region = sr.region.recoveryRegion!;
  const [bucketId, bucket] = at(data, 'AWS::S3::Bucket', '/Bucket/Resource/Resource');
  const [keyId] = at(recovery, 'AWS::KMS::Key', '/Key/Resource/Resource');
  const [replicaId, replica] = at(recovery, 'AWS::S3::Bucket', '/Replica/Resource/Resource');
  const [vaultId, vault] = at(recovery, 'AWS::Backup::BackupVault', '/Vault/Resource/Resource');

  test('the Recovery stack is in the recovery region of the stage account, with its key, replica bucket and vault', () => {
    expect({ account: recovery.account, region: recovery.region }).toEqual({ account: sr.stage.account, region });
    const [, alias] = at(recovery, 'AWS::KMS::Alias', '/Key/Alias/Resource');
    expect(alias.Properties?.AliasName).toBe(`alias/${recoveryKeyAliasOf(project, sr.stage.name, sr.region.region)}`);
    expect(replica.Properties?.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(JSON.stringify(replica.Properties?.BucketEncryption)).toContain(keyId);
    expect(vault.Properties?.BackupVaultName).toBe(recoveryVaultNameOf(project, sr.stage.name, sr.region.region));
    expect(JSON.stringify(vault.Properties?.EncryptionKeyArn)).toContain(keyId);
    expect(vault.Properties?.LockConfiguration).toEqual(
      sr.stage.protected
        ? { MinRetentionDays: sr.stage.recovery.backupRetentionDays, ChangeableForDays: 3 }
        : undefined,
    );
  });

  test('the data bucket replicates every new object there, delete markers not, replicas under the recovery key', () => {
    const config = bucket.Properties?.ReplicationConfiguration as { Role: unknown; Rules: Array<Record<string, any>> };
    expect(config.Rules).toHaveLength(1);
    const [rule] = config.Rules;
    expect(rule).toMatchObject({
      Status: 'Enabled',
      Filter: { Prefix: '' },
      DeleteMarkerReplication: { Status: 'Disabled' },
      SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
    });
    // S3 refuses an event threshold without Replication Time Control.
    expect(rule.Destination.Metrics).toEqual({ Status: 'Enabled' });
    expect(readOutput(sr, rule.Destination.Bucket).value).toEqual({ 'Fn::GetAtt': [replicaId, 'Arn'] });
    expect(readOutput(sr, rule.Destination.EncryptionConfiguration.ReplicaKmsKeyID).value).toEqual({
      'Fn::GetAtt': [keyId, 'Arn'],
    });
    expect(bucketId).toBeDefined();
  });

  test('each daily backup is copied to the recovery vault and kept there as long', () => {
    const [, plan] = at(data, 'AWS::Backup::BackupPlan', '/DatabaseBackup/Plan/Resource');
    const [rule] = (plan.Properties?.BackupPlan as { BackupPlanRule: Array<Record<string, any>> }).BackupPlanRule;
    expect(rule.CopyActions).toHaveLength(1);
    expect(readOutput(sr, rule.CopyActions[0].DestinationBackupVaultArn).value).toEqual({
      'Fn::GetAtt': [vaultId, 'BackupVaultArn'],
    });
    expect(rule.CopyActions[0].Lifecycle).toEqual(rule.Lifecycle);
  });

  test('a protected stage also replicates the automated backups there (point-in-time restore), under the recovery key', () => {
    const [, db] = at(data, 'AWS::RDS::DBInstance', '/Database/Resource/Resource');
    if (sr.stage.protected) {
      expect(db.Properties?.AutomaticBackupReplicationRegion).toBe(region);
      expect(db.Properties?.AutomaticBackupReplicationRetentionPeriod).toBe(sr.stage.database.backupRetentionDays);
      expect(readOutput(sr, db.Properties?.AutomaticBackupReplicationKmsKeyId).value).toEqual({
        'Fn::GetAtt': [keyId, 'Arn'],
      });
    } else {
      expect(db.Properties?.AutomaticBackupReplicationRegion).toBeUndefined();
    }
  });
});

describe.each(withoutRecovery)('%s: no recovery region (an unprotected stage may opt out)', (_id, sr) => {
  test('nothing leaves the region: no replication, no copy, no Recovery stack', () => {
    expect(sr.stage.protected).toBe(false);
    expect(sr.recovery).toBeUndefined();
    const [, bucket] = at(sr.stacks.data, 'AWS::S3::Bucket', '/Bucket/Resource/Resource');
    expect(bucket.Properties?.ReplicationConfiguration).toBeUndefined();
    const [, plan] = at(sr.stacks.data, 'AWS::Backup::BackupPlan', '/DatabaseBackup/Plan/Resource');
    expect(JSON.stringify(plan.Properties)).not.toContain('CopyActions');
  });
});

test('every key that encrypts a backup vault lets AWS Backup use it in its region (CreateGrant, RetireGrant, data keys)', () => {
  // Creating a vault with a customer managed key needs kms:CreateGrant, DescribeKey, RetireGrant,
  // Decrypt and GenerateDataKey on it (AWS Backup Developer Guide, "Backup vault creation and deletion").
  const problems: string[] = [];
  for (const sr of a.stageRegions) {
    for (const [stack, keyPath] of [
      [sr.stacks.security, '/DataKey/Resource/Resource'],
      ...(sr.recovery ? ([[sr.recovery, '/Key/Resource/Resource']] as const) : []),
    ] as const) {
      const [, key] = at(stack, 'AWS::KMS::Key', keyPath);
      const statements = (key.Properties?.KeyPolicy as { Statement: Array<Record<string, any>> }).Statement;
      const viaBackup = (s: Record<string, any>) =>
        JSON.stringify(s.Condition?.StringEquals?.['kms:ViaService'] ?? '').includes(`backup.${stack.region}.`);
      const allowed = statements.filter((s) => s.Effect === 'Allow' && viaBackup(s)).flatMap((s) => [s.Action].flat());
      for (const action of [
        'kms:CreateGrant',
        'kms:DescribeKey',
        'kms:RetireGrant',
        'kms:Decrypt',
        'kms:GenerateDataKey*',
      ]) {
        if (!allowed.includes(action)) {
          problems.push(`${stack.path} ${keyPath}: ${action} through backup.${stack.region} is not allowed`);
        }
      }
    }
  }
  expect(problems).toEqual([]);
});
