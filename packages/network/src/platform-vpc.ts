import { RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  LOGS_LOG_GROUP_NAME,
  LOGS_RETENTION_DAYS,
  NETWORK_AVAILABILITY_ZONES,
  NETWORK_NAT_GATEWAYS,
  NETWORK_VPC_CIDR,
  NETWORK_VPC_CIDR_SIZE,
  PLATFORM_VPC_SUBNET_MASKS,
  acknowledgeKeyOfAnotherStack,
  enforceRule,
} from '@baseline/rules';
import { DefaultSecurityGroupLockdown } from './private/default-security-group-lockdown';
import { withExplicitZones } from './private/explicit-zones';
import { OwnedLogGroupDestination } from './private/owned-log-group-destination';

/** Subnet sizes per zone: a /24 of NAT gateways, room for ~1000 application ENIs, a /24 for data. */
const { public: PUBLIC_MASK, application: APPLICATION_MASK, isolated: ISOLATED_MASK } = PLATFORM_VPC_SUBNET_MASKS;

/** The interface endpoints created when `interfaceEndpoints` is true; see that prop for why each. */
const INTERFACE_ENDPOINTS: ReadonlyArray<{ id: string; service: ec2.InterfaceVpcEndpointAwsService }> = [
  { id: 'SecretsManagerEndpoint', service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER },
  { id: 'LogsEndpoint', service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS },
  { id: 'StsEndpoint', service: ec2.InterfaceVpcEndpointAwsService.STS },
];

/** Properties of a {@link PlatformVpc}. */
export interface PlatformVpcProps {
  /**
   * The IPv4 CIDR block of the VPC, e.g. `10.0.0.0/16`.
   *
   * Must be a literal (the database's ingress rules are built from the concrete subnet CIDRs
   * derived from it), a network address with its host bits zero, inside RFC 1918 (a public range
   * would shadow internet addresses), at most a /16 (the largest VPC AWS allows), and large enough
   * for one Public /24, one Application /22 and one Isolated /24 per availability zone: a /20 holds
   * two zones, a /19 up to four, a /16 any region (`NETWORK_VPC_CIDR` and `NETWORK_VPC_CIDR_SIZE` of
   * `@baseline/rules`, which the app's config loader checks too).
   */
  readonly cidr: string;

  /**
   * The availability zones to spread the subnets over, e.g. `['eu-west-1a', 'eu-west-1b']`.
   *
   * Given explicitly so that synthesis never looks zones up in an AWS account. At least two
   * (the database is Multi-AZ), no duplicates, and when the stack's region is known each zone must
   * be a zone of that region (`<region><letter>`; Local Zones are not supported).
   */
  readonly availabilityZones: string[];

  /**
   * How many NAT gateways to create, one per zone at most, placed in the first zones.
   *
   * Allowed: 1 to the number of availability zones. 0 is refused because the Application tier is
   * private-with-egress and would have no route out. One gateway per zone survives the loss of a
   * zone; fewer saves cost (about 32 USD a month each plus data processing) at the price of
   * cross-zone traffic and a single point of failure for egress.
   */
  readonly natGateways: number;

  /**
   * The KMS key that encrypts the flow log group.
   *
   * Its key policy must let `logs.<region>.amazonaws.com` use it for this log group (the security
   * package's key does, with an `kms:EncryptionContext:aws:logs:arn` condition).
   */
  readonly flowLogKey: kms.IKey;

  /**
   * The role the VPC Flow Logs service assumes to deliver records.
   *
   * The app creates it trusting only `vpc-flow-logs.amazonaws.com` (with `aws:SourceAccount`).
   * This construct attaches a managed policy that lets it write to the flow log group and nothing
   * else, so the permission lives next to the log group it names.
   */
  readonly flowLogRole: iam.IRole;

  /**
   * The name of the CloudWatch Logs group that receives the flow logs.
   *
   * The app passes `/aws/vpc/flowlogs/<project>-<stage>` so that two projects sharing an account
   * never write into each other's group. 1 to 512 characters of `a-z A-Z 0-9 . - _ / #`.
   */
  readonly flowLogGroupName: string;

  /**
   * How long flow log records are kept.
   *
   * A period CloudWatch Logs accepts (`LOGS_RETENTION_DAYS`); `RetentionDays.INFINITE` is refused:
   * unbounded retention of every connection record is a cost and privacy liability, and NIST 800-53 R5
   * requires an explicit retention period.
   *
   * @default logs.RetentionDays.TWO_WEEKS
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Whether to create interface endpoints for the services the application and data tiers call.
   *
   * When true, Secrets Manager (the database's AWS-managed master secret), CloudWatch Logs
   * (application and agent logs) and STS (workloads assuming the application role) are reached
   * through endpoints in the Application subnets instead of the NAT gateways, so those calls never
   * leave the AWS network and keep working if egress is cut. Each endpoint costs about 7.50 USD a
   * month per zone, hence opt-in per stage. There is no KMS endpoint: the data key is usable only
   * through S3 (`kms:ViaService`), and S3 and Secrets Manager call KMS on the caller's behalf.
   *
   * @default false
   */
  readonly interfaceEndpoints?: boolean;
}

/**
 * A VPC with three subnet tiers over explicit zones, encrypted flow logs and private endpoints.
 *
 * Tiers (their names are part of this construct's contract, see the `*_SUBNET_GROUP` constants):
 * `Public` /24 per zone holds only the NAT gateways and never auto-assigns public IPs;
 * `Application` /22 per zone is private with egress through NAT; `Isolated` /24 per zone has no
 * route out of the VPC and is where the database lives. S3 is reached through a gateway endpoint
 * from both private tiers. All traffic (accepted and rejected) is logged to a KMS-encrypted,
 * retained log group in the explicit format {@link PlatformVpc.flowLogFormat}, which metric
 * filters must match field by field. The default security group's rules are revoked by an
 * SSM State Manager association, so nothing placed in it by mistake can talk to anything.
 */
export class PlatformVpc extends Construct {
  /** The subnet group of the NAT gateways; nothing else belongs here. */
  public static readonly PUBLIC_SUBNET_GROUP = 'Public';
  /** The subnet group of the application tier: private, egress through NAT. */
  public static readonly APPLICATION_SUBNET_GROUP = 'Application';
  /** The subnet group of the data tier: no route to the internet (the S3 gateway endpoint routes it to S3 only). */
  public static readonly ISOLATED_SUBNET_GROUP = 'Isolated';

  /**
   * The flow log fields, in order: the version 2 default set, written out so the format is fixed.
   *
   * Relying on the service default would let a metric filter silently stop matching if AWS ever
   * changed it; spelling it out makes the field order a contract.
   */
  public static readonly FLOW_LOG_FIELDS: readonly string[] = [
    'version',
    'account-id',
    'interface-id',
    'srcaddr',
    'dstaddr',
    'srcport',
    'dstport',
    'protocol',
    'packets',
    'bytes',
    'start',
    'end',
    'action',
    'log-status',
  ];

  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The Application tier's subnets, one per zone in the order of `availabilityZones`. */
  public readonly applicationSubnets: ec2.ISubnet[];
  /**
   * The concrete IPv4 CIDRs of the Application subnets, in the order of `applicationSubnets`.
   *
   * The only sources the database may accept connections from (never the whole VPC or 10.0.0.0/8).
   */
  public readonly applicationSubnetCidrs: string[];
  /** The Isolated tier's subnets, one per zone, for the database subnet group. */
  public readonly isolatedSubnets: ec2.ISubnet[];
  /** The encrypted, retained log group the flow logs are delivered to. */
  public readonly flowLogGroup: logs.LogGroup;
  /**
   * The exact flow log record format, e.g. `${version} ${account-id} ... ${log-status}`.
   *
   * Space-separated, one `${field}` per {@link PlatformVpc.FLOW_LOG_FIELDS} entry; a space-delimited
   * metric filter pattern must name the same fields in the same order.
   */
  public readonly flowLogFormat: string;
  /** The VPC flow log (traffic type ALL). */
  public readonly flowLog: ec2.FlowLog;
  /**
   * The security group of the interface endpoints: HTTPS in from the Application subnets only.
   *
   * Undefined when `interfaceEndpoints` is false.
   */
  public readonly endpointSecurityGroup?: ec2.SecurityGroup;
  /** The interface endpoints created (empty when `interfaceEndpoints` is false). */
  public readonly interfaceEndpoints: ec2.InterfaceVpcEndpoint[];

  constructor(scope: Construct, id: string, props: PlatformVpcProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const zones = props.availabilityZones;
    enforceRule(
      this,
      'availabilityZones',
      // Zones are matched to the region only when the stack's region is known at synth time.
      { zones, region: Token.isUnresolved(stack.region) ? undefined : stack.region },
      NETWORK_AVAILABILITY_ZONES,
      zones,
    );
    this.validateCidr(props.cidr, zones.length);
    enforceRule(
      this,
      'natGateways',
      { count: props.natGateways, zoneCount: zones.length },
      NETWORK_NAT_GATEWAYS,
      props.natGateways,
    );
    enforceRule(this, 'flowLogGroupName', props.flowLogGroupName, LOGS_LOG_GROUP_NAME);
    const retention = props.flowLogRetention ?? logs.RetentionDays.TWO_WEEKS;
    enforceRule(this, 'flowLogRetention', retention, LOGS_RETENTION_DAYS);

    this.vpc = withExplicitZones(
      stack,
      props.availabilityZones,
      () =>
        new ec2.Vpc(this, 'Resource', {
          ipAddresses: ec2.IpAddresses.cidr(props.cidr),
          availabilityZones: [...props.availabilityZones],
          natGateways: props.natGateways,
          // Interface endpoints with private DNS need both.
          enableDnsHostnames: true,
          enableDnsSupport: true,
          // Would add a Lambda-backed custom resource; DefaultSecurityGroupLockdown does it natively.
          restrictDefaultSecurityGroup: false,
          subnetConfiguration: [
            {
              name: PlatformVpc.PUBLIC_SUBNET_GROUP,
              subnetType: ec2.SubnetType.PUBLIC,
              cidrMask: PUBLIC_MASK,
              // Only NAT gateways live here and they bring their own Elastic IPs.
              mapPublicIpOnLaunch: false,
            },
            {
              name: PlatformVpc.APPLICATION_SUBNET_GROUP,
              subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS,
              cidrMask: APPLICATION_MASK,
            },
            {
              name: PlatformVpc.ISOLATED_SUBNET_GROUP,
              subnetType: ec2.SubnetType.PRIVATE_ISOLATED,
              cidrMask: ISOLATED_MASK,
            },
          ],
        }),
    );

    this.applicationSubnets = this.vpc.selectSubnets({ subnetGroupName: PlatformVpc.APPLICATION_SUBNET_GROUP }).subnets;
    this.isolatedSubnets = this.vpc.selectSubnets({ subnetGroupName: PlatformVpc.ISOLATED_SUBNET_GROUP }).subnets;
    this.applicationSubnetCidrs = this.applicationSubnets.map((subnet) => subnet.ipv4CidrBlock);
    const unresolved = this.applicationSubnetCidrs.filter((cidr) => Token.isUnresolved(cidr));
    if (unresolved.length > 0) {
      throw new Error(`${this.node.path}: the Application subnet CIDRs are not concrete (${unresolved.join(', ')})`);
    }

    this.acknowledgePublicRoutes();
    this.acknowledgeExplicitZones();
    new DefaultSecurityGroupLockdown(this, 'DefaultSecurityGroupLockdown', { vpc: this.vpc });
    Validations.of(this.vpc.node.defaultChild!).acknowledge({
      id: 'NIST.800.53.R5::NIST.800.53.R5-VPCDefaultSecurityGroupClosed',
      reason:
        'The rule only recognises the CDK custom resource Custom::VpcRestrictDefaultSG. The default security ' +
        'group is closed instead by the SSM association DefaultSecurityGroupLockdown/Association, which runs ' +
        'the AWS-owned runbook AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules on it at creation and daily.',
    });

    new ec2.GatewayVpcEndpoint(this, 'S3Endpoint', {
      vpc: this.vpc,
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [
        { subnetGroupName: PlatformVpc.APPLICATION_SUBNET_GROUP },
        { subnetGroupName: PlatformVpc.ISOLATED_SUBNET_GROUP },
      ],
    });

    this.interfaceEndpoints = [];
    if (props.interfaceEndpoints ?? false) {
      this.endpointSecurityGroup = this.createEndpointSecurityGroup();
      for (const endpoint of INTERFACE_ENDPOINTS) {
        this.interfaceEndpoints.push(
          new ec2.InterfaceVpcEndpoint(this, endpoint.id, {
            vpc: this.vpc,
            service: endpoint.service,
            subnets: { subnetGroupName: PlatformVpc.APPLICATION_SUBNET_GROUP },
            securityGroups: [this.endpointSecurityGroup],
            // `open: true` would add an ingress rule from the whole VPC CIDR.
            open: false,
            privateDnsEnabled: true,
          }),
        );
      }
    }

    this.flowLogFormat = PlatformVpc.FLOW_LOG_FIELDS.map((field) => '${' + field + '}').join(' ');
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      logGroupName: props.flowLogGroupName,
      encryptionKey: props.flowLogKey,
      retention,
      // Flow logs are evidence: deleting the stack must not delete them. The group has a fixed name,
      // so not plain Retain: a group kept after a failed first create makes the retry fail with
      // "already exists"; RetainExceptOnCreate deletes it only when its own creation rolls back.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    const writePolicy = new iam.ManagedPolicy(this, 'FlowLogWritePolicy', {
      description: `Lets VPC Flow Logs write to ${props.flowLogGroupName} only`,
      roles: [props.flowLogRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteFlowLogsToOwnLogGroup',
          // No logs:CreateLogGroup: the group exists. The log group's Arn attribute ends in ':*',
          // which covers its log streams and nothing outside the group.
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [this.flowLogGroup.logGroupArn],
        }),
      ],
    });
    acknowledgeKeyOfAnotherStack(
      this.flowLogGroup.node.defaultChild!,
      props.flowLogKey,
      'cloudwatch_log_group_encrypted_check',
    );
    this.flowLog = new ec2.FlowLog(this, 'FlowLog', {
      resourceType: ec2.FlowLogResourceType.fromVpc(this.vpc),
      destination: new OwnedLogGroupDestination(this.flowLogGroup, props.flowLogRole),
      trafficType: ec2.FlowLogTrafficType.ALL,
      logFormat: [ec2.LogFormat.custom(this.flowLogFormat)],
    });
    // Delivery starts at creation; without the policy the first records would be access errors.
    this.flowLog.node.addDependency(writePolicy);
  }

  private createEndpointSecurityGroup(): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints: HTTPS from the Application subnets only',
      allowAllOutbound: false,
    });
    for (const cidr of this.applicationSubnetCidrs) {
      group.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), `HTTPS from Application subnet ${cidr}`);
    }
    return group;
  }

  /** The Public tier's 0.0.0.0/0 route to the internet gateway is the point of that tier. */
  private acknowledgePublicRoutes(): void {
    for (const subnet of this.vpc.publicSubnets) {
      const route = subnet.node.findChild('DefaultRoute');
      Validations.of(route).acknowledge({
        id: 'NIST.800.53.R5::NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        reason:
          'This Public subnet holds only a NAT gateway (MapPublicIpOnLaunch is false and this construct places ' +
          'nothing else in it); its 0.0.0.0/0 route to the internet gateway is the egress path of the ' +
          'Application subnets. Application and Isolated route tables have no internet gateway route.',
      });
    }
  }

  /** CloudFormation's W3010 prefers Fn::GetAZs; explicit zones are this construct's requirement. */
  private acknowledgeExplicitZones(): void {
    for (const subnet of [...this.vpc.publicSubnets, ...this.vpc.privateSubnets, ...this.vpc.isolatedSubnets]) {
      Validations.of(subnet.node.defaultChild!).acknowledge({
        id: 'CloudFormation-Validate::W3010',
        reason:
          'Zones are given explicitly (PlatformVpcProps.availabilityZones, from the environment config) and ' +
          "validated against the stack's region, so synthesis needs no availability-zone lookup and the subnet " +
          'layout is the same on every synth; Fn::GetAZs would let the zones change at deploy time.',
      });
    }
  }

  private validateCidr(cidr: string, zoneCount: number): void {
    if (Token.isUnresolved(cidr)) {
      throw new Error(
        `${this.node.path}: cidr is an unresolved token; it must be a literal such as '10.0.0.0/16' because the ` +
          "database's ingress rules are built from the concrete Application subnet CIDRs",
      );
    }
    enforceRule(this, 'cidr', cidr, NETWORK_VPC_CIDR);
    enforceRule(this, 'cidr', { cidr, zoneCount }, NETWORK_VPC_CIDR_SIZE, cidr);
  }
}
