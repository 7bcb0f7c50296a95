/**
 * The synth and the tests only transpile (swc): type errors are the `typecheck` target's. This proves
 * that a type error in the app or in a library still fails `npm test` and the pipeline's build step:
 * both run the typecheck target (checked from their own definitions), and in a throwaway copy of this
 * workspace with a type error planted, that target fails for every affected project, naming the file.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthBuildCommands } from '../../apps/platform/src/pipeline/private/synth-commands';
import { WORKSPACE, workspaceRepo } from './support/workspace-repo';

const TYPE_ERROR = "\nexport const plantedTypeError: number = 'not a number';\n";

let repo: string;

/** Runs the workspace's nx in the copy, without its cache; returns the exit code and the output. */
function nx(...args: string[]): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [path.join(WORKSPACE, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args], {
    cwd: repo,
    encoding: 'utf-8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true', NX_TUI: 'false' },
  });
  // tsc prints in colour under Nx; the assertions read the text.
  return { code: r.status, output: `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '') };
}

/** Plants a type error in `file`, runs the pipeline's type check of what changed, restores the file. */
function typecheckAffectedWithErrorIn(file: string): { code: number | null; output: string } {
  const full = path.join(repo, file);
  const original = fs.readFileSync(full);
  fs.appendFileSync(full, TYPE_ERROR);
  try {
    return nx('affected', '-t', 'typecheck', '--base=HEAD', '--output-style=static');
  } finally {
    fs.writeFileSync(full, original);
  }
}

beforeAll(() => {
  // GIVEN a git repository holding this workspace's files (tracked and new, not ignored ones)
  repo = workspaceRepo('type-errors');
}, 60_000);

afterAll(() => {
  fs.rmSync(repo, { recursive: true, force: true });
});

test('npm test and the pipeline build step run the typecheck target', () => {
  const scripts = JSON.parse(fs.readFileSync(path.join(WORKSPACE, 'package.json'), 'utf-8')).scripts as Record<
    string,
    string
  >;
  expect(scripts.test).toMatch(/^nx run-many -t lint typecheck test\b/);
  const build = synthBuildCommands('/baseline/pipeline/last-successful-commit');
  expect(build[0]).toContain('npx nx affected -t lint typecheck test --base="$BASE"');
  expect(build[0]).toContain('npx nx run-many -t lint typecheck test;');
  // ... and the type check runs before the synth, which only transpiles
  expect(build.indexOf('npm run synth')).toBeGreaterThan(0);
});

test('a type error in the app fails the type check, naming the file', () => {
  const { code, output } = typecheckAffectedWithErrorIn('apps/platform/src/main.ts');
  expect(code).not.toBe(0);
  expect(output).toMatch(/^src\/main\.ts:\d+:\d+ - error TS2322: Type 'string' is not assignable to type 'number'/m);
  expect(output).toMatch(/platform:typecheck/);
}, 120_000);

test('a type error in a library fails the type check of the library and of the app, naming the file', () => {
  const { code, output } = typecheckAffectedWithErrorIn('packages/observability/src/index.ts');
  expect(code).not.toBe(0);
  // the library's own check names it src/index.ts, the app's by its path to the library's source
  expect(output).toMatch(/^src\/index\.ts:\d+:\d+ - error TS2322/m);
  expect(output).toMatch(/^\.\.\/\.\.\/packages\/observability\/src\/index\.ts:\d+:\d+ - error TS2322/m);
  expect(output).toMatch(/observability:typecheck/);
  expect(output).toMatch(/platform:typecheck/);
}, 120_000);

test('without the planted error, the same check passes', () => {
  const { code, output } = nx('affected', '-t', 'typecheck', '--base=HEAD', '--output-style=static');
  expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
}, 120_000);
