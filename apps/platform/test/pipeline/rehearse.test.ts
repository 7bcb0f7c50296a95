/**
 * tools/rehearse: runs the synth step's commands, read from the synthesized pipeline, in a fresh
 * clone. Here the clone is of a small git repository and npm/npx are stand-ins that record how they
 * were called, so what is tested is the rehearsal and the buildspec's own shell logic (the base
 * commit lookup and its fallbacks), not the workspace's tests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { cdkJsonContext } from '../../src/app-files';
import { loadConfig } from '../../src/config';
import { CODEBUILD_NODEJS_VERSION, PipelineStack } from '../../src/pipeline';
import { buildSpecOf, projectOf, actionNamed, synthesizedTemplate } from './helpers';
import { StubStage } from './stub-stage';
import { withoutBuiltinValidation } from '../support/assembly';
import { FIXTURE_CONFIG } from '../support/configs';

const REHEARSE = path.join(__dirname, '..', '..', '..', '..', 'tools', 'rehearse', 'cli.mjs');

// GIVEN the pipeline of the default config, synthesized
const app = new App({ context: cdkJsonContext() });
const stack = new PipelineStack(app, 'Pipeline', {
  config: loadConfig(FIXTURE_CONFIG),
  stageFactory: (scope, stage, region) => new StubStage(scope, stage, region),
});
// The rehearsal runs the buildspec's commands: the CDK's built-in CloudFormation validation is not what is tested.
withoutBuiltinValidation(() => app.synth());
const synthSpec = buildSpecOf(
  projectOf(synthesizedTemplate(app, stack), actionNamed(synthesizedTemplate(app, stack), 'Synth')),
);

// GIVEN a repository with two commits and uncommitted changes
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-test-'));
const repo = path.join(work, 'repo');
const gitBin = execFileSync('/bin/sh', ['-c', 'command -v git'], { encoding: 'utf-8' }).trim();
const git = (...args: string[]) =>
  execFileSync(gitBin, ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
    cwd: repo,
    encoding: 'utf-8',
  }).trim();
fs.mkdirSync(repo);
git('init', '-q', '-b', 'main');
fs.writeFileSync(path.join(repo, 'README.md'), 'first\n');
git('add', '-A');
git('commit', '-qm', 'first');
const firstCommit = git('rev-parse', 'HEAD');
fs.writeFileSync(path.join(repo, 'README.md'), 'second\n');
git('commit', '-qam', 'second');
const head = git('rev-parse', 'HEAD');
fs.writeFileSync(path.join(repo, 'uncommitted.txt'), 'not committed\n');

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface Rehearsal {
  readonly code: number | null;
  readonly stderr: string;
  /** What the npm/npx stand-ins were called with, one line per call. */
  readonly calls: string[];
}

/**
 * Runs the rehearsal with npm and npx replaced by recorders.
 *
 * `aws`: a stand-in answering `get-parameter` with this value, or 'absent' for no aws on PATH.
 */
function rehearse(options: { args?: string[]; aws?: string; npxExit?: number } = {}): Rehearsal {
  const dir = fs.mkdtempSync(path.join(work, 'run-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(gitBin, path.join(bin, 'git'));
  const log = path.join(dir, 'calls.log');
  const record = (name: string) =>
    `printf '%s\\n' "${name} $* | CI=$CI | cache=$NX_CACHE_DIRECTORY | daemon=$NX_DAEMON | ` +
    `uncommitted=$(if [ -e uncommitted.txt ]; then echo yes; else echo no; fi) | head=$(git rev-parse HEAD)" >> "${log}"`;
  // `npm run diff` writes the per-stage counts where --env-file says; the build step sources them.
  const review =
    'if [ "$1 $2" = "run diff" ]; then base="$(read -r b < .review-base; echo "$b")"; ' +
    `printf '%s\\n' "review base=$base" >> "${log}"; ` +
    'while [ $# -gt 0 ]; do [ "$1" = --env-file ] && echo "REVIEW_DEV=stub" > "$2"; shift; done; fi';
  fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\n${record('npm')}\n${review}\n`, { mode: 0o755 });
  fs.writeFileSync(
    path.join(bin, 'npx'),
    `#!/bin/sh\n${record('npx')}\n${options.npxExit ? `[ "$1" = nx ] && exit ${options.npxExit}\n` : ''}exit 0\n`,
    { mode: 0o755 },
  );
  if (options.aws !== undefined && options.aws !== 'absent') {
    fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\nprintf '%s\\n' '${options.aws}'\n`, { mode: 0o755 });
  }
  const result = spawnSync(
    process.execPath,
    [REHEARSE, '--repo', repo, '--cdk-out', app.outdir, ...(options.args ?? [])],
    { encoding: 'utf-8', env: { PATH: bin, HOME: dir } },
  );
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf-8').trim().split('\n') : [];
  return { code: result.status, stderr: result.stderr, calls };
}

test('--dry-run lists exactly the commands of the synthesized synth step, and its environment', () => {
  const result = spawnSync(process.execPath, [REHEARSE, '--cdk-out', app.outdir, '--dry-run'], { encoding: 'utf-8' });
  expect(result.status).toBe(0);
  const plan = JSON.parse(result.stdout);
  expect(plan.commands).toEqual([...synthSpec.phases.install.commands, ...synthSpec.phases.build.commands]);
  expect(plan.commands).toContain('npm run synth');
  expect(plan.runtimeVersions).toEqual({ nodejs: CODEBUILD_NODEJS_VERSION });
  expect(plan.env).toMatchObject({ NX_DAEMON: 'false', NX_NO_CLOUD: 'true' });
});

test('without AWS, runs npm ci, lints and tests every project, and synthesizes, in a clean clone of HEAD', () => {
  // WHEN
  const run = rehearse();
  // THEN
  expect(run.code).toBe(0);
  expect(run.calls.map((c) => c.split(' | ')[0])).toEqual([
    'npm ci',
    'npx nx run-many -t lint typecheck test',
    'npm run synth',
    'npm run diff -- --base-file .review-base --head-assembly apps/platform/cdk.out --env-file .review.env',
    // No successful run to compare with: the review reports everything as new.
    'review base=none',
  ]);
  for (const call of run.calls.filter((c) => !c.startsWith('review '))) {
    expect(call).toContain('| CI=true |');
    expect(call).toContain('| daemon=false |');
    expect(call).toContain('| uncommitted=no |');
    expect(call).toContain(`| head=${head}`);
    expect(call).toMatch(/\| cache=\/.*rehearse-[^|]*\/nx-cache \|/);
  }
  expect(run.stderr).toContain('uncommitted changes are not rehearsed');
  expect(run.stderr).toContain('[rehearse] PASSED');
  expect(run.stderr).not.toContain('clone kept');
});

test('with the last successful commit in the history, lints and tests only what changed since it', () => {
  const run = rehearse({ args: ['--use-aws'], aws: firstCommit });
  expect(run.code).toBe(0);
  expect(run.calls.map((c) => c.split(' | ')[0])).toEqual([
    'npm ci',
    `npx nx affected -t lint typecheck test --base=${firstCommit} --head=HEAD`,
    'npm run synth',
    'npm run diff -- --base-file .review-base --head-assembly apps/platform/cdk.out --env-file .review.env',
    // The review compares with the same commit the tests ran against.
    `review base=${firstCommit}`,
  ]);
});

test.each([
  ['a commit that is not in the history (force-push)', 'f'.repeat(40)],
  ['aws is not installed', 'absent'],
])('falls back to every project when %s', (_, aws) => {
  const run = rehearse({ args: ['--use-aws'], aws });
  expect(run.code).toBe(0);
  expect(run.calls[1]).toMatch(/^npx nx run-many -t lint typecheck test \|/);
  expect(run.calls).toContain('review base=none');
});

test('exits with the code of the first failing command and runs nothing after it', () => {
  const run = rehearse({ npxExit: 3 });
  expect(run.code).toBe(3);
  expect(run.calls.map((c) => c.split(' | ')[0])).toEqual(['npm ci', 'npx nx run-many -t lint typecheck test']);
  expect(run.stderr).toMatch(/command 2 failed with exit code 3/);
  const kept = /clone kept at (\S*rehearse-[^/]+)\/repo/.exec(run.stderr);
  expect(kept).not.toBeNull();
  fs.rmSync(kept![1], { recursive: true, force: true });
});

test('fails with exit code 2 when the pipeline has not been synthesized', () => {
  const result = spawnSync(process.execPath, [REHEARSE, '--cdk-out', path.join(work, 'nothing')], {
    encoding: 'utf-8',
  });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/manifest\.json not found: run 'npm run synth' first/);
});
