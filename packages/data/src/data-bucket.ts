import {
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  Validations,
  aws_iam as iam,
  aws_kms as kms,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { regionalServiceEndpoint, sendEventsToEventBridge } from '@baseline/rules';
import { Construct } from 'constructs';
import { wholeDays } from './private/durations';

/**
 * Properties of a {@link DataBucket}.
 */
export interface DataBucketProps {
  /**
   * The stage's data key: default encryption of the bucket, and the only key a put may name.
   *
   * Its key policy must delegate to IAM (the account principal) so that the grants of
   * `grantRead` / `grantWrite` take effect.
   */
  readonly encryptionKey: kms.IKey;

  /**
   * How long an overwritten or deleted object version is kept before S3 removes it.
   *
   * Versioning lets an operator recover from an overwrite or a delete; this bounds how long such a
   * recovery is possible, and how long superseded data costs storage. Also applies to the noncurrent
   * versions in the access-log bucket.
   *
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * How long server access log objects are kept.
   *
   * One year covers a yearly audit cycle; a longer period only adds cost unless a regulation asks
   * for it.
   *
   * @default Duration.days(365)
   */
  readonly accessLogsExpiration?: Duration;

  /**
   * How long an unfinished multipart upload may hold parts before S3 discards them.
   *
   * Parts of an abandoned upload are invisible to listings but billed; this bounds that waste.
   *
   * @default Duration.days(7)
   */
  readonly abortIncompleteMultipartUploadAfter?: Duration;
}

/**
 * A versioned, KMS-encrypted S3 bucket whose policy refuses insecure transport and every upload that
 * asks for another encryption than the stage key, and (once {@link DataBucket.limitObjectAccessTo}
 * names them) object access by anyone but the named roles; with server access logging to a
 * locked-down access-log bucket and event notifications to EventBridge.
 *
 * Writers send no encryption header (the bucket's default encryption is SSE-KMS with the stage key)
 * or exactly `x-amz-server-side-encryption: aws:kms` with
 * `x-amz-server-side-encryption-aws-kms-key-id: <the stage key ARN>`; SSE-S3, DSSE-KMS, SSE-C,
 * another KMS key, or `aws:kms` without a key (S3 would use `aws/s3`) are refused. The policy denies
 * only headers that are present and wrong, never their absence: S3 authorizes each part of a
 * multipart upload (UploadPart) as `s3:PutObject`, and a part carries no SSE-KMS header (they go on
 * CreateMultipartUpload), so a policy requiring the header refuses every upload an SDK or the CLI
 * splits into parts (S3 API reference, UploadPart: "you only need to specify the server-side
 * encryption parameters in the initial Initiate Multipart request"; reports: aws-cli #1674, #4251,
 * botocore #471). Readers send no encryption header: S3 decrypts with the key recorded on the object.
 */
export class DataBucket extends Construct {
  /** The data bucket. */
  public readonly bucket: s3.Bucket;

  /** ARN of the data bucket. */
  public readonly bucketArn: string;

  /** Name of the data bucket. */
  public readonly bucketName: string;

  /** The bucket that receives the data bucket's server access logs. */
  public readonly accessLogsBucket: s3.Bucket;

  /** The key that encrypts the data bucket's objects. */
  public readonly encryptionKey: kms.IKey;

  /** The principals (role ARNs) that may read and write objects; see {@link limitObjectAccessTo}. */
  private readonly objectPrincipalArns: string[] = [];

  constructor(scope: Construct, id: string, props: DataBucketProps) {
    super(scope, id);

    const noncurrentDays = wholeDays(
      this,
      'noncurrentVersionExpiration',
      props.noncurrentVersionExpiration ?? Duration.days(90),
      1,
    );
    const accessLogsDays = wholeDays(this, 'accessLogsExpiration', props.accessLogsExpiration ?? Duration.days(365), 1);
    const abortDays = wholeDays(
      this,
      'abortIncompleteMultipartUploadAfter',
      props.abortIncompleteMultipartUploadAfter ?? Duration.days(7),
      1,
    );

    this.encryptionKey = props.encryptionKey;

    // S3 server access log delivery writes only to target buckets whose default encryption is SSE-S3
    // (AES256): SSE-KMS is not supported for the target bucket (S3 User Guide, "Enabling Amazon S3
    // server access logging"; the CDK refuses a KMS target for the same reason).
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Kept when the stack goes, deleted only when its own creation rolls back (a retained empty
      // bucket of a failed first deploy would otherwise be left behind).
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      lifecycleRules: [
        {
          id: 'ExpireAccessLogs',
          expiration: Duration.days(accessLogsDays),
          noncurrentVersionExpiration: Duration.days(noncurrentDays),
        },
        { id: 'RemoveExpiredDeleteMarkers', expiredObjectDeleteMarker: true },
      ],
    });

    this.bucket = new s3.Bucket(this, 'Resource', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      // One data key per bucket instead of one KMS call per object: fewer KMS requests (cost and
      // throttling), same key.
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      lifecycleRules: [
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: Duration.days(noncurrentDays),
          expiredObjectDeleteMarker: true,
        },
        { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(abortDays) },
      ],
    });
    this.bucketArn = this.bucket.bucketArn;
    this.bucketName = this.bucket.bucketName;

    // Logging is set on the L1 and the delivery grant written below, instead of the L2's
    // `serverAccessLogsBucket`: without the `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` flag
    // the L2 falls back to the LogDeliveryWrite ACL, which needs ACLs enabled on the target. This
    // way the rendered template is the same whatever flags the consuming app sets.
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.loggingConfiguration = {
      destinationBucketName: this.accessLogsBucket.bucketName,
      // Date-partitioned keys so that Athena or a lifecycle filter can address a day of logs.
      targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: 'EventTime' } },
    };

    for (const bucket of [this.bucket, this.accessLogsBucket]) {
      denyInsecureTransport(bucket);
      sendEventsToEventBridge(bucket);
    }
    this.denyUnencryptedUploads();
    this.allowLogDelivery();
    this.acknowledgeDeliberateFindings();
  }

  /**
   * Lets the grantee list the bucket and read any object version, and decrypt through S3 only.
   *
   * No encryption condition is attached: a GET carries no SSE header, so a condition on it would
   * deny every read. The bucket policy puts no encryption condition on reads for the same reason.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resourceArns: [this.bucket.arnForObjects('*')],
    })
      .combine(iam.Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket'], resourceArns: [this.bucketArn] }))
      .combine(this.grantKeyViaS3(grantee, ['kms:Decrypt']));
  }

  /**
   * Lets the grantee put objects (and abort its own multipart uploads), encrypting through S3 only.
   *
   * Deliberately no `s3:DeleteObject*`: an application that writes data does not need to destroy
   * it, and a leaked credential then cannot either. `kms:Decrypt` is needed by multipart uploads,
   * which decrypt the data key to assemble the parts.
   */
  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resourceArns: [this.bucket.arnForObjects('*')],
    }).combine(this.grantKeyViaS3(grantee, ['kms:GenerateDataKey', 'kms:Decrypt']));
  }

  private grantKeyViaS3(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    // kms:ViaService confines the key permission to requests S3 makes on the grantee's behalf, so
    // the credential cannot decrypt arbitrary ciphertext with the stage key directly.
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': regionalServiceEndpoint(this, 's3') } },
    });
  }

  private acknowledgeDeliberateFindings(): void {
    const singleRegion =
      'Single-region by design: every stage-region deploys its own Data stack with its own bucket, and ' +
      'the data stays in the region the environment config pins the stage to. Durability within the ' +
      'region comes from S3 storage across Availability Zones plus versioning (noncurrent versions kept ' +
      'noncurrentVersionExpiration days); copying to another region is a data-residency decision for ' +
      'the config, not for this construct.';
    for (const bucket of [this.bucket, this.accessLogsBucket]) {
      Validations.of(bucket.node.defaultChild as s3.CfnBucket).acknowledge({
        id: 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
        reason: singleRegion,
      });
    }
    const noObjectLock =
      'No S3 Object Lock: objects are protected by versioning, a bucket policy that denies deletion to every ' +
      'principal but the application role (which has no delete permission), and, in protected stages, ' +
      'replication to another region; a default retention would also keep personal data past an erasure ' +
      'request, and Object Lock cannot be turned off once on.';
    for (const bucket of [this.bucket, this.accessLogsBucket]) {
      Validations.of(bucket.node.defaultChild as s3.CfnBucket).acknowledge({
        id: 'CloudFormation-Validate::s3_bucket_object_lock_enabled_check',
        reason: noObjectLock,
      });
    }
    const logs = this.accessLogsBucket.node.defaultChild as s3.CfnBucket;
    Validations.of(logs).acknowledge({
      id: 'CloudFormation-Validate::s3_bucket_logging_enabled_check',
      reason:
        "The access-log bucket receives the data bucket's server access logs; logging its own accesses into " +
        'itself would log each delivery without end, and only S3 log delivery and Lifecycle touch it.',
    });
    Validations.of(logs).acknowledge({
      id: 'CloudFormation-Validate::s3_bucket_default_encryption_kms_check',
      reason:
        'S3 server access log delivery supports only SSE-S3 (AES256) default encryption on the target ' +
        'bucket (S3 User Guide, "Enabling Amazon S3 server access logging"): with SSE-KMS the logs are not delivered.',
    });
    Validations.of(this.accessLogsBucket.node.defaultChild as s3.CfnBucket).acknowledge({
      id: 'NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS',
      reason:
        'S3 server access log delivery supports only SSE-S3 (AES256) default encryption on the target ' +
        'bucket; with an SSE-KMS default the logs are not delivered (S3 User Guide, server access ' +
        'logging; aws-s3 Bucket refuses a KMS-encrypted serverAccessLogsBucket for the same reason).',
    });
  }

  /**
   * Lets only the given roles (and AWS services acting for the account) read, write and delete
   * objects: an explicit Deny for every other principal, whatever its IAM policies allow (an
   * administrator included). Call it once per role; the first call adds the statement.
   *
   * Replication reads through its own actions (s3:GetObjectVersionForReplication), lifecycle rules
   * are not subject to bucket policies, and bucket-level administration is not affected.
   */
  public limitObjectAccessTo(role: iam.IRole): void {
    if (this.objectPrincipalArns.length === 0) {
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyObjectAccessToOtherPrincipals',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: OBJECT_DATA_ACTIONS,
          resources: [this.bucket.arnForObjects('*')],
          conditions: {
            ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.objectPrincipalArns }) },
            // A service principal (S3 itself, replication, log delivery) carries no principal ARN of ours.
            Bool: { 'aws:PrincipalIsAWSService': 'false' },
          },
        }),
      );
    }
    this.objectPrincipalArns.push(role.roleArn);
  }

  private denyUnencryptedUploads(): void {
    const objects = this.bucket.arnForObjects('*');
    const header = 's3:x-amz-server-side-encryption';
    const keyHeader = 's3:x-amz-server-side-encryption-aws-kms-key-id';
    // Each statement denies a header that is PRESENT and wrong ("Null": "false" = the key is in the
    // request), never its absence: parts of a multipart upload carry no SSE-KMS header, and an
    // upload without headers is encrypted by the bucket's default encryption with the stage key.
    // (A negated operator alone, or its ...IfExists form, is true when the key is absent, so either
    // would deny those uploads: IAM User Guide, "Condition operators", ...IfExists.)
    const deny = (sid: string, conditions: Record<string, Record<string, unknown>>) =>
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [objects],
          conditions,
        }),
      );
    // SSE-S3 (AES256) or DSSE-KMS asked for: not the stage key.
    deny('DenyEncryptionOtherThanKms', { StringNotEquals: { [header]: 'aws:kms' }, Null: { [header]: 'false' } });
    // Another KMS key named (the condition value must be a key ARN: S3 User Guide, "Specifying
    // server-side encryption with AWS KMS"; a key id or alias in the request does not equal it).
    deny('DenyKmsKeyOtherThanStageKey', {
      ArnNotEquals: { [keyHeader]: this.encryptionKey.keyArn },
      Null: { [keyHeader]: 'false' },
    });
    // aws:kms without a key: S3 would encrypt with the AWS managed key aws/s3, not the stage key (S3 API
    // reference, PutObject x-amz-server-side-encryption-aws-kms-key-id).
    deny('DenyKmsWithoutStageKey', { StringEquals: { [header]: 'aws:kms' }, Null: { [keyHeader]: 'true' } });
    // SSE-C: the object would be encrypted with a key S3 does not keep and the stage cannot audit.
    deny('DenyCustomerProvidedKeys', { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } });
  }

  private allowLogDelivery(): void {
    const logs = this.accessLogsBucket;
    // The logging service principal may write only logs of this data bucket from this account:
    // without the source conditions any bucket in any account could deliver logs here.
    logs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowServerAccessLogDelivery',
        effect: iam.Effect.ALLOW,
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [logs.arnForObjects('*')],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
    // Access logs are evidence: nobody deletes them by hand. S3 Lifecycle expiration is not subject
    // to bucket policies, so accessLogsExpiration still removes them on schedule.
    logs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyAccessLogDeletion',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [logs.arnForObjects('*')],
      }),
    );
  }
}

/** The object actions that read, write or destroy data, limited by {@link DataBucket.limitObjectAccessTo}. */
const OBJECT_DATA_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:RestoreObject',
];

/**
 * Denies every request over plain HTTP or TLS below 1.2.
 *
 * Written out with Sids rather than through `enforceSSL` / `minimumTLSVersion`, which render the
 * same two conditions without Sids; a named statement is what an auditor searches for.
 */
function denyInsecureTransport(bucket: s3.Bucket): void {
  const resources = [bucket.bucketArn, bucket.arnForObjects('*')];
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyInsecureTransport',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:*'],
      resources,
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyOutdatedTls',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:*'],
      resources,
      conditions: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
    }),
  );
}
