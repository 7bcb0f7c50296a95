import {
  CrossStackReferences,
  ReferenceStrength,
  Stack,
  StackProps,
  Validations,
  aws_backup as backup,
  aws_iam as iam,
  aws_kms as kms,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { DataBucket, RecoveryPointVault } from '@baseline/data';
import { acknowledgeWildcardResource } from '@baseline/rules';
import { EncryptionKey } from '@baseline/security';
import { Construct } from 'constructs';

export interface RecoveryStackProps extends StackProps {
  /** The region whose data this stack keeps copies of. */
  readonly sourceRegion: string;
  /** Alias (after `alias/`) of the key that encrypts the copies. */
  readonly keyAlias: string;
  /** Name of the vault that receives the database backup copies. */
  readonly vaultName: string;
  /** Name of the role that reads the replicas for a restore. */
  readonly restoreRoleName: string;
  /** Name of the role AWS Backup restores the database copies as. */
  readonly databaseRestoreRoleName: string;
  /** Lock the vault for this many days (protected stages). @default - not locked */
  readonly lockDays?: number;
}

/**
 * The copies of one stage-region's data, in its recovery region: a key of that region, the replica
 * bucket the data bucket replicates into, and the vault that receives the database backup copies.
 * It is part of the stage-region's Stage, deployed in the recovery region; the Data stack reads the
 * ARNs it needs with Fn::GetStackOutput (weak cross-region references, no SSM custom resources),
 * which also makes the pipeline deploy this stack first.
 *
 * The replicas are readable only through the restore role (the bucket denies object access to every
 * other principal); that role is assumable by principals of the account whose IAM policies allow
 * it (break glass), and by AWS Backup for restore jobs.
 */
export class RecoveryStack extends Stack {
  public readonly key: kms.Key;
  public readonly replica: DataBucket;
  public readonly vault: backup.BackupVault;
  public readonly restoreRole: iam.Role;
  public readonly databaseRestoreRole: iam.Role;
  /** ARNs for the source region's Data stack, resolved there with Fn::GetStackOutput. */
  public readonly replicaBucketArn: string;
  public readonly keyArn: string;
  public readonly vaultArn: string;

  constructor(scope: Construct, id: string, props: RecoveryStackProps) {
    super(scope, id, props);
    this.key = new EncryptionKey(this, 'Key', {
      aliasName: props.keyAlias,
      description: `Copies of ${props.sourceRegion}'s data (bucket replicas, database backup copies)`,
      // S3 replication encrypts replicas through S3; AWS Backup copies RDS snapshots through Backup and RDS.
      viaServices: ['s3', 'backup', 'rds'],
    }).key;
    this.replica = new DataBucket(this, 'Replica', { encryptionKey: this.key, replicaOf: props.sourceRegion });
    this.vault = new RecoveryPointVault(this, 'Vault', {
      vaultName: props.vaultName,
      encryptionKey: this.key,
      lock: props.lockDays ? { minRetentionDays: props.lockDays } : undefined,
    }).vault;
    // People read the replicas through this role (break glass: principals of the account whose IAM
    // policies allow sts:AssumeRole on it); AWS Backup restores the database as the role below.
    this.restoreRole = new iam.Role(this, 'RestoreRole', {
      roleName: props.restoreRoleName,
      assumedBy: new iam.AccountRootPrincipal(),
      description: `Reads ${props.sourceRegion}'s replicas in ${this.region} for a restore (docs/recovery.md)`,
    });
    this.databaseRestoreRole = new iam.Role(this, 'DatabaseRestoreRole', {
      roleName: props.databaseRestoreRoleName,
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': this.account },
      }),
      description: `AWS Backup restores ${props.sourceRegion}'s database copies in ${this.region} as this role`,
    });
    const read = new iam.ManagedPolicy(this, 'RestoreReadPolicy', {
      description: 'Reads the replicas (restore role)',
      roles: [this.restoreRole],
      statements: this.replica.readStatements(),
    });
    acknowledgeWildcardResource(
      read.node.defaultChild as iam.CfnManagedPolicy,
      this.replica.bucket.arnForObjects('*'),
      'A restore reads every replica (any key) of this one replica bucket.',
    );
    this.databaseRestoreRole.addManagedPolicy(
      iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
    );
    Validations.of(this.databaseRestoreRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      reason:
        'AWS Backup\'s managed policy for restore jobs (AWS Backup Developer Guide, "Default service role for AWS ' +
        'Backup"): AWS keeps it current with what a restore of each service needs; the role restores only here.',
    });
    this.replica.limitObjectAccessTo(this.restoreRole);

    for (const resource of [this.key, this.replica.bucket, this.vault]) {
      CrossStackReferences.of(resource).produce(ReferenceStrength.WEAK);
    }
    this.replicaBucketArn = (this.replica.bucket.node.defaultChild as s3.CfnBucket).attrArn;
    this.keyArn = (this.key.node.defaultChild as kms.CfnKey).attrArn;
    this.vaultArn = (this.vault.node.defaultChild as backup.CfnBackupVault).attrBackupVaultArn;
  }
}
