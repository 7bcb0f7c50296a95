/**
 * Bucket settings every bucket of the platform gets, whichever package or stack creates it.
 */
import { Validations, aws_s3 as s3 } from 'aws-cdk-lib';

/**
 * Turns on delivery of the bucket's events (object created, deleted, restored ...) to EventBridge,
 * where rules can alert on them (AWS Control Tower CT.S3.PR.4 requires event notifications).
 *
 * Set on the L1: the L2's `eventBridgeEnabled` writes it through a Lambda-backed custom resource
 * (Custom::S3BucketNotifications) instead of the bucket's NotificationConfiguration, which the control
 * inspects. S3 needs no permission to deliver to EventBridge (S3 User Guide, "Using EventBridge").
 */
export function sendEventsToEventBridge(bucket: s3.IBucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
    eventBridgeConfiguration: { eventBridgeEnabled: true },
  };
}

/**
 * Acknowledges, on a bucket that receives S3 server access logs, the findings such a bucket cannot
 * fix: logging its own accesses into itself would log each delivery without end, and S3 server access
 * log delivery supports only SSE-S3 (AES256) default encryption on the target bucket: with an SSE-KMS
 * default the logs are not delivered (S3 User Guide, "Enabling Amazon S3 server access logging"; the
 * aws-s3 Bucket refuses a KMS-encrypted `serverAccessLogsBucket` for the same reason).
 *
 * `logsOf` names the bucket whose logs it receives ("the data bucket"), for the reasons.
 */
export function acknowledgeServerAccessLogsBucket(logsBucket: s3.IBucket, logsOf: string): void {
  const logs = Validations.of(logsBucket.node.defaultChild as s3.CfnBucket);
  logs.acknowledge({
    id: 'CloudFormation-Validate::s3_bucket_logging_enabled_check',
    reason:
      `The access-log bucket receives ${logsOf}'s server access logs; logging its own accesses into itself ` +
      'would log each delivery without end, and only S3 log delivery and Lifecycle touch it.',
  });
  const sseS3Only =
    'S3 server access log delivery supports only SSE-S3 (AES256) default encryption on the target bucket; with ' +
    'an SSE-KMS default the logs are not delivered (S3 User Guide, "Enabling Amazon S3 server access logging"; ' +
    'aws-s3 Bucket refuses a KMS-encrypted serverAccessLogsBucket for the same reason).';
  logs.acknowledge({ id: 'CloudFormation-Validate::s3_bucket_default_encryption_kms_check', reason: sseS3Only });
  logs.acknowledge({ id: 'NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS', reason: sseS3Only });
}
