#!/usr/bin/env node
/**
 * Benchmarks synthesis and the test loop, and writes the results to docs/performance.md.
 *
 *   npm run bench -- [--runs N] [--scale-runs N] [--quick] [--skip-tests] [--in-place] [--out <file>]
 *                    [--keep-temp]
 *
 * --runs N        runs per variant of the full synth (default 5; the median is reported)
 * --scale-runs N  runs per region count of the scale test (default 3)
 * --quick         fewer runs (2 full-synth runs, 1 per region count), for trying the script
 * --skip-tests    skip the test-loop measurements (cold/warm/affected test runs)
 * --in-place      synthesize in this checkout (uncommitted changes included) instead of the clone
 * --out <file>    where the report goes (default docs/performance.md; relative to where npm was run)
 * --keep-temp     keep the temporary folder (configs, outdirs, clone, profiles) and print its path
 *
 * Everything runs in a throwaway clone of HEAD (`git clone` + `npm ci --offline`, not timed), so
 * that others editing or rebuilding this checkout cannot change the code between runs, and the
 * test loop gets its own empty Nx cache. --in-place measures the synth in this checkout instead.
 *
 * What it measures (see the report for the targets):
 * 1. Full synth of the default config, all checks on: the app process as cdk.json's `app` runs it
 *    (`node lib/main.js`) beside the stock `cdk init` setup (`npx ts-node --prefer-ts-exts
 *    src/main.ts`), interleaved, each into its own temporary outdir (CDK_OUTDIR), plus a breakdown
 *    run without the CDK's built-in CloudFormation validation (CDK_VALIDATION=false). Both
 *    variants must produce the same templates, byte for byte, or the benchmark stops.
 * 2. Scale: 1, 2, 4 and 8 regions per stage, configs generated from the default config.
 * 3. The test loop in a throwaway clone of HEAD with its own, empty Nx cache: `npm test` cold,
 *    `npm test` warm, and `nx affected -t test` after touching one package.
 * 4. A CPU profile of one synth (`node --cpu-prof`), summarized.
 *
 * Peak RSS is the peak of the largest process of the tree (GNU time's %M, which covers waited-for
 * descendants, so for `npx ts-node` it is the ts-node process, not npx); the sum over the whole
 * tree is sampled from /proc every 50 ms. The build is refreshed first, outside the timings.
 * Nothing here calls AWS, and nothing is written to this checkout except the report (and, with
 * --in-place, the build's lib/ folders).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const BENCH_FILE = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(BENCH_FILE), '..', '..');
/** Where the synth runs: a throwaway clone of HEAD, or this checkout with --in-place. */
let workRoot = ROOT;
const appDir = () => path.join(workRoot, 'apps', 'platform');
const GNU_TIME = '/usr/bin/time';
const SAMPLE_MS = 50;
const REGION_COUNTS = [1, 2, 4, 8];
/** Regions with zones a, b and c, the pipeline's home region first. */
const SCALE_REGIONS = [
  'eu-west-1',
  'eu-central-1',
  'us-east-1',
  'us-west-2',
  'eu-west-2',
  'eu-north-1',
  'us-east-2',
  'ap-southeast-2',
];
const TOUCHED_FILE = 'packages/observability/src/index.ts';
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const COMMANDS = {
  ours: { cmd: 'node', args: ['lib/main.js'], text: 'node lib/main.js' },
  stock: {
    cmd: 'npx',
    args: ['ts-node', '--prefer-ts-exts', 'src/main.ts'],
    text: 'npx ts-node --prefer-ts-exts src/main.ts',
  },
};

const TARGETS = {
  synthVsStock: 0.5,
  scaleRatio: 2,
  scalePeakRss: 1.5 * GiB,
  warmTests: 5,
  affected: 30,
};

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Arguments

const USAGE =
  'usage: npm run bench -- [--runs N] [--scale-runs N] [--quick] [--skip-tests] [--in-place] [--out <file>] [--keep-temp]';

function parseArgs(argv) {
  const args = { quick: false, skipTests: false, inPlace: false, keepTemp: false };
  const value = (name, i) => {
    const v = argv[i];
    if (v === undefined || v.startsWith('--')) {
      throw new UsageError(`${name} needs a value (got ${v === undefined ? 'nothing' : `'${v}'`})`);
    }
    return v;
  };
  const count = (name, v, max) => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) {
      throw new UsageError(`${name} must be a whole number from 1 to ${max}, got '${v}'`);
    }
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const name = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const takeValue = () => (inline !== undefined ? inline : value(name, ++i));
    const noValue = () => {
      if (inline !== undefined) throw new UsageError(`${name} takes no value, got '${raw}'`);
    };
    switch (name) {
      case '--runs':
        args.runs = count(name, takeValue(), 100);
        break;
      case '--scale-runs':
        args.scaleRuns = count(name, takeValue(), 100);
        break;
      case '--quick':
        noValue();
        args.quick = true;
        break;
      case '--skip-tests':
        noValue();
        args.skipTests = true;
        break;
      case '--keep-temp':
        noValue();
        args.keepTemp = true;
        break;
      case '--in-place':
        noValue();
        args.inPlace = true;
        break;
      case '--out': {
        const v = takeValue();
        if (v.trim() === '') throw new UsageError(`--out must be a file path, got '${v}'`);
        args.out = v;
        break;
      }
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new UsageError(
          `unknown argument '${raw}'; allowed: --runs N, --scale-runs N, --quick, --skip-tests, --in-place, --out <file>, --keep-temp`,
        );
    }
  }
  args.runs ??= args.quick ? 2 : 5;
  args.scaleRuns ??= args.quick ? 1 : 3;
  const base = process.env.INIT_CWD ?? process.cwd();
  args.out = path.resolve(base, args.out ?? path.join(ROOT, 'docs', 'performance.md'));
  return args;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sec = (s) => (s === undefined ? 'n/a' : `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`);
const mib = (b) => (b === undefined ? 'n/a' : `${Math.round(b / MiB)} MiB`);
const gib = (b) => (b === undefined ? 'n/a' : `${(b / GiB).toFixed(2)} GiB`);
const range = (xs) => (xs.length > 1 ? `${sec(Math.min(...xs))} – ${sec(Math.max(...xs))}` : '–');
const status = (met) => (met === undefined ? 'not measured' : met ? '**met**' : '**not met**');

/** Least squares fit y = a + b x. */
function fit(points) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** A markdown table with padded columns (stable under prettier). */
function table(header, rows, align = []) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c ?? '')));
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => r[i].length)));
  const pad = (c, i) => (align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i]));
  const line = (r) => `| ${r.map(pad).join(' | ')} |`;
  const sep = `| ${widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(all[0]), sep, ...all.slice(1).map(line)].join('\n');
}

/** The environment for child processes: this shell's, without what `npm run` added. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('npm_') || k === 'INIT_CWD' || k === 'NODE' || k.startsWith('NX_')) continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((p) => !p.endsWith(`node_modules${path.sep}.bin`) && !p.includes(`${path.sep}node-gyp-bin`))
    .join(path.delimiter);
  return { ...env, ...extra };
}

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { encoding: 'utf-8', maxBuffer: 256 * MiB, ...opts });
  if (r.error) throw r.error;
  return r;
}

function tail(text, lines = 30) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf-8'));
}

function pkgVersion(name, from = ROOT) {
  try {
    const req = createRequire(path.join(from, 'package.json'));
    return readJson(req.resolve(`${name}/package.json`)).version;
  } catch {
    return 'n/a';
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring one process tree

function childrenOf(pid) {
  const kids = [];
  let tasks;
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return kids;
  }
  for (const tid of tasks) {
    try {
      const text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf-8').trim();
      if (text) kids.push(...text.split(/\s+/).map(Number));
    } catch {
      // the task ended between the two reads
    }
  }
  return kids;
}

function memoryOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf-8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Samples a process tree: the peak of the summed RSS, and each process's own peak (VmHWM). */
class TreeSampler {
  constructor(rootPid, skipRoot) {
    this.rootPid = rootPid;
    this.skipRoot = skipRoot;
    this.treePeak = 0;
    this.processPeak = 0;
    this.procAvailable = fs.existsSync(`/proc/${rootPid}/status`);
  }
  sample() {
    if (!this.procAvailable) return;
    const pids = [];
    const queue = [this.rootPid];
    while (queue.length > 0) {
      const pid = queue.shift();
      pids.push(pid);
      queue.push(...childrenOf(pid));
    }
    let sum = 0;
    for (const pid of pids) {
      if (this.skipRoot && pid === this.rootPid) continue;
      const m = memoryOf(pid);
      if (!m) continue;
      sum += m.rss;
      this.processPeak = Math.max(this.processPeak, m.hwm);
    }
    this.treePeak = Math.max(this.treePeak, sum);
  }
}

let gnuTime = false;
let current; // the running child, killed on Ctrl-C
let seq = 0;
let tmpRoot;

function detectGnuTime() {
  try {
    const r = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf-8' });
    return r.status === 0 && /^\d+\s*$/m.test(r.stderr);
  } catch {
    return false;
  }
}

/**
 * Runs one command, timing it from spawn to exit and sampling its memory.
 * `onLine(line, seconds)` sees every output line as it arrives.
 */
function measure({ cmd, args, cwd, env, onLine }) {
  return new Promise((resolve, reject) => {
    const rssFile = path.join(tmpRoot, `rss-${++seq}.txt`);
    const [file, argv] = gnuTime ? [GNU_TIME, ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
    const start = performance.now();
    const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    current = child;
    const sampler = new TreeSampler(child.pid, gnuTime);
    const timer = setInterval(() => sampler.sample(), SAMPLE_MS);
    let wall;
    const chunks = { stdout: [], stderr: [] };
    const partial = { stdout: '', stderr: '' };
    for (const stream of ['stdout', 'stderr']) {
      child[stream].on('data', (d) => {
        chunks[stream].push(d);
        if (!onLine) return;
        const t = (performance.now() - start) / 1000;
        const text = partial[stream] + d.toString('utf-8');
        const lines = text.split('\n');
        partial[stream] = lines.pop();
        for (const l of lines) onLine(l, t);
      });
    }
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('exit', () => {
      wall = (performance.now() - start) / 1000;
      clearInterval(timer);
    });
    child.on('close', (code, signal) => {
      current = undefined;
      clearInterval(timer);
      let peak = sampler.processPeak || undefined;
      if (gnuTime && fs.existsSync(rssFile)) {
        const kb = fs.readFileSync(rssFile, 'utf-8').trim().split('\n').pop();
        if (/^\d+$/.test(kb)) peak = Number(kb) * 1024;
        fs.rmSync(rssFile, { force: true });
      }
      resolve({
        code: signal ? 128 : code,
        signal,
        wall,
        peak,
        treePeak: sampler.treePeak || undefined,
        stdout: Buffer.concat(chunks.stdout).toString('utf-8'),
        stderr: Buffer.concat(chunks.stderr).toString('utf-8'),
      });
    });
  });
}

function fail(what, r) {
  const output = tail(`${r.stdout}\n${r.stderr}`, 40);
  throw new Error(`${what} failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}):\n${output}`);
}

// ---------------------------------------------------------------------------------------------
// Cloud assemblies

function templatesOf(outdir) {
  const found = new Map();
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.template.json')) {
        found.set(path.relative(outdir, p), createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
      }
    }
  };
  walk(outdir);
  return found;
}

/** Differences between two sets of templates: missing, extra, different content. */
function compareTemplates(a, b) {
  const problems = [];
  for (const [file, hash] of a) {
    if (!b.has(file)) problems.push(`only in the first: ${file}`);
    else if (b.get(file) !== hash) problems.push(`content differs: ${file}`);
  }
  for (const file of b.keys()) if (!a.has(file)) problems.push(`only in the second: ${file}`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// 1 + 2. Synth

async function synthOnce(label, variant, { config, env = {} } = {}) {
  const { cmd, args } = COMMANDS[variant];
  let outdir;
  let r;
  // In this checkout (--in-place) others may be rebuilding lib/ at the same moment: one more try.
  const attempts = workRoot === ROOT ? 2 : 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    outdir = path.join(tmpRoot, 'out', `${label}-${++seq}`);
    r = await measure({
      cmd,
      args: config ? [...args, '--context', `config=${config}`] : args,
      cwd: appDir(),
      env: cleanEnv({ CDK_OUTDIR: outdir, ...env }),
    });
    if (r.code === 0) break;
    fs.rmSync(outdir, { recursive: true, force: true });
    if (attempt < attempts) {
      log(`  ${label}: exit ${r.code}; retrying once. Last lines:\n${tail(r.stderr, 8)}`);
    }
  }
  if (r.code !== 0) fail(`synth (${label}: ${COMMANDS[variant].text})`, r);
  const templates = templatesOf(outdir);
  fs.rmSync(outdir, { recursive: true, force: true });
  return { wall: r.wall, peak: r.peak, treePeak: r.treePeak, templates };
}

function summarize(runs) {
  return {
    runs: runs.length,
    walls: runs.map((r) => r.wall),
    wall: median(runs.map((r) => r.wall)),
    peak: runs.every((r) => r.peak) ? median(runs.map((r) => r.peak)) : undefined,
    maxPeak: runs.every((r) => r.peak) ? Math.max(...runs.map((r) => r.peak)) : undefined,
    treePeak: runs.every((r) => r.treePeak) ? median(runs.map((r) => r.treePeak)) : undefined,
    templates: runs[0].templates.size,
  };
}

async function fullSynth(opts) {
  log(`full synth: ${opts.runs} runs each of ours, stock and ours without CloudFormation validation (interleaved)`);
  log('  warm-up run (not counted)');
  await synthOnce('warmup', 'ours');
  const variants = {
    ours: { variant: 'ours', env: {} },
    stock: { variant: 'stock', env: {} },
    noValidation: { variant: 'ours', env: { CDK_VALIDATION: 'false' } },
  };
  const results = { ours: [], stock: [], noValidation: [] };
  for (let i = 1; i <= opts.runs; i++) {
    for (const [name, v] of Object.entries(variants)) {
      const r = await synthOnce(name, v.variant, { env: v.env });
      results[name].push(r);
      log(`  ${name.padEnd(12)} ${i}/${opts.runs}: ${sec(r.wall)}, peak ${mib(r.peak)} (tree ${mib(r.treePeak)})`);
    }
  }
  // Sanity: the same templates, byte for byte, from every variant and every run.
  const reference = results.ours[0].templates;
  const problems = [];
  for (const [name, runs] of Object.entries(results)) {
    runs.forEach((r, i) =>
      problems.push(...compareTemplates(reference, r.templates).map((p) => `${name} #${i + 1} ${p}`)),
    );
  }
  if (problems.length > 0) {
    throw new Error(
      `the variants did not synthesize the same templates, so the comparison would be dishonest:\n  ${problems.slice(0, 20).join('\n  ')}`,
    );
  }
  log(`  sanity: ${reference.size} templates, identical across all ${opts.runs * 3} runs`);
  return {
    ours: summarize(results.ours),
    stock: summarize(results.stock),
    noValidation: summarize(results.noValidation),
    templates: reference.size,
  };
}

async function loadYaml() {
  const req = createRequire(path.join(appDir(), 'package.json'));
  return req('yaml');
}

/** A config like the default one, with `n` regions in every stage. */
function scaledConfig(base, n) {
  const config = structuredClone(base);
  delete config.$schema;
  let k = 0;
  for (const stage of config.stages) {
    const zones = Math.max(stage.regions?.[0]?.availabilityZones?.length ?? 2, stage.protected ? 3 : 2);
    stage.regions = SCALE_REGIONS.slice(0, n).map((region) => ({
      region,
      // 10.64.0.0/16 upwards: disjoint from each other and from the default config's ranges.
      vpcCidr: `10.${64 + k++}.0.0/16`,
      availabilityZones: ['a', 'b', 'c'].slice(0, zones).map((z) => `${region}${z}`),
    }));
  }
  return config;
}

async function scale(opts) {
  const YAML = await loadYaml();
  const base = YAML.parse(fs.readFileSync(path.join(appDir(), 'config', 'platform.yaml'), 'utf-8'));
  const dir = path.join(tmpRoot, 'configs');
  fs.mkdirSync(dir, { recursive: true });
  const files = new Map();
  for (const n of REGION_COUNTS) {
    const file = path.join(dir, `regions-${n}.yaml`);
    fs.writeFileSync(file, YAML.stringify(scaledConfig(base, n)));
    files.set(n, file);
  }
  const stagesCount = base.stages.length;
  log(`scale: ${REGION_COUNTS.join(', ')} regions per stage (${stagesCount} stages), ${opts.scaleRuns} runs each`);
  const results = new Map(REGION_COUNTS.map((n) => [n, []]));
  for (let i = 1; i <= opts.scaleRuns; i++) {
    for (const n of REGION_COUNTS) {
      const r = await synthOnce(`regions-${n}`, 'ours', { config: files.get(n) });
      results.get(n).push(r);
      log(
        `  ${n} region(s)/stage ${i}/${opts.scaleRuns}: ${sec(r.wall)}, peak ${mib(r.peak)}, ${r.templates.size} templates`,
      );
    }
  }
  const rows = REGION_COUNTS.map((n) => ({ n, stageRegions: n * stagesCount, ...summarize(results.get(n)) }));
  const time = fit(rows.map((r) => ({ x: r.stageRegions, y: r.wall })));
  const memory = rows.every((r) => r.peak) ? fit(rows.map((r) => ({ x: r.stageRegions, y: r.peak }))) : undefined;
  const first = rows[0];
  const last = rows[rows.length - 1];
  return { rows, time, memory, ratio: last.wall / first.wall, last, first, stagesCount };
}

// ---------------------------------------------------------------------------------------------
// 4. CPU profile

const PHASES = [
  ['module loading (`require`, incl. module top-level code)', 'require', 'node:internal/modules/helpers'],
  ['config: load and validate', 'loadConfig', 'lib/config/load.js'],
  ['construct tree (`buildPlatformApp`)', 'buildPlatformApp', 'lib/app.js'],
  ['synthesis incl. all validation (`synthesizeApp`)', 'synthesizeApp', 'lib/synth/synthesize.js'],
  ['validation plugins (`validateTemplates`)', 'validateTemplates', 'core/lib/private/synthesis-validation.js'],
  ['built-in CloudFormation validation', 'validate', 'core/lib/validation/cloudformation-validate-plugin.js'],
  [
    'engine set-up (rule compilation, once)',
    'initializeEngine',
    'core/lib/validation/cloudformation-validate-plugin.js',
  ],
  ['template validation (per template)', 'validateTemplate', '@aws/cloudformation-validate/index.js'],
  ['cdk-nag packs (AwsSolutions + NIST 800-53 R5)', 'validate', 'cdk-nag/lib/nag-pack.js'],
];
/** Outline numbers of PHASES: 4.1 is part of 4. */
const PHASE_OUTLINE = ['1', '2', '3', '4', '4.1', '4.1.1', '4.1.1.1', '4.1.1.2', '4.1.2'];

function packageOf(url) {
  if (url.startsWith('node:')) return url.startsWith('node:internal/modules') ? 'node: module loader' : 'node: other';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = file.slice(nm + 'node_modules/'.length).split('/');
    const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    if (name === 'aws-cdk-lib') return `aws-cdk-lib/${parts[1]}`;
    return name;
  }
  const rel = path.relative(workRoot, file);
  if (!rel.startsWith('..')) return rel.split('/').slice(0, 2).join('/');
  return file;
}

function shortUrl(url) {
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) return file.slice(nm + 'node_modules/'.length);
  return path.relative(workRoot, file).startsWith('..') ? file : path.relative(workRoot, file);
}

function summarizeProfile(file) {
  const profile = readJson(file);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Native and wasm frames belong to the nearest JavaScript caller's package.
  const jsOwner = new Map();
  const ownerOf = (id) => {
    if (jsOwner.has(id)) return jsOwner.get(id);
    const cf = byId.get(id).callFrame;
    let owner;
    if (cf.url && !cf.url.startsWith('wasm://')) owner = packageOf(cf.url);
    else if (['(garbage collector)', '(idle)', '(program)', '(root)'].includes(cf.functionName))
      owner = cf.functionName;
    else owner = parent.has(id) ? ownerOf(parent.get(id)) : '(native)';
    jsOwner.set(id, owner);
    return owner;
  };
  const self = new Map();
  const byPackage = new Map();
  const phases = PHASES.map(() => 0);
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const node = byId.get(id);
    const cf = node.callFrame;
    const wasm = cf.url.startsWith('wasm://');
    const fnKey = wasm
      ? `(WebAssembly) called from ${ownerOf(id)}`
      : cf.url
        ? `${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}:${cf.lineNumber + 1}`
        : `${cf.functionName}${cf.functionName.startsWith('(') ? '' : ' (native)'}`;
    self.set(fnKey, (self.get(fnKey) ?? 0) + dt);
    const pkg = ownerOf(id) + (wasm ? ' (WebAssembly)' : '');
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
    const hit = PHASES.map(() => false);
    for (let p = id; p !== undefined; p = parent.get(p)) {
      const f = byId.get(p).callFrame;
      PHASES.forEach(([, fn, suffix], k) => {
        if (f.functionName === fn && f.url.endsWith(suffix)) hit[k] = true;
      });
    }
    hit.forEach((h, k) => {
      if (h) phases[k] += dt;
    });
  });
  const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { total, byPackage: top(byPackage, 12), functions: top(self, 12), phases };
}

async function cpuProfile() {
  const dir = path.join(tmpRoot, 'cpu-prof');
  const outdir = path.join(tmpRoot, 'out', 'profile');
  log('cpu profile: one synth with node --cpu-prof');
  const r = await measure({
    cmd: 'node',
    args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, 'lib/main.js'],
    cwd: appDir(),
    env: cleanEnv({ CDK_OUTDIR: outdir }),
  });
  if (r.code !== 0) fail('synth with --cpu-prof', r);
  fs.rmSync(outdir, { recursive: true, force: true });
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  return { wall: r.wall, ...summarizeProfile(path.join(dir, file)) };
}

// ---------------------------------------------------------------------------------------------
// 3. Tests

const NX_CACHE_LINE = /Cache:\s+(\d+)\/(\d+) hit/;
const NX_READ_LINE = /Nx read the output from the cache instead of running the command for (\d+) out of (\d+) tasks/;

/** Task durations and statuses from an NX_PROFILE file. */
function nxTasks(file) {
  if (!fs.existsSync(file)) return [];
  return readJson(file)
    .filter((e) => e.ph === 'X')
    .map((e) => ({ id: e.name, seconds: e.dur / 1e6, status: e.args?.status ?? '?' }));
}

function nxCacheSummary(output) {
  const m = NX_CACHE_LINE.exec(output);
  if (m) return { hits: Number(m[1]), tasks: Number(m[2]), line: m[0] };
  const r = NX_READ_LINE.exec(output);
  if (r) return { hits: Number(r[1]), tasks: Number(r[2]), line: r[0] };
  return undefined;
}

async function testRun(label, clone, env, cmd, args) {
  const profileName = `nx-profile-${label}.json`;
  const profileFile = path.join(tmpRoot, profileName);
  const steps = [];
  const r = await measure({
    cmd,
    args,
    cwd: clone,
    // NX_PROFILE is joined to the cwd of the Nx process (the clone's root).
    env: { ...env, NX_PROFILE: path.relative(clone, profileFile) },
    onLine: (line, t) => {
      const m = /👾 test \| (.*)$/.exec(line);
      if (m) steps.push({ command: m[1].trim(), start: t });
    },
  });
  steps.forEach((s, i) => (s.seconds = (steps[i + 1]?.start ?? r.wall) - s.start));
  const output = `${r.stdout}\n${r.stderr}`;
  const cache = nxCacheSummary(output);
  const tasks = nxTasks(profileFile);
  log(
    `  ${label}: ${sec(r.wall)}, exit ${r.code}; Nx: ${cache ? cache.line : 'no cache summary line'}` +
      (tasks.length ? `; ${tasks.filter((t) => !t.status.includes('cache')).length} task(s) ran` : ''),
  );
  // A failing test still leaves a meaningful timing: keep going, and say so in the report.
  const failure = r.code === 0 ? undefined : tail(output, 25);
  if (failure) log(`  WARNING: ${label} run exited ${r.code}:\n${failure}`);
  return { wall: r.wall, cache, tasks, steps, code: r.code, failure };
}

/**
 * The environment for Nx in the clone: a private Nx cache and workspace data (Nx 24 otherwise
 * shares ~/.nx/<id> between all checkouts of one repository, so a clone would read this
 * checkout's cache), daemon off.
 */
function nxEnv(name, extra = {}) {
  const dir = path.join(tmpRoot, name);
  const cache = path.join(dir, 'cache');
  const data = path.join(dir, 'workspace-data');
  for (const d of [cache, data]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  return cleanEnv({
    NX_DAEMON: 'false',
    NX_TUI: 'false',
    NX_NO_CLOUD: 'true',
    NX_CACHE_DIRECTORY: cache,
    NX_WORKSPACE_DATA_DIRECTORY: data,
    ...extra,
  });
}

/** A throwaway clone of HEAD with its own node_modules (workspace links must point into it). */
function prepareClone(head) {
  const clone = path.join(tmpRoot, 'repo');
  log(`cloning HEAD (${head}) into the temporary folder`);
  const c = run('git', ['clone', '-q', ROOT, clone]);
  if (c.status !== 0) throw new Error(`git clone failed:\n${c.stderr}`);
  log('  npm ci --offline --no-audit --no-fund (not timed)');
  const t0 = performance.now();
  const env = cleanEnv();
  let install = run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: clone, env });
  let installMode = 'npm ci --offline';
  if (install.status !== 0) {
    log('  the npm cache lacks something: npm ci from the registry');
    install = run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: clone, env });
    installMode = 'npm ci';
  }
  if (install.status !== 0) throw new Error(`npm ci in the clone failed:\n${tail(install.stderr)}`);
  return { clone, head, installMode, installSeconds: (performance.now() - t0) / 1000 };
}

async function tests(workspace, opts) {
  const { clone } = workspace;
  // README links to the report and the report to this script; until both are committed, HEAD
  // lacks them and the docs link test would fail for that reason alone. Copy them in.
  const seeded = [BENCH_FILE, opts.out]
    .map((f) => path.relative(ROOT, f))
    .filter((rel) => !rel.startsWith('..') && fs.existsSync(path.join(ROOT, rel)))
    .filter((rel) => !fs.existsSync(path.join(clone, rel)));
  for (const rel of seeded) {
    fs.mkdirSync(path.dirname(path.join(clone, rel)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, rel), path.join(clone, rel));
    log(`  copied ${rel} into the clone (not committed yet)`);
  }
  // Empty Nx state of its own (not the one the synth build used), and a private TMPDIR so that
  // Jest's transform cache starts empty too.
  const tmp = path.join(tmpRoot, 'nx-tests', 'tmp');
  fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
  const env = nxEnv('nx-tests', { TMPDIR: tmp });
  log('tests, in the clone:');
  log('  cold: npm test with an empty Nx cache');
  const cold = await testRun('cold', clone, env, 'npm', ['test']);
  if (cold.cache && cold.cache.hits > 0) log(`  WARNING: the cold run had ${cold.cache.hits} cache hits`);
  log('  warm: npm test again');
  const warm = await testRun('warm', clone, env, 'npm', ['test']);

  fs.appendFileSync(path.join(clone, TOUCHED_FILE), '\n// bench: touched\n');
  const affectedProjects = run('npx', ['nx', 'show', 'projects', '--affected', '--base=HEAD'], { cwd: clone, env })
    .stdout.trim()
    .split('\n')
    .filter(Boolean);
  log(`  affected: touched ${TOUCHED_FILE}; affected projects: ${affectedProjects.join(', ')}`);
  const affected = await testRun('affected', clone, env, 'npx', [
    'nx',
    'affected',
    '-t',
    'test',
    '--base=HEAD',
    '--output-style=stream',
  ]);
  return { ...workspace, cold, warm, affected, affectedProjects, seeded };
}

// ---------------------------------------------------------------------------------------------
// Report

function machine() {
  const osRelease = fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf-8') : '';
  const distro = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1];
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    ram: `${(os.totalmem() / GiB).toFixed(1)} GiB`,
    os: `${distro ?? os.type()} (${os.type()} ${os.release()}, ${os.arch()})`,
    node: process.version,
    npm: run('npm', ['--version'], { env: cleanEnv() }).stdout.trim(),
  };
}

function reproduceCommand(opts) {
  const parts = ['npm run bench'];
  const extra = [];
  if (opts.quick) extra.push('--quick');
  if (opts.runs !== (opts.quick ? 2 : 5)) extra.push(`--runs ${opts.runs}`);
  if (opts.scaleRuns !== (opts.quick ? 1 : 3)) extra.push(`--scale-runs ${opts.scaleRuns}`);
  if (opts.skipTests) extra.push('--skip-tests');
  if (opts.inPlace) extra.push('--in-place');
  if (path.relative(ROOT, opts.out) !== path.join('docs', 'performance.md')) {
    extra.push(`--out ${path.relative(ROOT, opts.out)}`);
  }
  if (extra.length) parts.push('--', ...extra);
  return parts.join(' ');
}

function stepName(command) {
  if (command.startsWith('nx run-many')) return `\`${command}\` (Nx)`;
  return `\`${command}\``;
}

const exitNote = (run) => (run.code === 0 ? '' : ` (exit ${run.code}, see below)`);

function render(opts, r) {
  const { synth, scaled, testLoop, profile } = r;
  const md = [];
  const benchLink = path.relative(path.dirname(opts.out), BENCH_FILE).split(path.sep).join('/');
  md.push('# Performance', '');
  md.push(
    `Measured by [\`tools/bench/bench.mjs\`](${benchLink}) on ${r.date}. Reproduce with \`${reproduceCommand(opts)}\` ` +
      `(options: \`--runs N\`, \`--scale-runs N\`, \`--quick\`, \`--skip-tests\`, \`--in-place\`, \`--out <file>\`). ` +
      `Synth figures are the medians of ${opts.runs} runs (scale: ${opts.scaleRuns} per region count), ` +
      (opts.inPlace
        ? `measured in this checkout at ${r.head}${r.dirty ? ' with uncommitted changes' : ''} (\`--in-place\`)`
        : `measured in a throwaway clone of commit ${r.head} (so that edits and rebuilds in the checkout cannot change ` +
          'the code between runs; `--in-place` measures the checkout itself, uncommitted changes included)') +
      `; the test loop always runs in the clone. The benchmark took ${sec(r.totalSeconds)} in all.`,
    '',
  );

  md.push('## Targets', '');
  const rows = [];
  const synthRatio = synth.ours.wall / synth.stock.wall;
  rows.push([
    'Full synth, default config, all checks on',
    `≤ ${TARGETS.synthVsStock} × stock`,
    `${synthRatio.toFixed(2)} × (${sec(synth.ours.wall)} vs ${sec(synth.stock.wall)})`,
    status(synthRatio <= TARGETS.synthVsStock),
  ]);
  rows.push([
    `Synth time, ${scaled.last.n} vs ${scaled.first.n} region(s) per stage`,
    `≤ ${TARGETS.scaleRatio} ×`,
    `${scaled.ratio.toFixed(2)} × (${sec(scaled.last.wall)} vs ${sec(scaled.first.wall)})`,
    status(scaled.ratio <= TARGETS.scaleRatio),
  ]);
  rows.push([
    `Peak RSS at ${scaled.last.n} regions per stage`,
    `< ${gib(TARGETS.scalePeakRss)}`,
    gib(scaled.last.maxPeak),
    status(scaled.last.maxPeak === undefined ? undefined : scaled.last.maxPeak < TARGETS.scalePeakRss),
  ]);
  rows.push([
    'Warm-cache rerun of the whole test command (`npm test`)',
    `< ${TARGETS.warmTests} s`,
    testLoop?.warm ? `${sec(testLoop.warm.wall)}${exitNote(testLoop.warm)}` : testLoop ? 'failed' : 'skipped',
    status(testLoop?.warm ? testLoop.warm.wall < TARGETS.warmTests : undefined),
  ]);
  rows.push([
    'One package touched: `nx affected -t test`',
    `< ${TARGETS.affected} s`,
    testLoop?.affected
      ? `${sec(testLoop.affected.wall)}${exitNote(testLoop.affected)}`
      : testLoop
        ? 'failed'
        : 'skipped',
    status(testLoop?.affected ? testLoop.affected.wall < TARGETS.affected : undefined),
  ]);
  md.push(table(['What', 'Target', 'Measured (median)', 'Status'], rows), '');

  md.push('## Machine', '');
  const m = r.machine;
  md.push(
    table(['CPU', 'Cores', 'RAM', 'OS', 'Node', 'npm'], [[m.cpu, String(m.cores), m.ram, m.os, m.node, m.npm]]),
    '',
  );
  md.push(
    `aws-cdk-lib ${r.versions.cdk}, cdk-nag ${r.versions.nag}, TypeScript ${r.versions.ts}, ts-node ${r.versions.tsNode}, Nx ${r.versions.nx}. ` +
      `1-minute load average: ${r.load.start} at the start, ${r.load.end} at the end ` +
      `(other work on the machine makes wall times noisy; compare runs from a quiet machine).`,
    '',
  );

  md.push('## 1. Full synth of the default config', '');
  md.push(
    "The app process as cdk.json's `app` starts it, in `apps/platform`, each run into its own temporary `CDK_OUTDIR`, " +
      `variants interleaved. All ${synth.templates} templates are byte-identical across every run of every variant.`,
    '',
  );
  md.push(
    table(
      ['Variant', 'Command', 'Wall (median)', 'Range', 'Peak RSS, app process', 'Peak RSS, whole tree', 'Runs'],
      [
        ['This repository', `\`${COMMANDS.ours.text}\``, synth.ours, undefined],
        ['Stock (`cdk init` app)', `\`${COMMANDS.stock.text}\``, synth.stock, undefined],
        [
          'Breakdown: ours without built-in CloudFormation validation',
          '`CDK_VALIDATION=false node lib/main.js`',
          synth.noValidation,
        ],
      ].map(([name, cmd, s]) => [name, cmd, sec(s.wall), range(s.walls), mib(s.peak), mib(s.treePeak), String(s.runs)]),
      ['l', 'l', 'r', 'l', 'r', 'r', 'r'],
    ),
    '',
  );
  const validationShare = synth.ours.wall - synth.noValidation.wall;
  md.push(
    `Ratio ours / stock: **${synthRatio.toFixed(2)}** (wall), ${(synth.ours.peak / synth.stock.peak).toFixed(2)} (peak RSS). ` +
      `The built-in CloudFormation validation accounts for about ${sec(validationShare)} ` +
      `(${Math.round((100 * validationShare) / synth.ours.wall)} %) of our synth; the headline figures keep it on.`,
    '',
  );

  md.push('## 2. Scale: regions per stage', '');
  md.push(
    `Configs generated from \`apps/platform/config/platform.yaml\` with 1 to ${scaled.last.n} regions in each of its ` +
      `${scaled.stagesCount} stages (zones a–c as the stage needs, disjoint /16 ranges), synthesized with \`${COMMANDS.ours.text} --context config=<file>\`.`,
    '',
  );
  md.push(
    table(
      ['Regions per stage', 'Stage-regions', 'Templates', 'Wall (median)', 'Range', 'Peak RSS', 'Runs'],
      scaled.rows.map((s) => [
        String(s.n),
        String(s.stageRegions),
        String(s.templates),
        sec(s.wall),
        range(s.walls),
        mib(s.peak),
        String(s.runs),
      ]),
      ['r', 'r', 'r', 'r', 'l', 'r', 'r'],
    ),
    '',
  );
  md.push(
    `Least squares over the medians: **${sec(scaled.time.slope)} per added stage-region** ` +
      `(fixed part ${sec(scaled.time.intercept)})` +
      (scaled.memory ? `, ${mib(scaled.memory.slope)} of peak RSS per stage-region` : '') +
      `. ${scaled.last.n} / ${scaled.first.n} region(s) per stage: **${scaled.ratio.toFixed(2)} ×** the time.`,
    '',
  );

  md.push('## 3. Test loop', '');
  if (!testLoop) {
    md.push('Skipped (`--skip-tests`).', '');
  } else if (testLoop.error) {
    md.push('**Failed**, so not measured:', '', '```text', tail(testLoop.error, 40), '```', '');
  } else {
    const t = testLoop;
    md.push(
      `In the throwaway clone of ${t.head} (\`${t.installMode}\`, ${sec(t.installSeconds)}, not timed), with \`NX_DAEMON=false\`, ` +
        "a private, empty Nx cache (`NX_CACHE_DIRECTORY`, `NX_WORKSPACE_DATA_DIRECTORY`) and a private `TMPDIR` (Jest's cache). " +
        'The cold run starts from the empty cache rather than with `--skip-nx-cache`, because that flag also stops Nx from ' +
        'writing the cache the warm run needs; the hit counts below prove both states.',
      '',
    );
    if (t.seeded.length > 0) {
      md.push(
        'Copied into the clone first, because HEAD does not have them yet and a test checks the links to them: ' +
          `${t.seeded.map((f) => `\`${f}\``).join(', ')}.`,
        '',
      );
    }
    const ran = (run) => run.tasks.filter((x) => !x.status.includes('cache'));
    const cacheText = (run) => (run.cache ? `${run.cache.hits}/${run.cache.tasks} hit` : 'n/a');
    md.push(
      table(
        ['Run', 'Command', 'Wall', 'Exit', 'Nx cache', 'Nx tasks run'],
        [
          ['Cold', '`npm test`', sec(t.cold.wall), String(t.cold.code), cacheText(t.cold), String(ran(t.cold).length)],
          ['Warm', '`npm test`', sec(t.warm.wall), String(t.warm.code), cacheText(t.warm), String(ran(t.warm).length)],
          [
            'Affected',
            '`npx nx affected -t test --base=HEAD`',
            sec(t.affected.wall),
            String(t.affected.code),
            cacheText(t.affected),
            ran(t.affected)
              .map((x) => x.id)
              .join(', '),
          ],
        ],
        ['l', 'l', 'r', 'r', 'l', 'l'],
      ),
      '',
    );
    for (const [name, run] of [
      ['cold', t.cold],
      ['warm', t.warm],
      ['affected', t.affected],
    ]) {
      if (run.failure) {
        md.push(`**The ${name} run failed** (exit ${run.code}); its time still counts. Last lines:`, '');
        md.push('```text', run.failure, '```', '');
      }
    }
    md.push(
      `Affected run: \`${TOUCHED_FILE}\` got a comment appended (uncommitted); \`nx show projects --affected\` lists ` +
        `${t.affectedProjects.map((p) => `\`${p}\``).join(', ')}.`,
      '',
    );
    md.push("Where the time of `npm test` goes, step by step (from when each step's banner appeared):", '');
    md.push(
      table(
        ['Step', 'Cold', 'Warm'],
        [
          [
            'start-up (`npm` and `projen`, before the first step)',
            sec(t.cold.steps[0]?.start),
            sec(t.warm.steps[0]?.start),
          ],
          ...t.cold.steps.map((s, i) => [stepName(s.command), sec(s.seconds), sec(t.warm.steps[i]?.seconds)]),
        ],
        ['l', 'r', 'r'],
      ),
      '',
    );
    const slowest = (run, n) => [...run.tasks].sort((a, b) => b.seconds - a.seconds).slice(0, n);
    md.push('Slowest Nx tasks (from `NX_PROFILE`; Nx runs several tasks at once, so they overlap):', '');
    md.push(
      table(
        ['Task', 'Cold', 'Affected run'],
        slowest(t.cold, 10).map((x) => {
          const a = t.affected.tasks.find((y) => y.id === x.id);
          return [x.id, sec(x.seconds), a ? `${sec(a.seconds)} (${a.status})` : '–'];
        }),
        ['l', 'r', 'r'],
      ),
      '',
    );
  }

  md.push('## Where the time goes: CPU profile of one full synth', '');
  md.push(
    `\`node --cpu-prof lib/main.js\` (${sec(profile.wall)} wall with the profiler, ${sec(profile.total / 1000)} sampled). ` +
      'Inclusive times (a row includes its sub-rows: 4.1 is part of 4).',
    '',
  );
  md.push(
    table(
      ['#', 'Phase', 'CPU', 'Share'],
      PHASES.map(([label], k) => [
        PHASE_OUTLINE[k],
        label,
        sec(profile.phases[k] / 1000),
        `${Math.round((100 * profile.phases[k]) / profile.total)} %`,
      ]),
      ['l', 'l', 'r', 'r'],
    ),
    '',
  );
  md.push('Self time by package (WebAssembly and native frames counted to their JavaScript caller):', '');
  md.push(
    table(
      ['Package', 'Self time', 'Share'],
      profile.byPackage.map(([k, v]) => [k, sec(v / 1000), `${Math.round((100 * v) / profile.total)} %`]),
      ['l', 'r', 'r'],
    ),
    '',
  );
  md.push('Top functions by self time:', '');
  md.push(
    table(
      ['Function', 'Self time'],
      profile.functions.map(([k, v]) => [`\`${k}\``, sec(v / 1000)]),
      ['l', 'r'],
    ),
    '',
  );

  md.push('## How it is measured', '');
  md.push(
    [
      '- Wall time: from spawning the command to its exit, in the benchmark process.',
      `- Peak RSS, app process: ${r.gnuTime ? "GNU time's `%M`, the largest peak of any process in the tree (for `npx ts-node` that is the ts-node process, not npx)" : 'the largest VmHWM of any process in the tree, sampled from /proc'}. ` +
        `Whole tree: the largest sum of VmRSS over all processes of the tree, sampled every ${SAMPLE_MS} ms.`,
      '- The build is refreshed first (`NX_DAEMON=false npx nx run-many -t build`, in the clone with an Nx cache of its own), outside the timings; one warm-up synth is not counted.',
      "- Environment of every run: the calling shell's, without the variables `npm run` adds, so both variants start as from a terminal.",
      '- The CDK CLI (`cdk synth`) is not timed: it would add the same CLI start-up to both variants, and it reaches for the network (notices, telemetry, credentials), which this benchmark must not.',
    ].join('\n'),
    '',
  );
  return `${md.join('\n').trimEnd()}\n`;
}

// ---------------------------------------------------------------------------------------------
// Main

function loadAverage() {
  return os.loadavg()[0].toFixed(2);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'baseline-bench-'));
  gnuTime = detectGnuTime();
  log(`temporary folder: ${tmpRoot}${opts.keepTemp ? ' (kept)' : ''}`);
  log(`peak RSS via ${gnuTime ? 'GNU time (%M)' : '/proc sampling (GNU time not found)'}`);
  const load = { start: loadAverage() };

  const head = run('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).stdout.trim();
  const dirty = run('git', ['status', '--porcelain', '--', 'apps', 'packages'], { cwd: ROOT }).stdout.trim().length > 0;
  const workspace = opts.inPlace && opts.skipTests ? undefined : prepareClone(head);
  workRoot = opts.inPlace ? ROOT : workspace.clone;

  log(
    `refreshing the build in ${opts.inPlace ? 'this checkout' : 'the clone'}: NX_DAEMON=false npx nx run-many -t build (not timed)`,
  );
  const buildEnv = opts.inPlace ? cleanEnv({ NX_DAEMON: 'false' }) : nxEnv('nx-build');
  const build = run('npx', ['nx', 'run-many', '-t', 'build'], { cwd: workRoot, env: buildEnv });
  if (build.status !== 0) throw new Error(`the build failed:\n${tail(`${build.stdout}\n${build.stderr}`)}`);
  const buildCache = nxCacheSummary(build.stdout + build.stderr);
  if (buildCache) log(`  ${buildCache.line}`);

  const synth = await fullSynth(opts);
  const scaled = await scale(opts);
  const profile = await cpuProfile();
  let testLoop;
  if (!opts.skipTests) {
    try {
      testLoop = await tests(workspace, opts);
    } catch (e) {
      // Keep the synth results: the report says what failed.
      log(`tests: ${e.message}`);
      testLoop = { error: e.message };
    }
  }
  load.end = loadAverage();

  const report = render(opts, {
    synth,
    scaled,
    testLoop,
    profile,
    load,
    head,
    dirty,
    gnuTime,
    machine: machine(),
    date: new Date().toISOString().slice(0, 10),
    totalSeconds: (performance.now() - started) / 1000,
    versions: {
      cdk: pkgVersion('aws-cdk-lib', appDir()),
      nag: pkgVersion('cdk-nag', appDir()),
      ts: pkgVersion('typescript'),
      tsNode: pkgVersion('ts-node'),
      nx: pkgVersion('nx'),
    },
  });
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, report);
  process.stdout.write(report);
  log(
    `wrote ${path.relative(process.env.INIT_CWD ?? process.cwd(), opts.out)} in ${sec((performance.now() - started) / 1000)}`,
  );
}

function cleanUp() {
  if (current?.pid) {
    try {
      process.kill(-current.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const keep = process.argv.includes('--keep-temp');
  if (tmpRoot && !keep) fs.rmSync(tmpRoot, { recursive: true, force: true });
}

process.on('SIGINT', () => {
  log('interrupted; cleaning up');
  cleanUp();
  process.exit(130);
});

main().then(
  () => cleanUp(),
  (e) => {
    cleanUp();
    if (e instanceof UsageError) {
      console.error(`bench: ${e.message}\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(`bench: ${e.stack ?? e}`);
      process.exitCode = 1;
    }
  },
);
