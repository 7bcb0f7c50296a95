import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** The AWS-owned Automation runbook that revokes every rule of a VPC's default security group. */
export const REMOVE_DEFAULT_SG_RULES_RUNBOOK = 'AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules';

/** How often State Manager re-applies the runbook, so rules added by hand later are removed again. */
export const DEFAULT_SG_LOCKDOWN_SCHEDULE = 'rate(1 day)';

export interface DefaultSecurityGroupLockdownProps {
  readonly vpc: ec2.Vpc;
}

/**
 * Strips the rules of a VPC's default security group without a Lambda-backed custom resource.
 *
 * CloudFormation cannot delete the default group's built-in rules (all traffic from itself in,
 * everything out). `ec2.Vpc`'s `restrictDefaultSecurityGroup` does it with a custom resource whose
 * Lambda, role and log group add findings, an asset and deploy-time risk. Instead a State Manager
 * association runs the AWS-owned runbook `AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules`
 * on creation and daily after that, with a role that can revoke rules of this one group only.
 * The runbook's steps (`aws:assertAwsResourceProperty`, `aws:executeScript`) call only
 * `ec2:DescribeSecurityGroups`, `ec2:RevokeSecurityGroupIngress` and `ec2:RevokeSecurityGroupEgress`.
 */
export class DefaultSecurityGroupLockdown extends Construct {
  /** The role the runbook runs as. */
  public readonly role: iam.Role;
  /** The State Manager association that runs the runbook. */
  public readonly association: ssm.CfnAssociation;

  constructor(scope: Construct, id: string, props: DefaultSecurityGroupLockdownProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // Confused-deputy guard: only Automation executions of this account may assume the role.
    this.role = new iam.Role(this, 'Role', {
      description: `Runs ${REMOVE_DEFAULT_SG_RULES_RUNBOOK} on the default security group of ${props.vpc.node.path}`,
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'ssm',
              resource: 'automation-execution',
              resourceName: '*',
            }),
          },
        },
      }),
    });

    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Revoke rules of the default security group of ${props.vpc.node.path} only`,
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'RevokeDefaultSecurityGroupRules',
          actions: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
          resources: [
            stack.formatArn({
              service: 'ec2',
              resource: 'security-group',
              resourceName: props.vpc.vpcDefaultSecurityGroup,
            }),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'DescribeSecurityGroups',
          actions: ['ec2:DescribeSecurityGroups'],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DescribeSecurityGroups supports no resource-level permissions (Service Authorization Reference, ' +
        'Amazon EC2: the action lists no resource type), so it can only be granted on "*"; it is read-only.',
    });

    this.association = new ssm.CfnAssociation(this, 'Association', {
      name: REMOVE_DEFAULT_SG_RULES_RUNBOOK,
      parameters: {
        GroupId: [props.vpc.vpcDefaultSecurityGroup],
        AutomationAssumeRole: [this.role.roleArn],
      },
      scheduleExpression: DEFAULT_SG_LOCKDOWN_SCHEDULE,
    });
    // The first run starts as soon as the association exists: the permissions must be attached.
    this.association.node.addDependency(policy);
  }
}
