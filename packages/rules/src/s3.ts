/**
 * Bucket settings every bucket of the platform gets, whichever package or stack creates it.
 */
import { aws_s3 as s3 } from 'aws-cdk-lib';

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
