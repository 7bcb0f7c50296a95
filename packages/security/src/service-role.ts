import { Stack, Token, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** A service principal such as `vpc-flow-logs.amazonaws.com` or `monitoring.rds.amazonaws.com`. */
const SERVICE_PRINCIPAL_PATTERN = /^([a-z0-9-]+\.)+amazonaws\.com$/;

/**
 * Properties of a {@link ServiceRole}.
 */
export interface ServiceRoleProps {
  /**
   * The service principal that assumes the role, e.g. `vpc-flow-logs.amazonaws.com` or
   * `monitoring.rds.amazonaws.com`.
   */
  readonly servicePrincipal: string;

  /**
   * ARN (may contain wildcards) of the resources on whose behalf the service may assume the role, e.g.
   * `arn:<partition>:ec2:<region>:<account>:vpc-flow-log/*`.
   *
   * Matched with `ArnLike` on `aws:SourceArn`. Set it only for services that send `aws:SourceArn` when they
   * assume the role (VPC Flow Logs and RDS enhanced monitoring do): for a service that does not, the condition
   * never matches and the service can never assume the role.
   *
   * @default - only `aws:SourceAccount` is enforced
   */
  readonly sourceArn?: string;

  /**
   * Description of the role.
   *
   * @default - no description
   */
  readonly description?: string;
}

/**
 * An IAM role that one AWS service assumes on behalf of resources of this account only.
 *
 * The trust policy names only the given service principal and requires `aws:SourceAccount` to be this account
 * (and, when given, `aws:SourceArn` to match `sourceArn`). Without these conditions, the service acting for
 * another AWS customer could be made to assume this role (the confused-deputy problem).
 *
 * The role has no permissions of its own. The construct that owns the target resource grants exactly what the
 * service needs on it, e.g. the network construct grants the flow-log role write access to its one log group.
 * Create the role in the same stack as that resource: a grant from a stack that already depends on the role's
 * stack would otherwise make the two stacks depend on each other.
 */
export class ServiceRole extends Construct {
  /** The IAM role. */
  public readonly role: iam.Role;

  /** ARN of the role. */
  public readonly roleArn: string;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);

    validateServicePrincipal(this, props.servicePrincipal);
    if (props.sourceArn !== undefined) {
      validateSourceArn(this, props.sourceArn);
    }

    const conditions: Record<string, Record<string, string>> = {
      StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
    };
    if (props.sourceArn !== undefined) {
      conditions.ArnLike = { 'aws:SourceArn': props.sourceArn };
    }

    this.role = new iam.Role(this, 'Resource', {
      assumedBy: new iam.ServicePrincipal(props.servicePrincipal).withConditions(conditions),
      description: props.description,
    });
    this.roleArn = this.role.roleArn;
  }
}

function validateServicePrincipal(scope: Construct, servicePrincipal: string): void {
  if (Token.isUnresolved(servicePrincipal)) {
    return;
  }
  if (!SERVICE_PRINCIPAL_PATTERN.test(servicePrincipal)) {
    throw new Error(
      `${scope.node.path}: servicePrincipal '${servicePrincipal}' is not an AWS service principal; ` +
        "expected '<service>.amazonaws.com', e.g. 'vpc-flow-logs.amazonaws.com'",
    );
  }
}

function validateSourceArn(scope: Construct, sourceArn: string): void {
  if (Token.isUnresolved(sourceArn)) {
    return;
  }
  // An ARN has six colon-separated parts: arn:partition:service:region:account:resource.
  const parts = sourceArn.split(':');
  if (parts[0] !== 'arn' || parts.length < 6 || parts[2] === '' || parts[2].includes('*')) {
    throw new Error(
      `${scope.node.path}: sourceArn '${sourceArn}' is not an ARN of a service's resources; ` +
        "expected 'arn:<partition>:<service>:<region>:<account>:<resource>', e.g. for flow logs " +
        "'arn:<partition>:ec2:<region>:<account>:vpc-flow-log/*'",
    );
  }
}
