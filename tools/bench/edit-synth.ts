/**
 * Edit → synth, the way a person works: change a file, synthesize, look. In the throwaway clone,
 * Nx cache on (it is what makes an unchanged library free), daemon off:
 *
 * - app edited: a comment appended to apps/platform/src/main.ts, then `npm run synth` (through npm
 *   and projen, as typed) — beside the stock setup, `npx cdk synth` running
 *   `npx ts-node --prefer-ts-exts src/main.ts`, after the same edit;
 * - library edited: the same pair after a comment appended to packages/observability/src/index.ts;
 * - nothing changed: `npm run synth` again (every task a cache hit).
 *
 * Variants alternate run by run, and every edited file is restored after its run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sec } from './format';
import { nxRun, type NxRun } from './nx';
import { fail, log, measure, nextId, tail, type Command, type Measured, type RunContext } from './process';
import { ratio, summarize, type Summary } from './stats';
import { STOCK_APP } from './synth';
import { APP_PROJECT_ROOT, appendComment, readJson, TOUCHED_APP, TOUCHED_LIBRARY, type Clone } from './workspace';

export const NPM_SYNTH: Command = { file: 'npm', args: ['run', 'synth'], text: 'npm run synth' };

/**
 * The CDK CLI, kept offline and non-interactive without changing what it synthesizes:
 * no notices (they are fetched from the network), no telemetry, no version check, no EC2
 * instance-metadata probe for credentials. Without credentials the CLI only logs that it cannot
 * find the default account, uses us-east-1 as the default region, and synthesizes: synth calls
 * no AWS API. `--build ""` drops the pre-synth build of this repository's cdk.json (a stock
 * `cdk init` app has none), so that the stock variant is ts-node alone.
 * (--no-version-reporting is not used: it also removes the CDK metadata resource from the
 * templates, which a stock setup keeps.)
 */
export const CDK_CLI_ENV: Record<string, string> = {
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  CDK_DISABLE_VERSION_CHECK: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
};

export function stockCliCommand(outdir: string): Command {
  return {
    file: 'npx',
    args: ['cdk', 'synth', '--app', STOCK_APP, '--quiet', '--no-notices', '--build', '', '--output', outdir],
    text: `npx cdk synth --app "${STOCK_APP}" --quiet --no-notices --build ""`,
  };
}

/** A variant measured through Nx, with each run's tasks. */
export interface NxVariant extends Summary {
  readonly command: string;
  readonly nxRuns: readonly NxRun[];
}

export interface StockVariant extends Summary {
  readonly command: string;
}

export interface EditPair {
  /** The edited file, relative to the repository root. */
  readonly file: string;
  readonly ours: NxVariant;
  readonly stock: StockVariant;
  /** median(ours) / median(stock). */
  readonly ratio?: number;
}

export interface EditSynth {
  readonly clone: Clone;
  readonly app: EditPair;
  readonly library: EditPair;
  readonly noChange: NxVariant;
  /** `cli`: the stock variant ran through the CDK CLI; `app-only`: the CLI failed, so its app alone. */
  readonly stockMode: 'cli' | 'app-only';
  /** The CLI's last output lines, when it failed and was not used. */
  readonly stockNote?: string;
  /** What the app imports for the touched library (package.json `main`), e.g. lib/index.js. */
  readonly libraryMain: string;
}

/** The run at the median, to show its Nx tasks (for an even count, the slower of the middle two). */
export function medianRun<T extends { wall: number }>(runs: readonly T[]): T {
  if (runs.length === 0) throw new Error('median run of no runs');
  return [...runs].sort((a, b) => a.wall - b.wall)[Math.floor(runs.length / 2)];
}

export async function editSynth(ctx: RunContext, clone: Clone, runs: number, env: NodeJS.ProcessEnv) {
  const appDir = path.join(clone.dir, APP_PROJECT_ROOT);
  const nxOpts = { ...ctx, cwd: clone.dir, env };
  const libraryPackage = path.join(clone.dir, path.dirname(path.dirname(TOUCHED_LIBRARY)), 'package.json');
  const libraryMain = readJson<{ main?: string }>(libraryPackage).main ?? 'index.js';

  log(`edit → synth, in the clone: ${runs} run(s) per variant; warm-up: npm run synth (not counted)`);
  const warmUp = await nxRun('warm-up', NPM_SYNTH, nxOpts);
  if (warmUp.code !== 0) throw new Error(`npm run synth failed in the clone:\n${warmUp.failure}`);

  // One untimed run of the stock CLI first: it warms npx and the disk cache as the ours warm-up
  // did, and tells whether the CLI works offline here. If not, the stock app command is timed alone.
  const stockApp: Command = { file: 'npx', args: STOCK_APP.split(' ').slice(1), text: STOCK_APP };
  const stock = async (mode: 'cli' | 'app-only'): Promise<Measured> => {
    const outdir = path.join(ctx.tmpRoot, 'out', `stock-${nextId()}`);
    const command = mode === 'cli' ? stockCliCommand(outdir) : stockApp;
    try {
      return await measure(command, { ...ctx, cwd: appDir, env: { ...env, ...CDK_CLI_ENV, CDK_OUTDIR: outdir } });
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  };
  log('  stock warm-up through the CDK CLI (not counted)');
  const probe = await stock('cli');
  let stockMode: EditSynth['stockMode'] = 'cli';
  let stockNote: string | undefined;
  if (probe.code !== 0) {
    stockMode = 'app-only';
    stockNote = tail(`${probe.stdout}\n${probe.stderr}`, 12);
    log(`  WARNING: npx cdk synth exited ${probe.code}; timing the stock app command alone. Last lines:\n${stockNote}`);
  }
  const stockRun = async (label: string): Promise<Measured> => {
    const r = await stock(stockMode);
    if (r.code !== 0) fail(`stock synth (${label})`, r);
    return r;
  };

  const results = {
    appOurs: [] as NxRun[],
    appStock: [] as Measured[],
    libOurs: [] as NxRun[],
    libStock: [] as Measured[],
    noChange: [] as NxRun[],
  };
  const edited = async <T extends { wall: number }>(file: string, label: string, go: () => Promise<T>) => {
    const restore = appendComment(clone.dir, file, label);
    try {
      return await go();
    } finally {
      restore();
    }
  };
  for (let i = 1; i <= runs; i++) {
    const n = `${i}/${runs}`;
    results.appOurs.push(
      await edited(TOUCHED_APP, 'edit', () => nxRun(`app edited, npm run synth ${n}`, NPM_SYNTH, nxOpts)),
    );
    const appStock = await edited(TOUCHED_APP, 'edit', () => stockRun('app edited'));
    log(`  app edited, stock ${n}: ${sec(appStock.wall)}`);
    results.appStock.push(appStock);
    results.libOurs.push(
      await edited(TOUCHED_LIBRARY, 'edit', () => nxRun(`library edited, npm run synth ${n}`, NPM_SYNTH, nxOpts)),
    );
    const libStock = await edited(TOUCHED_LIBRARY, 'edit', () => stockRun('library edited'));
    log(`  library edited, stock ${n}: ${sec(libStock.wall)}`);
    results.libStock.push(libStock);
    // Once to put the unchanged state's outputs back (restored from the cache), then timed: the
    // case of running synth twice in a row.
    await nxRun(`nothing changed, settle ${n}`, NPM_SYNTH, nxOpts);
    results.noChange.push(await nxRun(`nothing changed, npm run synth ${n}`, NPM_SYNTH, nxOpts));
  }

  const failed = [...results.appOurs, ...results.libOurs, ...results.noChange].find((r) => r.code !== 0);
  if (failed) throw new Error(`npm run synth failed in the clone:\n${failed.failure}`);
  const stockText = stockMode === 'cli' ? stockCliCommand('<tmp>').text : STOCK_APP;
  const nxVariant = (rs: NxRun[]): NxVariant => ({ ...summarize(rs), command: NPM_SYNTH.text, nxRuns: rs });
  const pair = (file: string, ours: NxRun[], stockRuns: Measured[]): EditPair => {
    const o = nxVariant(ours);
    const s = { ...summarize(stockRuns), command: stockText };
    return { file, ours: o, stock: s, ratio: ratio(o.wall, s.wall) };
  };
  const result: EditSynth = {
    clone,
    app: pair(TOUCHED_APP, results.appOurs, results.appStock),
    library: pair(TOUCHED_LIBRARY, results.libOurs, results.libStock),
    noChange: nxVariant(results.noChange),
    stockMode,
    stockNote,
    libraryMain,
  };
  return result;
}
