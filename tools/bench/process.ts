/**
 * Running and measuring child processes: wall time from spawn to exit, the peak RSS of the
 * largest process (GNU time's %M, which covers waited-for descendants, so for `npx ts-node` it is
 * the ts-node process, not npx), and the peak of the summed RSS of the whole tree, sampled from
 * /proc. The parsers are exported so that they can be tested without a child process.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MiB } from './format';

export const GNU_TIME = '/usr/bin/time';
/** How often the process tree's memory is sampled. */
export const SAMPLE_MS = 50;

export const log = (msg: string): void => {
  process.stderr.write(`[bench] ${msg}\n`);
};

/** A command to spawn without a shell; `text` is how the report shows it. */
export interface Command {
  readonly file: string;
  readonly args: readonly string[];
  readonly text: string;
}

/** The result of one measured run. Times in seconds, memory in bytes. */
export interface Measured {
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly wall: number;
  readonly peak?: number;
  readonly treePeak?: number;
  readonly stdout: string;
  readonly stderr: string;
}

// ---------------------------------------------------------------------------------------------
// Parsers

/** VmRSS (current) and VmHWM (the process's own peak) from a /proc/<pid>/status text, in bytes. */
export function parseProcStatus(text: string): { rss: number; hwm: number } {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/**
 * The peak RSS in bytes from the file `time -f %M -o <file>` wrote, or undefined.
 *
 * GNU time writes %M in KiB on the last line; before it, it may add a line such as
 * `Command exited with non-zero status 1` or `Command terminated by signal 9`.
 */
export function parseGnuTime(text: string): number | undefined {
  const last = text.trim().split('\n').pop()?.trim() ?? '';
  return /^\d+$/.test(last) ? Number(last) * 1024 : undefined;
}

/** The child pids listed in /proc/<pid>/task/<tid>/children texts (space separated). */
export function parseChildren(texts: readonly string[]): number[] {
  return texts.flatMap((t) => t.trim().split(/\s+/).filter(Boolean).map(Number));
}

/** Splits streamed output into whole lines; the last, unfinished line waits for more data. */
export class LineSplitter {
  private partial = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.onLine(l);
  }
}

/** The last `lines` lines of a text, for error messages. */
export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------------
// /proc

function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const texts: string[] = [];
  for (const tid of tasks) {
    try {
      texts.push(fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf-8'));
    } catch {
      // the task ended between the two reads
    }
  }
  return parseChildren(texts);
}

function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    return parseProcStatus(fs.readFileSync(`/proc/${pid}/status`, 'utf-8'));
  } catch {
    return undefined;
  }
}

/** Samples a process tree: the peak of the summed RSS, and each process's own peak (VmHWM). */
export class TreeSampler {
  treePeak = 0;
  processPeak = 0;
  private readonly procAvailable: boolean;

  /** `skipRoot`: the root is GNU time, whose few MiB are not the measured command's. */
  constructor(
    private readonly rootPid: number,
    private readonly skipRoot: boolean,
  ) {
    this.procAvailable = fs.existsSync(`/proc/${rootPid}/status`);
  }

  sample(): void {
    if (!this.procAvailable) return;
    const pids: number[] = [];
    const queue = [this.rootPid];
    while (queue.length > 0) {
      const pid = queue.shift()!;
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

// ---------------------------------------------------------------------------------------------
// Running

/** Whether GNU time is installed (it gives the exact peak RSS; /proc sampling can miss a peak). */
export function detectGnuTime(): boolean {
  try {
    const r = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf-8' });
    return r.status === 0 && parseGnuTime(r.stderr) !== undefined;
  } catch {
    return false;
  }
}

/**
 * The environment for child processes: this shell's, without what `npm run` and Nx added (so
 * every variant starts as from a terminal, and a clone's Nx does not read this checkout's state),
 * and without ts-node settings that would change how the stock variant compiles.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('npm_') || k === 'INIT_CWD' || k === 'NODE' || k.startsWith('NX_') || k.startsWith('TS_NODE_')) {
      continue;
    }
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((p) => !p.endsWith(`node_modules${path.sep}.bin`) && !p.includes(`${path.sep}node-gyp-bin`))
    .join(path.delimiter);
  // The synth scenarios measure a synth that validates every template: the validation engine's kept
  // reports (packages/rules, validate-engine.cjs) would answer every template of a repeated synth,
  // and of an edit that changes none. Off unless a scenario says otherwise (the test loop keeps them
  // in a folder of its own that starts empty, test-loop.ts).
  return { ...env, PLATFORM_VALIDATE_CACHE: 'false', ...extra };
}

/** Runs a command to completion (not measured); throws only if it cannot be started. */
export function run(cmd: string, args: readonly string[], opts: SpawnSyncOptions = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf-8', maxBuffer: 256 * MiB, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** The child being measured, so that Ctrl-C can stop its whole process group. */
let current: ChildProcess | undefined;
let seq = 0;

/** A number unique in this benchmark process, for file names. */
export function nextId(): number {
  return ++seq;
}

/** Stops the measured child's process group, if one is running. */
export function killCurrent(): void {
  if (current?.pid === undefined) return;
  try {
    process.kill(-current.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** What every measured run needs to know about the benchmark. */
export interface RunContext {
  /** The benchmark's temporary folder (GNU time's output, outdirs, Nx state, clones). */
  readonly tmpRoot: string;
  /** Whether GNU time is used for the peak RSS. */
  readonly gnuTime: boolean;
}

export interface MeasureOptions extends RunContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Sees every output line as it arrives, with the seconds since spawn. */
  readonly onLine?: (line: string, seconds: number) => void;
}

/** Runs one command, timing it from spawn to exit and sampling its memory. */
export function measure(command: Command, opts: MeasureOptions): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const rssFile = path.join(opts.tmpRoot, `rss-${nextId()}.txt`);
    const [file, argv] = opts.gnuTime
      ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command.file, ...command.args]]
      : [command.file, [...command.args]];
    const start = performance.now();
    // detached: its own process group, so that Ctrl-C can stop the whole tree.
    const child = spawn(file, argv, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    current = child;
    const sampler = new TreeSampler(child.pid ?? -1, opts.gnuTime);
    const timer = setInterval(() => sampler.sample(), SAMPLE_MS);
    let wall: number | undefined;
    const chunks: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
    for (const stream of ['stdout', 'stderr'] as const) {
      const splitter = opts.onLine
        ? new LineSplitter((line) => opts.onLine!(line, (performance.now() - start) / 1000))
        : undefined;
      child[stream]!.on('data', (d: Buffer) => {
        chunks[stream].push(d);
        splitter?.push(d.toString('utf-8'));
      });
    }
    child.on('error', (e) => {
      clearInterval(timer);
      current = undefined;
      reject(new Error(`could not start '${command.text}' in ${opts.cwd}: ${e.message}`));
    });
    child.on('exit', () => {
      wall = (performance.now() - start) / 1000;
      clearInterval(timer);
    });
    child.on('close', (code, signal) => {
      current = undefined;
      clearInterval(timer);
      let peak = sampler.processPeak || undefined;
      if (opts.gnuTime && fs.existsSync(rssFile)) {
        peak = parseGnuTime(fs.readFileSync(rssFile, 'utf-8')) ?? peak;
        fs.rmSync(rssFile, { force: true });
      }
      resolve({
        code: signal ? 128 : (code ?? 1),
        signal,
        wall: wall ?? (performance.now() - start) / 1000,
        peak,
        treePeak: sampler.treePeak || undefined,
        stdout: Buffer.concat(chunks.stdout).toString('utf-8'),
        stderr: Buffer.concat(chunks.stderr).toString('utf-8'),
      });
    });
  });
}

/** Throws with the command's last output lines. */
export function fail(what: string, r: Pick<Measured, 'code' | 'signal' | 'stdout' | 'stderr'>): never {
  const output = tail(`${r.stdout}\n${r.stderr}`, 40);
  throw new Error(`${what} failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}):\n${output}`);
}
