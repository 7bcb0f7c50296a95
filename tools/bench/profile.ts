/**
 * Where the time of one full synth goes: a V8 CPU profile of the app process, summarized into the
 * phases of the app (inclusive), self time by package and the top functions. The phases match
 * the app's modules whether it runs from compiled lib/*.js or from src/*.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail, log, measure, type Command, type RunContext } from './process';
import type { SynthVariant } from './synth';
import type { SpawnCommand } from './workspace';

export interface Phase {
  readonly label: string;
  /** Outline number: 4.1 is part of 4. */
  readonly outline: string;
  readonly functionName: string;
  /** The script URL the function must be in. */
  readonly url: RegExp;
}

/** An app module, compiled (lib/…/x.js) or not (src/…/x.ts). */
const appModule = (rel: string) => new RegExp(`/(?:lib|src)/${rel.replace(/[.]/g, '\\.')}\\.[jt]s$`);
const CFN_PLUGIN = /core\/lib\/validation\/cloudformation-validate-plugin\.js$/;

export const PHASES: readonly Phase[] = [
  {
    outline: '1',
    label: 'module loading (`require`, incl. module top-level code)',
    functionName: 'require',
    url: /^node:internal\/modules\/helpers$/,
  },
  { outline: '2', label: 'config: load and validate', functionName: 'loadConfig', url: appModule('config/load') },
  {
    outline: '3',
    label: 'construct tree (`buildPlatformApp`)',
    functionName: 'buildPlatformApp',
    url: appModule('app'),
  },
  {
    outline: '4',
    label: 'synthesis incl. all validation (`synthesizeApp`)',
    functionName: 'synthesizeApp',
    url: appModule('synth/synthesize'),
  },
  {
    outline: '4.1',
    label: 'validation plugins (`validateTemplates`)',
    functionName: 'validateTemplates',
    url: /core\/lib\/private\/synthesis-validation\.js$/,
  },
  { outline: '4.1.1', label: 'built-in CloudFormation validation', functionName: 'validate', url: CFN_PLUGIN },
  {
    outline: '4.1.1.1',
    label: 'engine set-up (rule compilation, once)',
    functionName: 'initializeEngine',
    url: CFN_PLUGIN,
  },
  {
    outline: '4.1.1.2',
    label: 'template validation (per template)',
    functionName: 'validateTemplate',
    url: /@aws\/cloudformation-validate\/index\.js$/,
  },
  {
    outline: '4.1.2',
    label: 'cdk-nag packs (AwsSolutions + NIST 800-53 R5)',
    functionName: 'validate',
    url: /cdk-nag\/lib\/nag-pack\.js$/,
  },
];

/** The parts of a .cpuprofile this summary reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled milliseconds. */
  readonly total: number;
  /** Inclusive milliseconds per entry of PHASES. */
  readonly phases: readonly number[];
  /** [package, self milliseconds], largest first. */
  readonly byPackage: ReadonlyArray<readonly [string, number]>;
  /** [function, self milliseconds], largest first. */
  readonly functions: ReadonlyArray<readonly [string, number]>;
}

/** The package a script URL belongs to: `aws-cdk-lib/core`, `cdk-nag`, `apps/platform`, … */
export function packageOf(url: string, root: string): string {
  if (url.startsWith('node:')) return url.startsWith('node:internal/modules') ? 'node: module loader' : 'node: other';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = file.slice(nm + 'node_modules/'.length).split('/');
    const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    return name === 'aws-cdk-lib' ? `aws-cdk-lib/${parts[1]}` : name;
  }
  const rel = path.relative(root, file);
  return rel.startsWith('..') ? file : rel.split('/').slice(0, 2).join('/');
}

function shortUrl(url: string, root: string): string {
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) return file.slice(nm + 'node_modules/'.length);
  const rel = path.relative(root, file);
  return rel.startsWith('..') ? file : rel;
}

/** Summarizes a CPU profile; `root` is the workspace the app ran in (for short names). */
export function summarizeProfile(profile: CpuProfile, root: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Native and WebAssembly frames belong to the nearest JavaScript caller's package.
  const jsOwner = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = jsOwner.get(id);
    if (known !== undefined) return known;
    const cf = byId.get(id)!.callFrame;
    let owner: string;
    if (cf.url && !cf.url.startsWith('wasm://')) owner = packageOf(cf.url, root);
    else if (['(garbage collector)', '(idle)', '(program)', '(root)'].includes(cf.functionName)) {
      owner = cf.functionName;
    } else {
      const p = parent.get(id);
      owner = p !== undefined ? ownerOf(p) : '(native)';
    }
    jsOwner.set(id, owner);
    return owner;
  };
  const self = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const phases = PHASES.map(() => 0);
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const cf = byId.get(id)!.callFrame;
    const wasm = cf.url.startsWith('wasm://');
    const fnKey = wasm
      ? `(WebAssembly) called from ${ownerOf(id)}`
      : cf.url
        ? `${cf.functionName || '(anonymous)'} ${shortUrl(cf.url, root)}:${cf.lineNumber + 1}`
        : `${cf.functionName}${cf.functionName.startsWith('(') ? '' : ' (native)'}`;
    self.set(fnKey, (self.get(fnKey) ?? 0) + dt);
    const pkg = ownerOf(id) + (wasm ? ' (WebAssembly)' : '');
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
    // Inclusive: a sample counts once for every phase on its stack (recursion counts once).
    const hit = PHASES.map(() => false);
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
      const f = byId.get(p)!.callFrame;
      PHASES.forEach((phase, k) => {
        if (f.functionName === phase.functionName && phase.url.test(f.url)) hit[k] = true;
      });
    }
    hit.forEach((h, k) => {
      if (h) phases[k] += dt;
    });
  });
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { total, phases, byPackage: top(byPackage, 12), functions: top(self, 12) };
}

export interface CpuProfileResult extends ProfileSummary {
  /** Wall seconds of the profiled run (the profiler slows it down a little). */
  readonly wall: number;
  readonly command: string;
}

/**
 * The synth command with V8's profiler switched on. Node refuses --cpu-prof in NODE_OPTIONS, so
 * the flags go right after `node`: the synth command must start with it (`node lib/main.js`,
 * `node -r ./register.js src/main.ts`, …), else undefined.
 */
export function profiledCommand(command: SpawnCommand, dir: string): Command | undefined {
  const flags = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  if (!command.shell && path.basename(command.file) === 'node') {
    return { file: command.file, args: [...flags, ...command.args], text: `node --cpu-prof ${command.args.join(' ')}` };
  }
  if (command.shell && /^node\s/.test(command.text)) {
    const script = command.text.replace(/^node\s/, `node ${flags.map((f) => `'${f}'`).join(' ')} `);
    return { file: '/bin/sh', args: ['-c', script], text: command.text.replace(/^node\s/, 'node --cpu-prof ') };
  }
  return undefined;
}

/** Keeps the CloudFormation validation on the main thread (packages/rules/src/control-tower.ts). */
export const ONE_THREAD = { name: 'PLATFORM_VALIDATE_WORKER', value: 'false' } as const;

/** Profiles one synth; of the profiles written (one per node process), the largest is the app's. */
export async function cpuProfile(
  ctx: RunContext,
  ours: SynthVariant,
  env: NodeJS.ProcessEnv,
  root: string,
): Promise<CpuProfileResult> {
  const dir = path.join(ctx.tmpRoot, 'cpu-prof');
  const outdir = path.join(ctx.tmpRoot, 'out', 'profile');
  const command = profiledCommand(ours.command, dir);
  if (!command) {
    throw new Error(
      `cannot profile the synth command '${ours.command.text}': it must start with 'node' to take --cpu-prof`,
    );
  }
  log(`cpu profile: one synth with ${command.text}`);
  // All on the main thread (packages/rules' PLATFORM_VALIDATE_WORKER): with the validation in its worker
  // thread, the main thread's profile would show it as a wait, and the worker's work in another file.
  const r = await measure(command, {
    ...ctx,
    cwd: ours.cwd,
    env: { ...env, ...ours.env, CDK_OUTDIR: outdir, [ONE_THREAD.name]: ONE_THREAD.value },
  });
  if (r.code !== 0) fail(`synth with --cpu-prof (${command.text})`, r);
  fs.rmSync(outdir, { recursive: true, force: true });
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  if (files.length === 0) throw new Error(`the profiled synth wrote no .cpuprofile into ${dir}`);
  const summary = summarizeProfile(JSON.parse(fs.readFileSync(files[0], 'utf-8')) as CpuProfile, root);
  return { wall: r.wall, command: `${ONE_THREAD.name}=${ONE_THREAD.value} ${command.text}`, ...summary };
}
