import { Duration, Names, Token, aws_cloudwatch as cloudwatch, aws_logs as logs, aws_sns as sns } from 'aws-cdk-lib';
import { ALARM_POSITIVE, enforceRule } from '@baseline/rules';
import { Construct } from 'constructs';
import { parseFlowLogFormat } from './private/flow-log-format';
import { notifyOnAlarmAndOk } from './private/notify';

/** Properties of a {@link FlowLogRejectAlarm}. */
export interface FlowLogRejectAlarmProps {
  /**
   * The CloudWatch Logs log group the VPC flow log delivers to.
   *
   * The metric filter is created in this construct's stack (not the log group's), so the network
   * stack does not depend on the observability stack.
   */
  readonly flowLogGroup: logs.ILogGroup;

  /**
   * The exact format string the flow log was created with, e.g.
   * `${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}`
   * (the AWS default format).
   *
   * The filter pattern has one column per field of this string, with `action` in the same position, so
   * it must be the string the flow log really uses: a pattern written for another field order would
   * count the wrong column, and one with another field count matches nothing, silently. It must
   * contain `${action}`.
   */
  readonly flowLogFormat: string;

  /**
   * Topic that receives the alarm's ALARM and OK notifications.
   */
  readonly alarmTopic: sns.ITopic;

  /**
   * Number of REJECT records in 5 minutes above which the alarm fires.
   *
   * A few rejects are normal background (scanners hitting the VPC's public addresses); a spike means a
   * misconfigured security group or network ACL, or a scan from inside.
   *
   * @default 100
   */
  readonly rejectThreshold?: number;

  /**
   * CloudWatch namespace of the REJECT count metric.
   *
   * @default 'Baseline/VPC'
   */
  readonly metricNamespace?: string;

  /**
   * Name of the REJECT count metric.
   *
   * Metric filters cannot attach a literal dimension (their dimensions come from log fields), so the
   * stage is told apart by the metric name: two stages that share an account and region must not add
   * to the same metric and set off each other's alarm.
   *
   * @default - `RejectedFlowLogRecords-` followed by a name unique to this construct's path in the app
   */
  readonly metricName?: string;
}

/**
 * Counts the VPC flow log's REJECT records with a metric filter and alarms on a spike.
 *
 * The pattern is derived from the flow log's own format string, one column per field, so that the
 * `action` column of the pattern is the `action` field of the record.
 */
export class FlowLogRejectAlarm extends Construct {
  /** The metric filter counting REJECT records (one per record). */
  public readonly metricFilter: logs.MetricFilter;

  /** The space-delimited filter pattern, e.g. `[version, account_id, ..., action = "REJECT", log_status]`. */
  public readonly filterPattern: string;

  /** Sum of REJECT records per 5 minutes. */
  public readonly rejectedRecordsMetric: cloudwatch.Metric;

  /** REJECT records above the threshold in a 5-minute period. */
  public readonly alarm: cloudwatch.Alarm;

  /** Every alarm of this construct, for a dashboard's alarm status widget. */
  public readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: FlowLogRejectAlarmProps) {
    super(scope, id);

    const rejectThreshold = props.rejectThreshold ?? 100;
    enforceRule(this, 'rejectThreshold', rejectThreshold, ALARM_POSITIVE);

    if (Token.isUnresolved(props.flowLogFormat)) {
      throw new Error(
        `${this.node.path}: flowLogFormat is a token; give the format string itself, ` +
          'the filter pattern is derived from it at synthesis',
      );
    }
    let columns: string[];
    try {
      columns = parseFlowLogFormat(props.flowLogFormat).map((field) => field.column);
    } catch (e) {
      throw new Error(`${this.node.path}: flowLogFormat '${props.flowLogFormat}' ${(e as Error).message}`);
    }
    const pattern = logs.FilterPattern.spaceDelimited(...columns).whereString('action', '=', 'REJECT');
    this.filterPattern = pattern.logPatternString;

    const metricNamespace = props.metricNamespace ?? 'Baseline/VPC';
    const metricName =
      props.metricName ??
      `RejectedFlowLogRecords-${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`;

    // Created here rather than with flowLogGroup.addMetricFilter(), which would put it in the log
    // group's (network) stack and make that stack depend on this one.
    this.metricFilter = new logs.MetricFilter(this, 'Resource', {
      logGroup: props.flowLogGroup,
      filterPattern: pattern,
      metricNamespace,
      metricName,
      metricValue: '1',
      // Emit 0 for non-matching records so that the graph shows "no rejects" rather than a gap.
      defaultValue: 0,
    });

    this.rejectedRecordsMetric = this.metricFilter.metric({
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
    });

    this.alarm = new cloudwatch.Alarm(this, 'RejectedRecords', {
      metric: this.rejectedRecordsMetric,
      threshold: rejectThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No records at all (no traffic, or delivery paused) means no rejects to report.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `More than ${rejectThreshold} VPC flow log REJECT records in 5 minutes: check recent security group and network ACL changes, and the sources in the flow log.`,
    });
    notifyOnAlarmAndOk(this.alarm, props.alarmTopic);
    this.alarms = [this.alarm];
  }
}
