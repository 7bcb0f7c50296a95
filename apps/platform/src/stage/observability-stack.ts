import {
  CfnElement,
  CfnResource,
  Stack,
  StackProps,
  aws_kms as kms,
  aws_logs as logs,
  aws_rds as rds,
} from 'aws-cdk-lib';
import {
  AlarmTopic,
  DatabaseAlarms,
  FlowLogRejectAlarm,
  OperationsDashboard,
  StackDriftDetection,
} from '@baseline/observability';
import { Construct } from 'constructs';
import { StageConfig } from '../config';
import { ValidationRole } from './validation-role';

export interface ObservabilityStackProps extends StackProps {
  /** The post-deployment check's role, and the names of the stage-region's stacks it reads. */
  readonly validation: { readonly roleName: string; readonly trustedRoleArn: string; readonly stackNames: string[] };
  readonly alarms: StageConfig['alarms'];
  readonly dashboardName: string;
  readonly logsKey: kms.IKey;
  readonly database: rds.IDatabaseInstance;
  readonly allocatedStorageGiB: number;
  readonly flowLogGroup: logs.ILogGroup;
  readonly flowLogFormat: string;
  /** The other stacks of the stage-region, whose drift is detected with this one's. */
  readonly driftChecked: Stack[];
}

/** Alarms of one stage-region to an encrypted topic, and the operator's dashboard. */
export class ObservabilityStack extends Stack {
  public readonly alarmTopic: AlarmTopic;
  /** Daily drift detection of every stack of the stage-region, notifying the alarm topic. */
  public readonly driftDetection: StackDriftDetection;
  /** Logical ids of the alarms that mean "this deployment is broken" (the post-deployment check fails on them). */
  public readonly deploymentHealthAlarmIds: string[];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const a = props.alarms;
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { encryptionKey: props.logsKey, emailAddresses: a.emails });
    const database = new DatabaseAlarms(this, 'DatabaseAlarms', {
      instance: props.database,
      allocatedStorageGiB: props.allocatedStorageGiB,
      alarmTopic: this.alarmTopic.topic,
      cpuUtilizationPercent: a.cpuUtilizationPercent,
      freeStoragePercent: a.freeStoragePercent,
      freeableMemoryMiB: a.freeableMemoryMiB,
      maxConnections: a.maxConnections,
      readLatencyMs: a.readLatencyMs,
      writeLatencyMs: a.writeLatencyMs,
    });
    const rejects = new FlowLogRejectAlarm(this, 'FlowLogRejects', {
      flowLogGroup: props.flowLogGroup,
      flowLogFormat: props.flowLogFormat,
      alarmTopic: this.alarmTopic.topic,
      rejectThreshold: a.rejectedFlowsPer5Minutes,
    });
    new OperationsDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      alarms: [...database.alarms, ...rejects.alarms],
    });
    this.deploymentHealthAlarmIds = database.deploymentHealthAlarms.map((a) =>
      this.getLogicalId(a.node.defaultChild as CfnElement),
    );
    new ValidationRole(this, 'ValidationRole', props.validation);
    // Last: the drift role reads every resource type of the stage-region's stacks, this one's included.
    const checked = [...props.driftChecked, this];
    this.driftDetection = new StackDriftDetection(this, 'DriftDetection', {
      stackNames: checked.map((s) => s.stackName),
      topic: this.alarmTopic.topic,
      resourceTypes: checked.flatMap((s) =>
        s.node.findAll().flatMap((c) => (c instanceof CfnResource ? [c.cfnResourceType] : [])),
      ),
    });
  }
}
