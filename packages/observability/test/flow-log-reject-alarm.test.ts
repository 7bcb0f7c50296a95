import { App, Lazy, Stack, aws_logs as logs, aws_sns as sns } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FlowLogRejectAlarm, FlowLogRejectAlarmProps } from '../src';
import {
  CUSTOM_FLOW_LOG_FORMAT,
  DEFAULT_FLOW_LOG_FORMAT,
  ENV,
  composeStage,
  importOf,
  logicalIdOf,
} from './support/stage';

/** One column of a space-delimited filter pattern, with its string condition if it has one. */
interface PatternColumn {
  readonly name: string;
  readonly equals?: string;
}

/**
 * A tiny reader of CloudWatch Logs space-delimited patterns, enough for `[a, b, c = "X", d]`:
 * a record matches when it has exactly one value per column and every `=` condition holds.
 * It refuses anything else (`...`, other operators, wildcards) so that a change of the pattern's
 * shape fails the test instead of being misread.
 */
function parsePattern(pattern: string): PatternColumn[] {
  const inner = /^\[(.*)\]$/.exec(pattern);
  if (!inner) {
    throw new Error(`not a space-delimited pattern: ${pattern}`);
  }
  return inner[1].split(', ').map((column) => {
    const condition = /^([a-z0-9_]+) = "([^"*]*)"$/.exec(column);
    if (condition) {
      return { name: condition[1], equals: condition[2] };
    }
    if (!/^[a-z0-9_]+$/.test(column)) {
      throw new Error(`column this reader does not understand: ${column}`);
    }
    return { name: column };
  });
}

function matches(pattern: string, record: string): boolean {
  const columns = parsePattern(pattern);
  const values = record.split(' ');
  return values.length === columns.length && columns.every((c, i) => c.equals === undefined || c.equals === values[i]);
}

/** Field names of a format string, in order: `${log-status}` -> `log-status`. */
function formatFields(format: string): string[] {
  return format.split(' ').map((field) => field.slice(2, -1));
}

describe('FlowLogRejectAlarm in the composed stage', () => {
  // GIVEN the app's stage: the flow log group in Network, the metric filter in Observability
  const composed = composeStage(new App(), { database: 'imported' });
  const template = Template.fromStack(composed.observability);
  const topicRef = { Ref: logicalIdOf(composed.alarmTopic.topic) };
  const metricName = 'RejectedFlowLogRecords-DevObservability-FlowLogRejects-3D6C7AA2';

  test('the metric filter reads the Network stack flow log group, from the Observability stack', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: importOf(composed.network, { Ref: logicalIdOf(composed.flowLogGroup) }),
      FilterPattern: composed.flowLogRejectAlarm.filterPattern,
      MetricTransformations: [
        { MetricNamespace: 'Baseline/VPC', MetricName: metricName, MetricValue: '1', DefaultValue: 0 },
      ],
    });
    Template.fromStack(composed.network).resourceCountIs('AWS::Logs::MetricFilter', 0);
  });

  test('the pattern lines up with the flow log format: same field count, action at the same index', () => {
    const columns = parsePattern(composed.flowLogRejectAlarm.filterPattern);
    const fields = formatFields(DEFAULT_FLOW_LOG_FORMAT);
    expect(columns).toHaveLength(fields.length);
    expect(columns.map((c) => c.name)).toEqual(fields.map((f) => f.replace(/-/g, '_')));
    expect(columns.findIndex((c) => c.name === 'action')).toBe(fields.indexOf('action'));
    expect(columns.filter((c) => c.equals !== undefined)).toEqual([{ name: 'action', equals: 'REJECT' }]);
  });

  test('the pattern matches REJECT records of that format and nothing else', () => {
    const pattern = composed.flowLogRejectAlarm.filterPattern;
    const reject =
      '2 123456789012 eni-0a1b2c3d4e5f67890 203.0.113.12 10.0.1.5 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
    const accept =
      '2 123456789012 eni-0a1b2c3d4e5f67890 10.0.1.5 10.0.2.7 443 49152 6 10 840 1418530010 1418530070 ACCEPT OK';
    const noData = '2 123456789012 eni-0a1b2c3d4e5f67890 - - - - - - - 1431280876 1431280934 - NODATA';
    // the same REJECT with one field fewer, as a flow log with another format would write it
    const otherFormat = reject.split(' ').slice(1).join(' ');
    expect(matches(pattern, reject)).toBe(true);
    expect(matches(pattern, accept)).toBe(false);
    expect(matches(pattern, noData)).toBe(false);
    expect(matches(pattern, otherFormat)).toBe(false);
  });

  test('alarms on more than 100 REJECT records in 5 minutes, notifying on ALARM and OK', () => {
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      Match.objectEquals({
        Namespace: 'Baseline/VPC',
        MetricName: metricName,
        Statistic: 'Sum',
        Period: 300,
        Threshold: 100,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmDescription: Match.stringLikeRegexp('^More than 100 VPC flow log REJECT records in 5 minutes'),
        AlarmActions: [topicRef],
        OKActions: [topicRef],
      }),
    );
  });
});

describe('FlowLogRejectAlarm props', () => {
  function build(overrides: Partial<FlowLogRejectAlarmProps> = {}) {
    const stack = new Stack(new App(), 'Observability', { env: ENV });
    const flowLogGroup = logs.LogGroup.fromLogGroupName(stack, 'FlowLogGroup', '/baseline/dev/vpc-flow-logs');
    const alarmTopic = sns.Topic.fromTopicArn(stack, 'Topic', stack.formatArn({ service: 'sns', resource: 'alarms' }));
    const construct = new FlowLogRejectAlarm(stack, 'FlowLogRejects', {
      flowLogGroup,
      flowLogFormat: DEFAULT_FLOW_LOG_FORMAT,
      alarmTopic,
      ...overrides,
    });
    return { stack, construct };
  }

  test('derives the pattern from a custom format, action where that format has it', () => {
    // GIVEN a 23-field format with action at index 15
    const { stack, construct } = build({ flowLogFormat: CUSTOM_FLOW_LOG_FORMAT });
    const fields = formatFields(CUSTOM_FLOW_LOG_FORMAT);
    const columns = parsePattern(construct.filterPattern);
    // THEN
    expect(columns).toHaveLength(fields.length);
    expect(columns.findIndex((c) => c.name === 'action')).toBe(fields.indexOf('action'));
    expect(fields.indexOf('action')).toBe(15);
    const reject =
      '5 123456789012 vpc-0a1b2c3d subnet-0a1b2c3d eni-0a1b2c3d i-0a1b2c3d 198.51.100.7 10.0.1.5 40000 22 6 2 IPv4 ' +
      '198.51.100.7 10.0.1.5 REJECT 1 60 1418530010 1418530070 OK ingress -';
    expect(matches(construct.filterPattern, reject)).toBe(true);
    expect(matches(construct.filterPattern, reject.replace('REJECT', 'ACCEPT'))).toBe(false);
    // the default-format pattern would not read these records at all
    expect(matches(build().construct.filterPattern, reject)).toBe(false);
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: construct.filterPattern,
      LogGroupName: '/baseline/dev/vpc-flow-logs',
    });
  });

  test('takes threshold, namespace and metric name from props', () => {
    const { stack } = build({ rejectThreshold: 500, metricNamespace: 'Acme/Network', metricName: 'Rejects' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Acme/Network',
      MetricName: 'Rejects',
      Threshold: 500,
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      MetricTransformations: [Match.objectLike({ MetricNamespace: 'Acme/Network', MetricName: 'Rejects' })],
    });
  });

  test('fails when the format has no ${action}', () => {
    const format = DEFAULT_FLOW_LOG_FORMAT.replace(' ${action}', '');
    expect(() => build({ flowLogFormat: format })).toThrow(
      /Observability\/FlowLogRejects: flowLogFormat '.*\$\{log-status\}' has no \$\{action\} field/,
    );
  });

  test('fails when the format is not ${field} names separated by single spaces', () => {
    expect(() => build({ flowLogFormat: '${version}  ${action}' })).toThrow(
      /flowLogFormat '\$\{version\}  \$\{action\}' has an empty field/,
    );
    expect(() => build({ flowLogFormat: '${version},${action}' })).toThrow(
      /flowLogFormat '\$\{version\},\$\{action\}' has '\$\{version\},\$\{action\}'; a flow log format is \$\{field\} names/,
    );
  });

  test('fails when the format repeats a field', () => {
    expect(() => build({ flowLogFormat: '${action} ${srcaddr} ${action}' })).toThrow(
      /flowLogFormat '.*' repeats the field \$\{action\}/,
    );
  });

  test('fails when the format is empty', () => {
    expect(() => build({ flowLogFormat: ' ' })).toThrow(/flowLogFormat ' ' is empty/);
  });

  test('fails when the format is a token', () => {
    expect(() => build({ flowLogFormat: Lazy.string({ produce: () => DEFAULT_FLOW_LOG_FORMAT }) })).toThrow(
      /Observability\/FlowLogRejects: flowLogFormat is a token; give the format string itself/,
    );
  });

  test.each([0, -10])('fails when rejectThreshold is %d', (value) => {
    expect(() => build({ rejectThreshold: value })).toThrow(
      new RegExp(`Observability/FlowLogRejects: rejectThreshold ${value} is not allowed; give a finite number above 0`),
    );
  });
});
