import { App, Stack, aws_sns as sns } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { checkedApp, describeFindings, validate } from '../../../tools/testing/compliance';
import { composeStage, logicalIdOf } from './support/stage';

describe('observability constructs composed in a stage, with every check the platform runs', () => {
  // GIVEN the app's stage, synthesized with AwsSolutions, NIST 800-53 R5 and CloudFormation validation
  const app = checkedApp();
  const composed = composeStage(app, { database: 'imported' });
  const result = validate(app);

  test('has no unacknowledged findings', () => {
    expect(describeFindings(result.findings)).toEqual([]);
  });

  test("needs no acknowledgements but the stand-in flow log group's key in another stack", () => {
    expect(result.acknowledged.map((a) => `${a.id} @ ${a.at}`)).toEqual([
      'CloudFormation-Validate::cloudwatch_log_group_encrypted_check @ Dev/Network/FlowLogGroup/Resource',
    ]);
  });

  test('every alarm of every stack in the stage notifies the stage topic on ALARM and OK, with a missing-data rule', () => {
    const topicRef = { Ref: logicalIdOf(composed.alarmTopic.topic) };
    let alarmCount = 0;
    for (const stack of composed.stage.node.children.filter(Stack.isStack)) {
      const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
      for (const [id, alarm] of Object.entries(alarms)) {
        alarmCount++;
        expect(stack).toBe(composed.observability);
        expect({ id, AlarmActions: alarm.Properties.AlarmActions }).toEqual({ id, AlarmActions: [topicRef] });
        expect({ id, OKActions: alarm.Properties.OKActions }).toEqual({ id, OKActions: [topicRef] });
        expect({ id, TreatMissingData: alarm.Properties.TreatMissingData }).toEqual({
          id,
          TreatMissingData: expect.stringMatching(/^(breaching|notBreaching|ignore|missing)$/),
        });
        expect(alarm.Properties.ActionsEnabled).not.toBe(false);
      }
    }
    expect(alarmCount).toBe(7);
    expect(composed.stage.node.children.filter(Stack.isStack).map((s) => s.node.id)).toEqual([
      'Security',
      'Network',
      'Observability',
    ]);
  });
});

describe('the checks reach resources inside the stage', () => {
  test('a non-compliant topic added to the stage is reported', () => {
    // GIVEN the same stage plus an unencrypted topic without a TLS policy
    const app = checkedApp();
    const composed = composeStage(app, { database: 'imported' });
    new sns.Topic(composed.observability, 'Canary');
    // WHEN
    const report = findingsText(app);
    // THEN the finding points into the stage, so an empty list above means the stage was checked
    expect(report).toContain('Dev/Observability/Canary/Resource');
    expect(report).toContain('AwsSolutions-SNS3');
  });
});

describe('stack dependencies of the stage', () => {
  test('flow from Security, Network and Data to Observability, with no cycle, with a real database', () => {
    // GIVEN the stage with a real RDS instance, so its identifier crosses stacks
    const app = new App();
    const composed = composeStage(app, { database: 'real' });
    // WHEN synthesized (a cycle between stacks fails here)
    app.synth();
    // THEN
    expect(composed.observability.dependencies.map((s) => s.node.id).sort()).toEqual(['Data', 'Network', 'Security']);
    for (const upstream of composed.stage.node.children.filter(Stack.isStack)) {
      expect(upstream.dependencies).not.toContain(composed.observability);
    }
  });
});

/** The findings of a checked app as text. */
function findingsText(app: App): string {
  return describeFindings(validate(app).findings).join('\n');
}
