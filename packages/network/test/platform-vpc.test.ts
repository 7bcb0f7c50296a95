import { App, Lazy, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PlatformVpc } from '../src';
import { BASE_PROPS, buildFixture, Fixture } from './fixture';

const EXPECTED_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ' +
  '${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;

function subnetsOfGroup(template: Template, group: string): Resources {
  return template.findResources('AWS::EC2::Subnet', {
    Properties: { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: group }]) },
  }) as Resources;
}

describe('PlatformVpc with the defaults (3 zones, 2 NAT gateways)', () => {
  // GIVEN the app's layout: key in Security, role and VPC in Network, both in stage Dev
  let fx: Fixture;
  let template: Template;
  let securityTemplate: Template;
  let missingContext: unknown;

  beforeAll(() => {
    fx = buildFixture();
    // WHEN
    missingContext = fx.app.synth().manifest.missing;
    template = Template.fromStack(fx.network);
    securityTemplate = Template.fromStack(fx.security);
  });

  const ref = (token: string) => fx.network.resolve(token);

  test('the VPC takes its CIDR from props and is the construct main child', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::VPC', {
      CidrBlock: '10.20.0.0/16',
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
    });
    expect(fx.platformVpc.vpc.node.id).toBe('Resource');
  });

  test('subnets sit in exactly the given zones and synthesis requests no lookup', () => {
    const zones = Object.values(template.findResources('AWS::EC2::Subnet') as Resources).map(
      (subnet) => subnet.Properties.AvailabilityZone,
    );
    expect(zones).toHaveLength(9);
    expect(new Set(zones)).toEqual(new Set(BASE_PROPS.availabilityZones));
    for (const zone of BASE_PROPS.availabilityZones) {
      expect(zones.filter((z) => z === zone)).toHaveLength(3);
    }
    expect(missingContext).toBeUndefined();
    expect(fx.stage.synth().manifest.missing).toBeUndefined();
  });

  test("the stack's availabilityZones is restored after the VPC is built", () => {
    // The lookup is answered only while ec2.Vpc is constructed; the stack keeps its own getter.
    expect(Object.getOwnPropertyDescriptor(fx.network, 'availabilityZones')).toBeUndefined();
  });

  test('creates three tiers: Public /24, Application /22, Isolated /24, one subnet per zone each', () => {
    const expected: Array<[string, string, string[]]> = [
      ['Public', 'Public', ['10.20.0.0/24', '10.20.1.0/24', '10.20.2.0/24']],
      ['Application', 'Private', ['10.20.4.0/22', '10.20.8.0/22', '10.20.12.0/22']],
      ['Isolated', 'Isolated', ['10.20.16.0/24', '10.20.17.0/24', '10.20.18.0/24']],
    ];
    for (const [group, type, cidrs] of expected) {
      const subnets = Object.values(subnetsOfGroup(template, group));
      expect(subnets.map((s) => s.Properties.CidrBlock)).toEqual(cidrs);
      expect(subnets.map((s) => s.Properties.AvailabilityZone)).toEqual(BASE_PROPS.availabilityZones);
      for (const subnet of subnets) {
        expect(subnet.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'aws-cdk:subnet-type', Value: type }]));
      }
    }
  });

  test('the subnet group names are the published constants', () => {
    expect([
      PlatformVpc.PUBLIC_SUBNET_GROUP,
      PlatformVpc.APPLICATION_SUBNET_GROUP,
      PlatformVpc.ISOLATED_SUBNET_GROUP,
    ]).toEqual(['Public', 'Application', 'Isolated']);
  });

  test('no subnet auto-assigns public IPs, not even the Public ones', () => {
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
  });

  test('creates natGateways NAT gateways, in the Public subnets', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    template.resourceCountIs('AWS::EC2::EIP', 2);
    const publicRefs = fx.platformVpc.vpc.publicSubnets.map((s) => ref(s.subnetId));
    for (const nat of Object.values(template.findResources('AWS::EC2::NatGateway') as Resources)) {
      expect(publicRefs).toContainEqual(nat.Properties.SubnetId);
    }
  });

  test('Application subnets route out through NAT; Isolated subnets have no AWS::EC2::Route (only the S3 endpoint routes them)', () => {
    const routes = Object.values(template.findResources('AWS::EC2::Route') as Resources).map((r) => r.Properties);
    for (const subnet of fx.platformVpc.applicationSubnets) {
      const own = routes.filter(
        (r) => JSON.stringify(r.RouteTableId) === JSON.stringify(ref(subnet.routeTable.routeTableId)),
      );
      expect(own).toEqual([
        expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: expect.anything() }),
      ]);
    }
    for (const subnet of fx.platformVpc.isolatedSubnets) {
      const own = routes.filter(
        (r) => JSON.stringify(r.RouteTableId) === JSON.stringify(ref(subnet.routeTable.routeTableId)),
      );
      expect(own).toEqual([]);
    }
  });

  test('an S3 gateway endpoint serves the Application and Isolated route tables, not the Public ones', () => {
    const routeTables = [...fx.platformVpc.applicationSubnets, ...fx.platformVpc.isolatedSubnets].map((s) =>
      ref(s.routeTable.routeTableId),
    );
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' }, 1);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
      RouteTableIds: routeTables,
    });
  });

  test('creates no interface endpoint unless opted in', () => {
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    expect(fx.platformVpc.interfaceEndpoints).toEqual([]);
    expect(fx.platformVpc.endpointSecurityGroup).toBeUndefined();
  });

  describe('the default security group', () => {
    test('is not restricted with a Lambda-backed custom resource', () => {
      template.resourceCountIs('Custom::VpcRestrictDefaultSG', 0);
      template.resourceCountIs('AWS::Lambda::Function', 0);
    });

    test('is stripped by an SSM association running the AWS-owned runbook on creation and daily', () => {
      const vpcId = fx.network.getLogicalId(fx.platformVpc.vpc.node.defaultChild as ec2.CfnVPC);
      template.resourceCountIs('AWS::SSM::Association', 1);
      template.hasResource('AWS::SSM::Association', {
        Properties: {
          Name: 'AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules',
          Parameters: {
            GroupId: [{ 'Fn::GetAtt': [vpcId, 'DefaultSecurityGroup'] }],
            AutomationAssumeRole: [
              { 'Fn::GetAtt': [Match.stringLikeRegexp('DefaultSecurityGroupLockdownRole'), 'Arn'] },
            ],
          },
          ScheduleExpression: 'rate(1 day)',
        },
        DependsOn: [Match.stringLikeRegexp('DefaultSecurityGroupLockdownPolicy')],
      });
    });

    test('its runbook role trusts only SSM Automation of this account', () => {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { Service: 'ssm.amazonaws.com' },
              Condition: {
                StringEquals: { 'aws:SourceAccount': '123456789012' },
                ArnLike: {
                  'aws:SourceArn': {
                    'Fn::Join': [
                      '',
                      ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:123456789012:automation-execution/*'],
                    ],
                  },
                },
              },
            },
          ],
        },
      });
    });

    test('its runbook role may revoke rules of this default group only', () => {
      const vpcId = fx.network.getLogicalId(fx.platformVpc.vpc.node.defaultChild as ec2.CfnVPC);
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        Roles: [{ Ref: Match.stringLikeRegexp('DefaultSecurityGroupLockdownRole') }],
        PolicyDocument: {
          Statement: [
            {
              Sid: 'RevokeDefaultSecurityGroupRules',
              Effect: 'Allow',
              Action: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
              Resource: {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ec2:eu-west-1:123456789012:security-group/',
                    { 'Fn::GetAtt': [vpcId, 'DefaultSecurityGroup'] },
                  ],
                ],
              },
            },
            { Sid: 'DescribeSecurityGroups', Effect: 'Allow', Action: 'ec2:DescribeSecurityGroups', Resource: '*' },
          ],
        },
      });
    });
  });

  describe('flow logs', () => {
    test('capture ALL traffic of the VPC into the log group, with the role from props', () => {
      template.resourceCountIs('AWS::EC2::FlowLog', 1);
      template.hasResourceProperties('AWS::EC2::FlowLog', {
        ResourceType: 'VPC',
        ResourceId: ref(fx.platformVpc.vpc.vpcId),
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
        LogGroupName: ref(fx.platformVpc.flowLogGroup.logGroupName),
        DeliverLogsPermissionArn: ref(fx.role.roleArn),
      });
    });

    test('use the explicit format exposed as flowLogFormat', () => {
      expect(fx.platformVpc.flowLogFormat).toBe(EXPECTED_FORMAT);
      expect(PlatformVpc.FLOW_LOG_FIELDS.map((f) => '${' + f + '}').join(' ')).toBe(EXPECTED_FORMAT);
      template.hasResourceProperties('AWS::EC2::FlowLog', { LogFormat: fx.platformVpc.flowLogFormat });
    });

    test('go to a log group named as given, encrypted with the Security stack key, kept 14 days and retained', () => {
      template.resourceCountIs('AWS::Logs::LogGroup', 1);
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: {
          LogGroupName: '/aws/vpc/flowlogs/baseline-dev',
          KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('^Dev-Security:ExportsOutputFnGetAttLogsKey.*Arn') },
          RetentionInDays: 14,
        },
        // Named: retained except when its own creation rolls back, so a retry does not find it.
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
      });
      // The import resolves to this key's ARN (and not some other key's).
      const keyId = fx.security.getLogicalId(fx.key.node.defaultChild as kms.CfnKey);
      securityTemplate.hasOutput('*', { Value: { 'Fn::GetAtt': [keyId, 'Arn'] }, Export: Match.anyValue() });
      expect(fx.platformVpc.flowLogGroup).toBeInstanceOf(logs.LogGroup);
    });

    test('the role may only create streams in and write to that log group', () => {
      const groupId = fx.network.getLogicalId(fx.platformVpc.flowLogGroup.node.defaultChild as logs.CfnLogGroup);
      const roleId = fx.network.getLogicalId(fx.role.node.defaultChild as iam.CfnRole);
      const policies = template.findResources('AWS::IAM::ManagedPolicy', {
        Properties: { Roles: [{ Ref: roleId }] },
      }) as Resources;
      expect(Object.values(policies).map((p) => p.Properties.PolicyDocument)).toEqual([
        {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'WriteFlowLogsToOwnLogGroup',
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
              Resource: { 'Fn::GetAtt': [groupId, 'Arn'] },
            },
          ],
        },
      ]);
      // Nothing else grants the role anything: no inline policy, no other managed policy.
      template.resourceCountIs('AWS::IAM::Policy', 0);
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'vpc-flow-logs.amazonaws.com' } })],
        }),
        ManagedPolicyArns: Match.absent(),
        Policies: Match.absent(),
      });
    });

    test('are created only after the write permission is attached', () => {
      template.hasResource('AWS::EC2::FlowLog', {
        DependsOn: [fx.network.getLogicalId(policyOf(fx))],
      });
    });
  });

  describe('attributes', () => {
    test('applicationSubnetCidrs are the concrete CIDRs of the Application subnets', () => {
      expect(fx.platformVpc.applicationSubnetCidrs).toEqual(['10.20.4.0/22', '10.20.8.0/22', '10.20.12.0/22']);
      expect(fx.platformVpc.applicationSubnets.map((s) => s.ipv4CidrBlock)).toEqual(
        fx.platformVpc.applicationSubnetCidrs,
      );
      expect(fx.platformVpc.applicationSubnets.map((s) => s.availabilityZone)).toEqual(BASE_PROPS.availabilityZones);
    });

    test('isolatedSubnets are the three Isolated subnets', () => {
      expect(fx.platformVpc.isolatedSubnets.map((s) => s.ipv4CidrBlock)).toEqual([
        '10.20.16.0/24',
        '10.20.17.0/24',
        '10.20.18.0/24',
      ]);
      expect(fx.platformVpc.isolatedSubnets).toEqual(fx.platformVpc.vpc.isolatedSubnets);
    });
  });

  test('Network depends on Security and not the other way round (no cycle)', () => {
    expect(fx.network.dependencies).toContain(fx.security);
    expect(fx.security.dependencies).toEqual([]);
  });
});

function policyOf(fx: Fixture): iam.CfnManagedPolicy {
  return fx.platformVpc.node.findChild('FlowLogWritePolicy').node.defaultChild as iam.CfnManagedPolicy;
}

describe('PlatformVpc with interface endpoints, 2 zones, 1 NAT gateway and 30-day retention', () => {
  let fx: Fixture;
  let template: Template;

  beforeAll(() => {
    // GIVEN / WHEN
    fx = buildFixture({
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      natGateways: 1,
      interfaceEndpoints: true,
      flowLogRetention: logs.RetentionDays.ONE_MONTH,
    });
    template = Template.fromStack(fx.network);
  });

  test('keeps flow logs for the retention from props', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('creates one NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('creates Secrets Manager, CloudWatch Logs and STS endpoints in the Application subnets', () => {
    const subnetIds = fx.platformVpc.applicationSubnets.map((s) => fx.network.resolve(s.subnetId));
    const groupId = fx.network.resolve(fx.platformVpc.endpointSecurityGroup!.securityGroupId);
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 3);
    for (const service of ['secretsmanager', 'logs', 'sts']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: `com.amazonaws.eu-west-1.${service}`,
        SubnetIds: subnetIds,
        SecurityGroupIds: [groupId],
        PrivateDnsEnabled: true,
      });
    }
    expect(fx.platformVpc.interfaceEndpoints).toHaveLength(3);
  });

  test('the endpoint security group admits HTTPS from the Application subnets only and sends nothing', () => {
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: ['10.20.4.0/22', '10.20.8.0/22'].map((cidr) => ({
        CidrIp: cidr,
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        Description: `HTTPS from Application subnet ${cidr}`,
      })),
      // The CDK's placeholder rule for "no egress": ICMP type 252 code 86 to 255.255.255.255/32.
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })],
    });
  });
});

describe('PlatformVpc in a stack whose region is unknown', () => {
  test('accepts zones without checking them against a region', () => {
    // GIVEN an environment-agnostic stage, WHEN zones of some region are given
    const fx = buildFixture({ availabilityZones: ['us-east-1a', 'us-east-1b'] }, new App(), {});
    // THEN they are used as given
    const zones = Object.values(Template.fromStack(fx.network).findResources('AWS::EC2::Subnet') as Resources).map(
      (s) => s.Properties.AvailabilityZone,
    );
    expect(new Set(zones)).toEqual(new Set(['us-east-1a', 'us-east-1b']));
  });
});

describe('PlatformVpc props validation', () => {
  const build = (overrides: Parameters<typeof buildFixture>[0]) => () => buildFixture(overrides);

  test('fails when fewer than 2 availability zones are given', () => {
    expect(build({ availabilityZones: ['eu-west-1a'], natGateways: 1 })).toThrow(
      /^Dev\/Network\/Vpc: availabilityZones \['eu-west-1a'\] has 1 zone\(s\); at least 2 are required$/,
    );
  });

  test('fails when an availability zone is listed twice', () => {
    expect(build({ availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1a'] })).toThrow(
      /Dev\/Network\/Vpc: availabilityZones \['eu-west-1a', 'eu-west-1b', 'eu-west-1a'\] lists 'eu-west-1a' more than once/,
    );
  });

  test.each([
    ['a zone of another region', 'us-east-1a'],
    ['a zone name without its letter', 'eu-west-1'],
    ['a Local Zone', 'eu-west-1-lax-1a'],
  ])('fails when an availability zone is %s', (_what, zone) => {
    expect(build({ availabilityZones: ['eu-west-1a', zone] })).toThrow(
      new RegExp(
        `Dev/Network/Vpc: availabilityZones .* contains '${zone}', which is not a zone of the stack's region 'eu-west-1'`,
      ),
    );
  });

  test('fails when natGateways is above the number of availability zones', () => {
    expect(build({ availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 3 })).toThrow(
      /Dev\/Network\/Vpc: natGateways 3 is not allowed; use a whole number from 1 to 2/,
    );
  });

  test.each([0, 1.5, -1])('fails when natGateways is %s', (count) => {
    expect(build({ natGateways: count })).toThrow(
      new RegExp(`Dev/Network/Vpc: natGateways ${count} is not allowed; use a whole number from 1 to 3`),
    );
  });

  test.each([
    ['10.0.0.0', 'is not an IPv4 CIDR block of the form a.b.c.d/n'],
    ['10.0.0/16', 'is not an IPv4 CIDR block of the form a.b.c.d/n'],
    ['10.0.300.0/16', 'has an octet above 255'],
    ['10.0.0.0/33', 'has a prefix length above 32'],
    ['10.0.0.1/16', 'has host bits set'],
    ['8.8.0.0/16', 'is not inside the private ranges 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16'],
    ['10.0.0.0/8', 'is larger than /16, the largest CIDR block AWS allows for a VPC'],
    ['10.0.0.0/24', 'has 256 addresses; 3 zone\\(s\\) .* need 4864, a /19 or larger'],
    ['10.0.0.0/20', 'has 4096 addresses; 3 zone\\(s\\) .* need 4864, a /19 or larger'],
  ])('fails when cidr is %s', (cidr, message) => {
    expect(build({ cidr })).toThrow(new RegExp(`Dev/Network/Vpc: cidr '${cidr.replace(/\./g, '\\.')}' ${message}`));
  });

  test('accepts a /20 for two zones, the smallest block that holds them', () => {
    const fx = buildFixture({ cidr: '172.16.0.0/20', availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
    expect(fx.platformVpc.applicationSubnetCidrs).toEqual(['172.16.4.0/22', '172.16.8.0/22']);
  });

  test('fails when cidr is an unresolved token', () => {
    expect(build({ cidr: Lazy.string({ produce: () => '10.0.0.0/16' }) })).toThrow(
      /Dev\/Network\/Vpc: cidr is an unresolved token; it must be a literal/,
    );
  });

  test.each([
    ['contains a space', 'flow logs'],
    ['contains a colon', '/aws/vpc/flowlogs/baseline:dev'],
    ['is empty', ''],
    ['is longer than 512 characters', 'x'.repeat(513)],
  ])('fails when flowLogGroupName %s', (_what, name) => {
    expect(build({ flowLogGroupName: name })).toThrow(
      /Dev\/Network\/Vpc: flowLogGroupName '.*' is not a valid log group name; use 1 to 512 characters/,
    );
  });

  test('fails when flowLogRetention is INFINITE', () => {
    expect(build({ flowLogRetention: logs.RetentionDays.INFINITE })).toThrow(
      /Dev\/Network\/Vpc: flowLogRetention 9999 is not a CloudWatch Logs retention period; .* \(9999 is RetentionDays\.INFINITE: unbounded retention is not allowed\)/,
    );
  });

  test('fails when flowLogRetention is a number of days CloudWatch Logs does not accept', () => {
    expect(build({ flowLogRetention: 10 as logs.RetentionDays })).toThrow(
      /Dev\/Network\/Vpc: flowLogRetention 10 is not a CloudWatch Logs retention period; give one of 1, 3, 5, 7, 14/,
    );
  });

  test('a failed validation leaves nothing half-built in the stack', () => {
    // GIVEN a stack, WHEN construction fails validation, THEN no VPC was added before the throw
    const stage = new Stage(new App(), 'Dev', { env: { account: '123456789012', region: 'eu-west-1' } });
    const stack = new Stack(stage, 'Network');
    const key = new kms.Key(stack, 'Key');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com') });
    expect(
      () =>
        new PlatformVpc(stack, 'Vpc', {
          ...BASE_PROPS,
          availabilityZones: ['eu-west-1a'],
          flowLogKey: key,
          flowLogRole: role,
        }),
    ).toThrow(/at least 2 are required/);
    expect(stack.node.findAll().filter((c) => c instanceof ec2.Vpc)).toEqual([]);
  });
});
