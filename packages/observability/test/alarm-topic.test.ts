import { App, Stack, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AlarmTopic } from '../src';
import { ENV, composeStage, importOf, logicalIdOf } from './support/stage';

describe('AlarmTopic in the composed stage', () => {
  // GIVEN the app's stage: the key in Security, the topic in Observability
  const composed = composeStage(new App(), { database: 'imported' });
  const observability = Template.fromStack(composed.observability);
  const security = Template.fromStack(composed.security);
  const topicRef = { Ref: logicalIdOf(composed.alarmTopic.topic) };

  test('encrypts the topic with the Security stack key', () => {
    // THEN KmsMasterKeyId is the imported ARN of that exact key, not an AWS-managed alias
    observability.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: importOf(composed.security, { 'Fn::GetAtt': [logicalIdOf(composed.key), 'Arn'] }),
      DisplayName: 'Baseline dev alarms',
      SignatureVersion: '2',
    });
  });

  test("the topic's key policy allows cloudwatch.amazonaws.com to encrypt notifications", () => {
    security.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*']),
          }),
        ]),
      },
    });
  });

  test('the topic policy denies publishing without TLS', () => {
    observability.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicRef],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: topicRef,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ]),
      },
    });
  });

  test('the topic policy lets only this account and region alarms publish through CloudWatch', () => {
    observability.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsOfThisAccountToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topicRef,
            Condition: {
              StringEquals: { 'aws:SourceAccount': ENV.account },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${ENV.region}:${ENV.account}:alarm:*`],
                  ],
                },
              },
            },
          },
        ]),
      },
    });
  });

  test('subscribes every configured e-mail address', () => {
    observability.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const address of ['oncall@example.com', 'platform-team@example.org']) {
      observability.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: address,
        TopicArn: topicRef,
      });
    }
  });

  test('exposes the topic ARN', () => {
    expect(composed.observability.resolve(composed.alarmTopic.topicArn)).toEqual(topicRef);
  });
});

describe('AlarmTopic props', () => {
  function keyStack() {
    const app = new App();
    const stack = new Stack(app, 'Observability', { env: ENV });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    return { app, stack, key };
  }

  test('allows no e-mail addresses (other subscribers attach to topic)', () => {
    // GIVEN
    const { stack, key } = keyStack();
    // WHEN
    new AlarmTopic(stack, 'AlarmTopic', { encryptionKey: key, emailAddresses: [] });
    // THEN
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('fails when an e-mail address is invalid', () => {
    const { stack, key } = keyStack();
    expect(
      () =>
        new AlarmTopic(stack, 'AlarmTopic', { encryptionKey: key, emailAddresses: ['oncall@example.com', 'oncall'] }),
    ).toThrow(/Observability\/AlarmTopic: emailAddresses\[1\] 'oncall' is not an e-mail address/);
  });

  test('fails when an e-mail address is listed twice', () => {
    const { stack, key } = keyStack();
    expect(
      () =>
        new AlarmTopic(stack, 'AlarmTopic', {
          encryptionKey: key,
          emailAddresses: ['oncall@example.com', 'OnCall@example.com'],
        }),
    ).toThrow(/emailAddresses \['oncall@example.com', 'OnCall@example.com'\] contains 'OnCall@example.com' twice/);
  });

  test('fails when the key is the AWS-managed SNS key', () => {
    const stack = new Stack(new App(), 'Observability', { env: ENV });
    const awsManaged = kms.Alias.fromAliasName(stack, 'AwsManagedSnsKey', 'alias/aws/sns');
    expect(() => new AlarmTopic(stack, 'AlarmTopic', { encryptionKey: awsManaged, emailAddresses: [] })).toThrow(
      /Observability\/AlarmTopic: encryptionKey 'alias\/aws\/sns' is an AWS-managed key/,
    );
  });

  test("fails synthesis when the key's policy does not allow cloudwatch.amazonaws.com", () => {
    // GIVEN the stage with a key whose policy has no CloudWatch statement
    const app = new App();
    composeStage(app, { database: 'imported', keyAllowsCloudWatch: false });
    // THEN
    expect(() => app.synth()).toThrow(
      /\[Dev\/Observability\/AlarmTopic\] encryptionKey Dev\/Security\/AlarmKey has no key policy statement allowing cloudwatch\.amazonaws\.com kms:Decrypt and kms:GenerateDataKey\*/,
    );
  });

  test('accepts a key whose policy allows CloudWatch through a statement added after the topic', () => {
    // GIVEN a topic created before the key's CloudWatch statement
    const app = new App();
    const stack = new Stack(app, 'Observability', { env: ENV });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new AlarmTopic(stack, 'AlarmTopic', { encryptionKey: key, emailAddresses: [] });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    // THEN synthesis, which runs the key policy check, succeeds
    expect(() => app.synth()).not.toThrow();
  });
});
