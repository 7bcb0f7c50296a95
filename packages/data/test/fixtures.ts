/**
 * The app's shape in miniature, shared by the tests: a `Security` stack with the stage key, a
 * `Network` stack with the VPC, and a `Data` stack with this package's constructs, all in one Stage.
 *
 * The key and the VPC stand in for packages/security and packages/network, which this package may
 * not import; their own tests check them.
 */
import { App, Stack, Stage, Validations, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { denyGrantsExceptForAwsResources } from '@baseline/rules';
import { MysqlDatabase } from '../src';

export const ENV = { account: '123456789012', region: 'eu-west-1' };
export const VPC_CIDR = '10.20.0.0/16';

export interface Fixture {
  readonly stage: Stage;
  readonly security: Stack;
  readonly network: Stack;
  readonly data: Stack;
  readonly dataKey: kms.Key;
  readonly logsKey: kms.Key;
  readonly vpc: ec2.Vpc;
  readonly monitoringRole: iam.Role;
  /** The CIDRs of the private (application) subnets, in AZ order. */
  readonly applicationCidrs: string[];
}

export function fixture(app: App = new App()): Fixture {
  const stage = new Stage(app, 'Dev', { env: ENV });
  const security = new Stack(stage, 'Security');
  const dataKey = new kms.Key(security, 'DataKey', { enableKeyRotation: true });
  const logsKey = new kms.Key(security, 'LogsKey', { enableKeyRotation: true });
  // Like the security package's keys: grants only for AWS resources (CT.KMS.PR.3).
  for (const key of [dataKey, logsKey]) {
    key.addToResourcePolicy(denyGrantsExceptForAwsResources());
  }

  const network = new Stack(stage, 'Network');
  const vpc = new ec2.Vpc(network, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(VPC_CIDR),
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Application', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 },
      { name: 'Database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });

  const cfnVpc = vpc.node.defaultChild as ec2.CfnVPC;
  const standIn =
    'Test stand-in for the VPC of packages/network, which owns flow logs and the default security group ' +
    'and checks them in its own tests; this package only places the database in it.';
  for (const id of [
    'AwsSolutions::AwsSolutions-VPC7',
    'NIST.800.53.R5::NIST.800.53.R5-VPCFlowLogsEnabled',
    'NIST.800.53.R5::NIST.800.53.R5-VPCDefaultSecurityGroupClosed',
  ]) {
    Validations.of(cfnVpc).acknowledge({ id, reason: standIn });
  }

  const data = new Stack(stage, 'Data');
  const monitoringRole = new iam.Role(data, 'MonitoringRole', {
    assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
  });
  const applicationCidrs = vpc.selectSubnets({ subnetGroupName: 'Application' }).subnets.map((s) => s.ipv4CidrBlock);
  return { stage, security, network, data, dataKey, logsKey, vpc, monitoringRole, applicationCidrs };
}

/** The database as the app's Data stack builds it, in the fixture's Data stack. */
export function addDatabase(f: Fixture): MysqlDatabase {
  return new MysqlDatabase(f.data, 'Database', {
    vpc: f.vpc,
    subnets: { subnetGroupName: 'Database' },
    clientCidrs: f.applicationCidrs,
    encryptionKey: f.dataKey,
    monitoringRole: f.monitoringRole,
    instanceIdentifier: 'dev-mysql',
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
    allocatedStorageGiB: 100,
    port: 3307,
    logsKey: f.logsKey,
  });
}
