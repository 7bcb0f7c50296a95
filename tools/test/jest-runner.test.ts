/**
 * How every project's test files run (tools/testing/runner.mjs, typescript.cjs, test-timeouts.ts): a
 * Jest run over test files written here, with the runner and set-up files of the generated configs.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.join(__dirname, '..', '..');
const TESTING = path.join(REPO_ROOT, 'tools', 'testing');
const JEST = path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

/** Every generated jest config, and the configs of its projects (the app has two). */
function jestConfigs(): Array<{ file: string; rootDir: string; config: Record<string, unknown> }> {
  const files = [
    'tools/jest.config.json',
    'apps/platform/jest.config.json',
    ...fs.readdirSync(path.join(REPO_ROOT, 'packages')).map((p) => `packages/${p}/jest.config.json`),
  ];
  return files.flatMap((file) => {
    const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, file), 'utf-8'));
    const rootDir = path.join(REPO_ROOT, path.dirname(file), config.rootDir ?? '.');
    const projects: Array<Record<string, unknown>> = config.projects ?? [config];
    return projects.map((project) => ({ file, rootDir, config: project }));
  });
}

/** The runner and set-up files of a config, with `<rootDir>` resolved. */
function runnerOf(c: ReturnType<typeof jestConfigs>[number]) {
  const resolve = (p: unknown) => path.resolve(String(p).replace('<rootDir>', c.rootDir));
  return {
    runner: resolve(c.config.runner),
    setupFiles: ((c.config.setupFiles as string[] | undefined) ?? []).map(resolve),
    setupFilesAfterEnv: ((c.config.setupFilesAfterEnv as string[] | undefined) ?? []).map(resolve),
  };
}

test('every jest config runs its files with the runner, TypeScript loaded first, Jest time limits after', () => {
  const configs = jestConfigs();
  expect(configs.length).toBeGreaterThanOrEqual(8);
  for (const c of configs) {
    const { runner, setupFiles, setupFilesAfterEnv } = runnerOf(c);
    expect({ file: c.file, runner, first: setupFiles[0], after: setupFilesAfterEnv }).toEqual({
      file: c.file,
      runner: path.join(TESTING, 'runner.mjs'),
      first: path.join(TESTING, 'typescript.cjs'),
      after: [path.join(TESTING, 'test-timeouts.ts')],
    });
    for (const f of [...setupFiles, ...setupFilesAfterEnv]) expect(fs.existsSync(f)).toBe(true);
  }
});

interface JsonResult {
  testResults: Array<{
    name: string;
    assertionResults: Array<{ ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }>;
  }>;
}

/** Runs jest over `files` (name → source) with `projects`; its exit code and the result of every test. */
function runJest(files: Record<string, string>, projects: Array<Record<string, unknown>>, workers: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-runner-'));
  for (const [name, source] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), source);
  const output = path.join(dir, 'result.json');
  fs.writeFileSync(path.join(dir, 'jest.config.json'), JSON.stringify({ projects }));
  const run = spawnSync(
    process.execPath,
    [JEST, '--ci', '-c', 'jest.config.json', `--maxWorkers=${workers}`, '--json', `--outputFile=${output}`],
    { cwd: dir, encoding: 'utf-8' },
  );
  const result = fs.existsSync(output) ? (JSON.parse(fs.readFileSync(output, 'utf-8')) as JsonResult) : undefined;
  const tests = Object.fromEntries(
    (result?.testResults ?? []).flatMap((file) =>
      file.assertionResults.map((t) => [
        `${path.basename(file.name)} > ${[...t.ancestorTitles, t.title].join(' > ')}`,
        // jest-light-runner's message: the test's name, then the error's stack, indented.
        { status: t.status, message: (t.failureMessages.join('\n').split('\n')[1] ?? '').trim() },
      ]),
    ),
  );
  return { status: run.status, stderr: run.stderr, tests };
}

/** The runner and set-up files of packages/network's generated config. */
const GENERATED = runnerOf(jestConfigs().find((c) => c.file === 'packages/network/jest.config.json')!);

/** A project as the generated configs have it. */
function project(name: string, testFiles: string, extraSetup: string[] = []): Record<string, unknown> {
  const { runner, setupFiles, setupFilesAfterEnv } = GENERATED;
  return {
    displayName: name,
    rootDir: '.',
    testEnvironment: 'node',
    testMatch: [`<rootDir>/${testFiles}`],
    runner,
    setupFiles: [...setupFiles, ...extraSetup],
    setupFilesAfterEnv,
  };
}

const SLEEP = 'const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));\n';

test('on worker threads: TypeScript from source, and a test or hook fails when it exceeds its time limit', () => {
  const { status, tests } = runJest(
    {
      'limits.test.ts': `${SLEEP}
import { SCOPE } from ${JSON.stringify(path.join(REPO_ROOT, 'tools', 'projen', 'versions'))};
enum Kind { A = 'a' }
test('typescript', () => expect([Kind.A, SCOPE]).toEqual(['a', '@baseline']));
test('over its own limit', () => sleep(600), 100);
test('within its own limit', () => sleep(50), 2000);
test('a done callback', (done) => { setTimeout(done, 10); });
test.each([[10], [600]])('each: %i ms', (ms) => sleep(ms), 100);
describe('a slow hook', () => {
  beforeAll(() => sleep(600), 100);
  test('after it', () => undefined);
});
`,
      'file-limit.test.ts': `${SLEEP}
jest.setTimeout(100);
test('over the file limit', () => sleep(600));
test('over the file limit, within its own', () => sleep(300), 2000);
`,
    },
    [project('threads', '*.test.ts')],
    2,
  );
  const timedOut = {
    status: 'failed',
    message: expect.stringMatching(/^Error: Exceeded timeout of 100 ms for a (test|hook)\.$/),
  };
  expect(tests).toEqual({
    'limits.test.ts > typescript': { status: 'passed', message: '' },
    'limits.test.ts > over its own limit': timedOut,
    'limits.test.ts > within its own limit': { status: 'passed', message: '' },
    'limits.test.ts > a done callback': { status: 'passed', message: '' },
    'limits.test.ts > each: 10 ms': { status: 'passed', message: '' },
    'limits.test.ts > each: 600 ms': timedOut,
    'limits.test.ts > a slow hook > (beforeAll)': timedOut,
    'limits.test.ts > a slow hook > after it': { status: 'passed', message: '' },
    'file-limit.test.ts > over the file limit': timedOut,
    'file-limit.test.ts > over the file limit, within its own': { status: 'passed', message: '' },
  });
  expect(tests['limits.test.ts > a slow hook > (beforeAll)'].message).toContain('for a hook');
  expect(status).toBe(1);
});

test("in band, two projects run one after the other, each with its own set-up, and the run's result stands", () => {
  const setup = (name: string) => `globalThis.projectSetUp = [...(globalThis.projectSetUp ?? []), '${name}'];\n`;
  const { status, stderr, tests } = runJest(
    {
      'first-setup.cjs': setup('first'),
      'second-setup.cjs': setup('second'),
      // Jest picks which project runs first.
      'first.test.ts': `test('set up', () => expect((globalThis as any).projectSetUp).toContain('first'));\n`,
      'second.test.ts': `test('set up', () => expect((globalThis as any).projectSetUp).toContain('second'));\n`,
    },
    [
      project('first', 'first.test.ts', ['<rootDir>/first-setup.cjs']),
      project('second', 'second.test.ts', ['<rootDir>/second-setup.cjs']),
    ],
    1,
  );
  expect(tests).toEqual({
    'first.test.ts > set up': { status: 'passed', message: '' },
    'second.test.ts > set up': { status: 'passed', message: '' },
  });
  expect({ status, stderr: stderr.match(/^.*Error.*$/gm) }).toEqual({ status: 0, stderr: null });
});
