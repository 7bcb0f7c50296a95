/**
 * A throwaway git repository holding this workspace's files (tracked and new, not ignored ones), with
 * the workspace's node_modules linked in and everything committed on `main`: for tests that run Nx
 * on a copy and change files in it (nx affected, a planted type error).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The root of this workspace. */
export const WORKSPACE = path.resolve(__dirname, '..', '..', '..');

/** Runs git in `repo` as a test identity; throws with git's message when it fails; returns stdout. */
export function gitIn(repo: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
    cwd: repo,
    encoding: 'utf-8',
  });
  if (r.status !== 0) {
    throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  }
  return r.stdout;
}

/** Copies the workspace into a new temporary folder named `<prefix>-…`, commits it, returns the folder. */
export function workspaceRepo(prefix: string): string {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const files = gitIn(WORKSPACE, 'ls-files', '--cached', '--others', '--exclude-standard', '-z')
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(WORKSPACE, f)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    fs.copyFileSync(path.join(WORKSPACE, file), path.join(repo, file));
  }
  fs.symlinkSync(path.join(WORKSPACE, 'node_modules'), path.join(repo, 'node_modules'), 'dir');
  gitIn(repo, 'init', '-q', '-b', 'main');
  gitIn(repo, 'add', '-A');
  gitIn(repo, 'commit', '-qm', 'workspace');
  return repo;
}
