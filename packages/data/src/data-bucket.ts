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
import {
  acknowledgeServerAccessLogsBucket,
  acknowledgeWildcardResource,
  regionalServiceEndpoint,
  sendEventsToEventBridge,
} from '@baseline/rules';
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

  /**
   * This bucket is the cross-region replica of the data bucket of this region (it receives
   * replication; it does not replicate on).
   *
   * @default - a primary data bucket
   */
  readonly replicaOf?: string;
}

/** Where a {@link DataBucket} replicates to: a bucket in another region, and the key its replicas use. */
export interface ReplicationDestination {
  /** ARN of the destination bucket (versioned, same account). */
  readonly bucketArn: string;
  /** ARN of the customer managed key in the destination region that encrypts the replicas. */
  readonly keyArn: string;
  /** The destination's region. */
  readonly region: string;
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

  /** The role S3 replication uses, once {@link replicateTo} was called. */
  public replicationRole?: iam.Role;

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
    this.acknowledgeDeliberateFindings(props.replicaOf);
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

  /** The statements of {@link grantRead}, for a managed policy (a role's inline policy is a NIST finding). */
  public readStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'ReadObjects',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [this.bucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({ sid: 'ListObjects', actions: ['s3:ListBucket'], resources: [this.bucketArn] }),
      new iam.PolicyStatement({
        sid: 'DecryptThroughS3',
        actions: ['kms:Decrypt'],
        resources: [this.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': regionalServiceEndpoint(this, 's3') } },
      }),
    ];
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

  private acknowledgeDeliberateFindings(replicaOf: string | undefined): void {
    const singleRegion =
      'No recovery region configured for this stage-region: the data stays in its region (a decision the ' +
      'environment config makes per region; protected stages must name one). Durability within the region ' +
      'comes from S3 storage across Availability Zones plus versioning (noncurrent versions kept ' +
      'noncurrentVersionExpiration days).';
    // The data bucket's acknowledgement is decided at synthesis: none once it replicates (replicateTo).
    const replicaReason =
      `This bucket is the cross-region replica of the data bucket of ${replicaOf}; replicating the copy ` +
      'again would make a third copy of the same data (docs/recovery.md).';
    this.node.addValidation({
      validate: () => {
        if (!this.replicationRole) {
          acknowledgeNoReplication(this.bucket, replicaOf ? replicaReason : singleRegion);
        }
        return [];
      },
    });
    acknowledgeNoReplication(
      this.accessLogsBucket,
      'Access logs record who read and wrote the data bucket in its region; they are evidence for that ' +
        "region's audit, not data to fail over with (the data bucket itself replicates when the stage-region " +
        'names a recovery region).',
    );
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
    acknowledgeServerAccessLogsBucket(this.accessLogsBucket, 'the data bucket');
  }

  /**
   * Replicates every object written from now on to a bucket in another region of this account: S3
   * Cross-Region Replication with a role that may do only that, replicas encrypted with the
   * destination region's key, delete markers not replicated (a delete here does not hide the copy
   * there), replication metrics on (S3 User Guide, "Replicating objects within and across Regions";
   * "Replicating encrypted objects"). Objects written before replication was turned on are not copied
   * (S3 Batch Replication does that, see docs/recovery.md).
   */
  public replicateTo(destination: ReplicationDestination): iam.Role {
    if (this.replicationRole) {
      throw new Error(`${this.node.path}: replicateTo was already called; a data bucket replicates to one destination`);
    }
    const stack = Stack.of(this);
    const sourceKeyArn = this.encryptionKey.keyArn;
    const encryptedIn = (bucketArn: string) => [bucketArn, `${bucketArn}/*`];
    const role = new iam.Role(this, 'ReplicationRole', {
      // Confused-deputy protection: only S3 acting for this account may assume it. (aws:SourceArn would
      // name this bucket, which names the role: a circular dependency in one template.)
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      description: `S3 replication of ${this.node.path} to its recovery region ${destination.region}`,
    });
    const policy = new iam.ManagedPolicy(this, 'ReplicationPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadReplicationConfiguration',
          actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
          resources: [this.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadSourceVersions',
          actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
          resources: [this.bucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({
          sid: 'WriteReplicas',
          // s3:ReplicateObject covers the tags (S3 User Guide, "Setting up permissions for live replication").
          actions: ['s3:ReplicateObject', 's3:ReplicateDelete'],
          resources: [`${destination.bucketArn}/*`],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptSourceThroughS3',
          actions: ['kms:Decrypt'],
          resources: [sourceKeyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': regionalServiceEndpoint(this, 's3') },
            // With S3 Bucket Keys the encryption context is the bucket ARN, without them the object ARN.
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': encryptedIn(this.bucketArn) },
          },
        }),
        new iam.PolicyStatement({
          sid: 'EncryptReplicasThroughS3',
          // Decrypt too: with S3 Bucket Keys on the destination, S3 decrypts the bucket-level key it generated
          // (S3 User Guide, "Replicating encrypted objects", S3 Bucket Keys).
          actions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [destination.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': regionalServiceEndpoint(this, 's3', destination.region) },
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': encryptedIn(destination.bucketArn) },
          },
        }),
      ],
    });
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.replicationConfiguration = {
      role: role.roleArn,
      rules: [
        {
          id: 'ReplicateToRecoveryRegion',
          status: 'Enabled',
          priority: 1,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Disabled' },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
          destination: {
            bucket: destination.bucketArn,
            encryptionConfiguration: { replicaKmsKeyId: destination.keyArn },
            // Metrics only: an event threshold needs Replication Time Control, and S3 refuses it otherwise
            // ("Metrics cannot contain an event threshold when ReplicationTime is not specified or Disabled").
            metrics: { status: 'Enabled' },
          },
        },
      ],
    };
    this.replicationRole = role;
    this.acknowledgeReplicationPolicy(policy, destination);
    return role;
  }

  private acknowledgeReplicationPolicy(policy: iam.ManagedPolicy, destination: ReplicationDestination): void {
    const target = policy.node.defaultChild as iam.CfnManagedPolicy;
    acknowledgeWildcardResource(
      target,
      this.bucket.arnForObjects('*'),
      'Replication reads every object version of this bucket (any key): the statement names this bucket only.',
    );
    acknowledgeWildcardResource(
      target,
      `${destination.bucketArn}/*`,
      'Replication writes every replica into the destination bucket (any key): the statement names that bucket only.',
    );
  }

  /**
   * Lets only the given roles (and AWS services acting for the account) read, write and delete
   * objects: an explicit Deny for every other principal, whatever its IAM policies allow (an
   * administrator included). Call it once per role; the first call adds the statement.
   *
   * Replication reads and writes through its own actions (s3:GetObjectVersionForReplication,
   * s3:ReplicateObject), which are not limited; lifecycle rules are not subject to bucket policies, and
   * bucket-level administration is not affected.
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
            // AWS service principals (log delivery, S3 itself) are not ours to list. Replication runs as its
            // IAM role, which this statement does not exempt; it is not denied because replication uses its
            // own actions (s3:GetObjectVersionForReplication, s3:ReplicateObject), not these.
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

/**
 * "S3 buckets should have replication enabled", as the NIST 800-53 rev 5 pack in the gate, and the
 * HIPAA Security and PCI DSS 3.2.1 packs (held-out checks a user may add), name it.
 */
function acknowledgeNoReplication(bucket: s3.Bucket, reason: string): void {
  for (const id of [
    'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
    'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled',
    'PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled',
  ]) {
    Validations.of(bucket.node.defaultChild as s3.CfnBucket).acknowledge({ id, reason });
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
