import { App, Stack, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OperationsDashboard } from '../src';
import { ENV, composeStage, logicalIdOf } from './support/stage';

interface Widget {
  readonly type: string;
  readonly properties: {
    readonly title?: string;
    readonly alarms?: string[];
    readonly metrics?: unknown[][];
    readonly annotations?: { readonly horizontal?: Array<{ readonly value: number }> };
  };
}

/**
 * Parses a DashboardBody `Fn::Join` into the dashboard JSON, with each intrinsic written as a
 * readable placeholder (`<GetAtt:Id.Arn>`, `<Ref:Id>`, `<Import:Name>`).
 */
function parseDashboardBody(body: unknown): { widgets: Widget[] } {
  if (typeof body === 'string') {
    return JSON.parse(body);
  }
  const [, parts] = (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const p = part as Record<string, unknown>;
      if (p['Fn::GetAtt']) return `<GetAtt:${(p['Fn::GetAtt'] as string[]).join('.')}>`;
      if (p.Ref) return `<Ref:${p.Ref}>`;
      if (p['Fn::ImportValue']) return `<Import:${p['Fn::ImportValue']}>`;
      throw new Error(`unexpected intrinsic in DashboardBody: ${JSON.stringify(part)}`);
    })
    .join('');
  return JSON.parse(text);
}

describe('OperationsDashboard in the composed stage', () => {
  // GIVEN the app's stage
  const composed = composeStage(new App(), { database: 'imported' });
  const template = Template.fromStack(composed.observability);
  const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
  const [dashboard] = Object.values(dashboards);
  const body = parseDashboardBody(dashboard.Properties.DashboardBody);
  const allAlarms = [...composed.databaseAlarms.alarms, ...composed.flowLogRejectAlarm.alarms];

  test('one dashboard, named for the stage-region', () => {
    expect(Object.keys(dashboards)).toHaveLength(1);
    expect(dashboard.Properties.DashboardName).toBe('Baseline-dev-eu-west-1');
  });

  test('the alarm status widget shows every alarm of the stack', () => {
    const statusWidgets = body.widgets.filter((w) => w.type === 'alarm');
    expect(statusWidgets).toHaveLength(1);
    const everyAlarmInStack = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(everyAlarmInStack).toHaveLength(7);
    expect([...(statusWidgets[0].properties.alarms ?? [])].sort()).toEqual(
      everyAlarmInStack.map((id) => `<GetAtt:${id}.Arn>`).sort(),
    );
  });

  test('graphs each alarm metric with its threshold: the RDS metrics and the REJECT count', () => {
    const graphs = body.widgets.filter((w) => w.type === 'metric');
    expect(graphs).toHaveLength(allAlarms.length);
    const graphed = graphs.map((g) => (g.properties.metrics ?? [])[0].slice(0, 2).join('/'));
    expect(graphed).toEqual([
      'AWS/RDS/CPUUtilization',
      'AWS/RDS/FreeStorageSpace',
      'AWS/RDS/FreeableMemory',
      'AWS/RDS/DatabaseConnections',
      'AWS/RDS/ReadLatency',
      'AWS/RDS/WriteLatency',
      'Baseline/VPC/RejectedFlowLogRecords-DevObservability-FlowLogRejects-3D6C7AA2',
    ]);
    const cpu = graphs[0];
    expect(cpu.properties.title).toBe('Cpu Utilization');
    expect(cpu.properties.annotations?.horizontal?.map((a) => a.value)).toEqual([80]);
    // a graph shows the alarm's statistic, not CloudWatch's default Average
    expect(graphs[1].properties.metrics?.[0]).toContainEqual({ stat: 'Minimum' });
    expect(graphs[6].properties.metrics?.[0]).toContainEqual({ stat: 'Sum' });
  });

  test('exposes the dashboard and its name', () => {
    expect(logicalIdOf(composed.dashboard.dashboard)).toBe(Object.keys(dashboards)[0]);
    expect(composed.dashboard.dashboardName).toBe('Baseline-dev-eu-west-1');
  });
});

describe('OperationsDashboard props', () => {
  function alarmIn(stack: Stack) {
    return new cloudwatch.Alarm(stack, 'Probe', {
      metric: new cloudwatch.Metric({ namespace: 'AWS/RDS', metricName: 'CPUUtilization' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
  }

  test.each(['Baseline dev', 'baseline/dev', '', 'x'.repeat(256)])('fails when dashboardName is %p', (name) => {
    const stack = new Stack(new App(), 'Observability', { env: ENV });
    expect(
      () => new OperationsDashboard(stack, 'Dashboard', { dashboardName: name, alarms: [alarmIn(stack)] }),
    ).toThrow(
      /Observability\/Dashboard: dashboardName '.*' is not allowed; give 1 to 255 characters of letters, digits, - and _/,
    );
  });

  test('fails when there are no alarms', () => {
    const stack = new Stack(new App(), 'Observability', { env: ENV });
    expect(() => new OperationsDashboard(stack, 'Dashboard', { dashboardName: 'Baseline-dev', alarms: [] })).toThrow(
      /Observability\/Dashboard: alarms has 0 alarms; give between 1 and 100/,
    );
  });
});
