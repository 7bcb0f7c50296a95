import { ArnFormat, Stack, Token, aws_iam as iam, aws_kms as kms, aws_rds as rds, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { MYSQL_USER_NAME, acknowledgeWildcardResource, enforceRule, regionalServiceEndpoint } from '@baseline/rules';

/**
 * Properties of an {@link ApplicationRole}.
 */
export interface ApplicationRoleProps {
  /**
   * The principal allowed to assume the role: the one workload that runs the application.
   *
   * The trust policy is built from this and nothing else. A wildcard (`AnyPrincipal`, `StarPrincipal`, an ARN
   * containing `*`) is rejected, because it would let anyone who can call STS read the bucket.
   */
  readonly assumedBy: iam.IPrincipal;

  /**
   * The bucket whose objects the application reads and writes.
   *
   * Keep the role in the same stack as the bucket: the role needs the bucket ARN, and a role in a stack the
   * bucket's stack depends on would create a dependency cycle.
   */
  readonly bucket: s3.IBucket;

  /**
   * The KMS key the bucket's objects are encrypted with.
   *
   * Objects must be written with this key, and the role may use it only through S3 in this region.
   */
  readonly encryptionKey: kms.IKey;

  /**
   * Description of the role.
   *
   * @default - no description
   */
  readonly description?: string;
}

/**
 * A least-privilege IAM role for an application that reads and writes the objects of one bucket.
 *
 * The role may:
 * - read objects and their versions (`s3:GetObject`, `s3:GetObjectVersion`);
 * - write objects (`s3:PutObject`, including every part of a multipart upload) unless the request asks for an
 *   encryption other than SSE-KMS with the given key, and abort its multipart uploads;
 * - use the key (`kms:Decrypt`, `kms:GenerateDataKey`) only through S3 in this region.
 *
 * It can never delete objects or versions (no `s3:DeleteObject*`), so a compromised application cannot destroy
 * data; and nothing is granted on `*`. The permissions live in a customer managed policy attached to the role,
 * not an inline policy, as the NIST 800-53 rev 5 rule IAMNoInlinePolicy expects.
 */
export class ApplicationRole extends Construct {
  /** The IAM role. */
  public readonly role: iam.Role;

  /** ARN of the role. */
  public readonly roleArn: string;

  /** The customer managed policy that holds every permission of the role. */
  private readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ApplicationRoleProps) {
    super(scope, id);

    rejectWildcardPrincipal(this, props.assumedBy);

    this.role = new iam.Role(this, 'Resource', {
      assumedBy: props.assumedBy,
      description: props.description,
    });
    this.roleArn = this.role.roleArn;

    const objects = props.bucket.arnForObjects('*');
    const keyArn = props.encryptionKey.keyArn;

    const policy = (this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Read and SSE-KMS write of the objects of one bucket, no delete',
      roles: [this.role],
      document: new iam.PolicyDocument({
        minimize: false,
        statements: [
          // No encryption condition here: the s3:x-amz-server-side-encryption key is set from the request
          // header, which only PUT/POST/COPY carry. A GET has no such header, so a condition on it would make
          // this statement match nothing and deny every read. Objects are decrypted transparently by S3 through
          // the kms:Decrypt permission below.
          new iam.PolicyStatement({
            sid: 'ReadObjects',
            actions: ['s3:GetObject', 's3:GetObjectVersion'],
            resources: [objects],
          }),
          // A write may not ask for another encryption than SSE-KMS with this key. The ...IfExists forms
          // allow a request without the headers: S3 authorizes each part of a multipart upload
          // (UploadPart) as s3:PutObject, and a part carries no SSE header (S3 API reference, UploadPart),
          // so a plain StringEquals would refuse every upload an SDK splits into parts; an upload without
          // headers is encrypted by the bucket's default encryption with this key. (The bucket policy
          // refuses the wrong headers for every principal.)
          new iam.PolicyStatement({
            sid: 'WriteObjectsWithDataKey',
            actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
            resources: [objects],
            conditions: {
              StringEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' },
              ArnEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn },
            },
          }),
          // The key may be used only by S3 on the role's behalf in this region, never directly (which would let
          // the application decrypt anything else encrypted with the data key).
          new iam.PolicyStatement({
            sid: 'UseDataKeyThroughS3',
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: [keyArn],
            conditions: {
              StringEquals: { 'kms:ViaService': regionalServiceEndpoint(this, 's3') },
            },
          }),
        ],
      }),
    }));

    acknowledgeWildcardResource(
      policy,
      objects,
      'Object-level S3 actions (s3:GetObject, s3:GetObjectVersion, s3:PutObject) take object ARNs; ' +
        '<bucket ARN>/* names the objects of this one bucket and no other bucket. No delete action is granted.',
    );
  }

  /**
   * Lets the application connect to the database as `userName` with IAM database authentication
   * (`rds-db:connect` on `arn:<partition>:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<userName>`,
   * RDS User Guide, "Creating and using an IAM policy for IAM database access"), and as no other user. The
   * user must exist in the database, created by the master user with
   * `CREATE USER '<userName>'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL`.
   *
   * Nothing else of the database: the role cannot read the master user's secret.
   */
  public allowDatabaseConnect(instance: rds.IDatabaseInstance, userName: string): void {
    enforceRule(this, 'userName', userName, MYSQL_USER_NAME);
    if (!instance.instanceResourceId) {
      throw new Error(
        `${this.node.path}: allowDatabaseConnect needs an instance whose resource id (DbiResourceId) is known, ` +
          `got ${instance.node.path}`,
      );
    }
    this.policy.addStatements(
      new iam.PolicyStatement({
        sid: 'ConnectToDatabaseAsApplicationUser',
        actions: ['rds-db:connect'],
        resources: [
          Stack.of(this).formatArn({
            service: 'rds-db',
            resource: 'dbuser',
            resourceName: `${instance.instanceResourceId}/${userName}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
  }
}

/**
 * Throws when the principal would let anyone assume the role.
 *
 * Works on the rendered principal, so it also catches a wildcard wrapped in `PrincipalWithConditions` or mixed
 * into a `CompositePrincipal`.
 */
function rejectWildcardPrincipal(scope: Construct, principal: iam.IPrincipal): void {
  const principalJson = principal.policyFragment.principalJson;
  const wildcard =
    principal instanceof iam.StarPrincipal ||
    Object.values(principalJson).some((values) =>
      values.some((value) => !Token.isUnresolved(value) && value.includes('*')),
    );
  if (wildcard) {
    throw new Error(
      `${scope.node.path}: assumedBy ${principal.toString()} (${JSON.stringify(Stack.of(scope).resolve(principalJson))}) ` +
        'is a wildcard principal; pass the one principal that runs the application, ' +
        "e.g. new iam.ServicePrincipal('ecs-tasks.amazonaws.com') or the ARN of a role",
    );
  }
}
