/**
 * The test loop, in the throwaway clone with its own, empty Nx cache: `npm test` cold and warm,
 * then `nx affected -t test` after touching only the app, and after touching one library.
 *
 * The cold run starts from an empty cache rather than with --skip-nx-cache, because that flag
 * also stops Nx from writing the cache the warm run needs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nxRun, type NxRun } from './nx';
import { log, run, type RunContext } from './process';
import { appendComment, nxEnv, TOUCHED_APP, TOUCHED_LIBRARY, type Clone } from './workspace';

export const AFFECTED_COMMAND = 'npx nx affected -t test --base=HEAD';

export interface Touched {
  /** The file that got a comment appended (uncommitted). */
  readonly file: string;
  /** `nx show projects --affected` after the edit. */
  readonly projects: readonly string[];
  readonly run: NxRun;
}

export interface TestLoop {
  readonly clone: Clone;
  readonly cold: NxRun;
  readonly warm: NxRun;
  readonly app: Touched;
  readonly library: Touched;
  /** Files copied into the clone before the runs (relative to the repository root). */
  readonly seeded: readonly string[];
}

/**
 * The files to copy from this checkout into the clone: the report links to the benchmark and
 * README links to the report, so until both are committed HEAD lacks them and the docs link test
 * would fail for that reason alone. The benchmark's folder goes whole (it is type-checked).
 */
export function filesToSeed(root: string, clone: string, benchDir: string, out: string): string[] {
  const benchFiles = fs
    .readdirSync(benchDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
  return [...benchFiles, out]
    .map((f) => path.relative(root, f))
    .filter((rel) => !rel.startsWith('..') && fs.existsSync(path.join(root, rel)))
    .filter((rel) => !fs.existsSync(path.join(clone, rel)));
}

async function touchedRun(ctx: RunContext, clone: string, env: NodeJS.ProcessEnv, file: string): Promise<Touched> {
  const restore = appendComment(clone, file, 'touched');
  try {
    const projects = run('npx', ['nx', 'show', 'projects', '--affected', '--base=HEAD'], { cwd: clone, env })
      .stdout.trim()
      .split('\n')
      .filter(Boolean);
    log(`  touched ${file}; affected projects: ${projects.join(', ')}`);
    const r = await nxRun(`affected (${file})`, commandLine(AFFECTED_COMMAND, '--output-style=stream'), {
      ...ctx,
      cwd: clone,
      env,
    });
    return { file, projects, run: r };
  } finally {
    restore();
  }
}

function commandLine(text: string, ...hidden: string[]) {
  const [file, ...args] = text.split(' ');
  return { file, args: [...args, ...hidden], text };
}

/**
 * The test loop's environment: Nx state of its own, a private TMPDIR (Jest's transform cache), and
 * the validation engine's kept reports in a folder of its own, empty at the cold run, as on a fresh
 * clone (every other scenario runs without kept reports, see cleanEnv).
 */
export function testLoopEnv(tmpRoot: string): NodeJS.ProcessEnv {
  const tmp = path.join(tmpRoot, 'nx-tests', 'tmp');
  fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
  return nxEnv(tmpRoot, 'nx-tests', {
    TMPDIR: tmp,
    PLATFORM_VALIDATE_CACHE: path.join(tmpRoot, 'nx-tests', 'validate-reports'),
  });
}

export async function testLoop(
  ctx: RunContext,
  clone: Clone,
  seed: { root: string; benchDir: string; out: string },
): Promise<TestLoop> {
  const seeded = filesToSeed(seed.root, clone.dir, seed.benchDir, seed.out);
  for (const rel of seeded) {
    fs.mkdirSync(path.dirname(path.join(clone.dir, rel)), { recursive: true });
    fs.copyFileSync(path.join(seed.root, rel), path.join(clone.dir, rel));
  }
  if (seeded.length) log(`  copied into the clone (not committed yet): ${seeded.join(', ')}`);
  // Empty Nx state of its own (not the one the synth runs used), Jest's transform cache and the kept
  // validation reports empty too.
  const env = testLoopEnv(ctx.tmpRoot);
  const npmTest = { file: 'npm', args: ['test'], text: 'npm test' };
  log('tests, in the clone:');
  log('  cold: npm test with an empty Nx cache');
  const cold = await nxRun('cold', npmTest, { ...ctx, cwd: clone.dir, env });
  if (cold.cache && cold.cache.hits > 0) log(`  WARNING: the cold run had ${cold.cache.hits} cache hits`);
  log('  warm: npm test again');
  const warm = await nxRun('warm', npmTest, { ...ctx, cwd: clone.dir, env });
  const app = await touchedRun(ctx, clone.dir, env, TOUCHED_APP);
  const library = await touchedRun(ctx, clone.dir, env, TOUCHED_LIBRARY);
  return { clone, cold, warm, app, library, seeded };
}
