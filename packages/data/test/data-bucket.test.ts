import { App, CfnElement, Duration, aws_iam as iam } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DataBucket, DataBucketProps } from '../src';
import { Fixture, fixture } from './fixtures';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Principal?: unknown;
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  const element = construct.node.defaultChild as CfnElement;
  return element.stack.getLogicalId(element);
}

/** The statements of the bucket policy attached to the given bucket, by Sid. */
function bucketPolicyStatements(template: Template, bucketLogicalId: string): Record<string, Statement> {
  const policies = template.findResources('AWS::S3::BucketPolicy', {
    Properties: { Bucket: { Ref: bucketLogicalId } },
  });
  const docs = Object.values(policies);
  expect(docs).toHaveLength(1);
  const statements = docs[0].Properties.PolicyDocument.Statement as Statement[];
  return Object.fromEntries(statements.map((s) => [s.Sid ?? '(no sid)', s]));
}

function actions(s: Statement): string[] {
  return Array.isArray(s.Action) ? s.Action : [s.Action];
}

/** True when an IAM action pattern (with * and ?) matches the action. */
function covers(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(action);
}

/** Every policy statement of a template: bucket policies, IAM policies, managed policies, inline role policies. */
function allStatements(template: Template): Statement[] {
  const json = template.toJSON() as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  const found: Statement[] = [];
  for (const resource of Object.values(json.Resources)) {
    const props = resource.Properties ?? {};
    const docs: unknown[] = [props.PolicyDocument];
    for (const inline of (props.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []) {
      docs.push(inline.PolicyDocument);
    }
    for (const doc of docs) {
      found.push(...(((doc as { Statement?: Statement[] } | undefined)?.Statement ?? []) as Statement[]));
    }
  }
  return found;
}

describe('DataBucket with defaults', () => {
  let f: Fixture;
  let dataBucket: DataBucket;
  let reader: iam.Role;
  let writer: iam.Role;
  let template: Template;
  let dataStatements: Record<string, Statement>;
  let logStatements: Record<string, Statement>;
  let keyArn: unknown;

  beforeAll(() => {
    // GIVEN the app's stacks, and an application role reading and one writing, as the app wires them
    f = fixture();
    dataBucket = new DataBucket(f.data, 'DataBucket', { encryptionKey: f.dataKey });
    reader = new iam.Role(f.data, 'Reader', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    writer = new iam.Role(f.data, 'Writer', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    dataBucket.grantRead(reader);
    dataBucket.grantWrite(writer);
    dataBucket.limitObjectAccessTo(reader);
    dataBucket.limitObjectAccessTo(writer);
    // WHEN synthesized
    template = Template.fromStack(f.data);
    dataStatements = bucketPolicyStatements(template, logicalId(dataBucket.bucket));
    logStatements = bucketPolicyStatements(template, logicalId(dataBucket.accessLogsBucket));
    keyArn = { 'Fn::ImportValue': Match.stringLikeRegexp('^Dev-Security:ExportsOutputFnGetAttDataKey') };
  });

  /** The statements of the one identity policy attached to `role`. */
  function roleStatements(role: iam.Role): Statement[] {
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(role) }] } });
    return Object.values(policies)[0].Properties.PolicyDocument.Statement as Statement[];
  }

  test('the main child is the data bucket and the attributes point at it', () => {
    expect(dataBucket.node.defaultChild).toBe(dataBucket.bucket);
    expect(f.data.resolve(dataBucket.bucketArn)).toEqual({ 'Fn::GetAtt': [logicalId(dataBucket.bucket), 'Arn'] });
    expect(f.data.resolve(dataBucket.bucketName)).toEqual({ Ref: logicalId(dataBucket.bucket) });
    expect(dataBucket.encryptionKey).toBe(f.dataKey);
  });

  test('the data bucket is SSE-KMS with the stage key and bucket keys, versioned, private, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
            },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
      // Kept on stack deletion and replacement; deleted only when its own creation rolls back.
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('both buckets send their events to EventBridge on the bucket itself, no custom resource (CT.S3.PR.4)', () => {
    for (const bucket of [dataBucket.bucket, dataBucket.accessLogsBucket]) {
      expect(template.toJSON().Resources[logicalId(bucket)].Properties.NotificationConfiguration).toEqual({
        EventBridgeConfiguration: { EventBridgeEnabled: true },
      });
    }
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  test('the data bucket expires noncurrent versions after 90 days and aborts uploads after 7 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: Match.objectLike({
        ServerSideEncryptionConfiguration: [Match.objectLike({ BucketKeyEnabled: true })],
      }),
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'ExpireNoncurrentVersions',
            Status: 'Enabled',
            NoncurrentVersionExpiration: { NoncurrentDays: 90 },
            ExpiredObjectDeleteMarker: true,
          },
          {
            Id: 'AbortIncompleteMultipartUploads',
            Status: 'Enabled',
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          },
        ],
      },
    });
  });

  test('the data bucket logs server access to the access-log bucket, partitioned by date', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: {
        DestinationBucketName: { Ref: logicalId(dataBucket.accessLogsBucket) },
        TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'EventTime' } },
      },
    });
  });

  test('the access-log bucket uses SSE-S3 (AES256), the only encryption log delivery supports', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    const logs = buckets[logicalId(dataBucket.accessLogsBucket)];
    expect(logs.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  test('the access-log bucket is versioned, private, bucket-owner-enforced, retained and expires logs after 365 days', () => {
    const logs = template.findResources('AWS::S3::Bucket')[logicalId(dataBucket.accessLogsBucket)];
    expect(logs).toMatchObject({
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'ExpireAccessLogs',
              Status: 'Enabled',
              ExpirationInDays: 365,
              NoncurrentVersionExpiration: { NoncurrentDays: 90 },
            },
            { Id: 'RemoveExpiredDeleteMarkers', Status: 'Enabled', ExpiredObjectDeleteMarker: true },
          ],
        },
      },
    });
    // The access-log bucket does not log itself: delivering its own access logs into itself would
    // log each delivery without end, and S3 Lifecycle, not readers, is what touches it.
    expect(logs.Properties.LoggingConfiguration).toBeUndefined();
  });

  test('the data bucket policy holds exactly the seven deny statements', () => {
    expect(Object.keys(dataStatements).sort()).toEqual([
      'DenyCustomerProvidedKeys',
      'DenyEncryptionOtherThanKms',
      'DenyInsecureTransport',
      'DenyKmsKeyOtherThanStageKey',
      'DenyKmsWithoutStageKey',
      'DenyObjectAccessToOtherPrincipals',
      'DenyOutdatedTls',
    ]);
    for (const s of Object.values(dataStatements)) {
      expect(s.Effect).toBe('Deny');
      expect(s.Principal).toEqual({ AWS: '*' });
    }
  });

  test('the data bucket denies any request over plain HTTP, on the bucket and its objects', () => {
    expect(dataStatements.DenyInsecureTransport).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Resource: [
        { 'Fn::GetAtt': [logicalId(dataBucket.bucket), 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(dataBucket.bucket), 'Arn'] }, '/*']] },
      ],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  test('the data bucket denies TLS below 1.2', () => {
    expect(dataStatements.DenyOutdatedTls).toMatchObject({
      Action: 's3:*',
      Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
    });
    expect(dataStatements.DenyOutdatedTls.Resource).toEqual(dataStatements.DenyInsecureTransport.Resource);
  });

  const objects = () => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(dataBucket.bucket), 'Arn'] }, '/*']] });
  const putDeny = (sid: string, condition: Record<string, Record<string, unknown>>) => ({
    Sid: sid,
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 's3:PutObject',
    Resource: objects(),
    Condition: condition,
  });

  test('the data bucket denies a put whose SSE header is present and not aws:kms (SSE-S3, DSSE-KMS)', () => {
    expect(dataStatements.DenyEncryptionOtherThanKms).toEqual(
      putDeny('DenyEncryptionOtherThanKms', {
        StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
        Null: { 's3:x-amz-server-side-encryption': 'false' },
      }),
    );
  });

  test('the data bucket denies a put naming another KMS key', () => {
    expect(dataStatements.DenyKmsKeyOtherThanStageKey).toEqual(
      putDeny('DenyKmsKeyOtherThanStageKey', {
        ArnNotEquals: {
          's3:x-amz-server-side-encryption-aws-kms-key-id': {
            'Fn::ImportValue': expect.stringMatching(/^Dev-Security:ExportsOutputFnGetAttDataKey/),
          },
        },
        Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
      }),
    );
  });

  test('the data bucket denies aws:kms without a key (S3 would use aws/s3) and SSE-C', () => {
    expect(dataStatements.DenyKmsWithoutStageKey).toEqual(
      putDeny('DenyKmsWithoutStageKey', {
        StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
        Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
      }),
    );
    expect(dataStatements.DenyCustomerProvidedKeys).toEqual(
      putDeny('DenyCustomerProvidedKeys', {
        Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' },
      }),
    );
  });

  test('no put deny fires on a missing SSE header: parts of multipart uploads carry none (UploadPart)', () => {
    // Every encryption deny also requires its header (or the SSE-C header) to be present.
    for (const sid of ['DenyEncryptionOtherThanKms', 'DenyKmsKeyOtherThanStageKey', 'DenyCustomerProvidedKeys']) {
      expect({ sid, Null: Object.values(dataStatements[sid].Condition!.Null) }).toEqual({ sid, Null: ['false'] });
    }
    // The one that fires on an absent header fires only when aws:kms IS present (no key with it).
    expect(dataStatements.DenyKmsWithoutStageKey.Condition!.StringEquals).toEqual({
      's3:x-amz-server-side-encryption': 'aws:kms',
    });
  });

  test('only the named roles read, write or delete objects; everyone else is denied, whatever IAM says', () => {
    expect(dataStatements.DenyObjectAccessToOtherPrincipals).toEqual({
      Sid: 'DenyObjectAccessToOtherPrincipals',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [
        's3:GetObject',
        's3:GetObjectVersion',
        's3:PutObject',
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:RestoreObject',
      ],
      Resource: objects(),
      Condition: {
        ArnNotEquals: {
          'aws:PrincipalArn': [
            { 'Fn::GetAtt': [logicalId(reader), 'Arn'] },
            { 'Fn::GetAtt': [logicalId(writer), 'Arn'] },
          ],
        },
        Bool: { 'aws:PrincipalIsAWSService': 'false' },
      },
    });
  });

  test('reads are not blocked by encryption: the denies reaching s3:GetObject are transport and principal ones', () => {
    // A GET carries no x-amz-server-side-encryption header (S3 decrypts with the key recorded on the
    // object), so any encryption condition on a deny covering GetObject would deny every read.
    const denyingReads = Object.values(dataStatements).filter(
      (s) => s.Effect === 'Deny' && actions(s).some((a) => covers(a, 's3:GetObject')),
    );
    expect(denyingReads.map((s) => s.Sid).sort()).toEqual([
      'DenyInsecureTransport',
      'DenyObjectAccessToOtherPrincipals',
      'DenyOutdatedTls',
    ]);
    for (const s of denyingReads) {
      const keys = Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c));
      expect(
        keys.every((k) => /^(aws:SecureTransport|s3:TlsVersion|aws:PrincipalArn|aws:PrincipalIsAWSService)$/.test(k)),
      ).toBe(true);
    }
  });

  test('no statement anywhere in the stack allows s3:DeleteObject', () => {
    const allows = allStatements(template).filter((s) => s.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(0);
    for (const s of allows) {
      for (const a of actions(s)) {
        expect([a, covers(a, 's3:DeleteObject') || covers(a, 's3:DeleteObjectVersion')]).toEqual([a, false]);
      }
    }
  });

  test('the access-log bucket admits only the logging service, for this bucket and account, and denies deletion', () => {
    expect(Object.keys(logStatements).sort()).toEqual([
      'AllowServerAccessLogDelivery',
      'DenyAccessLogDeletion',
      'DenyInsecureTransport',
      'DenyOutdatedTls',
    ]);
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(dataBucket.accessLogsBucket), 'Arn'] }, '/*']] };
    expect(logStatements.AllowServerAccessLogDelivery).toEqual({
      Sid: 'AllowServerAccessLogDelivery',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: objects,
      Condition: {
        ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(dataBucket.bucket), 'Arn'] } },
        StringEquals: { 'aws:SourceAccount': '123456789012' },
      },
    });
    expect(logStatements.DenyAccessLogDeletion).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
      Resource: objects,
    });
    expect(logStatements.DenyInsecureTransport.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    expect(logStatements.DenyOutdatedTls.Condition).toEqual({ NumericLessThan: { 's3:TlsVersion': 1.2 } });
  });

  test('grantRead gives object reads and listing, and kms:Decrypt only through S3, with no encryption condition', () => {
    const statements = roleStatements(reader);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(dataBucket.bucket), 'Arn'] }, '/*']] },
      },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [logicalId(dataBucket.bucket), 'Arn'] } },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::ImportValue': expect.stringMatching(/DataKey/) },
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        },
      },
    ]);
  });

  test('grantWrite gives puts and multipart aborts, never deletes, and the key through S3 only', () => {
    const statements = roleStatements(writer);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(dataBucket.bucket), 'Arn'] }, '/*']] },
      },
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::ImportValue': expect.stringMatching(/DataKey/) },
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        },
      },
    ]);
  });

  test('the Data stack depends on Security and Security on nothing: no cycle', () => {
    expect(f.data.dependencies).toContain(f.security);
    expect(f.security.dependencies).toEqual([]);
  });
});

describe('DataBucket with custom durations', () => {
  test('renders the given lifecycle days', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    const bucket = new DataBucket(f.data, 'DataBucket', {
      encryptionKey: f.dataKey,
      noncurrentVersionExpiration: Duration.days(30),
      accessLogsExpiration: Duration.days(730),
      abortIncompleteMultipartUploadAfter: Duration.days(2),
    });
    // THEN
    const buckets = Template.fromStack(f.data).findResources('AWS::S3::Bucket');
    expect(buckets[logicalId(bucket.bucket)].Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } }),
    ]);
    expect(buckets[logicalId(bucket.accessLogsBucket)].Properties.LifecycleConfiguration.Rules[0]).toEqual(
      expect.objectContaining({ ExpirationInDays: 730, NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
    );
  });

  test('renders the same template whatever the serverAccessLogsUseBucketPolicy flag says', () => {
    // GIVEN one app without the flag and one with it, as the platform's cdk.json sets it
    const render = (context: Record<string, unknown>) => {
      const f = fixture(new App({ context }));
      new DataBucket(f.data, 'DataBucket', { encryptionKey: f.dataKey });
      return Template.fromStack(f.data).toJSON();
    };
    // THEN
    expect(render({ '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true })).toEqual(render({}));
  });
});

describe('DataBucket props validation', () => {
  const build = (props: Partial<DataBucketProps>) => {
    const f = fixture();
    return () => new DataBucket(f.data, 'DataBucket', { encryptionKey: f.dataKey, ...props });
  };

  test('fails when noncurrentVersionExpiration is not a whole number of days', () => {
    expect(build({ noncurrentVersionExpiration: Duration.hours(36) })).toThrow(
      /Dev\/Data\/DataBucket: noncurrentVersionExpiration 1 day 12 hours is not allowed; it must be a whole number of days of at least 1/,
    );
  });

  test('fails when accessLogsExpiration is zero', () => {
    expect(build({ accessLogsExpiration: Duration.days(0) })).toThrow(
      /Dev\/Data\/DataBucket: accessLogsExpiration 0 days is not allowed; it must be a whole number of days of at least 1/,
    );
  });

  test('fails when abortIncompleteMultipartUploadAfter is below a day', () => {
    expect(build({ abortIncompleteMultipartUploadAfter: Duration.hours(12) })).toThrow(
      /abortIncompleteMultipartUploadAfter 12 hours is not allowed/,
    );
  });
});
