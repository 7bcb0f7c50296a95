/**
 * Deliberate replacements: the reviewed file `apps/platform/config/allowed-replacements.yaml` lets the
 * data-loss guard pass one replacement or removal, of one resource in one stage-region, for one base
 * commit. When the change is deployed, the pipeline's base moves on and the entry stops matching, so an
 * allowance cannot outlive its change (the review lists entries that matched nothing).
 *
 * ```yaml
 * - stageRegion: prod-eu-west-1
 *   logicalId: DatabaseF44359DD
 *   baseCommit: 3f2c1a9          # the commit the change is reviewed against (at least 7 characters)
 *   reason: Moving the database to the new subnet group; data restored from the snapshot of ...
 * ```
 */
import * as fs from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** One allowance. */
export interface Allowance {
  readonly stageRegion: string;
  readonly logicalId: string;
  readonly baseCommit: string;
  readonly reason: string;
}

/** Reads the allowances; a missing file allows nothing. Throws naming the entry and field that is wrong. */
export function readAllowances(file: string): Allowance[] {
  if (!fs.existsSync(file)) {
    return [];
  }
  const parsed = parseYaml(fs.readFileSync(file, 'utf-8')) as unknown;
  if (parsed === null || parsed === undefined) {
    return [];
  }
  if (!Array.isArray(parsed)) {
    throw new Error(`${file}: must be a list of allowances (stageRegion, logicalId, baseCommit, reason)`);
  }
  return parsed.map((entry, i) => {
    const where = `${file}: [${i}]`;
    const field = (name: keyof Allowance, pattern: RegExp, what: string) => {
      const value = (entry as Record<string, unknown> | null)?.[name];
      if (typeof value !== 'string' || !pattern.test(value)) {
        throw new Error(`${where}.${name} ${JSON.stringify(value)}: must be ${what}`);
      }
      return value;
    };
    return {
      stageRegion: field('stageRegion', /^[a-z0-9-]+$/, 'a stage-region id such as prod-eu-west-1'),
      logicalId: field('logicalId', /^[A-Za-z0-9]+$/, 'a logical id as the review prints it'),
      baseCommit: field(
        'baseCommit',
        /^[0-9a-f]{7,40}$/,
        'the base commit the change is reviewed against (7 to 40 hex characters)',
      ),
      reason: field('reason', /\S.{19,}/, 'a reason a reviewer can check (20 characters or more)'),
    };
  });
}

/** The allowance for a problem at `baseCommit`, if any. */
export function allowanceFor(
  allowances: Allowance[],
  problem: { readonly stageRegion: string; readonly logicalId: string },
  baseCommit: string | undefined,
): Allowance | undefined {
  if (!baseCommit) {
    return undefined;
  }
  return allowances.find(
    (a) =>
      a.stageRegion === problem.stageRegion && a.logicalId === problem.logicalId && baseCommit.startsWith(a.baseCommit),
  );
}
