import { aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { CLOUDWATCH_DASHBOARD_NAME, enforceRule } from '@baseline/rules';
import { Construct } from 'constructs';

/** Properties of an {@link OperationsDashboard}. */
export interface OperationsDashboardProps {
  /**
   * Name of the dashboard.
   *
   * CloudWatch dashboard names are unique per account across all regions, so include the stage and
   * the region (e.g. `Baseline-dev-eu-west-1`): two stage-regions in one account with the same name
   * would overwrite each other's dashboard. 1 to 255 characters: letters, digits, `-` and `_`.
   */
  readonly dashboardName: string;

  /**
   * The alarms whose states the dashboard shows, and whose metrics it graphs with the threshold.
   *
   * Pass the `alarms` of {@link DatabaseAlarms} and {@link FlowLogRejectAlarm} (or any other
   * `cloudwatch.Alarm` of the stage-region). Each alarm's graph is titled with the alarm's construct
   * id, so give alarms readable ids. At least one alarm; at most 100 (the alarm status widget's limit).
   */
  readonly alarms: cloudwatch.Alarm[];
}

const MAX_ALARMS_IN_STATUS_WIDGET = 100;

/**
 * A CloudWatch dashboard for one stage-region: the state of every alarm at the top, then a graph of
 * each alarm's metric with its threshold line.
 *
 * Graphing the alarm's own metric (not a second copy of it) keeps the dashboard and the alarms from
 * drifting apart: what the operator sees is what pages them.
 */
export class OperationsDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  /** Name of the dashboard. */
  public readonly dashboardName: string;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);

    enforceRule(this, 'dashboardName', props.dashboardName, CLOUDWATCH_DASHBOARD_NAME);
    if (props.alarms.length === 0 || props.alarms.length > MAX_ALARMS_IN_STATUS_WIDGET) {
      throw new Error(
        `${this.node.path}: alarms has ${props.alarms.length} alarms; give between 1 and ${MAX_ALARMS_IN_STATUS_WIDGET}`,
      );
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
    });
    this.dashboardName = props.dashboardName;

    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarm states',
        alarms: props.alarms,
        width: 24,
        height: alarmStatusHeight(props.alarms.length),
      }),
    );

    const graphs = props.alarms.map(
      (alarm) =>
        new cloudwatch.GraphWidget({
          title: words(alarm.node.id),
          left: [alarm.metric],
          leftAnnotations: [alarm.toAnnotation()],
          width: 12,
          height: 6,
        }),
    );
    for (let i = 0; i < graphs.length; i += 2) {
      this.dashboard.addWidgets(...graphs.slice(i, i + 2));
    }
  }
}

/** Rows the alarm status widget needs: it shows four alarms per row at full width. */
function alarmStatusHeight(alarmCount: number): number {
  return Math.max(2, Math.ceil(alarmCount / 4) + 1);
}

/** `FreeStorageSpace` -> `Free Storage Space`. */
function words(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
}
