/**
 * `npm run diff -- [--base <git ref>|none] [--head-assembly <dir>] [--context config=<file>] [--details]`
 * (the pipeline's build step adds `--base-file <file>`, the base it tested against, and `--env-file <file>`,
 * where the per-stage counts go as shell assignments)
 *
 * Synthesizes the base commit and the working tree (both at once, on both cores) and reviews every
 * stack of every stage-region and the pipeline with the CDK CLI's own diff library (./diff.ts).
 *
 * - The base is checked out in a temporary git worktree whose `node_modules` links to this
 *   checkout's, except `@baseline/*`, which link to the worktree's own packages, so the base runs its
 *   own code on the installed dependencies. It is synthesized from source (tools/source/register.cjs),
 *   without the CDK's built-in CloudFormation validation (a review needs the templates, not the
 *   findings), and its assembly is cached by commit, config and lockfile (the BASE_CACHE_ENTRIES used
 *   last are kept), so a second review against the same base does not synthesize it again.
 * - The head is the working tree, synthesized with every check on into apps/platform/cdk.out, as
 *   `npm run synth` does; or a cloud assembly given with `--head-assembly` (the pipeline passes the
 *   one its build step just synthesized).
 *
 * Prints the review, writes review.md, review.json and review.env into the head assembly, and exits
 * 0 when the guards pass, 1 when a guard refuses a change (or the head's synth checks fail), 2 when
 * the review cannot run (bad arguments, a config that does not load, a base that cannot be synthesized).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { APP_ROOT, DEFAULT_CONFIG } from '../app-files';
import { readAllowances } from './allowances';
import { readAssemblyStacks } from './assembly-stacks';
import { review } from './diff';
import { renderEnv, renderJson, renderMarkdown, renderText, ReviewSource } from './report';

/** The repository root (apps/platform/../..). */
export const REPO_ROOT = path.resolve(APP_ROOT, '..', '..');

/** The reviewed allowances for deliberate replacements. */
export const ALLOWANCES_FILE = path.join(APP_ROOT, 'config', 'allowed-replacements.yaml');

/** Files the review writes into the head cloud assembly. */
export const REVIEW_FILES = { markdown: 'review.md', json: 'review.json', env: 'review.env' } as const;

const REGISTER = path.join(REPO_ROOT, 'tools', 'source', 'register.cjs');

/** Where the output goes, and the process environment (tests give their own). */
export interface ReviewIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Where relative paths on the command line are resolved. */
  readonly cwd: string;
}

interface Args {
  readonly base: string;
  readonly headAssembly?: string;
  readonly config: string;
  readonly details: boolean;
  /** Also write the per-stage counts as shell assignments here. */
  readonly envFile?: string;
}

class UsageError extends Error {}

/** Runs the review; resolves to the exit code. */
export async function runReview(argv: string[], io: ReviewIo): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv, io.cwd);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`diff: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const baseCommit = args.base === 'none' ? undefined : resolveCommit(args.base);
  if (args.base !== 'none' && !baseCommit) {
    io.err(
      `diff: --base '${args.base}' is not a commit of this repository; give a branch, tag or commit ` +
        '(e.g. --base main, --base HEAD~1), or --base none to report everything as new',
    );
    return 2;
  }

  const [baseResult, headResult] = await Promise.all([
    baseCommit ? synthesizeBase(baseCommit, args.config) : Promise.resolve(undefined),
    args.headAssembly ? Promise.resolve({ dir: args.headAssembly, code: 0, output: '' }) : synthesizeHead(args.config),
  ]);
  if (headResult.output) {
    io.err(headResult.output.trimEnd());
  }
  if (baseResult?.note) {
    io.err(`note: ${baseResult.note}`);
  }
  if (baseResult && 'error' in baseResult) {
    io.err(`diff: ${baseResult.error}`);
    return 2;
  }
  if (headResult.code !== 0 && headResult.code !== 1) {
    io.err(`diff: the working tree does not synthesize (exit code ${headResult.code}; see above)`);
    return 2;
  }

  let allowances;
  try {
    allowances = readAllowances(ALLOWANCES_FILE);
  } catch (e) {
    io.err(`diff: ${(e as Error).message}`);
    return 2;
  }
  const result = review(
    baseResult ? readAssemblyStacks(baseResult.dir) : undefined,
    readAssemblyStacks(headResult.dir),
    {
      allowances,
      baseCommit,
    },
  );
  const source: ReviewSource = {
    baseCommit,
    baseRef: args.base,
    head: args.headAssembly ? `cloud assembly ${relative(args.headAssembly)}` : 'working tree',
    config: relative(args.config),
  };
  fs.writeFileSync(path.join(headResult.dir, REVIEW_FILES.markdown), renderMarkdown(result, source));
  fs.writeFileSync(path.join(headResult.dir, REVIEW_FILES.json), renderJson(result, source));
  fs.writeFileSync(path.join(headResult.dir, REVIEW_FILES.env), renderEnv(result));
  if (args.envFile) {
    fs.writeFileSync(args.envFile, renderEnv(result));
  }
  io.out(renderText(result, source, { details: args.details }));
  io.out(`\nreport: ${relative(path.join(headResult.dir, REVIEW_FILES.markdown))} (and ${REVIEW_FILES.json})`);
  if (headResult.code === 1) {
    io.err('\ndiff: the working tree synthesized, but its checks failed (see the synth output above)');
  }
  return result.problems.length > 0 || headResult.code === 1 ? 1 : 0;
}

function parseArgs(argv: string[], cwd: string): Args {
  let base: string | undefined;
  let headAssembly: string | undefined;
  let config: string | undefined;
  let details = false;
  let envFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) {
        throw new UsageError(`${arg} needs a value`);
      }
      return v;
    };
    if (arg === '--base') {
      base = value();
    } else if (arg.startsWith('--base=')) {
      base = arg.slice('--base='.length);
    } else if (arg === '--base-file') {
      // The pipeline's build step: the base it tested against, written by its first command.
      const file = path.resolve(cwd, value());
      if (!fs.existsSync(file)) {
        throw new UsageError(`--base-file ${file} does not exist`);
      }
      base = fs.readFileSync(file, 'utf-8');
    } else if (arg === '--env-file') {
      envFile = path.resolve(cwd, value());
    } else if (arg === '--head-assembly') {
      headAssembly = path.resolve(cwd, value());
    } else if (arg === '--context' || arg === '-c') {
      const pair = value();
      if (!pair.startsWith('config=')) {
        throw new UsageError(`only --context config=<file> is read, not '${pair}'`);
      }
      config = path.resolve(cwd, pair.slice('config='.length));
    } else if (arg === '--details') {
      details = true;
    } else {
      throw new UsageError(
        `unknown argument '${arg}'; allowed: --base <git ref>|none, --base-file <file>, --head-assembly <dir>, ` +
          '--env-file <file>, --context config=<file>, --details',
      );
    }
  }
  if (headAssembly && !fs.existsSync(path.join(headAssembly, 'manifest.json'))) {
    throw new UsageError(`--head-assembly ${headAssembly} holds no cloud assembly (no manifest.json)`);
  }
  // An empty base (the pipeline's first run, or a base its clone does not have) reviews everything as new.
  return {
    base: base === undefined ? defaultBase() : base.trim() || 'none',
    headAssembly,
    config: config ?? DEFAULT_CONFIG,
    details,
    envFile,
  };
}

function defaultBase(): string {
  return ['main', 'origin/main'].find((ref) => resolveCommit(ref) !== undefined) ?? 'main';
}

function resolveCommit(ref: string): string | undefined {
  const result = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    cwd: REPO_ROOT,
    encoding: 'utf-8',
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

interface Synthesis {
  readonly dir: string;
  readonly code: number;
  readonly output: string;
}

/** Runs the app's main from source in `root` (a checkout), into `outdir`. */
function synthesize(root: string, config: string, outdir: string, env: NodeJS.ProcessEnv): Promise<Synthesis> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', REGISTER, path.join(root, 'apps', 'platform', 'src', 'main.ts'), '--context', `config=${config}`],
      {
        cwd: path.join(root, 'apps', 'platform'),
        env: { ...process.env, ...env, CDK_OUTDIR: outdir, INIT_CWD: root },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ dir: outdir, code: code ?? 2, output }));
  });
}

function synthesizeHead(config: string): Promise<Synthesis> {
  return synthesize(REPO_ROOT, config, path.join(APP_ROOT, 'cdk.out'), {});
}

type BaseResult = { readonly dir: string; readonly note?: string } | { readonly error: string; readonly note?: string };

/** Where the base assemblies are kept, one folder per commit, config and lockfile. */
export const BASE_CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'baseline-review');

/** How many base assemblies the cache keeps (the default config's is about 3 MB): the ones used last. */
export const BASE_CACHE_ENTRIES = 10;

/** A synthesis into the cache that was stopped (`<entry>.tmp-<pid>`) is removed when this old. */
const ABANDONED_MS = 24 * 60 * 60 * 1000;

/**
 * Removes from `root` all but the `keep` base assemblies used last (a review marks the entry it
 * uses), and what a synthesis stopped midway left there a day ago or earlier; returns the removed
 * names. Without this, every base ever reviewed stayed until the next `npm ci`.
 */
export function pruneBaseCache(root: string, keep = BASE_CACHE_ENTRIES, now = Date.now()): string[] {
  const entries = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ name: e.name, used: fs.statSync(path.join(root, e.name)).mtimeMs }));
  const unfinished = entries.filter((e) => e.name.includes('.tmp-'));
  const finished = entries.filter((e) => !unfinished.includes(e));
  const removed = [
    ...unfinished.filter((e) => now - e.used >= ABANDONED_MS),
    ...finished.sort((a, b) => b.used - a.used).slice(keep),
  ].map((e) => e.name);
  for (const name of removed) {
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
  return removed.sort();
}

/** The base commit's cloud assembly: from the cache, or synthesized in a temporary worktree. */
async function synthesizeBase(commit: string, headConfig: string): Promise<BaseResult> {
  const relativeConfig = path.relative(REPO_ROOT, headConfig);
  const inRepo = !relativeConfig.startsWith('..') && !path.isAbsolute(relativeConfig);
  const lockfile = gitShow(commit, 'package-lock.json');
  const note =
    lockfile !== undefined && lockfile !== readIfExists(path.join(REPO_ROOT, 'package-lock.json'))
      ? `the base commit's package-lock.json differs from the working tree's: the base is synthesized with ` +
        "the working tree's dependencies, so a change that comes only from a dependency upgrade is not shown"
      : undefined;
  const baseConfigText = inRepo ? gitShow(commit, relativeConfig) : undefined;
  const key = createHash('sha256')
    .update(
      [
        commit,
        baseConfigText ?? readIfExists(headConfig) ?? '',
        readIfExists(path.join(REPO_ROOT, 'package-lock.json')) ?? '',
        fs.readFileSync(REGISTER, 'utf-8'),
      ].join('\0'),
    )
    .digest('hex')
    .slice(0, 16);
  const cached = path.join(BASE_CACHE, `${commit.slice(0, 12)}-${key}`);
  if (fs.existsSync(path.join(cached, 'manifest.json'))) {
    // Used now: the pruning below keeps the entries used last.
    const now = new Date();
    fs.utimesSync(cached, now, now);
    pruneBaseCache(BASE_CACHE);
    return { dir: cached, note };
  }

  const worktree = fs.mkdtempSync(path.join(os.tmpdir(), 'baseline-review-'));
  try {
    git(['worktree', 'add', '--detach', '--quiet', worktree, commit]);
    linkNodeModules(worktree);
    const config = inRepo && baseConfigText !== undefined ? path.join(worktree, relativeConfig) : headConfig;
    const outdir = `${cached}.tmp-${process.pid}`;
    fs.rmSync(outdir, { recursive: true, force: true });
    const result = await synthesize(worktree, config, outdir, { CDK_VALIDATION: 'false' });
    if (!fs.existsSync(path.join(outdir, 'manifest.json')) || (result.code !== 0 && result.code !== 1)) {
      return {
        error:
          `the base commit ${commit.slice(0, 12)} does not synthesize (exit code ${result.code}):\n` +
          `${result.output.trimEnd().split('\n').slice(-15).join('\n')}\n` +
          'Review against another base (--base <ref>), or --base none to report everything as new.',
        note,
      };
    }
    fs.rmSync(cached, { recursive: true, force: true });
    fs.renameSync(outdir, cached);
    pruneBaseCache(BASE_CACHE);
    return { dir: cached, note };
  } finally {
    spawnSync('git', ['worktree', 'remove', '--force', worktree], { cwd: REPO_ROOT });
    fs.rmSync(worktree, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: REPO_ROOT });
  }
}

/**
 * `<worktree>/node_modules`: a link to every entry of this checkout's node_modules, except
 * `@baseline`, whose packages link to the worktree's own workspaces.
 */
function linkNodeModules(worktree: string): void {
  const source = path.join(REPO_ROOT, 'node_modules');
  const target = path.join(worktree, 'node_modules');
  fs.mkdirSync(path.join(target, '@baseline'), { recursive: true });
  for (const entry of fs.readdirSync(source)) {
    if (entry !== '@baseline' && entry !== '.cache') {
      fs.symlinkSync(path.join(source, entry), path.join(target, entry));
    }
  }
  const workspaces =
    (JSON.parse(fs.readFileSync(path.join(worktree, 'package.json'), 'utf-8')) as { workspaces?: string[] })
      .workspaces ?? [];
  for (const workspace of workspaces) {
    const manifest = path.join(worktree, workspace, 'package.json');
    const name = fs.existsSync(manifest)
      ? (JSON.parse(fs.readFileSync(manifest, 'utf-8')) as { name?: string }).name
      : undefined;
    if (name?.startsWith('@baseline/')) {
      fs.symlinkSync(path.join(worktree, workspace), path.join(target, name));
    }
  }
}

function git(args: string[]): string {
  const result = spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf-8' });
  if (result.status !== 0) {
    throw new Error(`git ${args.join(' ')} failed: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

function gitShow(commit: string, file: string): string | undefined {
  const result = spawnSync('git', ['show', `${commit}:${file.split(path.sep).join('/')}`], {
    cwd: REPO_ROOT,
    encoding: 'utf-8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return result.status === 0 ? result.stdout : undefined;
}

function readIfExists(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf-8') : undefined;
}

function relative(file: string): string {
  const r = path.relative(REPO_ROOT, file);
  return r.startsWith('..') ? file : r;
}
