/**
 * Runs through Nx (and through npm, as a person types them), measured, with what Nx
 * says it did: the cache summary line, and each task's duration and status from NX_PROFILE; and how
 * long the machine's cores were busy meanwhile.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sec } from './format';
import { log, measure, nextId, tail, type Command, type RunContext } from './process';

const NX_CACHE_LINE = /Cache:\s+(\d+)\/(\d+) hit/;
const NX_READ_LINE = /Nx read the output from the cache instead of running the command for (\d+) out of (\d+) tasks/;
/** projen's banner before each step of a task: `👾 test | nx run-many ...`. */
const PROJEN_STEP = /👾 \S+ \| (.*)$/;
/** npm's banner before it runs a script: `> name@version script`, then `> command`. */
const NPM_SCRIPT = /^> \S+@\S+ [\w:.-]+$/;
const NPM_COMMAND = /^> (.+)$/;

/**
 * A reader of a command's output lines that returns the command of each step as its banner
 * appears: projen's, or, for an npm script that runs a command itself (`npm run synth` is `nx run
 * ...`), npm's, whose time is when npm has started and hands over to the command.
 */
export function stepBanners(): (line: string) => string | undefined {
  let afterNpmScript = false;
  return (line) => {
    const projen = PROJEN_STEP.exec(line);
    if (projen) return projen[1].trim();
    const npm = afterNpmScript ? NPM_COMMAND.exec(line) : null;
    afterNpmScript = NPM_SCRIPT.test(line);
    return npm ? npm[1].trim() : undefined;
  };
}

export interface NxCache {
  readonly hits: number;
  readonly tasks: number;
  readonly line: string;
}

export interface NxTask {
  /** `project:target`. */
  readonly id: string;
  readonly seconds: number;
  /** Nx's status, e.g. `success`, `local-cache`, `local-cache-kept-existing`, `failure`. */
  readonly status: string;
}

/** One step of a projen task, from when its banner appeared (seconds since spawn). */
export interface Step {
  readonly command: string;
  readonly start: number;
  readonly seconds: number;
}

export interface NxRun {
  readonly wall: number;
  readonly code: number;
  readonly cache?: NxCache;
  readonly tasks: readonly NxTask[];
  readonly steps: readonly Step[];
  /** The last output lines when the command failed (its time still counts). */
  readonly failure?: string;
  /**
   * CPU seconds the machine's cores were busy while the command ran (busyCpuSeconds before and after),
   * whatever ran on them: on a quiet machine that is the command's own work, including processes that
   * its own accounting misses (the validation engines' processes, whose parents do not wait for
   * them, so that time(1) and getrusage never count them).
   */
  readonly cpu?: number;
}

/**
 * How long the machine's cores have been busy since boot, in seconds: user, nice, system and irq
 * time summed over every core, idle left out (Node.js reads them from /proc/stat on Linux, in
 * milliseconds: os.cpus()).
 */
export function busyCpuSeconds(cpus: readonly Pick<os.CpuInfo, 'times'>[] = os.cpus()): number {
  return cpus.reduce((s, c) => s + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0) / 1000;
}

/** Nx's cache summary from its output (the line differs between run-many and a single task). */
export function nxCacheSummary(output: string): NxCache | undefined {
  const m = NX_CACHE_LINE.exec(output);
  if (m) return { hits: Number(m[1]), tasks: Number(m[2]), line: m[0] };
  const r = NX_READ_LINE.exec(output);
  if (r) return { hits: Number(r[1]), tasks: Number(r[2]), line: r[0] };
  return undefined;
}

/** Task durations and statuses from the events of an NX_PROFILE file (Chrome trace format). */
export function parseNxProfile(events: unknown): NxTask[] {
  if (!Array.isArray(events)) return [];
  return events
    .filter((e): e is { ph: string; name: string; dur: number; args?: { status?: string } } => e?.ph === 'X')
    .map((e) => ({ id: e.name, seconds: e.dur / 1e6, status: e.args?.status ?? '?' }));
}

/** Whether Nx ran the task rather than restoring it from the cache. */
export const ranTask = (t: NxTask): boolean => !t.status.includes('cache');

/** The tasks Nx ran (not restored from the cache). */
export const tasksRun = (run: Pick<NxRun, 'tasks'>): NxTask[] => run.tasks.filter(ranTask);

/** Step durations from banner times: each lasts until the next banner, the last until exit. */
export function stepDurations(starts: ReadonlyArray<{ command: string; start: number }>, wall: number): Step[] {
  return starts.map((s, i) => ({ ...s, seconds: (starts[i + 1]?.start ?? wall) - s.start }));
}

/**
 * Runs a command that runs Nx, with NX_PROFILE pointing into the temporary folder. A failing
 * command still leaves a meaningful timing: it is logged and kept, not thrown.
 */
export async function nxRun(
  label: string,
  command: Command,
  opts: RunContext & { cwd: string; env: NodeJS.ProcessEnv },
): Promise<NxRun> {
  const profileFile = path.join(opts.tmpRoot, `nx-profile-${label.replace(/\W+/g, '-')}-${nextId()}.json`);
  const starts: Array<{ command: string; start: number }> = [];
  const banner = stepBanners();
  const cpuBefore = busyCpuSeconds();
  const r = await measure(command, {
    ...opts,
    // NX_PROFILE is joined to the cwd of the Nx process (the workspace root).
    env: { ...opts.env, NX_PROFILE: path.relative(opts.cwd, profileFile) },
    onLine: (line, t) => {
      const step = banner(line);
      if (step) starts.push({ command: step, start: t });
    },
  });
  const cpu = busyCpuSeconds() - cpuBefore;
  const output = `${r.stdout}\n${r.stderr}`;
  const cache = nxCacheSummary(output);
  const tasks = fs.existsSync(profileFile) ? parseNxProfile(JSON.parse(fs.readFileSync(profileFile, 'utf-8'))) : [];
  const ran = tasks.filter(ranTask);
  log(
    `  ${label}: ${sec(r.wall)}, exit ${r.code}, CPU ${sec(cpu)}; Nx: ${cache ? cache.line : 'no cache summary line'}` +
      (tasks.length ? `; ran ${ran.length ? ran.map((t) => t.id).join(', ') : 'nothing'}` : ''),
  );
  const failure = r.code === 0 ? undefined : tail(output, 25);
  if (failure) log(`  WARNING: ${label} exited ${r.code}:\n${failure}`);
  return { wall: r.wall, code: r.code, cache, tasks, steps: stepDurations(starts, r.wall), failure, cpu };
}
