/**
 * Copies of the data in another region: S3 Cross-Region Replication of the data bucket, the AWS
 * Backup plan of the database with a copy to another region's vault, locked vaults, and RDS automated
 * backup replication. Each test encodes the AWS rule it depends on.
 */
import { App, Stack, Validations, aws_kms as kms } from 'aws-cdk-lib';
import { HIPAASecurityChecks, PCIDSS321Checks } from 'cdk-nag';
import { checkedApp, validate, ValidationResult } from '../../../tools/testing/compliance';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DataBucket, DatabaseBackup, RecoveryPointVault } from '../src';
import { addDatabase, fixture } from './fixtures';

const DESTINATION = {
  bucketArn: 'arn:aws:s3:::replica-bucket',
  keyArn: 'arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555',
  region: 'eu-central-1',
};
const COPY_VAULT = 'arn:aws:backup:eu-central-1:123456789012:backup-vault:app-dev-eu-west-1-copies';

describe('DataBucket.replicateTo', () => {
  const f = fixture();
  const bucket = new DataBucket(f.data, 'Bucket', { encryptionKey: f.dataKey });
  const role = bucket.replicateTo(DESTINATION);
  const template = Template.fromStack(f.data);
  const roleId = f.data.getLogicalId(role.node.defaultChild as never);

  test('replicates every new object, delete markers not, KMS-encrypted objects included, replicas under the destination key', () => {
    const [cfn] = Object.values(
      template.findResources('AWS::S3::Bucket', { Properties: { ReplicationConfiguration: Match.anyValue() } }),
    );
    expect(cfn.Properties.ReplicationConfiguration).toEqual({
      Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
      Rules: [
        {
          Id: 'ReplicateToRecoveryRegion',
          Status: 'Enabled',
          Priority: 1,
          // A Filter makes it a V2 rule, which requires DeleteMarkerReplication (S3 User Guide, "Backward compatibility").
          Filter: { Prefix: '' },
          DeleteMarkerReplication: { Status: 'Disabled' },
          // Without it, SSE-KMS objects are not replicated (S3 User Guide, "Replicating encrypted objects").
          SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          Destination: {
            Bucket: DESTINATION.bucketArn,
            EncryptionConfiguration: { ReplicaKmsKeyID: DESTINATION.keyArn },
            Metrics: { Status: 'Enabled' },
          },
        },
      ],
    });
    // S3 refuses an event threshold without Replication Time Control ("Metrics cannot contain an event
    // threshold when ReplicationTime is not specified or Disabled").
    const destination = cfn.Properties.ReplicationConfiguration.Rules[0].Destination;
    expect(destination.Metrics.EventThreshold === undefined || destination.ReplicationTime?.Status === 'Enabled').toBe(
      true,
    );
    // Replication requires versioning on the source (and the destination, RecoveryStack's DataBucket).
    expect(cfn.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  test('the role is assumable by S3 for this account only, through a managed policy that does only replication', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ],
      },
    });
    const [policy] = Object.values(
      template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: roleId }] } }),
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a resolved policy document is untyped JSON
    const statements = f.data.resolve(policy.Properties.PolicyDocument.Statement) as Array<Record<string, any>>;
    expect(statements.map((s) => [s.Sid, s.Action])).toEqual([
      ['ReadReplicationConfiguration', ['s3:GetReplicationConfiguration', 's3:ListBucket']],
      [
        'ReadSourceVersions',
        ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
      ],
      ['WriteReplicas', ['s3:ReplicateObject', 's3:ReplicateDelete']],
      ['DecryptSourceThroughS3', 'kms:Decrypt'],
      // Decrypt on the replica key too: S3 Bucket Keys on the destination.
      ['EncryptReplicasThroughS3', ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt']],
    ]);
    expect(statements[2].Resource).toBe(`${DESTINATION.bucketArn}/*`);
    expect(statements[3].Condition.StringEquals).toEqual({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com' });
    expect(statements[4]).toMatchObject({
      Resource: DESTINATION.keyArn,
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.eu-central-1.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [DESTINATION.bucketArn, `${DESTINATION.bucketArn}/*`] },
      },
    });
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
  });

  test('a second destination is refused', () => {
    expect(() => bucket.replicateTo(DESTINATION)).toThrow(/Bucket: replicateTo was already called/);
  });
});

describe('DataBucket as a replica (replicaOf)', () => {
  const f = fixture();
  const replica = new DataBucket(f.data, 'Replica', { encryptionKey: f.dataKey, replicaOf: 'eu-west-1' });
  const cfn = () =>
    Template.fromStack(f.data).findResources('AWS::S3::Bucket')[
      f.data.getLogicalId(replica.bucket.node.defaultChild as never)
    ];

  test('is versioned, as S3 requires of a replication destination, and encrypted with its own region key', () => {
    // "Both source and destination buckets must have versioning enabled" (S3 User Guide, "Requirements
    // and considerations for replication").
    expect(cfn().Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(cfn().Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toMatchObject({
      ServerSideEncryptionByDefault: {
        SSEAlgorithm: 'aws:kms',
        // The key of the stack's own Security stack (its region), imported across the two stacks.
        KMSMasterKeyID: { 'Fn::ImportValue': expect.stringMatching(/^Dev-Security:.*DataKey/) },
      },
    });
  });

  test('does not replicate on', () => {
    expect(cfn().Properties.ReplicationConfiguration).toBeUndefined();
  });
});

describe('RecoveryPointVault', () => {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const key = new kms.Key(stack, 'Key');
  new RecoveryPointVault(stack, 'Locked', {
    vaultName: 'app-prod',
    encryptionKey: key,
    lock: { minRetentionDays: 35 },
  });
  new RecoveryPointVault(stack, 'Open', { vaultName: 'app-dev', encryptionKey: key });
  const template = Template.fromStack(stack);

  test('is encrypted with the given key, kept with its stack, and denies recovery point deletion to everyone', () => {
    const vaults = template.findResources('AWS::Backup::BackupVault');
    for (const vault of Object.values(vaults)) {
      expect(vault.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(vault.UpdateReplacePolicy).toBe('Retain');
      expect(vault.Properties.EncryptionKeyArn).toEqual({
        'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as never), 'Arn'],
      });
      expect(JSON.stringify(vault.Properties.AccessPolicy)).toContain('backup:DeleteRecoveryPoint');
    }
  });

  test('a lock is compliance mode (a grace time, ChangeableForDays), with the retention as its minimum', () => {
    template.hasResourceProperties('AWS::Backup::BackupVault', {
      BackupVaultName: 'app-prod',
      // ChangeableForDays set: compliance mode, immutable after the 3-day grace time (AWS Backup Vault Lock).
      LockConfiguration: { MinRetentionDays: 35, ChangeableForDays: 3 },
    });
    template.hasResourceProperties('AWS::Backup::BackupVault', {
      BackupVaultName: 'app-dev',
      LockConfiguration: Match.absent(),
    });
  });

  test('refuses a vault name AWS Backup refuses', () => {
    expect(() => new RecoveryPointVault(stack, 'Bad', { vaultName: 'a'.repeat(51), encryptionKey: key })).toThrow(
      /Bad: vaultName 'a{51}' is not a valid backup vault name; use 2 to 50 letters/,
    );
  });
});

describe('DatabaseBackup', () => {
  const f = fixture();
  const db = addDatabase(f);
  const vault = new RecoveryPointVault(f.data, 'Vault', { vaultName: 'app-dev', encryptionKey: f.dataKey }).vault;
  const backup = new DatabaseBackup(f.data, 'Backup', {
    instance: db.instance,
    vault,
    retentionDays: 35,
    copyToVaultArn: COPY_VAULT,
    scheduleHourUtc: 6,
  });
  const template = Template.fromStack(f.data);

  test('backs up daily at the given hour (UTC), keeps 35 days, and copies each backup to the other region for 35 days', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({
            RuleName: 'Daily',
            ScheduleExpression: 'cron(0 6 * * ? *)',
            ScheduleExpressionTimezone: 'Etc/UTC',
            StartWindowMinutes: 60,
            Lifecycle: { DeleteAfterDays: 35 },
            CopyActions: [{ DestinationBackupVaultArn: COPY_VAULT, Lifecycle: { DeleteAfterDays: 35 } }],
          }),
        ],
      },
    });
  });

  test('selects the one database instance, in the same stack, referenced by its logical id', () => {
    // cdk-nag's RDSInBackupPlan (HIPAA) passes only for a selection in the same stack naming the instance by Ref/GetAtt.
    const [selection] = Object.values(template.findResources('AWS::Backup::BackupSelection'));
    expect(JSON.stringify(selection.Properties.BackupSelection.Resources)).toContain(
      f.data.getLogicalId(db.instance.node.defaultChild as never),
    );
    expect(selection.Properties.BackupSelection.Resources).toHaveLength(1);
    expect(backup.role).toBeDefined();
  });

  test('refuses a retention AWS Backup refuses and an hour that is not one', () => {
    const g = fixture();
    const other = addDatabase(g);
    const v = new RecoveryPointVault(g.data, 'V', { vaultName: 'x-y', encryptionKey: g.dataKey }).vault;
    expect(() => new DatabaseBackup(g.data, 'Zero', { instance: other.instance, vault: v, retentionDays: 0 })).toThrow(
      /Zero: retentionDays 0 is not a backup retention; give a whole number of days from 1 to 36500/,
    );
    expect(
      () =>
        new DatabaseBackup(g.data, 'Late', {
          instance: other.instance,
          vault: v,
          retentionDays: 7,
          scheduleHourUtc: 24,
        }),
    ).toThrow(/Late: scheduleHourUtc 24 is not an hour/);
  });
});

describe('MysqlDatabase.replicateAutomatedBackupsTo', () => {
  const f = fixture();
  const db = addDatabase(f);
  db.replicateAutomatedBackupsTo({ region: 'eu-central-1', keyArn: DESTINATION.keyArn, retentionDays: 30 });
  const template = Template.fromStack(f.data);

  test('sets the destination region, its key and the retention on the instance', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      AutomaticBackupReplicationRegion: 'eu-central-1',
      AutomaticBackupReplicationKmsKeyId: DESTINATION.keyArn,
      AutomaticBackupReplicationRetentionPeriod: 30,
    });
  });

  test('refuses a retention RDS refuses', () => {
    expect(() =>
      addDatabase(fixture()).replicateAutomatedBackupsTo({
        region: 'eu-central-1',
        keyArn: DESTINATION.keyArn,
        retentionDays: 36,
      }),
    ).toThrow(/replication\.retentionDays 36/);
  });
});

describe('compliance, with the HIPAA Security and PCI DSS 3.2.1 packs added to the gate', () => {
  let result: ValidationResult;
  beforeAll(() => {
    // GIVEN a replicating data bucket and a database with its backup plan, in the app's shape
    const app = checkedApp();
    Validations.of(app).addPlugins(new HIPAASecurityChecks(app), new PCIDSS321Checks(app));
    const f = fixture(app);
    new DataBucket(f.data, 'DataBucket', { encryptionKey: f.dataKey }).replicateTo(DESTINATION);
    const db = addDatabase(f);
    const vault = new RecoveryPointVault(f.data, 'Vault', { vaultName: 'app-dev', encryptionKey: f.dataKey }).vault;
    new DatabaseBackup(f.data, 'Backup', {
      instance: db.instance,
      vault,
      retentionDays: 35,
      copyToVaultArn: COPY_VAULT,
    });
    // WHEN synthesized with every check
    result = validate(app);
  });

  test('no finding or acknowledgement about replication, versioning or backup plans remains on the data bucket or the database', () => {
    const about = /S3BucketReplicationEnabled|S3BucketVersioningEnabled|RDSInBackupPlan/;
    const onData = (at: string) => at.startsWith('Dev/Data/DataBucket/Resource') || at.startsWith('Dev/Data/Database');
    expect(result.findings.filter((x) => about.test(x.rule) && x.paths.some(onData))).toEqual([]);
    expect(result.acknowledged.filter((a) => about.test(a.id) && onData(a.at)).map((a) => `${a.id} @ ${a.at}`)).toEqual(
      [],
    );
  });

  test('only the access-log bucket keeps a reason for not replicating', () => {
    expect(
      result.acknowledged
        .filter((a) => /S3BucketReplicationEnabled/.test(a.id))
        .map((a) => `${a.id} @ ${a.at}`)
        .sort(),
    ).toEqual(
      [
        'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled @ Dev/Data/DataBucket/AccessLogs/Resource',
        'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled @ Dev/Data/DataBucket/AccessLogs/Resource',
        'PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled @ Dev/Data/DataBucket/AccessLogs/Resource',
      ].sort(),
    );
  });
});
