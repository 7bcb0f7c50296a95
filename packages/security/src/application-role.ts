import { Stack, Token, aws_iam as iam, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './private/nag';
import { regionalServiceEndpoint } from '@baseline/rules';

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
 * - write objects (`s3:PutObject`) only when the request asks for SSE-KMS with the given key;
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

    const policy = new iam.ManagedPolicy(this, 'Policy', {
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
          // A write is allowed only when it asks for SSE-KMS with this key, so no object lands unencrypted or
          // under a key the data owners do not control. Clients must send both headers.
          new iam.PolicyStatement({
            sid: 'WriteObjectsWithDataKey',
            actions: ['s3:PutObject'],
            resources: [objects],
            conditions: {
              StringEquals: {
                's3:x-amz-server-side-encryption': 'aws:kms',
                's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn,
              },
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
    });

    acknowledgeWildcardResource(
      policy,
      objects,
      'Object-level S3 actions (s3:GetObject, s3:GetObjectVersion, s3:PutObject) take object ARNs; ' +
        '<bucket ARN>/* names the objects of this one bucket and no other bucket. No delete action is granted.',
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
