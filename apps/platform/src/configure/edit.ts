/**
 * The edits `npm run configure` makes to a config file: the values that point the platform at a
 * user's accounts, regions, repository and connection. Comments and layout of the YAML are kept.
 */
import { Document, isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { cidrsOverlap, formatCidr, Ipv4Cidr, parseIpv4Cidr } from '@baseline/rules';
import { PROTECTED_MINIMUMS } from '../config';

/** What the user asked to set. Every field is optional; what is not given stays as it is. */
export interface ConfigureRequest {
  readonly project?: string;
  readonly toolingAccount?: string;
  readonly homeRegion?: string;
  /** `owner/name`. */
  readonly repository?: string;
  readonly branch?: string;
  readonly connectionArn?: string;
  readonly notificationEmails?: string[];
  /** Stage name → account id. */
  readonly accounts?: Record<string, string>;
  /** Stage name → regions, in order. */
  readonly regions?: Record<string, string[]>;
  /** Stage name → alarm e-mail addresses. */
  readonly alarmEmails?: Record<string, string[]>;
}

/** A problem with the request itself (not with the resulting config, which the loader checks). */
export class ConfigureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigureError';
  }
}

/**
 * Zone letters of regions whose zones are not `a`, `b`, `c` in every account. AWS maps zone names
 * to physical zones per account, and these regions do not offer every letter; check yours with
 * `aws ec2 describe-availability-zones --region <region> --query 'AvailabilityZones[].ZoneName'`.
 */
const ZONE_LETTERS: Record<string, string[]> = {
  'ap-northeast-1': ['a', 'c', 'd'],
  'ca-central-1': ['a', 'b', 'd'],
  'us-west-1': ['b', 'c'],
};

/** The result of applying a request: the new YAML text and what changed, for the person to read. */
export interface ConfigureResult {
  readonly text: string;
  readonly changes: string[];
  /** Whether the request re-targets the deployment (accounts, project, connection): a new lock. */
  readonly retargeted: boolean;
}

/** Applies `request` to the YAML `text` of a config. Throws {@link ConfigureError} naming the flag. */
export function applyRequest(text: string, request: ConfigureRequest): ConfigureResult {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ConfigureError(`the config is not valid YAML: ${doc.errors[0].message}`);
  }
  const changes: string[] = [];
  const set = (path: Array<string | number>, value: unknown) => {
    const before = doc.getIn(path);
    const shown = (v: unknown) => JSON.stringify(isSeq(v) || isMap(v) ? v.toJSON() : v);
    if (shown(before) !== JSON.stringify(value)) {
      doc.setIn(path, value);
      changes.push(`${formatPath(path)}: ${shown(before)} -> ${JSON.stringify(value)}`);
    }
  };

  if (request.project !== undefined) set(['project', 'name'], request.project);
  if (request.toolingAccount !== undefined) set(['pipeline', 'account'], request.toolingAccount);
  if (request.homeRegion !== undefined) set(['pipeline', 'region'], request.homeRegion);
  if (request.repository !== undefined) {
    const [owner, name, ...rest] = request.repository.split('/');
    if (!owner || !name || rest.length > 0) {
      throw new ConfigureError(`--repository '${request.repository}' must be <owner>/<name>, e.g. my-org/my-platform`);
    }
    set(['pipeline', 'repository', 'owner'], owner);
    set(['pipeline', 'repository', 'name'], name);
  }
  if (request.branch !== undefined) set(['pipeline', 'repository', 'branch'], request.branch);
  if (request.connectionArn !== undefined) set(['pipeline', 'connectionArn'], request.connectionArn);
  if (request.notificationEmails !== undefined) set(['pipeline', 'notificationEmails'], request.notificationEmails);

  const stages = doc.get('stages');
  const stageNames = isSeq(stages) ? stages.items.map((s) => (isMap(s) ? String(s.get('name')) : '')) : [];
  const indexOf = (flag: string, stage: string) => {
    const i = stageNames.indexOf(stage);
    if (i < 0) {
      throw new ConfigureError(
        `${flag} names stage '${stage}', which the config does not have (it has: ${stageNames.join(', ')})`,
      );
    }
    return i;
  };
  for (const [stage, account] of Object.entries(request.accounts ?? {})) {
    set(['stages', indexOf('--account', stage), 'account'], account);
  }
  for (const [stage, emails] of Object.entries(request.alarmEmails ?? {})) {
    set(['stages', indexOf('--alarm-email', stage), 'alarms', 'emails'], emails);
  }
  for (const [stage, regions] of Object.entries(request.regions ?? {})) {
    const i = indexOf('--regions', stage);
    changes.push(...setRegions(doc, i, regions));
  }
  const retargeted =
    request.project !== undefined ||
    request.toolingAccount !== undefined ||
    request.connectionArn !== undefined ||
    Object.keys(request.accounts ?? {}).length > 0;
  // Unchanged text when nothing changed; otherwise as YAML writes it, flow lists unpadded like the shipped file.
  return { text: changes.length === 0 ? text : doc.toString({ flowCollectionPadding: false }), changes, retargeted };
}

/** `stages[1].account`, the way the loader names fields. */
function formatPath(path: Array<string | number>): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');
}

/**
 * Sets a stage's regions: a region it already has keeps its VPC range and zones; a new one gets the
 * first /16 of 10.0.0.0/8 that no VPC in the file uses, and zones `a`, `b` (`a`, `b`, `c` in a
 * protected stage), or the letters that region offers.
 */
function setRegions(doc: Document, stageIndex: number, regions: string[]): string[] {
  const stage = doc.getIn(['stages', stageIndex]) as YAMLMap;
  const existing = (stage.get('regions') as YAMLSeq | undefined)?.items ?? [];
  const byName = new Map<string, unknown>();
  for (const item of existing) {
    if (isMap(item)) {
      byName.set(String(item.get('region')), item);
    }
  }
  const zoneCount = stage.get('protected') === true ? PROTECTED_MINIMUMS.availabilityZones : 2;
  const items: unknown[] = [];
  const changes: string[] = [];
  const keptNames = new Set(regions);
  // Every VPC range of the file is taken, except those of the regions this edit drops.
  const free = allVpcCidrs(doc).filter((u) => !(u.stageIndex === stageIndex && !keptNames.has(u.region)));
  for (const region of regions) {
    const kept = byName.get(region);
    if (kept) {
      items.push(kept);
      continue;
    }
    const cidr = nextFreeSlash16(free.map((f) => f.cidr));
    free.push({ stageIndex, region, cidr });
    const letters = (ZONE_LETTERS[region] ?? ['a', 'b', 'c']).slice(0, zoneCount);
    items.push(
      doc.createNode({ region, vpcCidr: formatCidr(cidr), availabilityZones: letters.map((l) => `${region}${l}`) }),
    );
    changes.push(
      `stages[${stageIndex}].regions: added ${region} with vpcCidr ${formatCidr(cidr)} and zones ${letters
        .map((l) => `${region}${l}`)
        .join(', ')} (check the zone names of your account: aws ec2 describe-availability-zones --region ${region})`,
    );
  }
  for (const name of byName.keys()) {
    if (!keptNames.has(name)) {
      changes.push(`stages[${stageIndex}].regions: removed ${name}`);
    }
  }
  const seq = new YAMLSeq();
  seq.items = items as YAMLSeq['items'];
  stage.set('regions', seq);
  return changes;
}

function allVpcCidrs(doc: Document): Array<{ stageIndex: number; region: string; cidr: Ipv4Cidr }> {
  const out: Array<{ stageIndex: number; region: string; cidr: Ipv4Cidr }> = [];
  const stages = doc.get('stages');
  if (!isSeq(stages)) {
    return out;
  }
  stages.items.forEach((stage, stageIndex) => {
    const regions = isMap(stage) ? stage.get('regions') : undefined;
    for (const r of isSeq(regions) ? regions.items : []) {
      if (isMap(r)) {
        const parsed = parseIpv4Cidr(String(r.get('vpcCidr')));
        if (typeof parsed !== 'string') {
          out.push({ stageIndex, region: String(r.get('region')), cidr: parsed });
        }
      }
    }
  });
  return out;
}

function nextFreeSlash16(used: Ipv4Cidr[]): Ipv4Cidr {
  for (let second = 0; second < 256; second++) {
    const candidate = { network: ((10 << 24) | (second << 16)) >>> 0, prefix: 16 };
    if (!used.some((u) => cidrsOverlap(u, candidate))) {
      return candidate;
    }
  }
  throw new ConfigureError('no free /16 is left in 10.0.0.0/8 for a new region; set its vpcCidr by hand');
}
