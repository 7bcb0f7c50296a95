/**
 * The main resources of a synthesized CloudFormation template, grouped into a few short summaries
 * for a diagram: what a reviewer of the baseline looks for (keys, network, storage, database,
 * roles, alerting), not every route table and policy.
 *
 * Everything is read from the template, so a diagram shows what will be deployed, not what the
 * code meant to deploy. Values that are tokens in the template (a Ref, an import) are left out
 * rather than printed as JSON.
 */
import { count } from './mermaid';

/** A CloudFormation template, as far as the summaries read it. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
}

/** One resource of a {@link CfnTemplate}. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** One node of a stack in the diagram: repeated resources of one kind are one summary. */
export interface ResourceSummary {
  /** Stable within a stack, usable in a node id, e.g. `subnets`. */
  readonly key: string;
  /** Label lines, the first one naming the resource (and its count when there are several). */
  readonly lines: string[];
}

type Props = Record<string, unknown>;

interface Summarizer {
  readonly key: string;
  readonly types: readonly string[];
  /** The label lines from the resources of `types`, in template order. */
  readonly summarize: (byType: (type: string) => Props[]) => string[];
}

/** The summaries of a template, in a fixed order (keys, network, storage, database, alerting). */
export function summarizeResources(template: CfnTemplate): ResourceSummary[] {
  const resources = Object.values(template.Resources ?? {});
  const byType = (type: string): Props[] => resources.filter((r) => r.Type === type).map((r) => r.Properties ?? {});
  const summaries: ResourceSummary[] = [];
  for (const s of SUMMARIZERS) {
    if (s.types.some((t) => byType(t).length > 0)) {
      summaries.push({ key: s.key, lines: s.summarize(byType) });
    }
  }
  return summaries;
}

const SUMMARIZERS: readonly Summarizer[] = [
  {
    key: 'keys',
    types: ['AWS::KMS::Key'],
    summarize: (byType) => {
      const keys = byType('AWS::KMS::Key');
      const aliases = byType('AWS::KMS::Alias')
        .map((a) => a.AliasName)
        .filter(isString);
      const rotation = keys.every((k) => k.EnableKeyRotation === true) ? ['rotation on'] : [];
      return [count(keys.length, 'KMS key'), ...aliases, ...rotation];
    },
  },
  {
    key: 'vpc',
    types: ['AWS::EC2::VPC'],
    summarize: (byType) => perInstance(byType('AWS::EC2::VPC'), 'VPC', (v) => [`VPC ${str(v.CidrBlock)}`.trim()]),
  },
  {
    key: 'subnets',
    types: ['AWS::EC2::Subnet'],
    summarize: (byType) => {
      const subnets = byType('AWS::EC2::Subnet');
      // The CDK tags every subnet with its group name (Public, Application, Isolated...).
      const groups = tally(subnets.map((s) => tagValue(s, 'aws-cdk:subnet-name') ?? 'untagged'));
      const detail = [...groups].map(([group, n]) => `${n} ${group}`).join(', ');
      return [count(subnets.length, 'subnet'), detail];
    },
  },
  {
    key: 'nat',
    types: ['AWS::EC2::NatGateway'],
    summarize: (byType) => [count(byType('AWS::EC2::NatGateway').length, 'NAT gateway')],
  },
  {
    key: 'flowlog',
    types: ['AWS::EC2::FlowLog'],
    summarize: (byType) =>
      perInstance(byType('AWS::EC2::FlowLog'), 'flow log', (f) => [
        'VPC flow log',
        [str(f.TrafficType), 'to', str(f.LogDestinationType) || 'cloud-watch-logs'].join(' ').trim(),
      ]),
  },
  {
    key: 'vpce',
    types: ['AWS::EC2::VPCEndpoint'],
    summarize: (byType) => {
      const endpoints = byType('AWS::EC2::VPCEndpoint');
      const byKind = new Map<string, string[]>();
      for (const e of endpoints) {
        const kind = str(e.VpcEndpointType) || 'Gateway';
        byKind.set(kind, [...(byKind.get(kind) ?? []), serviceShortName(e.ServiceName)]);
      }
      return [count(endpoints.length, 'VPC endpoint'), ...[...byKind].map(([kind, s]) => `${kind}: ${s.join(', ')}`)];
    },
  },
  {
    key: 'buckets',
    types: ['AWS::S3::Bucket'],
    summarize: (byType) => {
      const buckets = byType('AWS::S3::Bucket');
      const encryption = tally(buckets.map(bucketEncryption));
      return [count(buckets.length, 'S3 bucket'), [...encryption].map(([e, n]) => `${n} ${e}`).join(', ')];
    },
  },
  {
    key: 'database',
    types: ['AWS::RDS::DBInstance'],
    summarize: (byType) =>
      perInstance(byType('AWS::RDS::DBInstance'), 'RDS instance', (d) => [
        `RDS ${str(d.Engine)} ${str(d.EngineVersion)}`.trim(),
        [str(d.DBInstanceClass), d.MultiAZ === true ? 'Multi-AZ' : 'Single-AZ'].filter((s) => s).join(', '),
        ...(typeof d.AllocatedStorage === 'string' || typeof d.AllocatedStorage === 'number'
          ? [`${d.AllocatedStorage} GiB ${str(d.StorageType)}`.trim()]
          : []),
      ]),
  },
  {
    key: 'backup',
    types: ['AWS::Backup::BackupVault', 'AWS::Backup::BackupPlan'],
    summarize: (byType) => {
      const vaults = byType('AWS::Backup::BackupVault');
      const locked = vaults
        .map((v) => (v.LockConfiguration as Props | undefined)?.MinRetentionDays)
        .filter((d) => typeof d === 'number');
      const rules = byType('AWS::Backup::BackupPlan').flatMap(
        (p) => ((p.BackupPlan as Props | undefined)?.BackupPlanRule as Props[] | undefined) ?? [],
      );
      const days = [...new Set(rules.map((r) => (r.Lifecycle as Props | undefined)?.DeleteAfterDays))].filter(
        (d) => typeof d === 'number',
      );
      return [
        count(vaults.length, 'backup vault'),
        ...(rules.length > 0 ? [`daily backups kept ${days.join(', ')} days`] : []),
        ...(locked.length > 0 ? [`vault lock: ${locked.join(', ')} days`] : []),
      ];
    },
  },
  {
    key: 'roles',
    types: ['AWS::IAM::Role'],
    summarize: (byType) => {
      const roles = byType('AWS::IAM::Role');
      const services = [...new Set(roles.flatMap(trustedServices))];
      return [count(roles.length, 'IAM role'), ...(services.length > 0 ? [`for ${services.join(', ')}`] : [])];
    },
  },
  {
    key: 'loggroups',
    types: ['AWS::Logs::LogGroup'],
    summarize: (byType) => {
      const groups = byType('AWS::Logs::LogGroup');
      const retention = [...new Set(groups.map((g) => g.RetentionInDays).filter((d) => typeof d === 'number'))];
      const encrypted = groups.every((g) => g.KmsKeyId !== undefined) ? 'KMS-encrypted' : '';
      const detail = [encrypted, retention.length > 0 ? `${retention.join(', ')} days` : ''].filter((s) => s);
      return [count(groups.length, 'log group'), ...(detail.length > 0 ? [detail.join(', ')] : [])];
    },
  },
  {
    key: 'topic',
    types: ['AWS::SNS::Topic'],
    summarize: (byType) => {
      const topics = byType('AWS::SNS::Topic');
      const encrypted = topics.every((t) => t.KmsMasterKeyId !== undefined) ? ['KMS-encrypted'] : [];
      const protocols = tally(byType('AWS::SNS::Subscription').map((s) => str(s.Protocol) || 'other'));
      const subscriptions = [...protocols].map(([p, n]) => count(n, `${p} subscription`));
      return [count(topics.length, 'SNS topic'), ...encrypted, ...subscriptions];
    },
  },
  {
    key: 'alarms',
    types: ['AWS::CloudWatch::Alarm'],
    summarize: (byType) => [count(byType('AWS::CloudWatch::Alarm').length, 'CloudWatch alarm')],
  },
  {
    key: 'metricfilters',
    types: ['AWS::Logs::MetricFilter'],
    summarize: (byType) => [count(byType('AWS::Logs::MetricFilter').length, 'log metric filter')],
  },
  {
    key: 'dashboard',
    types: ['AWS::CloudWatch::Dashboard'],
    summarize: (byType) =>
      perInstance(byType('AWS::CloudWatch::Dashboard'), 'dashboard', (d) => [
        'CloudWatch dashboard',
        ...(isString(d.DashboardName) ? [d.DashboardName] : []),
      ]),
  },
];

/** One resource: its own lines; several: a count, then the first line of each. */
function perInstance(items: Props[], noun: string, lines: (p: Props) => string[]): string[] {
  if (items.length === 1) {
    return lines(items[0]);
  }
  return [count(items.length, noun), ...items.map((i) => lines(i).join(', '))];
}

/** Occurrences of each value, in order of first appearance. */
function tally(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) {
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** A literal string property, or '' for a token or anything else. */
function str(value: unknown): string {
  return isString(value) ? value : '';
}

function tagValue(props: Props, key: string): string | undefined {
  const tags = Array.isArray(props.Tags) ? (props.Tags as Array<{ Key?: unknown; Value?: unknown }>) : [];
  const value = tags.find((t) => t.Key === key)?.Value;
  return isString(value) ? value : undefined;
}

/**
 * `s3` from `com.amazonaws.eu-west-1.s3`, also when the region is a `Ref` inside an `Fn::Join`
 * (the literal pieces are joined and the last dotted segment taken).
 */
function serviceShortName(serviceName: unknown): string {
  const literal = literalStrings(serviceName).join('');
  return literal.split('.').pop() || 'unknown';
}

function literalStrings(value: unknown): string[] {
  if (isString(value)) {
    return [value];
  }
  if (Array.isArray(value)) {
    return value.flatMap(literalStrings);
  }
  if (value && typeof value === 'object') {
    const join = (value as Props)['Fn::Join'];
    return Array.isArray(join) ? literalStrings(join[1]) : [];
  }
  return [];
}

function bucketEncryption(bucket: Props): string {
  const config = (bucket.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] } | undefined)
    ?.ServerSideEncryptionConfiguration?.[0] as
    { ServerSideEncryptionByDefault?: { SSEAlgorithm?: unknown } } | undefined;
  switch (config?.ServerSideEncryptionByDefault?.SSEAlgorithm) {
    case 'aws:kms':
      return 'SSE-KMS';
    case 'aws:kms:dsse':
      return 'DSSE-KMS';
    case 'AES256':
      return 'SSE-S3';
    default:
      return 'default encryption';
  }
}

/** `ecs-tasks` for a role trusted by `ecs-tasks.amazonaws.com`. */
function trustedServices(role: Props): string[] {
  const statements = (role.AssumeRolePolicyDocument as { Statement?: unknown[] } | undefined)?.Statement ?? [];
  return statements.flatMap((s) => {
    const service = (s as { Principal?: { Service?: unknown } }).Principal?.Service;
    return (Array.isArray(service) ? service : [service])
      .filter(isString)
      .map((x) => x.replace(/\.amazonaws\.com$/, ''));
  });
}
