/**
 * Benchmarks synthesis and the test loop, and writes the results to docs/performance.md.
 *
 *   npm run bench -- [--runs N] [--scale-runs N] [--edit-runs N] [--quick] [--skip-tests] [--skip-edit-synth]
 *                    [--in-place] [--committed] [--baseline <git ref>] [--out <file>] [--keep-temp]
 *
 * --runs N             runs per variant of the full synth (default 5; the median is reported)
 * --scale-runs N       runs per region count of the scale test (default 3)
 * --edit-runs N        runs per variant of the edit → synth scenario (default 3)
 * --quick              fewer runs (2 full-synth runs, 1 per region count, 1 per edit variant)
 * --skip-tests         skip the test-loop measurements (cold/warm/affected test runs)
 * --skip-edit-synth    skip the edit → synth scenario and the change review (`npm run diff`)
 * --in-place           synthesize in this checkout (uncommitted changes included) instead of the clone
 * --committed          measure HEAD alone: do not carry the checkout's uncommitted changes into the clone
 * --baseline <ref>     also measure the full synth of that commit (its own clone), interleaved, and
 *                      report current / baseline
 * --out <file>         where the report goes (default docs/performance.md; relative to where npm was run)
 * --keep-temp          keep the temporary folder (configs, outdirs, clones, profiles) and print its path
 *
 * Everything runs in a throwaway clone of HEAD (`git clone` + `npm ci --prefer-offline`, not timed), with
 * the checkout's uncommitted changes as they are at the start applied and committed in the clone
 * (unless --committed), so that others editing or rebuilding this checkout cannot change the code
 * between runs, and the test loop gets its own empty Nx cache. --in-place measures the full synth
 * in this checkout.
 *
 * What it measures (the report states the targets):
 * 1. Full synth of the default config, all checks on: the app as its Nx synth target runs it
 *    (the command in apps/platform/project.json) beside the stock `cdk init` setup
 *    (`npx ts-node --prefer-ts-exts src/main.ts`), interleaved, each into its own temporary outdir
 *    (CDK_OUTDIR), plus a breakdown without the CDK's CloudFormation validation
 *    (CDK_VALIDATION=false), and the --baseline commit. Ours, stock and the breakdown must write
 *    the same templates, byte for byte, or the benchmark stops. Its median is "one synth", the
 *    unit every other scenario is also reported in.
 * 2. Scale: 1, 2, 4 and 8 regions per stage, configs generated from the default config.
 * 3. Edit → synth in the clone (Nx cache on): app or library edited, `npm run synth` vs the stock
 *    `npx cdk synth`, and `npm run synth` with nothing changed; then the change review,
 *    `npm run diff -- --base HEAD~1`, without its cached base assembly.
 * 4. The test loop in the clone with its own, empty Nx cache: `npm test` cold and warm, and
 *    `nx affected -t test` after touching only the app, and after touching one library.
 * 5. A CPU profile of one synth, summarized.
 *
 * Nothing here calls AWS, and nothing is written to this checkout except the report (and, with
 * --in-place, what the synth target's dependencies build, e.g. lib/ folders).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_OUT, parseArgs, USAGE, UsageError, type BenchOptions } from './args';
import { editSynth } from './edit-synth';
import { GiB, sec } from './format';
import { cleanEnv, detectGnuTime, killCurrent, log, run, type RunContext } from './process';
import { cpuProfile } from './profile';
import { README_PERFORMANCE, withReadmeBlock } from '../../apps/platform/src/docs/readme-block';
import { readmeSummary, render, type BenchResults, type Machine } from './report';
import { review } from './review';
import { scale } from './scale';
import { fullSynth, synthVariants } from './synth';
import type { Failed } from './targets';
import { testLoop } from './test-loop';
import {
  APP_PROJECT_ROOT,
  nxEnv,
  pkgVersion,
  prepareClone,
  refreshSynthInputs,
  resolveCommit,
  synthTargetOf,
  type Clone,
  type SynthTarget,
} from './workspace';

const BENCH_DIR = __dirname;
const ROOT = path.resolve(BENCH_DIR, '..', '..');
/** What the report links to as the benchmark. */
const ENTRY = path.join(BENCH_DIR, 'main.ts');

function machine(): Machine {
  const osRelease = fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf-8') : '';
  const distro = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1];
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    listedCores: cpus.length,
    ram: `${(os.totalmem() / GiB).toFixed(1)} GiB`,
    os: `${distro ?? os.type()} (${os.type()} ${os.release()}, ${os.arch()})`,
    node: process.version,
    npm: run('npm', ['--version'], { env: cleanEnv() }).stdout.trim(),
  };
}

const loadAverage = () => os.loadavg()[0].toFixed(2);

/** Runs a section whose failure should not lose the synth results: the report says what failed. */
async function orFailed<T>(name: string, go: () => Promise<T>): Promise<T | Failed> {
  try {
    return await go();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log(`${name}: ${message}`);
    return { error: message };
  }
}

async function bench(opts: BenchOptions, tmpRoot: string): Promise<void> {
  const started = performance.now();
  const ctx: RunContext = { tmpRoot, gnuTime: detectGnuTime() };
  log(`temporary folder: ${tmpRoot}${opts.keepTemp ? ' (kept)' : ''}`);
  log(`peak RSS via ${ctx.gnuTime ? 'GNU time (%M)' : '/proc sampling (GNU time not found)'}`);
  const load = { start: loadAverage(), end: '' };

  const headCommit = resolveCommit(ROOT, 'HEAD', 'HEAD');
  let baselineCommit: string | undefined;
  try {
    baselineCommit = opts.baseline ? resolveCommit(ROOT, opts.baseline, '--baseline') : undefined;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const head = run('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).stdout.trim();
  const dirty = run('git', ['status', '--porcelain', '--', 'apps', 'packages'], { cwd: ROOT }).stdout.trim() !== '';
  const needClone = !opts.inPlace || !opts.skipTests || !opts.skipEditSynth;
  const clone: Clone | undefined = needClone
    ? prepareClone(ROOT, headCommit, path.join(tmpRoot, 'repo'), !opts.committed)
    : undefined;
  const workRoot = opts.inPlace || !clone ? ROOT : clone.dir;
  const appDir = path.join(workRoot, APP_PROJECT_ROOT);

  // What synth depends on (e.g. the build), refreshed through Nx with a private cache in the
  // clone; in this checkout with the checkout's own cache.
  const target = synthTargetOf(workRoot);
  log(`synth target: ${target.command} (in ${path.relative(workRoot, target.cwd) || '.'})`);
  const buildEnv = opts.inPlace ? cleanEnv({ NX_DAEMON: 'false' }) : nxEnv(tmpRoot, 'nx-build');
  // The stock variant imports the libraries through their package.json `main` (lib/), so the build is
  // refreshed too, whatever the synth target depends on.
  const withBuild = (t: SynthTarget): SynthTarget => ({ ...t, dependsOn: [...new Set([...t.dependsOn, 'build'])] });
  const refresh = refreshSynthInputs(workRoot, withBuild(target), buildEnv);

  let baseline: Parameters<typeof fullSynth>[4];
  if (baselineCommit) {
    const b = prepareClone(ROOT, baselineCommit, path.join(tmpRoot, 'baseline'));
    const bTarget = synthTargetOf(b.dir);
    const bEnv = nxEnv(tmpRoot, 'nx-baseline');
    refreshSynthInputs(b.dir, withBuild(bTarget), bEnv);
    const bVariants = synthVariants(bTarget, path.join(b.dir, APP_PROJECT_ROOT), 1);
    baseline = { variant: { ...bVariants.ours, label: 'baseline' }, env: cleanEnv(), head: b.head };
  }

  const env = cleanEnv();
  const variants = synthVariants(target, appDir, opts.inPlace ? 2 : 1);
  const synth = await fullSynth(ctx, opts.runs, env, variants, baseline);
  const scaled = await scale(ctx, opts.scaleRuns, variants.ours, appDir, env);
  const profile = await orFailed('cpu profile', () => cpuProfile(ctx, variants.ours, env, workRoot));
  // The edit scenario reuses the clone's build cache (its builds are already there, as after a
  // person's last synth); the test loop starts from an empty cache of its own.
  const edits =
    opts.skipEditSynth || !clone
      ? undefined
      : await orFailed('edit → synth', () =>
          editSynth(ctx, clone, opts.editRuns, opts.inPlace ? nxEnv(tmpRoot, 'nx-edit') : buildEnv),
        );
  const reviewed =
    opts.skipEditSynth || !clone
      ? undefined
      : await orFailed('review', () => review(ctx, clone, opts.editRuns, buildEnv));
  const tests =
    opts.skipTests || !clone
      ? undefined
      : await orFailed('tests', () => testLoop(ctx, clone, { root: ROOT, benchDir: BENCH_DIR, out: opts.out }));
  load.end = loadAverage();

  const results: BenchResults = {
    synth,
    scaled,
    profile,
    editSynth: edits,
    review: reviewed,
    testLoop: tests,
    synthTarget: {
      command: target.command,
      cwd: path.relative(workRoot, target.cwd) || '.',
      file: path.join(APP_PROJECT_ROOT, 'project.json'),
    },
    refresh,
    load,
    head,
    dirty,
    clone,
    gnuTime: ctx.gnuTime,
    machine: machine(),
    date: new Date().toISOString().slice(0, 10),
    totalSeconds: (performance.now() - started) / 1000,
    versions: {
      cdk: pkgVersion('aws-cdk-lib', appDir),
      cdkCli: pkgVersion('aws-cdk', appDir),
      nag: pkgVersion('cdk-nag', appDir),
      ts: pkgVersion('typescript', workRoot),
      tsNode: pkgVersion('ts-node', workRoot),
      nx: pkgVersion('nx', workRoot),
    },
  };
  const report = render({ ...opts, root: ROOT, entry: ENTRY }, results);
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, report);
  process.stdout.write(report);
  if (opts.out === path.join(ROOT, DEFAULT_OUT)) {
    const readme = path.join(ROOT, 'README.md');
    fs.writeFileSync(
      readme,
      withReadmeBlock(fs.readFileSync(readme, 'utf-8'), README_PERFORMANCE, readmeSummary(results)),
    );
    log('updated the performance block of README.md');
  }
  log(`wrote ${path.relative(process.env.INIT_CWD ?? process.cwd(), opts.out)} in ${sec(results.totalSeconds)}`);
}

/** Runs the benchmark with these arguments; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseArgs(argv, { root: ROOT, cwd: process.env.INIT_CWD ?? process.cwd() });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`bench: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'baseline-bench-'));
  const cleanUp = () => {
    killCurrent();
    if (!opts.keepTemp) fs.rmSync(tmpRoot, { recursive: true, force: true });
  };
  const onSigint = () => {
    log('interrupted; cleaning up');
    cleanUp();
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  try {
    await bench(opts, tmpRoot);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`bench: ${e.message}\n${USAGE}`);
      return 2;
    }
    console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    cleanUp();
  }
}

/** The command-line entry point (cli.mjs, or `ts-node tools/bench/main.ts`). */
export function cli(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) cli();
