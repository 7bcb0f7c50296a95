/**
 * Checks that relate config fields to each other and that no construct makes: unique names, the
 * protected-stage minimums, disjoint VPC ranges. (What a construct enforces, such as NAT gateways per
 * zone or a VPC range's size, the loader checks with the construct's own rule: construct-rules.ts.)
 *
 * They run on the raw input even when field-level validation failed, so that one run reports
 * every problem. Each check therefore only looks at values of the expected type and skips the
 * rest (field-level validation reports those).
 */
import { cidrsOverlap, Ipv4Cidr, parseIpv4Cidr } from '@baseline/rules';

/** One config problem: where, what was there, what is allowed. */
export interface ConfigProblem {
  readonly path: string;
  readonly value: unknown;
  readonly message: string;
  /** The id of the construct rule (`@baseline/rules`) the value breaks, when a construct rule found it. */
  readonly rule?: string;
}

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const arrayAt = (o: Raw, key: string): unknown[] => (Array.isArray(o[key]) ? (o[key] as unknown[]) : []);
const objectAt = (o: Raw, key: string): Raw => (isObject(o[key]) ? (o[key] as Raw) : {});

/** Protected stages may not be configured below these. */
export const PROTECTED_MINIMUMS = { availabilityZones: 3, backupRetentionDays: 30, logRetentionDays: 365 } as const;

export function crossFieldProblems(input: unknown): ConfigProblem[] {
  if (!isObject(input)) {
    return [];
  }
  const problems: ConfigProblem[] = [];
  const vpcs: Array<{ path: string; text: string; cidr: Ipv4Cidr }> = [];
  const stageNames = new Map<string, string>();

  arrayAt(input, 'stages').forEach((stage, s) => {
    if (!isObject(stage)) {
      return;
    }
    const at = `stages[${s}]`;
    if (typeof stage.name === 'string') {
      const first = stageNames.get(stage.name);
      if (first) {
        problems.push({
          path: `${at}.name`,
          value: stage.name,
          message: `duplicates ${first}; stage names must be unique`,
        });
      } else {
        stageNames.set(stage.name, `${at}.name`);
      }
    }
    const isProtected = stage.protected === true;
    const database = objectAt(stage, 'database');
    if (isProtected) {
      if (database.multiAz === false) {
        problems.push({
          path: `${at}.database.multiAz`,
          value: false,
          message: 'must be true in a protected stage (a standby in a second zone)',
        });
      }
      if (database.deletionProtection === false) {
        problems.push({
          path: `${at}.database.deletionProtection`,
          value: false,
          message: 'must be true in a protected stage',
        });
      }
      const retention = database.backupRetentionDays;
      if (typeof retention === 'number' && retention < PROTECTED_MINIMUMS.backupRetentionDays) {
        problems.push({
          path: `${at}.database.backupRetentionDays`,
          value: retention,
          message: `must be at least ${PROTECTED_MINIMUMS.backupRetentionDays} in a protected stage`,
        });
      }
      const backupDays = objectAt(stage, 'recovery').backupRetentionDays;
      if (typeof backupDays === 'number' && backupDays < PROTECTED_MINIMUMS.backupRetentionDays) {
        problems.push({
          path: `${at}.recovery.backupRetentionDays`,
          value: backupDays,
          message: `must be at least ${PROTECTED_MINIMUMS.backupRetentionDays} in a protected stage`,
        });
      }
      const logDays = objectAt(stage, 'logs').retentionDays;
      if (typeof logDays === 'number' && logDays < PROTECTED_MINIMUMS.logRetentionDays) {
        problems.push({
          path: `${at}.logs.retentionDays`,
          value: logDays,
          message: `must be at least ${PROTECTED_MINIMUMS.logRetentionDays} in a protected stage (AWS Control Tower CT.CLOUDWATCH.PR.2 asks for a year)`,
        });
      }
    }

    const regionNames = new Map<string, string>();
    arrayAt(stage, 'regions').forEach((region, r) => {
      if (!isObject(region)) {
        return;
      }
      const rat = `${at}.regions[${r}]`;
      const name = typeof region.region === 'string' ? region.region : undefined;
      if (name) {
        const first = regionNames.get(name);
        if (first) {
          problems.push({
            path: `${rat}.region`,
            value: name,
            message: `duplicates ${first}; a stage deploys to each region once`,
          });
        } else {
          regionNames.set(name, `${rat}.region`);
        }
      }
      const recoveryRegion = region.recoveryRegion;
      if (recoveryRegion === undefined && isProtected) {
        problems.push({
          path: `${rat}.recoveryRegion`,
          value: undefined,
          message:
            "is required in a protected stage: name the region that keeps copies of this region's data " +
            '(bucket replicas, database backups), so that they survive the loss of the region',
        });
      }
      if (typeof recoveryRegion === 'string' && name !== undefined && recoveryRegion === name) {
        problems.push({
          path: `${rat}.recoveryRegion`,
          value: recoveryRegion,
          message: `is the region itself; a copy in ${name} does not survive the loss of ${name}: name another region`,
        });
      }
      const zones = arrayAt(region, 'availabilityZones').filter((z): z is string => typeof z === 'string');
      if (isProtected && zones.length > 0 && zones.length < PROTECTED_MINIMUMS.availabilityZones) {
        problems.push({
          path: `${rat}.availabilityZones`,
          value: zones,
          message: `has ${zones.length} zones; a protected stage needs at least ${PROTECTED_MINIMUMS.availabilityZones}`,
        });
      }
      const text = region.vpcCidr;
      const cidr = typeof text === 'string' ? parseIpv4Cidr(text) : undefined;
      if (typeof text === 'string' && cidr !== undefined && typeof cidr !== 'string') {
        const path = `${rat}.vpcCidr`;
        for (const other of vpcs) {
          if (cidrsOverlap(cidr, other.cidr)) {
            problems.push({
              path,
              value: text,
              message: `overlaps ${other.path} '${other.text}'; VPC ranges must be disjoint so they can be peered or routed later`,
            });
          }
        }
        vpcs.push({ path, text, cidr });
      }
    });
  });
  return problems;
}
