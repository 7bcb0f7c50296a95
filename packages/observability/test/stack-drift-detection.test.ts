import { App, Stack, aws_sns as sns } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DRIFT_READ_ACTIONS, StackDriftDetection } from '../src';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const STACKS = ['app-dev-security', 'app-dev-data'];

function detection(props: Partial<ConstructorParameters<typeof StackDriftDetection>[2]> = {}) {
  const stack = new Stack(new App(), 'Observability', { env: ENV });
  const topic = new sns.Topic(stack, 'Topic');
  const drift = new StackDriftDetection(stack, 'Drift', {
    stackNames: STACKS,
    topic,
    resourceTypes: ['AWS::KMS::Key', 'AWS::S3::Bucket'],
    ...props,
  });
  return { stack, topic, drift, template: Template.fromStack(stack) };
}

describe('StackDriftDetection', () => {
  const { stack, topic, drift, template } = detection();
  const resolved = (value: unknown) => JSON.stringify(stack.resolve(value));

  test('one daily schedule per stack calls CloudFormation DetectStackDrift through the universal target', () => {
    const schedules = template.findResources('AWS::Scheduler::Schedule');
    expect(Object.keys(schedules)).toHaveLength(STACKS.length);
    expect(
      Object.values(schedules).map((s) => [
        JSON.parse(s.Properties.Target.Input).StackName,
        s.Properties.ScheduleExpression,
        s.Properties.ScheduleExpressionTimezone,
        s.Properties.FlexibleTimeWindow,
        resolved(s.Properties.Target.Arn),
      ]),
    ).toEqual(
      STACKS.map((name) => [
        name,
        'cron(0 5 * * ? *)',
        'Etc/UTC',
        { Mode: 'OFF' },
        JSON.stringify({
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:cloudformation:detectStackDrift']],
        }),
      ]),
    );
  });

  test('the schedules run as a role trusted by EventBridge Scheduler of this account only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': ENV.account } },
          },
        ],
      },
    });
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
  });

  test('the role may start drift detection on these stacks only, and read their resources, never their data', () => {
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    const statements = stack.resolve(policy.Properties.PolicyDocument.Statement) as Array<Record<string, unknown>>;
    expect(statements).toEqual([
      {
        Sid: 'DetectDriftOfTheseStacks',
        Effect: 'Allow',
        Action: ['cloudformation:DetectStackDrift', 'cloudformation:DetectStackResourceDrift'],
        Resource: STACKS.map((n) => ({
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudformation:eu-west-1:123456789012:stack/${n}/*`]],
        })),
      },
      {
        Sid: 'ReadTheirResourcesConfiguration',
        Effect: 'Allow',
        Action: [
          'cloudformation:BatchDescribeTypeConfigurations',
          ...new Set([
            ...DRIFT_READ_ACTIONS['AWS::KMS::Key'],
            ...DRIFT_READ_ACTIONS['AWS::S3::Bucket'],
            ...['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::Scheduler::Schedule', 'AWS::Events::Rule'].flatMap(
              (t) => DRIFT_READ_ACTIONS[t],
            ),
          ]),
        ].sort(),
        Resource: '*',
      },
    ]);
    const every = Object.values(DRIFT_READ_ACTIONS).flat();
    for (const dataAction of ['s3:GetObject', 's3:GetObjectVersion', 'kms:Decrypt', 'logs:GetLogEvents', 'rds:*']) {
      expect(every).not.toContain(dataAction);
    }
    expect(every.filter((a) => !/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]+$/.test(a))).toEqual([]);
  });

  test("a rule sends CloudFormation's DRIFTED events of these stacks to the topic, with a readable message", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudformation'],
        'detail-type': ['CloudFormation Drift Detection Status Change'],
        detail: {
          'status-details': { 'stack-drift-status': ['DRIFTED'] },
          'stack-id': STACKS.map((n) => ({
            prefix: {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, `:cloudformation:eu-west-1:123456789012:stack/${n}/`],
              ],
            },
          })),
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: stack.getLogicalId(topic.node.defaultChild as never) },
          InputTransformer: Match.objectLike({
            InputPathsMap: {
              'detail-stack-id': '$.detail.stack-id',
              'detail-drift-detection-details-drifted-stack-resource-count':
                '$.detail.drift-detection-details.drifted-stack-resource-count',
            },
          }),
        }),
      ],
    });
  });

  test('the topic accepts that rule only', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowTheDriftRuleToPublish',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: stack.getLogicalId(topic.node.defaultChild as never) },
            Condition: {
              ArnEquals: {
                'aws:SourceArn': { 'Fn::GetAtt': [stack.getLogicalId(drift.rule.node.defaultChild as never), 'Arn'] },
              },
            },
          },
        ]),
      },
    });
  });

  test('a resource type without known read permissions fails, naming it', () => {
    expect(() => detection({ resourceTypes: ['AWS::DynamoDB::Table'] })).toThrow(
      /Drift: no read permissions known for AWS::DynamoDB::Table; add the type's read handler permissions to DRIFT_READ_ACTIONS/,
    );
  });

  test('no stacks is an error', () => {
    expect(() => detection({ stackNames: [] })).toThrow(/Drift: stackNames is empty/);
  });
});
