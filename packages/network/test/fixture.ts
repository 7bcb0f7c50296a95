/**
 * Test fixture mirroring the app: a `Dev` stage with a Security stack that owns the KMS key and a
 * Network stack that owns the flow-log role and the VPC, so every test also proves the
 * cross-stack references form no cycle.
 */
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { denyGrantsExceptForAwsResources } from '@baseline/rules';
import { PlatformVpc, PlatformVpcProps } from '../src';

export const ENV = { account: '123456789012', region: 'eu-west-1' };

export const BASE_PROPS = {
  cidr: '10.20.0.0/16',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  natGateways: 2,
  flowLogGroupName: '/aws/vpc/flowlogs/baseline-dev',
};

export interface Fixture {
  readonly app: App;
  readonly stage: Stage;
  readonly security: Stack;
  readonly network: Stack;
  readonly key: kms.Key;
  readonly role: iam.Role;
  readonly platformVpc: PlatformVpc;
}

/** Builds the stage; `overrides` replace the defaults above. */
export function buildFixture(
  overrides: Partial<Omit<PlatformVpcProps, 'flowLogKey' | 'flowLogRole'>> = {},
  app: App = new App(),
  env: { account?: string; region?: string } = ENV,
): Fixture {
  const stage = new Stage(app, 'Dev', { env });
  const security = new Stack(stage, 'Security');
  const key = new kms.Key(security, 'LogsKey', { enableKeyRotation: true });
  // Like the security package's keys: grants only for AWS resources (CT.KMS.PR.3).
  key.addToResourcePolicy(denyGrantsExceptForAwsResources());
  const network = new Stack(stage, 'Network');
  const role = new iam.Role(network, 'FlowLogRole', {
    assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': network.account } },
    }),
  });
  const platformVpc = new PlatformVpc(network, 'Vpc', {
    ...BASE_PROPS,
    flowLogKey: key,
    flowLogRole: role,
    ...overrides,
  });
  return { app, stage, security, network, key, role, platformVpc };
}
