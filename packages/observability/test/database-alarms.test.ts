import { Construct } from 'constructs';
import { App, Lazy, Stack, aws_rds as rds, aws_sns as sns } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DatabaseAlarms, DatabaseAlarmsProps } from '../src';
import { ENV, composeStage, importOf, logicalIdOf } from './support/stage';

describe('DatabaseAlarms on the stage database', () => {
  // GIVEN the app's stage with a real RDS instance in the Data stack
  const composed = composeStage(new App(), { database: 'real' });
  const data = composed.data;
  if (!data) {
    throw new Error('a real database comes with a Data stack');
  }
  const template = Template.fromStack(composed.observability);
  const topicRef = { Ref: logicalIdOf(composed.alarmTopic.topic) };
  const instanceIdentifier = importOf(data, { Ref: logicalIdOf(composed.instance) });

  test('the CPU alarm is exactly the seed form, bound to the stage instance', () => {
    // THEN every property, and nothing else (no DatapointsToAlarm, no metric-math Metrics array)
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      Match.objectEquals({
        MetricName: 'CPUUtilization',
        Namespace: 'AWS/RDS',
        Statistic: 'Average',
        Period: 300,
        Threshold: 80,
        EvaluationPeriods: 2,
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: instanceIdentifier }],
        AlarmDescription: Match.stringLikeRegexp('^Alert on high RDS CPU utilization'),
        AlarmActions: [topicRef],
        OKActions: [topicRef],
        TreatMissingData: 'breaching',
      }),
    );
  });

  test('the dimension is the Ref of the DB instance in the Data stack', () => {
    // The import resolves to the Data stack's export of { Ref: <the DatabaseInstance> }, i.e. its identifier.
    expect(Template.fromStack(data).toJSON().Resources[logicalIdOf(composed.instance)].Type).toBe(
      'AWS::RDS::DBInstance',
    );
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Namespace: 'AWS/RDS' },
    });
    expect(Object.keys(alarms)).toHaveLength(6);
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.Dimensions).toEqual([{ Name: 'DBInstanceIdentifier', Value: instanceIdentifier }]);
    }
  });

  test.each([
    // metric, statistic, threshold (CloudWatch units), comparison, evaluation periods, missing data
    ['FreeStorageSpace', 'Minimum', 100 * 1024 ** 3 * 0.1, 'LessThanThreshold', 1, 'ignore'],
    ['FreeableMemory', 'Average', 256 * 1024 ** 2, 'LessThanThreshold', 2, 'ignore'],
    ['DatabaseConnections', 'Maximum', 100, 'GreaterThanThreshold', 2, 'ignore'],
    ['ReadLatency', 'Average', 0.02, 'GreaterThanThreshold', 2, 'ignore'],
    ['WriteLatency', 'Average', 0.02, 'GreaterThanThreshold', 2, 'ignore'],
  ])('%s alarm: %s, threshold %d, %s, %d periods, missing data %s', (metric, stat, threshold, op, periods, missing) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/RDS',
      MetricName: metric,
      Statistic: stat,
      Period: 300,
      Threshold: threshold,
      ComparisonOperator: op,
      EvaluationPeriods: periods,
      TreatMissingData: missing,
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
  });

  test('exposes every alarm, the CPU alarm first', () => {
    expect(composed.databaseAlarms.alarms).toEqual([
      composed.databaseAlarms.cpuAlarm,
      composed.databaseAlarms.freeStorageSpaceAlarm,
      composed.databaseAlarms.freeableMemoryAlarm,
      composed.databaseAlarms.databaseConnectionsAlarm,
      composed.databaseAlarms.readLatencyAlarm,
      composed.databaseAlarms.writeLatencyAlarm,
    ]);
  });

  test('names the deployment-health alarms: unavailable (CPU heartbeat), out of storage, out of memory', () => {
    // A post-deployment check fails promotion on these only; load-dependent alarms do not block it.
    // Compared by construct id, so that a failure names the alarms (the constructs print as noise).
    const ids = (alarms: readonly Construct[]) => alarms.map((a) => a.node.id);
    expect(ids(composed.databaseAlarms.deploymentHealthAlarms)).toEqual(
      ids([
        composed.databaseAlarms.cpuAlarm,
        composed.databaseAlarms.freeStorageSpaceAlarm,
        composed.databaseAlarms.freeableMemoryAlarm,
      ]),
    );
    expect(composed.databaseAlarms.deploymentHealthAlarms).toEqual([
      composed.databaseAlarms.cpuAlarm,
      composed.databaseAlarms.freeStorageSpaceAlarm,
      composed.databaseAlarms.freeableMemoryAlarm,
    ]);
  });
});

describe('DatabaseAlarms props', () => {
  function build(overrides: Partial<DatabaseAlarmsProps> = {}) {
    const stack = new Stack(new App(), 'Observability', { env: ENV });
    const instance = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Database', {
      instanceIdentifier: 'dev-baseline-db',
      instanceEndpointAddress: 'dev-baseline-db.example.eu-west-1.rds.amazonaws.com',
      port: 3306,
      securityGroups: [],
    });
    const alarmTopic = sns.Topic.fromTopicArn(stack, 'Topic', stack.formatArn({ service: 'sns', resource: 'alarms' }));
    const alarms = new DatabaseAlarms(stack, 'DatabaseAlarms', {
      instance,
      allocatedStorageGiB: 50,
      alarmTopic,
      ...overrides,
    });
    return { stack, alarms };
  }

  test('an imported instance binds the dimension to its identifier', () => {
    const { stack } = build();
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'dev-baseline-db' }],
    });
  });

  test('takes thresholds from props, converting storage share to bytes, MiB to bytes and ms to seconds', () => {
    // GIVEN
    const { stack } = build({
      cpuUtilizationPercent: 65,
      freeStoragePercent: 20,
      freeableMemoryMiB: 512,
      maxConnections: 400,
      readLatencyMs: 5,
      writeLatencyMs: 50,
    });
    const template = Template.fromStack(stack);
    // THEN
    const expected: Array<[string, number]> = [
      ['CPUUtilization', 65],
      ['FreeStorageSpace', 50 * 1024 ** 3 * 0.2],
      ['FreeableMemory', 512 * 1024 ** 2],
      ['DatabaseConnections', 400],
      ['ReadLatency', 0.005],
      ['WriteLatency', 0.05],
    ];
    for (const [metricName, threshold] of expected) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metricName, Threshold: threshold });
    }
  });

  test.each([
    ['cpuUtilizationPercent', 0, /cpuUtilizationPercent 0 is not allowed; give a percentage above 0 and at most 100/],
    [
      'cpuUtilizationPercent',
      120,
      /cpuUtilizationPercent 120 is not allowed; give a percentage above 0 and at most 100/,
    ],
    ['freeStoragePercent', 100, /freeStoragePercent 100 is not allowed; give a percentage above 0 and below 100/],
    ['freeStoragePercent', -5, /freeStoragePercent -5 is not allowed; give a percentage above 0 and below 100/],
    ['freeableMemoryMiB', 0, /freeableMemoryMiB 0 is not allowed; give a finite number above 0/],
    ['maxConnections', -1, /maxConnections -1 is not allowed; give a finite number above 0/],
    ['readLatencyMs', 0, /readLatencyMs 0 is not allowed; give a finite number above 0/],
    [
      'writeLatencyMs',
      Number.POSITIVE_INFINITY,
      /writeLatencyMs Infinity is not allowed; give a finite number above 0/,
    ],
    ['allocatedStorageGiB', 0, /allocatedStorageGiB 0 is not allowed; give a finite number above 0/],
  ])('fails when %s is %d', (prop, value, message) => {
    expect(() => build({ [prop]: value })).toThrow(message);
  });

  test('fails with the construct path in the message', () => {
    expect(() => build({ cpuUtilizationPercent: 101 })).toThrow(
      /^Observability\/DatabaseAlarms: cpuUtilizationPercent 101/,
    );
  });

  test('fails when allocatedStorageGiB is a token', () => {
    expect(() => build({ allocatedStorageGiB: Lazy.number({ produce: () => 20 }) })).toThrow(
      /Observability\/DatabaseAlarms: allocatedStorageGiB is a token; give the concrete size in GiB/,
    );
  });
});
