import { Duration, Token, aws_cloudwatch as cloudwatch, aws_rds as rds, aws_sns as sns } from 'aws-cdk-lib';
import { ALARM_PERCENT, ALARM_PERCENT_BELOW_HUNDRED, ALARM_POSITIVE, enforceRule } from '@baseline/rules';
import { Construct } from 'constructs';
import { notifyOnAlarmAndOk } from './private/notify';

/** Properties of {@link DatabaseAlarms}. */
export interface DatabaseAlarmsProps {
  /**
   * The RDS instance to watch.
   *
   * Every alarm's `DBInstanceIdentifier` dimension is this instance's identifier, so an alarm can never
   * watch a different (or a non-existent) instance than the one the stage deploys.
   */
  readonly instance: rds.IDatabaseInstance;

  /**
   * Storage allocated to the instance, in GiB, as given to the instance.
   *
   * The free-storage alarm fires below `freeStoragePercent` of this. With storage autoscaling the
   * instance may grow beyond it; the threshold then stays at the share of this initial size, which
   * errs on the side of alarming late rather than never. Must be a concrete number: CloudWatch takes
   * the threshold in bytes and it is computed at synthesis.
   */
  readonly allocatedStorageGiB: number;

  /**
   * Topic that receives every alarm's ALARM and OK notifications.
   */
  readonly alarmTopic: sns.ITopic;

  /**
   * CPU utilization, in percent, above which the CPU alarm fires after two 5-minute periods.
   *
   * @default 80
   */
  readonly cpuUtilizationPercent?: number;

  /**
   * Free storage, as a percentage of `allocatedStorageGiB`, below which the storage alarm fires.
   *
   * A full volume stops MySQL from writing (and an RDS instance in STORAGE_FULL state refuses
   * connections), so this is the alarm with the least time to react to.
   *
   * @default 10
   */
  readonly freeStoragePercent?: number;

  /**
   * Freeable memory, in MiB, below which the memory alarm fires.
   *
   * @default 256
   */
  readonly freeableMemoryMiB?: number;

  /**
   * Number of open connections above which the connections alarm fires.
   *
   * Set it below the instance class's `max_connections`, so that the alarm fires before clients are
   * refused.
   *
   * @default 100
   */
  readonly maxConnections?: number;

  /**
   * Average read latency, in milliseconds, above which the read latency alarm fires.
   *
   * @default 20
   */
  readonly readLatencyMs?: number;

  /**
   * Average write latency, in milliseconds, above which the write latency alarm fires.
   *
   * @default 20
   */
  readonly writeLatencyMs?: number;
}

const PERIOD = Duration.minutes(5);
const BYTES_PER_GIB = 1024 * 1024 * 1024;
const BYTES_PER_MIB = 1024 * 1024;

/**
 * The alarms an operator needs on an RDS instance: CPU, free storage, freeable memory, connections and
 * read/write latency, each notifying the alarm topic when it fires and when it clears.
 *
 * Missing data: RDS publishes every one of these metrics each minute while the instance runs, so a gap
 * means the instance is stopped, failed or being replaced. The CPU alarm treats missing data as
 * breaching and so doubles as the instance's heartbeat: one page when the instance is gone. The other
 * alarms ignore missing data (keep their state), so the same outage does not also send five misleading
 * notifications ("storage low", or an "OK" that claims a problem cleared).
 */
export class DatabaseAlarms extends Construct {
  /** CPU utilization above the threshold for two 5-minute periods, or no CPU data at all. */
  public readonly cpuAlarm: cloudwatch.Alarm;

  /** Free storage below the share of allocated storage. */
  public readonly freeStorageSpaceAlarm: cloudwatch.Alarm;

  /** Freeable memory below the threshold. */
  public readonly freeableMemoryAlarm: cloudwatch.Alarm;

  /** Open connections above the threshold. */
  public readonly databaseConnectionsAlarm: cloudwatch.Alarm;

  /** Average read latency above the threshold. */
  public readonly readLatencyAlarm: cloudwatch.Alarm;

  /** Average write latency above the threshold. */
  public readonly writeLatencyAlarm: cloudwatch.Alarm;

  /** Every alarm of this construct, for a dashboard's alarm status widget. */
  public readonly alarms: cloudwatch.Alarm[];

  /**
   * The alarms that mean "this deployment is broken" rather than "this is a busy hour": the database
   * is gone or unavailable (the CPU alarm treats missing data as breaching), out of storage, or out of
   * memory. A post-deployment check fails on these; connections and latency depend on load and do not
   * say anything about the deployment.
   */
  public readonly deploymentHealthAlarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: DatabaseAlarmsProps) {
    super(scope, id);

    const cpuUtilizationPercent = props.cpuUtilizationPercent ?? 80;
    const freeStoragePercent = props.freeStoragePercent ?? 10;
    const freeableMemoryMiB = props.freeableMemoryMiB ?? 256;
    const maxConnections = props.maxConnections ?? 100;
    const readLatencyMs = props.readLatencyMs ?? 20;
    const writeLatencyMs = props.writeLatencyMs ?? 20;

    if (Token.isUnresolved(props.allocatedStorageGiB)) {
      throw new Error(
        `${this.node.path}: allocatedStorageGiB is a token; give the concrete size in GiB, ` +
          'the storage threshold in bytes is computed from it at synthesis',
      );
    }
    enforceRule(this, 'allocatedStorageGiB', props.allocatedStorageGiB, ALARM_POSITIVE);
    enforceRule(this, 'cpuUtilizationPercent', cpuUtilizationPercent, ALARM_PERCENT);
    enforceRule(this, 'freeStoragePercent', freeStoragePercent, ALARM_PERCENT_BELOW_HUNDRED);
    enforceRule(this, 'freeableMemoryMiB', freeableMemoryMiB, ALARM_POSITIVE);
    enforceRule(this, 'maxConnections', maxConnections, ALARM_POSITIVE);
    enforceRule(this, 'readLatencyMs', readLatencyMs, ALARM_POSITIVE);
    enforceRule(this, 'writeLatencyMs', writeLatencyMs, ALARM_POSITIVE);

    const instanceIdentifier = props.instance.instanceIdentifier;
    const metric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName,
        statistic,
        period: PERIOD,
        dimensionsMap: { DBInstanceIdentifier: instanceIdentifier },
      });

    // The seed's correct form, field for field: CPUUtilization, AWS/RDS, Average, 300 s, > 80, 2 periods.
    this.cpuAlarm = new cloudwatch.Alarm(this, 'CpuUtilization', {
      metric: metric('CPUUtilization', cloudwatch.Stats.AVERAGE),
      threshold: cpuUtilizationPercent,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription:
        `Alert on high RDS CPU utilization: average above ${cpuUtilizationPercent}% for two 5-minute periods, ` +
        'or no CPU data for 10 minutes (the instance is stopped or unavailable).',
    });

    const freeStorageBytes = Math.floor(props.allocatedStorageGiB * BYTES_PER_GIB * (freeStoragePercent / 100));
    this.freeStorageSpaceAlarm = new cloudwatch.Alarm(this, 'FreeStorageSpace', {
      // Minimum: the lowest point in the period is what a write would have hit.
      metric: metric('FreeStorageSpace', cloudwatch.Stats.MINIMUM),
      threshold: freeStorageBytes,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      alarmDescription:
        `RDS free storage below ${freeStoragePercent}% of the ${props.allocatedStorageGiB} GiB allocated ` +
        `(${freeStorageBytes} bytes); a full volume stops writes.`,
    });

    this.freeableMemoryAlarm = new cloudwatch.Alarm(this, 'FreeableMemory', {
      metric: metric('FreeableMemory', cloudwatch.Stats.AVERAGE),
      threshold: freeableMemoryMiB * BYTES_PER_MIB,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      alarmDescription: `RDS freeable memory below ${freeableMemoryMiB} MiB for two 5-minute periods; the instance is swapping or about to.`,
    });

    this.databaseConnectionsAlarm = new cloudwatch.Alarm(this, 'DatabaseConnections', {
      // Maximum: connection refusals happen at the peak, which an average would hide.
      metric: metric('DatabaseConnections', cloudwatch.Stats.MAXIMUM),
      threshold: maxConnections,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      alarmDescription: `RDS open connections above ${maxConnections} for two 5-minute periods; clients will soon be refused.`,
    });

    // CloudWatch reports RDS latency in seconds; the props are in milliseconds, which is how people think about it.
    this.readLatencyAlarm = new cloudwatch.Alarm(this, 'ReadLatency', {
      metric: metric('ReadLatency', cloudwatch.Stats.AVERAGE),
      threshold: readLatencyMs / 1000,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      alarmDescription: `RDS average read latency above ${readLatencyMs} ms for two 5-minute periods.`,
    });

    this.writeLatencyAlarm = new cloudwatch.Alarm(this, 'WriteLatency', {
      metric: metric('WriteLatency', cloudwatch.Stats.AVERAGE),
      threshold: writeLatencyMs / 1000,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      alarmDescription: `RDS average write latency above ${writeLatencyMs} ms for two 5-minute periods.`,
    });

    this.alarms = [
      this.cpuAlarm,
      this.freeStorageSpaceAlarm,
      this.freeableMemoryAlarm,
      this.databaseConnectionsAlarm,
      this.readLatencyAlarm,
      this.writeLatencyAlarm,
    ];
    this.deploymentHealthAlarms = [this.cpuAlarm, this.freeStorageSpaceAlarm, this.freeableMemoryAlarm];
    for (const alarm of this.alarms) {
      notifyOnAlarmAndOk(alarm, props.alarmTopic);
    }
  }
}
