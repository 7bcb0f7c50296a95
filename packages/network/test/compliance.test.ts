import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { checkedApp, describeFindings, validate, ValidationResult } from '../../../tools/testing/compliance';
import { buildFixture, Fixture } from './fixture';

describe('PlatformVpc compliance (AwsSolutions, NIST 800-53 R5, CloudFormation validation)', () => {
  // GIVEN every feature switched on (interface endpoints too), inside stage Dev of a checked app
  let fx: Fixture;
  let result: ValidationResult;

  beforeAll(() => {
    // A year of flow logs, as protected stages keep them (CT.CLOUDWATCH.PR.2 asks for at least one
    // year; a stage that keeps them shorter acknowledges that decision, in the app).
    fx = buildFixture({ interfaceEndpoints: true, flowLogRetention: logs.RetentionDays.ONE_YEAR }, checkedApp());
    // WHEN
    result = validate(fx.app);
  });

  test('has no unacknowledged finding', () => {
    expect(describeFindings(result.findings)).toEqual([]);
  });

  test('acknowledges exactly the deliberate findings, each on its own resource', () => {
    const subnets = ['Public', 'Application', 'Isolated'].flatMap((group) =>
      [1, 2, 3].map((n) => `Dev/Network/Vpc/Resource/${group}Subnet${n}/Subnet`),
    );
    const expected = [
      ['AwsSolutions::AwsSolutions-IAM5[Resource::*]', 'Dev/Network/Vpc/DefaultSecurityGroupLockdown/Policy'],
      ['NIST.800.53.R5::NIST.800.53.R5-VPCDefaultSecurityGroupClosed', 'Dev/Network/Vpc/Resource/Resource'],
      ...[1, 2, 3].map((n) => [
        'NIST.800.53.R5::NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        `Dev/Network/Vpc/Resource/PublicSubnet${n}/DefaultRoute`,
      ]),
      ...subnets.map((path) => ['CloudFormation-Validate::W3010', path]),
      // The flow log group's key is the Security stack's, imported: the control cannot resolve it at synth.
      ['CloudFormation-Validate::cloudwatch_log_group_encrypted_check', 'Dev/Network/Vpc/FlowLogGroup/Resource'],
    ];
    const actual = result.acknowledged.map((a) => [a.id, a.at]);
    expect(actual.map((a) => a.join(' at ')).sort()).toEqual(expected.map((e) => e.join(' at ')).sort());
  });

  test('every acknowledgement covers only the resource it sits on and gives a reason', () => {
    for (const ack of result.acknowledged) {
      expect(ack.paths.every((p) => p === ack.at || p.startsWith(`${ack.at}/`))).toBe(true);
      expect(ack.reason.length).toBeGreaterThan(80);
    }
  });

  test('the IAM5 wildcard acknowledged is ec2:DescribeSecurityGroups and nothing else', () => {
    const template = Template.fromStack(fx.network);
    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } })
          .Properties.PolicyDocument.Statement,
    );
    expect(statements.filter((s) => s.Resource === '*').map((s) => s.Action)).toEqual(['ec2:DescribeSecurityGroups']);
  });
});
