/**
 * tools/rehearse/args.ts, script.ts and the environment of the commands: the options with their
 * messages, the shell script that runs the step as CodeBuild would, and what the commands see.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../rehearse/args';
import { CannotRehearse } from '../rehearse/errors';
import { rehearsalEnv } from '../rehearse/main';
import { shellQuote, shellScript } from '../rehearse/script';
import type { SynthStep } from '../rehearse/synth-step';

const parse = (...argv: string[]) => parseArgs(argv, { repo: '/repo', cwd: '/work' });

describe('parseArgs', () => {
  test('defaults: this repository and its apps/platform/cdk.out', () => {
    expect(parse()).toEqual({
      repo: '/repo',
      cdkOut: '/repo/apps/platform/cdk.out',
      useAws: false,
      keep: false,
      dryRun: false,
      help: false,
    });
  });

  test('every option; --repo moves the default assembly with it; relative paths from where it was run', () => {
    expect(parse('--repo', 'other', '--use-aws', '--keep', '--dry-run')).toEqual({
      repo: '/work/other',
      cdkOut: '/work/other/apps/platform/cdk.out',
      useAws: true,
      keep: true,
      dryRun: true,
      help: false,
    });
    expect(parse('--cdk-out=/tmp/asm').cdkOut).toBe('/tmp/asm');
    expect(parse('-h').help).toBe(true);
  });

  test.each([
    [['--cdk-out'], '--cdk-out needs a directory (got nothing)'],
    [['--repo', '--keep'], "--repo needs a directory (got '--keep')"],
    [['--repo='], "--repo needs a directory (got '')"],
    [['--keep=yes'], "--keep takes no value, got '--keep=yes'"],
    [
      ['--use-aws', '--dryrun'],
      "unknown argument '--dryrun'; allowed: --cdk-out <dir>, --repo <dir>, --use-aws, --keep, --dry-run, --help",
    ],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parse(...argv)).toThrow(CannotRehearse);
    expect(() => parse(...argv)).toThrow(message);
  });
});

describe('shellScript', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-args-test-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('quotes any command for its banner', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  test('runs the commands in one shell, announced, and stops at the first failure with its code', () => {
    const script = path.join(dir, 'step.sh');
    fs.writeFileSync(script, shellScript(['X=1', 'echo "x=$X it\'s"', '(exit 3)', 'echo never']));
    const r = spawnSync('/bin/sh', [script], { encoding: 'utf-8' });
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('[rehearse 2/4] $ echo "x=$X it\'s"\nx=1 it\'s\n');
    expect(r.stdout).not.toContain('never');
    expect(r.stderr).toBe('[rehearse] command 3 failed with exit code 3\n');
  });

  test('exits 0 when every command passes', () => {
    const script = path.join(dir, 'step.sh');
    fs.writeFileSync(script, shellScript(['true', 'echo done']));
    expect(spawnSync('/bin/sh', [script]).status).toBe(0);
  });
});

describe('the environment of the commands', () => {
  const step: SynthStep = {
    templateFile: '/x/Pipeline.template.json',
    project: 'P',
    runtimeVersions: {},
    env: { NX_DAEMON: 'false', NX_CACHE_DIRECTORY: '/root/.cache/nx' },
    commands: [],
  };

  test("the step's variables, CI=true, the rehearsal's own empty Nx cache, aws stubbed first on PATH", () => {
    const env = rehearsalEnv(step, '/tmp/rehearse-1', false, { PATH: '/usr/bin', HOME: '/home/me', CI: 'false' });
    expect(env).toEqual({
      HOME: '/home/me',
      PATH: `/tmp/rehearse-1/bin${path.delimiter}/usr/bin`,
      NX_DAEMON: 'false',
      NX_CACHE_DIRECTORY: '/tmp/rehearse-1/nx-cache',
      CI: 'true',
    });
  });

  test('--use-aws leaves PATH alone', () => {
    expect(rehearsalEnv(step, '/tmp/rehearse-1', true, { PATH: '/usr/bin' }).PATH).toBe('/usr/bin');
  });
});
