import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * A CloudWatch Logs flow log destination that leaves the role's permissions to its caller.
 *
 * `ec2.FlowLogDestination.toCloudWatchLogs()` grants through `role.addToPrincipalPolicy`, which puts
 * an inline `AWS::IAM::Policy` into the ROLE's stack. That trips NIST 800-53 R5 IAMNoInlinePolicy,
 * and when the app keeps the role in another stack than the log group it creates a dependency
 * cycle (the role's stack would need the log group's ARN, the log group's stack the key). The
 * caller grants the same permissions with a managed policy that lives next to the log group.
 */
export class OwnedLogGroupDestination extends ec2.FlowLogDestination {
  constructor(
    private readonly logGroup: logs.ILogGroup,
    private readonly role: iam.IRole,
  ) {
    super();
  }

  public bind(_scope: Construct, _flowLog: ec2.FlowLog): ec2.FlowLogDestinationConfig {
    return {
      logDestinationType: ec2.FlowLogDestinationType.CLOUD_WATCH_LOGS,
      logGroup: this.logGroup,
      iamRole: this.role,
    };
  }
}
