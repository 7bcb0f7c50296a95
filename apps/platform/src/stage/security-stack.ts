import { Stack, StackProps, aws_kms as kms } from 'aws-cdk-lib';
import { EncryptionKey } from '@baseline/security';
import { Construct } from 'constructs';

export interface SecurityStackProps extends StackProps {
  /** `<project>/<stage>`: the prefix of the key aliases. */
  readonly aliasPrefix: string;
}

/**
 * The keys of one stage-region. Nothing here depends on another stack.
 *
 * Two keys, not one: the data key (S3, RDS storage, the RDS-managed master secret) is usable only
 * through those services; the logs key serves CloudWatch Logs and the alarm topic (SNS). Someone who may
 * read logs or alarms never gets to decrypt data, and a policy mistake on one key does not open
 * the other.
 */
export class SecurityStack extends Stack {
  public readonly dataKey: kms.IKey;
  public readonly logsKey: kms.IKey;

  constructor(scope: Construct, id: string, props: SecurityStackProps) {
    super(scope, id, props);
    this.dataKey = new EncryptionKey(this, 'DataKey', {
      aliasName: `${props.aliasPrefix}/data`,
      description: `Data at rest of ${props.aliasPrefix}: S3 data bucket, RDS storage and master secret, backup vault`,
      // backup: the stage-region's AWS Backup vault is encrypted with it.
      viaServices: ['s3', 'rds', 'secretsmanager', 'backup'],
    }).key;
    this.logsKey = new EncryptionKey(this, 'LogsKey', {
      aliasName: `${props.aliasPrefix}/logs`,
      description: `Logs and alarms of ${props.aliasPrefix}: CloudWatch log groups and the alarm topic`,
      allowCloudWatchLogs: true,
      allowCloudWatchAlarms: true,
      // The drift rule of the Observability stack publishes to the alarm topic.
      allowEventBridgeRules: true,
      // Principals of the account use it only to publish to the encrypted alarm topic.
      viaServices: ['sns'],
    }).key;
  }
}
