import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  acknowledgeServerAccessLogsBucket,
  denyGrantsExceptForAwsResources,
  sendEventsToEventBridge,
} from '@baseline/rules';
import { Construct } from 'constructs';

/** How long an artifact is kept by default (longer than any run, approvals included). */
export const ARTIFACT_EXPIRATION_DAYS = 90;

/** Properties of an {@link ArtifactBucket}. */
export interface ArtifactBucketProps {
  /**
   * How long an artifact (a source clone reference, a cloud assembly) is kept.
   *
   * Longer than any run can last: a run waits at most 7 days for an approval, and a failed stage
   * can be retried with its run's artifacts until they expire.
   *
   * @default Duration.days(ARTIFACT_EXPIRATION_DAYS)
   */
  readonly artifactExpiration?: Duration;
  /**
   * How long the bucket's server access logs are kept.
   *
   * @default Duration.days(365)
   */
  readonly accessLogsExpiration?: Duration;
}

/**
 * The pipeline's artifact bucket in the home region, in place of the one CodePipeline generates.
 *
 * The generated bucket has neither versioning nor server access logs, and its key is destroyed with
 * the stack. This one keeps a record of every read of a cloud assembly (who downloaded what the
 * pipeline deploys), keeps overwritten artifacts 30 days, and retains its customer-managed key
 * (rotated yearly) so that artifacts in flight stay readable across a pipeline stack replacement.
 * CDK Pipelines grants the target accounts' deploy roles use of the key through its key policy.
 */
export class ArtifactBucket extends Construct {
  /** The artifact bucket. */
  public readonly bucket: s3.Bucket;
  /** The key that encrypts the artifacts. */
  public readonly encryptionKey: kms.Key;
  /** Where the bucket's server access logs go. */
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArtifactBucketProps = {}) {
    super(scope, id);
    this.encryptionKey = new kms.Key(this, 'Key', {
      description: 'Pipeline artifacts (source references and cloud assemblies)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.encryptionKey.addToResourcePolicy(denyGrantsExceptForAwsResources());

    // S3 server access log delivery supports only SSE-S3 on the target bucket.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      lifecycleRules: [
        {
          id: 'ExpireAccessLogs',
          expiration: props.accessLogsExpiration ?? Duration.days(365),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
    });

    this.bucket = new s3.Bucket(this, 'Resource', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      lifecycleRules: [
        {
          id: 'ExpireArtifacts',
          expiration: props.artifactExpiration ?? Duration.days(ARTIFACT_EXPIRATION_DAYS),
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });

    // Logging is set on the L1, with the delivery grant below, instead of the L2's
    // `serverAccessLogsBucket`: without the `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` flag
    // the L2 falls back to the LogDeliveryWrite ACL (which needs ACLs enabled on the target), so
    // the template would depend on the app's feature flags.
    for (const bucket of [this.bucket, this.accessLogsBucket]) {
      sendEventsToEventBridge(bucket);
    }
    (this.bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: this.accessLogsBucket.bucketName,
      targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: 'EventTime' } },
    };
    this.accessLogsBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowServerAccessLogDelivery',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.accessLogsBucket.arnForObjects('*')],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );

    const transient =
      'Pipeline artifacts are transient and reproducible: every one is rebuilt from its git commit by ' +
      're-running the pipeline, and CodePipeline itself copies what an action in another region needs ' +
      'to that region (its cross-region replication buckets). A second copy would only add cost.';
    Validations.of(this.bucket.node.defaultChild as s3.CfnBucket).acknowledge({
      id: 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: transient,
    });
    Validations.of(this.accessLogsBucket.node.defaultChild as s3.CfnBucket).acknowledge({
      id: 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: 'Access logs of the artifact bucket, whose objects are themselves transient (see there).',
    });
    for (const bucket of [this.bucket, this.accessLogsBucket]) {
      Validations.of(bucket.node.defaultChild as s3.CfnBucket).acknowledge({
        id: 'CloudFormation-Validate::s3_bucket_object_lock_enabled_check',
        reason:
          'No S3 Object Lock on pipeline artifacts and their access logs: artifacts are transient and rebuilt ' +
          'from their commit, versioning keeps overwritten ones 30 days, and Object Lock could not be turned ' +
          'off again to let the lifecycle rules expire them early.',
      });
    }
    acknowledgeServerAccessLogsBucket(this.accessLogsBucket, 'the artifact bucket');
  }
}
