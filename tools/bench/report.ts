/**
 * The report (docs/performance.md by default) as Markdown: what was measured, medians, ranges and
 * ratios (each scenario also in units of one synth), the machine, and for every target not met,
 * where the time goes. Rendering is a pure function of the results, so that it can be tested.
 */
import * as path from 'node:path';
import { defaultCounts, DEFAULT_OUT, type BenchOptions } from './args';
import type { EditPair, EditSynth, NxVariant } from './edit-synth';
import { medianRun } from './edit-synth';
import { mib, rangeText, sec, status, synths, table, times } from './format';
import { ranTask, tasksRun, type NxRun, type NxTask } from './nx';
import { PHASES, type CpuProfileResult } from './profile';
import type { Scale } from './scale';
import { ratio } from './stats';
import type { FullSynth, SynthSummary } from './synth';
import { isFailed, targetRows, type Failed, type TargetRow } from './targets';
import type { Review } from './review';
import { AFFECTED_COMMAND, type TestLoop } from './test-loop';
import type { Clone } from './workspace';

export interface Machine {
  readonly cpu: string;
  /** The cores the benchmark's processes may run on (os.availableParallelism(): the CPU affinity). */
  readonly cores: number;
  /**
   * The cores the system lists (os.cpus(), /proc/stat on Linux), whose busy time a run's machine CPU
   * sums (nx.ts, busyCpuSeconds): more than `cores` where the affinity leaves some out (a container
   * started with --cpuset-cpus), and then that sum counts cores the benchmark could not use.
   */
  readonly listedCores: number;
  readonly ram: string;
  readonly os: string;
  readonly node: string;
  readonly npm: string;
}

export interface BenchResults {
  readonly synth: FullSynth;
  readonly scaled: Scale;
  readonly profile: CpuProfileResult | Failed;
  readonly editSynth?: EditSynth | Failed;
  readonly testLoop?: TestLoop | Failed;
  readonly review?: Review | Failed;
  /** How the app's synth target runs (from apps/platform/project.json). */
  readonly synthTarget: { readonly command: string; readonly cwd: string; readonly file: string };
  /** The Nx command that refreshed what synth depends on, before the timings. */
  readonly refresh: string;
  readonly load: { readonly start: string; readonly end: string };
  readonly head: string;
  readonly dirty: boolean;
  /** The throwaway clone, when one was made. */
  readonly clone?: Clone;
  readonly gnuTime: boolean;
  readonly machine: Machine;
  readonly date: string;
  readonly totalSeconds: number;
  readonly versions: Readonly<Record<'cdk' | 'cdkCli' | 'nag' | 'ts' | 'tsNode' | 'nx', string>>;
}

export type ReportOptions = Pick<
  BenchOptions,
  'runs' | 'scaleRuns' | 'editRuns' | 'quick' | 'skipTests' | 'skipEditSynth' | 'inPlace' | 'baseline' | 'out'
> &
  Partial<Pick<BenchOptions, 'committed'>> & {
    /** The repository root. */
    readonly root: string;
    /** The benchmark's entry point, linked from the report. */
    readonly entry: string;
  };

/** The command that reproduces this report. */
export function reproduceCommand(opts: ReportOptions): string {
  const defaults = defaultCounts(opts.quick);
  const extra: string[] = [];
  if (opts.quick) extra.push('--quick');
  if (opts.runs !== defaults.runs) extra.push(`--runs ${opts.runs}`);
  if (opts.scaleRuns !== defaults.scaleRuns) extra.push(`--scale-runs ${opts.scaleRuns}`);
  if (opts.editRuns !== defaults.editRuns) extra.push(`--edit-runs ${opts.editRuns}`);
  if (opts.skipTests) extra.push('--skip-tests');
  if (opts.skipEditSynth) extra.push('--skip-edit-synth');
  if (opts.inPlace) extra.push('--in-place');
  if (opts.committed) extra.push('--committed');
  if (opts.baseline) extra.push(`--baseline ${opts.baseline}`);
  const rel = path.relative(opts.root, opts.out);
  if (rel !== DEFAULT_OUT) extra.push(`--out ${rel.startsWith('..') ? opts.out : rel}`);
  return ['npm run bench', ...(extra.length ? ['--', ...extra] : [])].join(' ');
}

const code = (s: string) => `\`${s}\``;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const inSynths = (seconds: number | undefined, unit: number) => synths(ratio(seconds, unit));
const share = (part: number, total: number) => `${total > 0 ? Math.round((100 * part) / total) : 0} %`;
/** How many cores a run kept busy on average: its machine CPU over its wall time. */
const coresBusy = (cpu: number, wall: number) => (cpu / wall).toFixed(2);
/** The machine's busy CPU time during a run, and how many cores that kept busy on average. */
const cpuText = (run: NxRun) =>
  run.cpu === undefined ? 'n/a' : `${sec(run.cpu)} (${coresBusy(run.cpu, run.wall)} cores)`;
const taskList = (tasks: readonly NxTask[]) =>
  tasks.length ? tasks.map((t) => `${t.id} (${sec(t.seconds)})`).join(', ') : 'none';

export function render(opts: ReportOptions, r: BenchResults): string {
  const md: string[] = [];
  const rows = targetRows(r);
  md.push(...intro(opts, r));
  md.push('## Targets', '');
  md.push(targetsTable(rows), '');
  md.push(...machineSection(r));
  md.push(...synthSection(r));
  md.push(...scaleSection(r));
  md.push(...editSection(r));
  md.push(...reviewSection(r));
  md.push(...testSection(r));
  md.push(...profileSection(r.profile));
  md.push(...notMetSection(rows, r));
  md.push(...howSection(r));
  return `${md.join('\n').trimEnd()}\n`;
}

/** The targets, met or not: the table docs/performance.md opens with, and README.md's summary. */
function targetsTable(rows: readonly TargetRow[]): string {
  return table(
    ['What', 'Target', 'Measured (median)', 'Status'],
    rows.map((t) => [t.what, t.target, t.measured, status(t.met)]),
  );
}

/**
 * README.md's performance block: where and when, one synth in seconds, and the targets table of
 * docs/performance.md as it is there (a test compares the two).
 */
export function readmeSummary(r: BenchResults): string {
  return [
    `Measured by \`npm run bench\` on ${r.date} (${r.machine.cores} cores, ${r.machine.cpu}); one synth = ` +
      `${sec(r.synth.ours.wall)} there. Details and where the time goes: [docs/performance.md](docs/performance.md).`,
    '',
    targetsTable(targetRows(r)),
  ].join('\n');
}

function intro(opts: ReportOptions, r: BenchResults): string[] {
  const link = path.relative(path.dirname(opts.out), opts.entry).split(path.sep).join('/');
  const carried = r.clone?.uncommitted?.length
    ? ` with the checkout's uncommitted changes to ${r.clone.uncommitted.length} files applied and committed in it ` +
      `as ${r.clone.head} (\`--committed\` leaves them out)`
    : '';
  const where = opts.inPlace
    ? `measured in this checkout at ${r.head}${r.dirty ? ' with uncommitted changes' : ''} (\`--in-place\`)`
    : `measured in a throwaway clone of commit ${r.clone?.base ?? r.head}${carried} (so that edits and rebuilds in ` +
      'the checkout cannot change the code between runs; `--in-place` measures the checkout itself, uncommitted ' +
      'changes included)';
  return [
    '# Performance',
    '',
    `Measured by [\`tools/bench\`](${link}) on ${r.date}. Reproduce with \`${reproduceCommand(opts)}\` ` +
      '(options: `--runs N`, `--scale-runs N`, `--edit-runs N`, `--quick`, `--skip-tests`, `--skip-edit-synth`, ' +
      '`--in-place`, `--committed`, `--baseline <git ref>`, `--out <file>`). ' +
      `Synth figures are the medians of ${plural(opts.runs, 'run')} (scale: ${opts.scaleRuns} per region count; ` +
      `edit → synth: ${opts.editRuns} per variant), ${where}; the edit → synth scenario and the test loop always ` +
      `run in the clone. The benchmark took ${sec(r.totalSeconds)} in all.`,
    '',
    `**One synth** — the unit of the test-loop and edit targets — is the median full synth of the default config ` +
      `with all checks on, measured in the same run: **${sec(r.synth.ours.wall)}** here. Expressing the other ` +
      'scenarios in synths keeps the targets meaningful on a faster or a slower machine.',
    '',
  ];
}

function machineSection(r: BenchResults): string[] {
  const m = r.machine;
  const v = r.versions;
  return [
    '## Machine',
    '',
    table(['CPU', 'Cores', 'RAM', 'OS', 'Node', 'npm'], [[m.cpu, String(m.cores), m.ram, m.os, m.node, m.npm]]),
    '',
    `aws-cdk-lib ${v.cdk}, aws-cdk (CLI) ${v.cdkCli}, cdk-nag ${v.nag}, TypeScript ${v.ts}, ts-node ${v.tsNode}, ` +
      `Nx ${v.nx}. 1-minute load average: ${r.load.start} at the start, ${r.load.end} at the end ` +
      '(other work on the machine makes wall times noisy; compare runs from a quiet machine).',
    '',
  ];
}

function synthSection(r: BenchResults): string[] {
  const { synth } = r;
  const unit = synth.ours.wall;
  const row = (name: string, s: SynthSummary, command = s.command) => [
    name,
    code(command),
    sec(s.wall),
    rangeText(s.walls),
    inSynths(s.wall, unit),
    mib(s.peak),
    mib(s.treePeak),
    String(s.runs),
  ];
  const rows = [
    row('This repository', synth.ours),
    row('Stock (`cdk init` app)', synth.stock),
    row('Breakdown: ours without built-in CloudFormation validation', synth.noValidation),
  ];
  if (synth.baseline) rows.push(row(`Baseline (${synth.baseline.head})`, synth.baseline));
  const synthRatio = ratio(synth.ours.wall, synth.stock.wall);
  const validationShare = synth.ours.wall - synth.noValidation.wall;
  const md = [
    '## 1. Full synth of the default config',
    '',
    `The app as its Nx synth target runs it (${code(r.synthTarget.command)} in ${code(r.synthTarget.cwd)}, read ` +
      `from \`${r.synthTarget.file}\`), beside the stock \`cdk init\` setup, each run into its own temporary ` +
      `\`CDK_OUTDIR\`, variants interleaved. All ${synth.templates} templates are byte-identical across every run ` +
      'of ours, stock and the breakdown.',
    '',
    table(
      [
        'Variant',
        'Command',
        'Wall (median)',
        'Range',
        'In synths',
        'Peak RSS, app process',
        'Peak RSS, whole tree',
        'Runs',
      ],
      rows,
      ['l', 'l', 'r', 'l', 'r', 'r', 'r', 'r'],
    ),
    '',
    `Ratio ours / stock: **${times(synthRatio)}** (wall), ${times(ratio(synth.ours.peak, synth.stock.peak))} (peak ` +
      `RSS). The built-in CloudFormation validation accounts for about ${sec(validationShare)} ` +
      `(${share(validationShare, synth.ours.wall)}) of our synth; the headline figures keep it on.`,
    '',
  ];
  if (synth.baseline) {
    md.push(
      `Against the baseline ${synth.baseline.head} (its own clone, \`npm ci --prefer-offline\`, its build refreshed the same ` +
        `way, runs interleaved with the current ones): current / baseline = ` +
        `**${times(ratio(synth.ours.wall, synth.baseline.wall))}** (${synth.baseline.templates} templates at the ` +
        `baseline, ${synth.templates} now).`,
      '',
    );
  }
  return md;
}

function scaleSection(r: BenchResults): string[] {
  const s = r.scaled;
  const unit = r.synth.ours.wall;
  return [
    '## 2. Scale: regions per stage',
    '',
    `Configs generated from \`apps/platform/config/platform.yaml\` with 1 to ${s.last.n} regions in each of its ` +
      `${s.stagesCount} stages (zones a–c as the stage needs, disjoint /16 ranges), synthesized with ${code(s.command)}.`,
    '',
    table(
      ['Regions per stage', 'Stage-regions', 'Templates', 'Wall (median)', 'Range', 'In synths', 'Peak RSS', 'Runs'],
      s.rows.map((x) => [
        String(x.n),
        String(x.stageRegions),
        String(x.templates),
        sec(x.wall),
        rangeText(x.walls),
        inSynths(x.wall, unit),
        mib(x.peak),
        String(x.runs),
      ]),
      ['r', 'r', 'r', 'r', 'l', 'r', 'r', 'r'],
    ),
    '',
    `Least squares over the medians: **${sec(s.time.slope)} per added stage-region** ` +
      `(fixed part ${sec(s.time.intercept)})` +
      (s.memory ? `, ${mib(s.memory.slope)} of peak RSS per stage-region` : '') +
      `. ${s.last.n} / ${s.first.n} region(s) per stage: **${times(s.ratio)}** the time.`,
    '',
  ];
}

function reviewSection(r: BenchResults): string[] {
  const v = r.review;
  const md = ['## 3b. Change review', ''];
  if (v === undefined) return [...md, 'Skipped (`--skip-edit-synth`).', ''];
  if (isFailed(v)) return [...md, '**Failed**, so not measured:', '', '```text', v.error, '```', ''];
  md.push(
    `${code(v.command)} in the clone, as a person reviews a change before a push: it synthesizes the base commit in a ` +
      'temporary worktree (from source, built-in validation off) beside the working tree (every check on), then ' +
      "compares every stack. The review's cache of base assemblies is emptied before each run. " +
      `Median ${sec(v.wall)} (${rangeText(v.walls)}), **${inSynths(v.wall, r.synth.ours.wall)}**, over ` +
      `${plural(v.runs, 'run')}; exit codes ${v.codes.join(', ')} (1: a guard refused the change, which still counts).`,
    '',
  );
  return md;
}

function editSection(r: BenchResults): string[] {
  const e = r.editSynth;
  const md = ['## 3. Edit → synth', ''];
  if (e === undefined) return [...md, 'Skipped (`--skip-edit-synth`).', ''];
  if (isFailed(e)) return [...md, '**Failed**, so not measured:', '', '```text', e.error, '```', ''];
  const unit = r.synth.ours.wall;
  const ran = (v: NxVariant) => taskList(tasksRun(medianRun(v.nxRuns)));
  const row = (name: string, command: string, s: NxVariant | EditPair['stock'], tasks: string) => [
    name,
    code(command),
    sec(s.wall),
    rangeText(s.walls),
    inSynths(s.wall, unit),
    tasks,
    String(s.runs),
  ];
  md.push(
    `The way a person works, in the clone of ${e.clone.head} with the Nx cache on and \`NX_DAEMON=false\`: a comment ` +
      'line appended to a file (a new one each run, so that Nx cannot serve an earlier edit from its cache), then ' +
      'synth, then the file restored. Ours is `npm run synth` as typed (npm, then Nx: the app from source, ' +
      `transpile-only, or its cloud assembly from the cache); stock is ${code(e.app.stock.command)} in \`apps/platform\`. Variants alternate run by run; ` +
      'one warm-up of each is not counted.',
    '',
    table(
      ['Scenario', 'Command', 'Wall (median)', 'Range', 'In synths', 'Nx tasks run (median run)', 'Runs'],
      [
        row('App edited (`src/main.ts`): ours', e.app.ours.command, e.app.ours, ran(e.app.ours)),
        row('App edited: stock', e.app.stock.command, e.app.stock, '–'),
        row(
          `Library edited (\`${e.library.file}\`): ours`,
          e.library.ours.command,
          e.library.ours,
          ran(e.library.ours),
        ),
        row('Library edited: stock', e.library.stock.command, e.library.stock, '–'),
        row('Nothing changed: ours', e.noChange.command, e.noChange, ran(e.noChange)),
      ],
      ['l', 'l', 'r', 'l', 'r', 'l', 'r'],
    ),
    '',
    `Ours / stock: **${times(e.app.ratio)}** with the app edited, **${times(e.library.ratio)}** with a library ` +
      'edited.',
    '',
  );
  md.push(
    e.stockMode === 'cli'
      ? 'The CDK CLI runs offline: `--no-notices` (notices are fetched from the network), `CDK_DISABLE_CLI_TELEMETRY=true`, ' +
          '`CDK_DISABLE_VERSION_CHECK=true`, `AWS_EC2_METADATA_DISABLED=true` (no instance-metadata probe for ' +
          'credentials), and `--build ""`, which drops the pre-synth build of this repository\'s `cdk.json` (a stock ' +
          'app has none). With no credentials the CLI only logs that it cannot determine the default account, ' +
          'defaults the region to us-east-1 and synthesizes; synth makes no AWS call.'
      : `**The CDK CLI could not run here**, so the stock variant is its app command alone (\`${e.app.stock.command}\`), ` +
          "which leaves out the CLI's own start-up and favours stock. The CLI's last lines:\n\n```text\n" +
          `${e.stockNote ?? ''}\n\`\`\``,
    '',
    `Stock with a library edited: the stock app imports the library through its package.json \`main\` ` +
      `(\`${e.libraryMain}\`)` +
      (/\.ts$/.test(e.libraryMain)
        ? ', its source, which ts-node compiles with the app.'
        : ", the library's last build, which ts-node does not rebuild: stock would synthesize the library as it " +
          'was before the edit, so its time is a lower bound for a correct stock synth.'),
    '',
  );
  const med = (v: NxVariant) => medianRun(v.nxRuns);
  const columns = [med(e.app.ours), med(e.library.ours), med(e.noChange)];
  const ranIds = [...new Set(columns.flatMap((run) => tasksRun(run).map((t) => t.id)))];
  const cell = (run: NxRun, id: string) => {
    const t = run.tasks.find((x) => x.id === id);
    return t ? `${sec(t.seconds)}${ranTask(t) ? '' : ' (cache)'}` : '–';
  };
  const otherCached = (run: NxRun) => {
    const rest = run.tasks.filter((t) => !ranIds.includes(t.id));
    return rest.length ? `${sec(rest.reduce((s, t) => s + t.seconds, 0))} (${rest.length})` : '–';
  };
  md.push('Nx tasks of the median `npm run synth` runs (from `NX_PROFILE`):', '');
  md.push(
    table(
      ['Step', 'App edited', 'Library edited', 'Nothing changed'],
      [
        ['start-up before Nx (`npm`, until it runs the script)', ...columns.map(startup)],
        ...ranIds.map((id) => [id, ...columns.map((run) => cell(run, id))]),
        ['other tasks, all from the cache (count)', ...columns.map(otherCached)],
        ['wall', ...columns.map((run) => sec(run.wall))],
      ],
      ['l', 'r', 'r', 'r'],
    ),
    '',
  );
  return md;
}

const startup = (run: NxRun) => sec(run.steps[0]?.start);

function testSection(r: BenchResults): string[] {
  const t = r.testLoop;
  const md = ['## 4. Test loop', ''];
  if (t === undefined) return [...md, 'Skipped (`--skip-tests`).', ''];
  if (isFailed(t)) return [...md, '**Failed**, so not measured:', '', '```text', t.error, '```', ''];
  const unit = r.synth.ours.wall;
  const cacheText = (run: NxRun) => (run.cache ? `${run.cache.hits}/${run.cache.tasks} hit` : 'n/a');
  const ranText = (run: NxRun, list: boolean) => {
    const ran = tasksRun(run);
    return list ? (ran.length ? ran.map((x) => x.id).join(', ') : 'none') : String(ran.length);
  };
  const row = (name: string, command: string, run: NxRun, list: boolean) => [
    name,
    code(command),
    sec(run.wall),
    inSynths(run.wall, unit),
    cpuText(run),
    String(run.code),
    cacheText(run),
    ranText(run, list),
  ];
  md.push(
    `In the throwaway clone of ${t.clone.head} (\`${t.clone.installMode}\`, ${sec(t.clone.installSeconds)}, not ` +
      'timed), with `NX_DAEMON=false`, a private, empty Nx cache (`NX_CACHE_DIRECTORY`, `NX_WORKSPACE_DATA_DIRECTORY`) ' +
      "and a private `TMPDIR` (Jest's cache). The cold run starts from the empty cache rather than with " +
      '`--skip-nx-cache`, because that flag also stops Nx from writing the cache the warm run needs; the hit counts ' +
      'below prove both states. The validation engine keeps its reports in a folder of the run that starts empty ' +
      '(`PLATFORM_VALIDATE_CACHE`; packages/rules, validate-engine.cjs): the cold run validates every template at ' +
      'least once, and the later runs validate only templates with a content, stack, account, region or rule set ' +
      'not validated before. Machine CPU: how long the cores were busy during the run (all of them, summed), ' +
      'and how many cores that kept busy on average; it counts what the run starts and its own accounting ' +
      "misses (the validation engines' processes), and anything else the machine ran meanwhile, the benchmark's " +
      'own sampling of the memory of the run (a few percent of one core) included.',
    '',
  );
  if (t.seeded.length > 0) {
    md.push(
      'Copied into the clone first, because HEAD does not have them yet and a test checks the links to them: ' +
        `${t.seeded.map(code).join(', ')}.`,
      '',
    );
  }
  md.push(
    table(
      ['Run', 'Command', 'Wall', 'In synths', 'Machine CPU', 'Exit', 'Nx cache', 'Nx tasks run'],
      [
        row('Cold', 'npm test', t.cold, false),
        row('Warm', 'npm test', t.warm, false),
        row('Only the app touched', AFFECTED_COMMAND, t.app.run, true),
        row('One library touched', AFFECTED_COMMAND, t.library.run, true),
      ],
      ['l', 'l', 'r', 'r', 'r', 'r', 'l', 'l'],
    ),
    '',
  );
  for (const [name, run] of [
    ['cold', t.cold],
    ['warm', t.warm],
    ['app-touched', t.app.run],
    ['library-touched', t.library.run],
  ] as const) {
    if (run.failure) {
      md.push(`**The ${name} run failed** (exit ${run.code}); its time still counts. Last lines:`, '');
      md.push('```text', run.failure, '```', '');
    }
  }
  md.push(
    `Touched runs: a comment appended (uncommitted) to \`${t.app.file}\`, then, after restoring it, to ` +
      `\`${t.library.file}\`; \`nx show projects --affected\` lists ${t.app.projects.map(code).join(', ')} for the ` +
      `first and ${t.library.projects.map(code).join(', ')} for the second. A comment changes no template, so the ` +
      'validation engine answers every template of these runs from the reports it kept; an edit that changes ' +
      'templates has those validated again.',
    '',
  );
  md.push("Where the time of `npm test` goes, step by step (from when each step's banner appeared):", '');
  md.push(
    table(
      ['Step', 'Cold', 'Warm'],
      [
        ['start-up (`npm`, until it runs the script)', startup(t.cold), startup(t.warm)],
        ...t.cold.steps.map((s, i) => [stepName(s.command), sec(s.seconds), sec(t.warm.steps[i]?.seconds)]),
      ],
      ['l', 'r', 'r'],
    ),
    '',
  );
  const slowest = [...t.cold.tasks].sort((a, b) => b.seconds - a.seconds).slice(0, 10);
  const touched = (run: NxRun, id: string) => {
    const a = run.tasks.find((y) => y.id === id);
    return a ? `${sec(a.seconds)} (${a.status})` : '–';
  };
  md.push('Slowest Nx tasks (from `NX_PROFILE`; Nx runs several tasks at once, so they overlap):', '');
  md.push(
    table(
      ['Task', 'Cold', 'App touched', 'Library touched'],
      slowest.map((x) => [x.id, sec(x.seconds), touched(t.app.run, x.id), touched(t.library.run, x.id)]),
      ['l', 'r', 'r', 'r'],
    ),
    '',
  );
  return md;
}

function stepName(command: string): string {
  return command.startsWith('nx ') ? `\`${command}\` (Nx)` : `\`${command}\``;
}

function profileSection(p: CpuProfileResult | Failed): string[] {
  const heading = ['## Where the time goes: CPU profile of one full synth', ''];
  if (isFailed(p)) return [...heading, '**Failed**, so not measured:', '', '```text', p.error, '```', ''];
  return [
    ...heading,
    `${code(p.command)} (${sec(p.wall)} wall with the profiler, ${sec(p.total / 1000)} sampled). ` +
      'Inclusive times (a row includes its sub-rows: 4.1 is part of 4).',
    '',
    table(
      ['#', 'Phase', 'CPU', 'Share'],
      PHASES.map((phase, k) => [phase.outline, phase.label, sec(p.phases[k] / 1000), share(p.phases[k], p.total)]),
      ['l', 'l', 'r', 'r'],
    ),
    '',
    'Self time by package (WebAssembly and native frames counted to their JavaScript caller):',
    '',
    table(
      ['Package', 'Self time', 'Share'],
      p.byPackage.map(([k, v]) => [k, sec(v / 1000), share(v, p.total)]),
      ['l', 'r', 'r'],
    ),
    '',
    'Top functions by self time:',
    '',
    table(
      ['Function', 'Self time'],
      p.functions.map(([k, v]) => [code(k), sec(v / 1000)]),
      ['l', 'r'],
    ),
    '',
  ];
}

/** For each target not met, a short account of where its time goes. */
function notMetSection(rows: readonly TargetRow[], r: BenchResults): string[] {
  const notMet = rows.filter((t) => t.met === false);
  if (notMet.length === 0) return [];
  const md = ['## Targets not met: where the time goes', ''];
  const profile = r.profile;
  const p: CpuProfileResult = isFailed(profile)
    ? { wall: 0, command: '', total: 0, phases: PHASES.map(() => 0), byPackage: [], functions: [] }
    : profile;
  const noProfile = isFailed(profile) ? 'no CPU profile to show where (it failed, see above)' : undefined;
  const phase = (k: number) => `${PHASES[k].label} ${sec(p.phases[k] / 1000)} (${share(p.phases[k], p.total)})`;
  const topLevel = () =>
    PHASES.map((_, k) => k)
      .filter((k) => !PHASES[k].outline.includes('.'))
      .sort((a, b) => p.phases[b] - p.phases[a])
      .slice(0, 2)
      .map(phase)
      .join('; ');
  const largestLeaf = () =>
    PHASES.map((_, k) => k)
      .filter((k) => PHASES[k].outline.split('.').length >= 3)
      .sort((a, b) => p.phases[b] - p.phases[a])
      .slice(0, 2)
      .map(phase)
      .join('; ');
  const unit = r.synth.ours.wall;
  const nxBreakdown = (run: NxRun) => {
    const ran = tasksRun(run).sort((a, b) => b.seconds - a.seconds);
    const cached = run.tasks.filter((x) => !ranTask(x));
    const inTasks = run.tasks.reduce((s, x) => s + x.seconds, 0);
    const before = run.steps[0]?.start ?? 0;
    const rest = Math.max(0, run.wall - before - inTasks);
    const parts = [`start-up before Nx (npm) ${sec(before)}`];
    if (ran.length) parts.push(`tasks run: ${ran.map((x) => `${x.id} ${sec(x.seconds)}`).join(', ')}`);
    if (cached.length) parts.push(`${cached.length} from the cache, ${sec(cached.reduce((s, x) => s + x.seconds, 0))}`);
    parts.push(`the rest (Nx start-up, project graph, hashing; an estimate, as tasks may overlap) ${sec(rest)}`);
    return `${sec(run.wall)} = ${parts.join('; ')}`;
  };
  const slowestTasks = (run: NxRun) =>
    taskList(
      [...run.tasks]
        .filter(ranTask)
        .sort((a, b) => b.seconds - a.seconds)
        .slice(0, 5),
    ) + ` (in synths: ${inSynths(run.wall, unit)} wall)`;
  // The least wall time the run's CPU work allows on this machine: however the tasks are scheduled,
  // N cores cannot do it faster than its CPU seconds / N. Only where the busy time summed is that of
  // the N cores the run may use: a sum over cores it cannot use bounds nothing.
  const cpuBound = (run: NxRun) => {
    if (run.cpu === undefined) return '';
    const { cores, listedCores } = r.machine;
    if (listedCores !== cores) {
      return (
        ` The machine's cores were busy for ${sec(run.cpu)} during it, summed over the ${listedCores} cores ` +
        `the system lists; the benchmark may use ${cores} of them, so that sum counts cores it could not use ` +
        'and gives no least time.'
      );
    }
    const least = run.cpu / cores;
    return (
      ` The machine's cores were busy for ${sec(run.cpu)} during it (${coresBusy(run.cpu, run.wall)} of ` +
      `${cores} on average): spread perfectly over ${cores} cores, that much work takes ${sec(least)} at the least, ` +
      `${inSynths(least, unit)}.`
    );
  };

  for (const t of notMet) {
    let why: string;
    switch (t.id) {
      case 'synth-vs-stock':
      case 'baseline':
        why = `The synth itself: ${noProfile ?? `${topLevel()}; the largest parts inside: ${largestLeaf()}`}.`;
        break;
      case 'scale':
        why =
          `Each stage-region adds ${sec(r.scaled.time.slope)} to a fixed ${sec(r.scaled.time.intercept)}; what grows ` +
          `with templates is the per-template work: ${noProfile ?? `${largestLeaf()} (CPU profile, default config)`}.`;
        break;
      case 'scale-rss':
        why = `Peak RSS grows ${mib(r.scaled.memory?.slope)} per stage-region from ${mib(r.scaled.first.peak)} at ${r.scaled.first.n}.`;
        break;
      case 'edit-app':
      case 'edit-library':
      case 'no-change': {
        const e = r.editSynth as EditSynth;
        const v = t.id === 'edit-app' ? e.app.ours : t.id === 'edit-library' ? e.library.ours : e.noChange;
        why = `Median \`npm run synth\`: ${nxBreakdown(medianRun(v.nxRuns))}.`;
        break;
      }
      case 'review': {
        const v = r.review as Review;
        why =
          `The base and the head synthesize in parallel on ${r.machine.cores} cores; the slower of the two and the ` +
          `comparison make up the ${sec(v.wall)}.`;
        break;
      }
      default: {
        const loop = r.testLoop as TestLoop;
        const run =
          t.id === 'tests-cold'
            ? loop.cold
            : t.id === 'tests-warm'
              ? loop.warm
              : t.id === 'tests-app'
                ? loop.app.run
                : loop.library.run;
        why =
          t.id === 'tests-warm'
            ? `Everything is cached, so the time is start-up: ${nxBreakdown(run)}.`
            : `Slowest tasks run: ${slowestTasks(run)}.${cpuBound(run)}`;
      }
    }
    md.push(`- **${t.what}** (target ${t.target}, measured ${t.measured}): ${why}`);
  }
  md.push('');
  return md;
}

function howSection(r: BenchResults): string[] {
  return [
    '## How it is measured',
    '',
    [
      '- Wall time: from spawning the command to its exit, in the benchmark process.',
      `- Peak RSS, app process: ${r.gnuTime ? "GNU time's `%M`, the largest peak of any process in the tree (for `npx ts-node` that is the ts-node process, not npx)" : 'the largest VmHWM of any process in the tree, sampled from /proc'}. ` +
        'Whole tree: the largest sum of VmRSS over all processes of the tree, sampled every 50 ms.',
      `- The synth command is read from \`${r.synthTarget.file}\` (\`targets.synth\`), so the benchmark runs the app ` +
        `the way \`nx run platform:synth\` does; what that target depends on, and the libraries' build (\`lib/\`, which ` +
        `the stock app imports), is refreshed first (${code(r.refresh)}, ` +
        'in the clone with an Nx cache of its own), outside the timings; one warm-up synth is not counted.',
      "- Environment of every run: the calling shell's, without the variables `npm run` and Nx add, so every variant " +
        'starts as from a terminal.',
      '- The CDK CLI is timed only in the edit → synth scenario, where it is what a stock user types; the full synth ' +
        'compares the app processes, without the CLI start-up both would share. Nothing calls AWS.',
    ].join('\n'),
    '',
  ];
}
