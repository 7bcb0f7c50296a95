/**
 * The workspace the benchmark measures: how the app's synth target runs (read from
 * apps/platform/project.json, so that the benchmark follows the app when its synth command or its
 * dependencies change), throwaway clones with their own node_modules, and the private Nx state
 * every Nx run of the benchmark gets.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cleanEnv, log, run, tail, type Command } from './process';

/** The app's project, relative to the repository root. */
export const APP_PROJECT_ROOT = path.join('apps', 'platform');
export const APP_PROJECT = 'platform';

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf-8')) as T;
}

/** The version of a package as resolved from a folder, or 'n/a'. */
export function pkgVersion(name: string, from: string): string {
  try {
    const req = createRequire(path.join(from, 'package.json'));
    return readJson<{ version: string }>(req.resolve(`${name}/package.json`)).version;
  } catch {
    return 'n/a';
  }
}

// ---------------------------------------------------------------------------------------------
// The synth target

type DependsOn = string | { target?: string; projects?: unknown; dependencies?: boolean };

interface TargetConfig {
  executor?: string;
  command?: string;
  dependsOn?: DependsOn[];
  options?: { command?: string; commands?: Array<string | { command?: string }>; cwd?: string };
}

export interface ProjectJson {
  targets?: Record<string, TargetConfig | undefined>;
}

export interface NxJson {
  targetDefaults?: Record<string, { dependsOn?: DependsOn[] } | undefined>;
}

/** How `nx run platform:synth` runs the app, as the benchmark needs it. */
export interface SynthTarget {
  /** The command line, as written in project.json (tokens replaced). */
  readonly command: string;
  /** Where Nx runs it (absolute). */
  readonly cwd: string;
  /** The targets that `synth` depends on (`build` for both `build` and `^build`), to refresh first. */
  readonly dependsOn: readonly string[];
}

/**
 * Reads the synth target from a project.json (and nx.json's targetDefaults, which apply when the
 * target has no `dependsOn` of its own, as in Nx). `projectRoot` is relative to `workspaceRoot`.
 */
export function readSynthTarget(
  project: ProjectJson,
  nx: NxJson,
  where: { workspaceRoot: string; projectRoot: string; file: string },
): SynthTarget {
  const target = project.targets?.synth;
  if (!target) throw new Error(`${where.file}: no 'synth' target; the benchmark runs the app the way it does`);
  const tokens = (s: string) =>
    s.replace(/\{projectRoot\}/g, where.projectRoot).replace(/\{workspaceRoot\}/g, where.workspaceRoot);

  const commands = target.options?.commands?.map((c) => (typeof c === 'string' ? c : c.command));
  const command = target.options?.command ?? target.command ?? (commands?.length === 1 ? commands[0] : undefined);
  if (typeof command !== 'string' || command.trim() === '') {
    throw new Error(
      `${where.file}: targets.synth.options.command must be the app's command line (an nx:run-commands target ` +
        `with one command), got ${JSON.stringify(target.options ?? target)}`,
    );
  }
  const cwd = path.resolve(where.workspaceRoot, tokens(target.options?.cwd ?? '.'));
  const dependsOn = target.dependsOn ?? nx.targetDefaults?.synth?.dependsOn ?? [];
  const names = dependsOn
    .map((d) => (typeof d === 'string' ? d.replace(/^\^/, '') : d.target))
    .filter((t): t is string => typeof t === 'string' && t !== '' && !t.includes('{'));
  return { command: tokens(command).trim(), cwd, dependsOn: [...new Set(names)] };
}

/** The synth target of the workspace at `root`. */
export function synthTargetOf(root: string): SynthTarget {
  const file = path.join(root, APP_PROJECT_ROOT, 'project.json');
  const nxFile = path.join(root, 'nx.json');
  return readSynthTarget(readJson<ProjectJson>(file), fs.existsSync(nxFile) ? readJson<NxJson>(nxFile) : {}, {
    workspaceRoot: root,
    projectRoot: APP_PROJECT_ROOT,
    file: path.relative(root, file),
  });
}

/** A command, and whether it runs in /bin/sh (its text is then the script). */
export type SpawnCommand = Command & { readonly shell: boolean };

/** Characters that need a shell (quoting, expansion, redirection, several commands). */
const SHELL_SYNTAX = /[|&;<>()$`\\"'*?[\]{}~#]/;

/**
 * A command line as a spawnable command: split on spaces when it is plain words (so the timing
 * has no shell in it, as `node lib/main.js` had none), else run by /bin/sh as Nx would.
 */
export function commandOf(text: string): SpawnCommand {
  const words = text.trim().split(/\s+/);
  if (SHELL_SYNTAX.test(text) || words[0].includes('=')) {
    return { file: '/bin/sh', args: ['-c', text], text, shell: true };
  }
  return { file: words[0], args: words.slice(1), text, shell: false };
}

/** The command with arguments added (for a shell command, passed as "$@", unquoted by nothing). */
export function withArgs(command: SpawnCommand, extra: readonly string[]): Command {
  if (extra.length === 0) return command;
  const text = `${command.text} ${extra.join(' ')}`;
  if (command.shell) return { file: '/bin/sh', args: ['-c', `${command.args[1]} "$@"`, 'sh', ...extra], text };
  return { file: command.file, args: [...command.args, ...extra], text };
}

// ---------------------------------------------------------------------------------------------
// Nx state and clones

/**
 * The environment for Nx: a private Nx cache and workspace data under `tmpRoot/name` (Nx 24
 * otherwise shares ~/.nx/<id> between all checkouts of one repository, so a clone would read this
 * checkout's cache), daemon and terminal UI off.
 */
export function nxEnv(tmpRoot: string, name: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
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

export interface Clone {
  readonly dir: string;
  /** The short commit id checked out (with uncommitted changes carried over: the clone's own commit of them). */
  readonly head: string;
  /** The commit of the checkout the clone started from, when uncommitted changes were carried over. */
  readonly base?: string;
  /** The files whose uncommitted state was carried over from the checkout (none: the commit as it is). */
  readonly uncommitted?: readonly string[];
  readonly installMode: string;
  readonly installSeconds: number;
}

/** The commit a ref names in `repo`, or throws naming the option it came from. */
export function resolveCommit(repo: string, ref: string, option: string): string {
  const r = run('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: repo });
  if (r.status !== 0 || r.stdout.trim() === '') {
    throw new Error(`${option}: '${ref}' is not a commit in ${repo}`);
  }
  return r.stdout.trim();
}

/**
 * A throwaway clone of `commit` with its own node_modules (workspace links must point into it),
 * installed from the npm cache where it can be (`npm ci --prefer-offline`: `--offline` silently skips an
 * optional platform package the cache lacks, such as TypeScript 7's compiler binary), neither step timed.
 *
 * With `carryUncommitted`, the checkout's uncommitted changes (tracked files' diff against `commit`,
 * and new files git does not ignore), as they are at this moment, are applied in the clone and
 * committed there, so that the clone measures the working tree and `nx affected --base=HEAD` in
 * it compares against the working tree too. The checkout's own git state is only read.
 */
export function prepareClone(source: string, commit: string, dir: string, carryUncommitted = false): Clone {
  log(`cloning ${commit.slice(0, 12)} into ${dir}`);
  const c = run('git', ['clone', '-q', '--no-checkout', source, dir]);
  if (c.status !== 0) throw new Error(`git clone failed:\n${c.stderr}`);
  const co = run('git', ['checkout', '-q', '--detach', commit], { cwd: dir });
  if (co.status !== 0) throw new Error(`git checkout ${commit} in the clone failed:\n${co.stderr}`);
  const uncommitted = carryUncommitted ? carryUncommittedChanges(source, commit, dir) : undefined;
  log('  npm ci --prefer-offline --no-audit --no-fund (not timed)');
  const t0 = performance.now();
  const env = cleanEnv();
  let install = run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env });
  let installMode = 'npm ci --prefer-offline';
  if (install.status !== 0) {
    log('  npm ci --prefer-offline failed: npm ci again');
    install = run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, env });
    installMode = 'npm ci';
  }
  if (install.status !== 0) throw new Error(`npm ci in the clone failed:\n${tail(install.stderr)}`);
  const head = run('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir }).stdout.trim();
  const base = uncommitted?.length ? commit.slice(0, 7) : undefined;
  return { dir, head, base, uncommitted, installMode, installSeconds: (performance.now() - t0) / 1000 };
}

/** Applies the checkout's uncommitted changes in the clone and commits them there; returns the files. */
function carryUncommittedChanges(source: string, commit: string, dir: string): string[] {
  const diff = run('git', ['diff', '--binary', commit], { cwd: source });
  if (diff.status !== 0) throw new Error(`git diff in ${source} failed:\n${diff.stderr}`);
  const changed = run('git', ['diff', '--name-only', '-z', commit], { cwd: source }).stdout.split('\0').filter(Boolean);
  if (diff.stdout.trim() !== '') {
    const patch = path.join(dir, '..', `${path.basename(dir)}.patch`);
    fs.writeFileSync(patch, diff.stdout);
    const applied = run('git', ['apply', '--binary', patch], { cwd: dir });
    fs.rmSync(patch, { force: true });
    if (applied.status !== 0) throw new Error(`applying the checkout's uncommitted changes failed:\n${applied.stderr}`);
  }
  const untracked = run('git', ['ls-files', '--others', '--exclude-standard', '-z'], { cwd: source })
    .stdout.split('\0')
    .filter((f) => f && fs.statSync(path.join(source, f), { throwIfNoEntry: false })?.isFile());
  for (const f of untracked) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(source, f), path.join(dir, f));
  }
  const files = [...changed, ...untracked].sort();
  if (files.length > 0) {
    log(`  carried over the checkout's uncommitted changes (${files.length} files), committed in the clone`);
    const git = (...args: string[]) => {
      const r = run('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...args], { cwd: dir });
      if (r.status !== 0) throw new Error(`git ${args.join(' ')} in the clone failed:\n${r.stderr}`);
    };
    git('add', '-A');
    git(
      'commit',
      '-q',
      '--no-verify',
      '-m',
      `bench: the uncommitted changes of the checkout on ${commit.slice(0, 12)}`,
    );
  }
  return files;
}

/** The Nx command that refreshes what the synth target depends on, or undefined if nothing. */
export function refreshCommand(target: SynthTarget): string[] | undefined {
  return target.dependsOn.length > 0 ? ['nx', 'run-many', '-t', ...target.dependsOn] : undefined;
}

/**
 * Brings what the synth target depends on up to date through Nx (not timed), e.g. the build when
 * the app runs from lib/. Returns the command run, for the report.
 */
export function refreshSynthInputs(root: string, target: SynthTarget, env: NodeJS.ProcessEnv): string {
  const nx = refreshCommand(target);
  if (!nx) {
    log(`the synth target depends on nothing: no refresh needed in ${root}`);
    return 'nothing to refresh (the synth target has no dependsOn)';
  }
  const text = `NX_DAEMON=false npx ${nx.join(' ')}`;
  log(`refreshing the synth target's dependencies in ${root}: ${text} (not timed)`);
  const r = run('npx', nx, { cwd: root, env });
  if (r.status !== 0) throw new Error(`${text} failed in ${root}:\n${tail(`${r.stdout}\n${r.stderr}`)}`);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Edits

/** The app's entry point: touching it affects the app alone. */
export const TOUCHED_APP = 'apps/platform/src/main.ts';
/** One library the app depends on. */
export const TOUCHED_LIBRARY = 'packages/observability/src/index.ts';

/**
 * Appends a comment line to a file, as a person's smallest edit, and returns what restores it.
 *
 * Each line is unique: Nx hashes file contents, so repeating an earlier edit would be a cache hit
 * and would measure the cache instead of the edit.
 */
export function appendComment(root: string, rel: string, label: string): () => void {
  const file = path.join(root, rel);
  const original = fs.readFileSync(file);
  fs.appendFileSync(file, `\n// bench: ${label} ${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}\n`);
  return () => fs.writeFileSync(file, original);
}
