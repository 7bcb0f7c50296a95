/**
 * `nx affected` is how the pipeline decides what to test, so its answers are tested here: in a
 * throwaway git repository copied from this workspace, a change in one place must make exactly
 * the expected projects affected.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitIn, WORKSPACE, workspaceRepo } from './support/workspace-repo';

const LIBRARIES = ['data', 'network', 'observability', 'security'];
/** The shared helpers package: libraries may depend on it, it depends on nothing of ours. */
const SHARED = 'rules';
const PRODUCT = [...LIBRARIES, SHARED, 'platform'].sort();
/** The projects of the product, and the repository tooling (tools/project.json). */
const ALL = [...PRODUCT, 'tools'].sort();

let repo: string;

function git(...args: string[]): string {
  return gitIn(repo, ...args);
}

const NX_BIN = path.join(WORKSPACE, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

/** Runs the workspace's nx in the copy. */
function nx(...args: string[]): string {
  return execFileSync(process.execPath, [NX_BIN, ...args], {
    cwd: repo,
    encoding: 'utf-8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true' },
  });
}

function affected(): string[] {
  return (JSON.parse(nx('show', 'projects', '--affected', '--base=HEAD', '--json')) as string[]).sort();
}

/** Writes a new source file into the copy. */
function addFile(relative: string): void {
  const file = path.join(repo, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'export const touched = 1;\n');
}

/** Applies `change` to the copy, asks Nx, then restores the committed state. */
function affectedBy(change: () => void): string[] {
  change();
  try {
    return affected();
  } finally {
    git('checkout', '--', '.');
    git('clean', '-fdq');
  }
}

beforeAll(() => {
  // GIVEN a git repository holding this workspace's files (tracked and new, not ignored ones)
  repo = workspaceRepo('nx-affected');
}, 60_000);

afterAll(() => {
  fs.rmSync(repo, { recursive: true, force: true });
});

test('the app depends on every library and the shared helpers; a library on the shared helpers only; those on nothing', () => {
  // WHEN Nx lists the projects and writes the project graph
  const projects = (JSON.parse(nx('show', 'projects', '--json')) as string[]).sort();
  const graphFile = path.join(repo, 'graph-out.json');
  nx('graph', `--file=${graphFile}`);
  const graph = JSON.parse(fs.readFileSync(graphFile, 'utf-8')) as {
    graph: { dependencies: Record<string, Array<{ target: string }>> };
  };
  fs.rmSync(graphFile);
  const deps = (p: string) => graph.graph.dependencies[p].map((d) => d.target).sort();
  // THEN
  expect(projects).toEqual(ALL);
  expect(deps('platform')).toEqual([...LIBRARIES, SHARED].sort());
  for (const library of LIBRARIES) {
    expect({ library, deps: deps(library) }).toEqual({ library, deps: [SHARED] });
  }
  expect(deps(SHARED)).toEqual([]);
  expect(deps('tools')).toEqual([]);
});

test('Nx reads the workspace .env and loads its project-graph plugins in its own process, starting no plugin worker', () => {
  // GIVEN the environment of a shell that has not set NX_ISOLATE_PLUGINS (the Nx running this test
  // has loaded the workspace .env into it)
  const env = { ...process.env };
  delete env.NX_ISOLATE_PLUGINS;
  // WHEN Nx computes the project graph, logging the time of each step
  const run = spawnSync(process.execPath, [NX_BIN, 'show', 'projects', '--json'], {
    cwd: repo,
    encoding: 'utf-8',
    env: { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_PERF_LOGGING: 'true' },
  });
  // THEN it loaded its plugins (the projects are all there) without starting a worker for any
  expect(run.status).toBe(0);
  const log = `${run.stdout}${run.stderr}`;
  expect(log).toContain('loadDefaultNxPlugins');
  expect(log).not.toMatch(/start-plugin-worker/);
}, 30_000);

test('nothing is affected without a change', () => {
  expect(affected()).toEqual([]);
}, 30_000);

test('a change under packages/data affects exactly data and the app', () => {
  const touched = affectedBy(() => addFile('packages/data/src/touched.ts'));
  expect(touched).toEqual(['data', 'platform']);
}, 30_000);

test('a change under the shared helpers affects them, every library and the app', () => {
  const touched = affectedBy(() => addFile('packages/rules/src/touched.ts'));
  expect(touched).toEqual(PRODUCT);
}, 30_000);

test('a change under the app affects only the app', () => {
  const touched = affectedBy(() => addFile('apps/platform/src/touched.ts'));
  expect(touched).toEqual(['platform']);
}, 30_000);

test('a change under tools/testing affects every project (their tests use it)', () => {
  const touched = affectedBy(() => addFile('tools/testing/touched.ts'));
  expect(touched).toEqual(ALL);
}, 30_000);

test('a change to the benchmark affects only tools', () => {
  const touched = affectedBy(() => addFile('tools/bench/touched.ts'));
  expect(touched).toEqual(['tools']);
}, 30_000);

test('a change to tsconfig.base.json affects every project', () => {
  const touched = affectedBy(() => {
    const file = path.join(repo, 'tsconfig.base.json');
    fs.chmodSync(file, 0o644);
    const tsconfig = JSON.parse(fs.readFileSync(file, 'utf-8'));
    tsconfig.compilerOptions.noImplicitOverride = true;
    fs.writeFileSync(file, JSON.stringify(tsconfig, null, 2));
  });
  expect(touched).toEqual(ALL);
}, 30_000);
