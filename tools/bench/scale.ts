/**
 * Scale: how synth time and memory grow with the number of regions per stage, from configs
 * generated out of the default config, with a least-squares line through the medians.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { mib, sec } from './format';
import { log, type RunContext } from './process';
import { fit, summarize, type Summary } from './stats';
import { synthOnce, type SynthVariant } from './synth';

export const REGION_COUNTS = [1, 2, 4, 8];

/** Regions with zones a, b and c, the pipeline's home region first. */
export const SCALE_REGIONS = [
  'eu-west-1',
  'eu-central-1',
  'us-east-1',
  'us-west-2',
  'eu-west-2',
  'eu-north-1',
  'us-east-2',
  'ap-southeast-2',
];

/** The parts of the platform config the scale test rewrites; everything else is kept as is. */
interface ConfigLike {
  $schema?: string;
  stages: Array<{
    protected?: boolean;
    regions?: Array<{ region: string; vpcCidr: string; availabilityZones?: string[]; recoveryRegion?: string }>;
  }>;
}

/**
 * A config like `base` with `n` regions in every stage: zones a–c as the stage had (a protected
 * stage gets three), and /16 ranges from 10.64.0.0 upwards, disjoint from each other and from the
 * default config's ranges. A stage whose regions name recovery regions (a protected stage must) gets
 * one for each new region too: the next region of the list (wrapping round), never itself. The
 * `$schema` line is dropped (the file is written elsewhere).
 */
export function scaledConfig(base: unknown, n: number): ConfigLike {
  if (n < 1 || n > SCALE_REGIONS.length) throw new Error(`regions per stage must be 1 to ${SCALE_REGIONS.length}`);
  const config = structuredClone(base) as ConfigLike;
  if (!Array.isArray(config?.stages)) throw new Error('the default config has no stages list');
  delete config.$schema;
  let k = 0;
  for (const stage of config.stages) {
    const zones = Math.max(stage.regions?.[0]?.availabilityZones?.length ?? 2, stage.protected ? 3 : 2);
    const recovers = stage.protected === true || (stage.regions ?? []).some((r) => r.recoveryRegion !== undefined);
    stage.regions = SCALE_REGIONS.slice(0, n).map((region, i) => ({
      region,
      vpcCidr: `10.${64 + k++}.0.0/16`,
      availabilityZones: ['a', 'b', 'c'].slice(0, zones).map((z) => `${region}${z}`),
      ...(recovers ? { recoveryRegion: SCALE_REGIONS[(i + 1) % SCALE_REGIONS.length] } : {}),
    }));
  }
  return config;
}

export interface ScaleRow extends Summary {
  readonly n: number;
  readonly stageRegions: number;
  readonly templates: number;
}

export interface Scale {
  readonly rows: readonly ScaleRow[];
  /** Seconds per stage-region, and the fixed part. */
  readonly time: { slope: number; intercept: number };
  /** Bytes of peak RSS per stage-region (when peaks were measured). */
  readonly memory?: { slope: number; intercept: number };
  /** Time at the most regions / time at the fewest. */
  readonly ratio: number;
  readonly first: ScaleRow;
  readonly last: ScaleRow;
  readonly stagesCount: number;
  /** The command, with `--context config=<file>`. */
  readonly command: string;
}

interface Yaml {
  parse(text: string): unknown;
  stringify(value: unknown): string;
}

export async function scale(
  ctx: RunContext,
  runs: number,
  ours: SynthVariant,
  appDir: string,
  env: NodeJS.ProcessEnv,
): Promise<Scale> {
  // The app's own yaml package, so that the configs are written the way the app reads them.
  const YAML = createRequire(path.join(appDir, 'package.json'))('yaml') as Yaml;
  const base = YAML.parse(fs.readFileSync(path.join(appDir, 'config', 'platform.yaml'), 'utf-8'));
  const dir = path.join(ctx.tmpRoot, 'configs');
  fs.mkdirSync(dir, { recursive: true });
  const files = new Map<number, string>();
  for (const n of REGION_COUNTS) {
    const file = path.join(dir, `regions-${n}.yaml`);
    fs.writeFileSync(file, YAML.stringify(scaledConfig(base, n)));
    files.set(n, file);
  }
  const stagesCount = (base as ConfigLike).stages.length;
  log(`scale: ${REGION_COUNTS.join(', ')} regions per stage (${stagesCount} stages), ${runs} runs each`);
  const results = new Map(REGION_COUNTS.map((n) => [n, [] as Awaited<ReturnType<typeof synthOnce>>[]]));
  for (let i = 1; i <= runs; i++) {
    for (const n of REGION_COUNTS) {
      const r = await synthOnce(ctx, { ...ours, label: `regions-${n}` }, env, files.get(n));
      results.get(n)!.push(r);
      log(`  ${n} region(s)/stage ${i}/${runs}: ${sec(r.wall)}, peak ${mib(r.peak)}, ${r.templates.size} templates`);
    }
  }
  const rows: ScaleRow[] = REGION_COUNTS.map((n) => ({
    n,
    stageRegions: n * stagesCount,
    templates: results.get(n)![0].templates.size,
    ...summarize(results.get(n)!),
  }));
  return scaleResult(rows, stagesCount, `${ours.command.text} --context config=<file>`);
}

/** The fit and ratio over the rows' medians. */
export function scaleResult(rows: ScaleRow[], stagesCount: number, command: string): Scale {
  const time = fit(rows.map((r) => ({ x: r.stageRegions, y: r.wall })));
  const memory = rows.every((r) => r.peak) ? fit(rows.map((r) => ({ x: r.stageRegions, y: r.peak ?? 0 }))) : undefined;
  const first = rows[0];
  const last = rows[rows.length - 1];
  return { rows, time, memory, ratio: last.wall / first.wall, first, last, stagesCount, command };
}
