import { Stack, StackProps, aws_ec2 as ec2, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import { PlatformVpc } from '@baseline/network';
import { ServiceRole } from '@baseline/security';
import { Construct } from 'constructs';

export interface NetworkStackProps extends StackProps {
  readonly vpcCidr: string;
  readonly availabilityZones: string[];
  readonly natGateways: number;
  readonly interfaceEndpoints: boolean;
  readonly logsKey: kms.IKey;
  readonly flowLogGroupName: string;
  readonly logRetention: logs.RetentionDays;
}

/** The VPC of one stage-region with its flow logs, encrypted with the Security stack's logs key. */
export class NetworkStack extends Stack {
  public readonly vpc: ec2.IVpc;
  public readonly applicationSubnetCidrs: string[];
  public readonly isolatedSubnets: ec2.ISubnet[];
  public readonly flowLogGroup: logs.ILogGroup;
  public readonly flowLogFormat: string;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const flowLogRole = new ServiceRole(this, 'FlowLogRole', {
      servicePrincipal: 'vpc-flow-logs.amazonaws.com',
      sourceArn: this.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }),
      description: 'Lets VPC Flow Logs deliver this VPC flow log to its own log group',
    });
    const network = new PlatformVpc(this, 'Vpc', {
      cidr: props.vpcCidr,
      availabilityZones: props.availabilityZones,
      natGateways: props.natGateways,
      interfaceEndpoints: props.interfaceEndpoints,
      flowLogKey: props.logsKey,
      flowLogRole: flowLogRole.role,
      flowLogGroupName: props.flowLogGroupName,
      flowLogRetention: props.logRetention,
    });
    this.vpc = network.vpc;
    this.applicationSubnetCidrs = network.applicationSubnetCidrs;
    this.isolatedSubnets = network.isolatedSubnets;
    this.flowLogGroup = network.flowLogGroup;
    this.flowLogFormat = network.flowLogFormat;
  }
}
