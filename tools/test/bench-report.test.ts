/**
 * tools/bench/report.ts and targets.ts: the targets table (met, not met, not measured), ratios
 * and synth units as the report prints them, and the sections a run produces.
 */
import * as path from 'node:path';
import { medianRun, type EditSynth, type NxVariant } from '../bench/edit-synth';
import type { NxRun, NxTask } from '../bench/nx';
import { PHASES } from '../bench/profile';
import { render, reproduceCommand, type BenchResults, type ReportOptions } from '../bench/report';
import { scaleResult, type ScaleRow } from '../bench/scale';
import { summarize } from '../bench/stats';
import type { SynthSummary } from '../bench/synth';
import { targetRows, type TargetRow } from '../bench/targets';
import type { TestLoop } from '../bench/test-loop';

const MiB = 1024 ** 2;

const synthSummary = (walls: number[], command: string, peak = 480 * MiB): SynthSummary => ({
  ...summarize(walls.map((wall) => ({ wall, peak, treePeak: peak + MiB }))),
  templates: 18,
  command,
});

const task = (id: string, seconds: number, status = 'success'): NxTask => ({ id, seconds, status });

const nxRun = (wall: number, tasks: NxTask[], code = 0, cpu?: number): NxRun => ({
  wall,
  code,
  cpu,
  cache: { hits: tasks.filter((t) => t.status.includes('cache')).length, tasks: tasks.length, line: '' },
  tasks,
  steps: [{ command: 'nx run platform:synth --output-style=stream', start: 0.9, seconds: wall - 0.9 }],
  failure: code === 0 ? undefined : 'Error: boom',
});

const nxVariant = (runs: NxRun[]): NxVariant => ({ ...summarize(runs), command: 'npm run synth', nxRuns: runs });

function scaleRows(walls: number[], treePeak?: (n: number) => number): ScaleRow[] {
  return [1, 2, 4, 8].map((n, i) => ({
    n,
    stageRegions: 2 * n,
    templates: 9 * n,
    ...summarize([{ wall: walls[i], peak: (480 + 10 * n) * MiB, treePeak: treePeak?.(n) }]),
  }));
}

/** A run where every target is met, unless `change` says otherwise. */
function results(change: (r: Mutable) => void = () => {}): BenchResults {
  const unit = 4;
  const edit: EditSynth = {
    clone: { dir: '/tmp/x/repo', head: 'abc1234', installMode: 'npm ci --offline', installSeconds: 14 },
    app: {
      file: 'apps/platform/src/main.ts',
      ours: nxVariant([
        nxRun(4.8, [task('platform:build', 0.4), task('platform:synth', 3.5)]),
        nxRun(5, [task('platform:build', 0.5), task('platform:synth', 3.6)]),
      ]),
      stock: { ...summarize([{ wall: 14 }, { wall: 15 }]), command: 'npx cdk synth --app "…"' },
      ratio: 4.9 / 14.5,
    },
    library: {
      file: 'packages/observability/src/index.ts',
      ours: nxVariant([nxRun(5.5, [task('observability:build', 0.6), task('platform:synth', 3.6)])]),
      stock: { ...summarize([{ wall: 14.5 }]), command: 'npx cdk synth --app "…"' },
      ratio: 5.5 / 14.5,
    },
    noChange: nxVariant([nxRun(1.2, [task('platform:synth', 0.05, 'local-cache-kept-existing')])]),
    stockMode: 'cli',
    libraryMain: 'lib/index.js',
  };
  const loop: TestLoop = {
    clone: edit.clone,
    cold: nxRun(30, [task('platform:test', 20), task('tools:test', 9)]),
    warm: nxRun(1.6, [task('platform:test', 0.1, 'local-cache')]),
    app: {
      file: 'apps/platform/src/main.ts',
      projects: ['platform'],
      run: nxRun(7, [task('platform:test', 6)], 0, 9.1),
    },
    library: {
      file: 'packages/observability/src/index.ts',
      projects: ['observability', 'platform'],
      run: nxRun(7.9, [task('observability:build', 1), task('observability:test', 3), task('platform:test', 6)]),
    },
    seeded: [],
  };
  const r: Mutable = {
    synth: {
      ours: synthSummary([unit, 4.2, 3.9], 'node lib/main.js'),
      stock: synthSummary([12, 12.5, 11.9], 'npx ts-node --prefer-ts-exts src/main.ts', 1350 * MiB),
      noValidation: synthSummary([1.5, 1.6, 1.4], 'CDK_VALIDATION=false node lib/main.js', 180 * MiB),
      templates: 18,
    },
    scaled: scaleResult(scaleRows([4, 4.5, 5.5, 7.5]), 2, 'node lib/main.js --context config=<file>'),
    profile: {
      wall: 5,
      command: 'NODE_OPTIONS=--cpu-prof node lib/main.js',
      total: 5000,
      phases: PHASES.map((_, k) => 3000 / (k + 1)),
      byPackage: [['@aws/cloudformation-validate (WebAssembly)', 3000]],
      functions: [['(WebAssembly) called from @aws/cloudformation-validate', 3000]],
    },
    editSynth: edit,
    review: { ...synthSummary([11, 10, 12], 'npm run diff -- --base HEAD~1'), codes: [0, 0, 1] },
    testLoop: loop,
    synthTarget: { command: 'node lib/main.js', cwd: 'apps/platform', file: 'apps/platform/project.json' },
    refresh: 'NX_DAEMON=false npx nx run-many -t build',
    load: { start: '0.50', end: '0.70' },
    head: 'abc1234',
    dirty: false,
    gnuTime: true,
    machine: {
      cpu: 'AMD EPYC',
      cores: 2,
      listedCores: 2,
      ram: '23.5 GiB',
      os: 'Debian',
      node: 'v20.20.2',
      npm: '11.19.1',
    },
    date: '2026-12-01',
    totalSeconds: 400,
    versions: { cdk: '2.276.0', cdkCli: '2.1148.1', nag: '3.0.2', ts: '5.9.3', tsNode: '10.9.2', nx: '24.0.6' },
  };
  change(r);
  return r;
}

type Mutable = { -readonly [K in keyof BenchResults]: BenchResults[K] };

const opts: ReportOptions = {
  runs: 3,
  scaleRuns: 1,
  editRuns: 2,
  quick: false,
  skipTests: false,
  skipEditSynth: false,
  inPlace: false,
  out: '/repo/docs/performance.md',
  root: '/repo',
  entry: '/repo/tools/bench/main.ts',
};

const byId = (rows: TargetRow[]) => Object.fromEntries(rows.map((r) => [r.id, r]));

describe('targets', () => {
  test('all met: the measured values in seconds, ratios and synth units', () => {
    const rows = byId(targetRows(results()));
    expect(Object.values(rows).every((r) => r.met === true)).toBe(true);
    expect(rows['synth-vs-stock']).toMatchObject({ target: '≤ 0.5 × stock', measured: '0.33 × (4.00 s vs 12.0 s)' });
    expect(rows.scale).toMatchObject({ target: '≤ 2 ×', measured: '1.88 × (7.50 s vs 4.00 s)' });
    expect(rows['scale-rss']).toMatchObject({ target: '< 1.50 GiB', measured: '0.55 GiB' });
    expect(rows['edit-app']).toMatchObject({ target: '≤ 0.4 × stock', measured: '0.34 × (4.90 s vs 14.5 s)' });
    expect(rows['edit-library']).toMatchObject({ measured: '0.38 × (5.50 s vs 14.5 s)' });
    expect(rows['no-change']).toMatchObject({ target: '≤ 1.50 s', measured: '1.20 s' });
    expect(rows['tests-cold']).toMatchObject({ target: '≤ 8.00 synths', measured: '7.50 synths (30.0 s)' });
    expect(rows['tests-warm']).toMatchObject({ target: '< 0.50 synths', measured: '0.40 synths (1.60 s)' });
    expect(rows['tests-app']).toMatchObject({ target: '≤ 2.00 synths', measured: '1.75 synths (7.00 s)' });
    expect(rows['tests-library']).toMatchObject({ measured: '1.98 synths (7.90 s)' });
    expect(rows.review).toMatchObject({ target: '< 3.00 synths', measured: '2.75 synths (11.0 s)' });
    expect(rows.baseline).toBeUndefined();
  });

  test('the memory target counts the whole process tree, the validation engine process included', () => {
    // GIVEN a synth whose own process peaks at 560 MiB and whose tree (app + engine process) at 1.6 GiB
    const rows = byId(
      targetRows(
        results((r) => {
          r.scaled = scaleResult(
            scaleRows([4, 4.5, 5.5, 7.5], (n) => (1200 + 50 * n) * MiB),
            2,
            'node lib/main.js --context config=<file>',
          );
        }),
      ),
    );
    // THEN the target reads the tree, and is not met
    expect(rows['scale-rss']).toMatchObject({ measured: '1.56 GiB', met: false });
  });

  test('limits: ≤ includes the limit, < does not', () => {
    const rows = byId(
      targetRows(
        results((r) => {
          const loop = r.testLoop as TestLoop;
          r.testLoop = { ...loop, warm: nxRun(2, []), library: { ...loop.library, run: nxRun(8, []) } };
        }),
      ),
    );
    expect(rows['tests-warm']).toMatchObject({ measured: '0.50 synths (2.00 s)', met: false });
    const atLimit = byId(targetRows(results((r) => (r.review = { ...synthSummary([12], 'x'), codes: [0] }))));
    expect(atLimit.review).toMatchObject({ measured: '3.00 synths (12.0 s)', met: false });
    expect(rows['tests-library']).toMatchObject({ measured: '2.00 synths (8.00 s)', met: true });
  });

  test('not met, with a failing run noted', () => {
    const rows = byId(
      targetRows(
        results((r) => {
          r.testLoop = { ...(r.testLoop as TestLoop), cold: nxRun(41, [task('platform:test', 40)], 1) };
          r.synth = { ...r.synth, stock: synthSummary([7], 'npx ts-node --prefer-ts-exts src/main.ts') };
        }),
      ),
    );
    expect(rows['tests-cold']).toMatchObject({ measured: '10.25 synths (41.0 s) (exit 1, see below)', met: false });
    expect(rows['synth-vs-stock']).toMatchObject({ measured: '0.57 × (4.00 s vs 7.00 s)', met: false });
  });

  test('skipped and failed sections are not measured', () => {
    const skipped = byId(targetRows(results((r) => ((r.testLoop = undefined), (r.editSynth = undefined)))));
    expect(skipped['tests-cold']).toMatchObject({ measured: 'skipped', met: undefined });
    expect(skipped['edit-app']).toMatchObject({ measured: 'skipped', met: undefined });
    const failed = byId(targetRows(results((r) => (r.editSynth = { error: 'npm run synth failed' }))));
    expect(failed['no-change']).toMatchObject({ measured: 'failed', met: undefined });
  });

  test('the baseline: current / baseline within 20 %', () => {
    const rows = byId(
      targetRows(
        results(
          (r) => (r.synth = { ...r.synth, baseline: { ...synthSummary([3.5], 'node lib/main.js'), head: 'def5678' } }),
        ),
      ),
    );
    expect(rows.baseline).toMatchObject({
      what: 'Full synth vs the baseline (def5678)',
      target: '≤ 1.2 × baseline',
      measured: '1.14 × (4.00 s vs 3.50 s)',
      met: true,
    });
  });
});

describe('render', () => {
  test('a run with every target met', () => {
    const md = render(opts, results());
    expect(md).toMatch(
      /^# Performance\n\nMeasured by \[`tools\/bench`\]\(\.\.\/tools\/bench\/main\.ts\) on 2026-12-01\./,
    );
    expect(md).toContain('Reproduce with `npm run bench -- --runs 3 --scale-runs 1 --edit-runs 2`');
    expect(md).toContain('**One synth** — the unit of the test-loop and edit targets');
    expect(md).toContain('| Full synth, default config, all checks on ');
    expect(md).toContain('| **met**');
    expect(md).not.toContain('**not met**');
    expect(md).not.toContain('## Targets not met');
    for (const heading of [
      '## Targets',
      '## Machine',
      '## 1. Full synth of the default config',
      '## 2. Scale: regions per stage',
      '## 3. Edit → synth',
      '## 4. Test loop',
      '## Where the time goes: CPU profile of one full synth',
      '## How it is measured',
    ]) {
      expect(md).toContain(`\n${heading}\n`);
    }
    expect(md).toContain('Ratio ours / stock: **0.33 ×** (wall)');
    expect(md).toContain('Ours / stock: **0.34 ×** with the app edited, **0.38 ×** with a library edited.');
    expect(md).toContain('(`node lib/main.js` in `apps/platform`, read from `apps/platform/project.json`)');
    expect(md).toMatch(
      /\| Only the app touched +\| `npx nx affected -t test --base=HEAD` \| +7\.00 s \| +1\.75 synths \| +9\.10 s \(1\.30 cores\) \| +0 \|/,
    );
    // A run without a CPU measurement says so rather than inventing one.
    expect(md).toMatch(/\| Cold +\| `npm test` +\| +30\.0 s \| +7\.50 synths \| +n\/a \| +0 \|/);
    expect(md).toContain('platform:build (0.50 s), platform:synth (3.60 s)');
    expect(md).toMatch(/\| platform:synth +\| +3\.60 s \| +3\.60 s \| +0\.05 s \(cache\) \|/);
    expect(md).toMatch(/\| other tasks, all from the cache \(count\) +\| +– \| +– \| +– \|/);
    expect(md).toContain("the library's last build, which ts-node does not rebuild");
    expect(md.endsWith('\n')).toBe(true);
    expect(md).not.toMatch(/undefined|NaN/);
  });

  test('targets not met get an account of where their time goes', () => {
    const md = render(
      opts,
      results((r) => {
        const e = r.editSynth as EditSynth;
        r.editSynth = { ...e, noChange: nxVariant([nxRun(2.5, [task('platform:synth', 0.1, 'local-cache')])]) };
        r.testLoop = {
          ...(r.testLoop as TestLoop),
          cold: nxRun(41, [task('platform:test', 40), task('data:test', 22)], 0, 70),
        };
      }),
    );
    const section = md.slice(
      md.indexOf('## Targets not met: where the time goes'),
      md.indexOf('## How it is measured'),
    );
    expect(section).toContain(
      '- **Synth with nothing changed (`npm run synth`, all cached)** (target ≤ 1.50 s, measured 2.50 s): Median ' +
        '`npm run synth`: 2.50 s = start-up before Nx (npm) 0.90 s; 1 from the cache, 0.10 s; the rest ' +
        '(Nx start-up, project graph, hashing; an estimate, as tasks may overlap) 1.50 s.',
    );
    expect(section).toContain(
      '- **Cold `npm test` (empty Nx cache)** (target ≤ 8.00 synths, measured 10.25 synths (41.0 s)): Slowest tasks run: platform:test (40.0 s), data:test (22.0 s)',
    );
    // What the CPU work alone allows on the machine's 2 cores: 70 CPU seconds take 35 s at the least.
    expect(section).toContain(
      "The machine's cores were busy for 70.0 s during it (1.71 of 2 on average): spread perfectly over 2 " +
        'cores, that much work takes 35.0 s at the least, 8.75 synths.',
    );
    expect(section.match(/^- /gm)).toHaveLength(2);

    // Busy time summed over 8 listed cores, of which the benchmark may use 2 (a --cpuset-cpus container):
    // the sum counts the other 6 too, so it gives no least time.
    const pinned = render(
      opts,
      results((r) => {
        r.machine = { ...r.machine, listedCores: 8 };
        r.testLoop = {
          ...(r.testLoop as TestLoop),
          cold: nxRun(41, [task('platform:test', 40), task('data:test', 22)], 0, 70),
        };
      }),
    );
    expect(pinned).toContain(
      "The machine's cores were busy for 70.0 s during it, summed over the 8 cores the system lists; the " +
        'benchmark may use 2 of them, so that sum counts cores it could not use and gives no least time.',
    );
    expect(pinned).not.toContain('at the least');
  });

  test('skipped sections say so; the CLI fallback is reported', () => {
    const skipped = render(
      { ...opts, skipTests: true, skipEditSynth: true },
      results((r) => ((r.testLoop = undefined), (r.editSynth = undefined))),
    );
    expect(skipped).toContain('## 3. Edit → synth\n\nSkipped (`--skip-edit-synth`).');
    expect(skipped).toContain('## 4. Test loop\n\nSkipped (`--skip-tests`).');
    expect(skipped).toContain('| not measured |');
    const fallback = render(
      opts,
      results((r) => {
        r.editSynth = { ...(r.editSynth as EditSynth), stockMode: 'app-only', stockNote: 'exit 1' };
      }),
    );
    expect(fallback).toContain('**The CDK CLI could not run here**');
  });
});

test('the median run: the middle one, or the slower of the middle two', () => {
  expect(medianRun([{ wall: 3 }, { wall: 1 }, { wall: 2 }])).toEqual({ wall: 2 });
  expect(medianRun([{ wall: 4 }, { wall: 1 }, { wall: 2 }, { wall: 3 }])).toEqual({ wall: 3 });
  expect(() => medianRun([])).toThrow('median run of no runs');
});

describe('reproduceCommand', () => {
  test('leaves defaults out', () => {
    expect(reproduceCommand({ ...opts, runs: 5, scaleRuns: 3, editRuns: 3 })).toBe('npm run bench');
    expect(reproduceCommand({ ...opts, quick: true, runs: 2, scaleRuns: 1, editRuns: 1 })).toBe(
      'npm run bench -- --quick',
    );
  });

  test('names every non-default option; --out relative to the root when inside it', () => {
    expect(
      reproduceCommand({
        ...opts,
        runs: 5,
        scaleRuns: 3,
        editRuns: 3,
        skipTests: true,
        inPlace: true,
        baseline: 'main~1',
        out: path.join('/repo', 'docs', 'perf.md'),
      }),
    ).toBe('npm run bench -- --skip-tests --in-place --baseline main~1 --out docs/perf.md');
    expect(reproduceCommand({ ...opts, runs: 5, scaleRuns: 3, editRuns: 3, out: '/tmp/p.md' })).toBe(
      'npm run bench -- --out /tmp/p.md',
    );
  });
});
