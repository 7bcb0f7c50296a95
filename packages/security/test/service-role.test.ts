import { App, ArnFormat, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServiceRole, ServiceRoleProps } from '../src';

const env = { account: '123456789012', region: 'eu-west-1' };
const partition = { Ref: 'AWS::Partition' };

function synthRole(props: ServiceRoleProps | ((stack: Stack) => ServiceRoleProps)) {
  const stack = new Stack(new Stage(new App(), 'Dev', { env }), 'Network');
  const role = new ServiceRole(stack, 'FlowLogRole', typeof props === 'function' ? props(stack) : props);
  return { stack, role, template: Template.fromStack(stack) };
}

describe('ServiceRole with a source ARN', () => {
  // GIVEN / WHEN the flow-log role as the Network stack creates it
  const { template, role, stack } = synthRole((s) => ({
    servicePrincipal: 'vpc-flow-logs.amazonaws.com',
    sourceArn: s.formatArn({
      service: 'ec2',
      resource: 'vpc-flow-log',
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }),
    description: 'VPC flow logs of dev',
  }));

  // THEN
  test('trusts only the service principal, for resources of this account matching the source ARN', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '123456789012' },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:', partition, ':ec2:eu-west-1:123456789012:vpc-flow-log/*']],
                },
              },
            },
          },
        ],
      },
      Description: 'VPC flow logs of dev',
    });
  });

  test('has no permissions of its own', () => {
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    const [resource] = Object.values(template.findResources('AWS::IAM::Role'));
    expect(resource.Properties.Policies).toBeUndefined();
    expect(resource.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('exposes the role as its main child and the role ARN', () => {
    expect(role.role.node.path).toBe('Dev/Network/FlowLogRole/Resource');
    expect(stack.resolve(role.roleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FlowLogRole/), 'Arn'] });
  });
});

describe('ServiceRole without a source ARN', () => {
  test('enforces only aws:SourceAccount', () => {
    // GIVEN / WHEN
    const { template } = synthRole({ servicePrincipal: 'monitoring.rds.amazonaws.com' });
    // THEN
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'monitoring.rds.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ],
      },
    });
  });
});

describe('ServiceRole validation', () => {
  function newRole(props: ServiceRoleProps): () => ServiceRole {
    return () => new ServiceRole(new Stack(new Stage(new App(), 'Dev', { env }), 'Network'), 'FlowLogRole', props);
  }

  test('fails when servicePrincipal does not end with .amazonaws.com', () => {
    expect(newRole({ servicePrincipal: 'vpc-flow-logs' })).toThrow(
      /Dev\/Network\/FlowLogRole: servicePrincipal 'vpc-flow-logs' is not an AWS service principal; expected '<service>.amazonaws.com'/,
    );
    expect(newRole({ servicePrincipal: 'vpc-flow-logs.amazonaws.com.example.org' })).toThrow(
      /servicePrincipal 'vpc-flow-logs.amazonaws.com.example.org' is not an AWS service principal/,
    );
  });

  test('fails when servicePrincipal is a wildcard', () => {
    expect(newRole({ servicePrincipal: '*.amazonaws.com' })).toThrow(
      /servicePrincipal '\*.amazonaws.com' is not an AWS service principal/,
    );
  });

  test('fails when sourceArn is not an ARN', () => {
    expect(newRole({ servicePrincipal: 'vpc-flow-logs.amazonaws.com', sourceArn: 'vpc-flow-log/*' })).toThrow(
      /Dev\/Network\/FlowLogRole: sourceArn 'vpc-flow-log\/\*' is not an ARN of a service's resources/,
    );
  });

  test('fails when sourceArn does not name a service', () => {
    expect(newRole({ servicePrincipal: 'vpc-flow-logs.amazonaws.com', sourceArn: 'arn:*:*:*:*:*' })).toThrow(
      /sourceArn 'arn:\*:\*:\*:\*:\*' is not an ARN of a service's resources/,
    );
  });
});
