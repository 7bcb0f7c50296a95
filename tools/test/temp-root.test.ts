/**
 * tools/testing/temp-root.ts, every Jest project's global setup: a run writes its temporary files
 * into a folder of its own, and leaves nothing behind when it ends, or when the next run starts
 * after it was stopped.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeLeftRoots } from '../testing/temp-root';

const REGISTER = path.join(__dirname, '..', 'source', 'register.cjs');
const TEMP_ROOT = path.join(__dirname, '..', 'testing', 'temp-root.ts');
const HOST = os.hostname().replace(/[^A-Za-z0-9.]/g, '_');

/**
 * A process as a Jest run is: a global setup calls useTempRoot (twice, as the app's two projects do),
 * then a test writes a CDK-style output folder into os.tmpdir() and starts a process that writes
 * there too. With `kill`, it dies from SIGKILL before it can exit (a stopped run).
 */
const PROGRAM = `
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { useTempRoot } = require(${JSON.stringify(TEMP_ROOT)});
const root = useTempRoot();
const again = useTempRoot();
fs.mkdtempSync(path.join(os.tmpdir(), 'cdk.out'));
const child = spawnSync(process.execPath, ['-e', "require('fs').writeFileSync(require('path').join(require('os').tmpdir(), 'child.txt'), 'x'); console.log(require('os').tmpdir())"], { encoding: 'utf-8' });
console.log(JSON.stringify({ root, again, tmpdir: os.tmpdir(), child: child.stdout.trim(), inRoot: fs.readdirSync(root).sort() }));
if (process.argv[1] === 'kill') process.kill(process.pid, 'SIGKILL');
`;

/** Runs PROGRAM with TMPDIR=base; what it printed (and its pid). */
function jestLikeRun(base: string, kill = false) {
  const result = spawnSync(process.execPath, ['-r', REGISTER, '-e', PROGRAM, kill ? 'kill' : 'exit'], {
    encoding: 'utf-8',
    env: { ...process.env, TMPDIR: base, BASELINE_TEST_TMPDIR: '' },
  });
  expect(result.stderr).toBe('');
  expect(kill ? result.signal : result.status).toBe(kill ? 'SIGKILL' : 0);
  return {
    pid: result.pid!,
    ...(JSON.parse(result.stdout) as { root: string; again: string; tmpdir: string; child: string; inRoot: string[] }),
  };
}

describe('the run folder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temp-root-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('everything a run and the processes it starts write to the temporary folder goes, when it exits', () => {
    const base = fs.mkdtempSync(path.join(dir, 'base-'));
    const run = jestLikeRun(base);
    // one folder for the run (the second setup reuses it), named after this host and the process
    expect(path.dirname(run.root)).toBe(base);
    expect(path.basename(run.root)).toMatch(new RegExp(`^baseline-jest-${HOST.replace(/\./g, '\\.')}-${run.pid}-`));
    expect(run.again).toBe(run.root);
    // os.tmpdir() of the run and of the process it started is that folder; both wrote there
    expect([run.tmpdir, run.child]).toEqual([run.root, run.root]);
    expect(run.inRoot).toEqual([expect.stringMatching(/^cdk\.out/), 'child.txt']);
    // and after the run, nothing is left
    expect(fs.readdirSync(base)).toEqual([]);
  });

  test('a run stopped before it exits leaves its folder; the next run removes it', () => {
    const base = fs.mkdtempSync(path.join(dir, 'base-'));
    const stopped = jestLikeRun(base, true);
    expect(fs.readdirSync(base)).toEqual([path.basename(stopped.root)]);
    const next = jestLikeRun(base);
    expect(next.root).not.toBe(stopped.root);
    expect(fs.readdirSync(base)).toEqual([]);
  });

  test("only folders of this host's runs whose process is gone are removed", () => {
    const base = fs.mkdtempSync(path.join(dir, 'base-'));
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const names = {
      gone: `baseline-jest-${HOST}-${gone}-AbC123`,
      running: `baseline-jest-${HOST}-${process.ppid}-AbC123`,
      thisProcess: `baseline-jest-${HOST}-${process.pid}-AbC123`,
      otherHost: `baseline-jest-${HOST}x-${gone}-AbC123`,
      notARun: `baseline-jest-notes`,
      other: `cdk.outAbC123`,
    };
    for (const name of Object.values(names)) fs.mkdirSync(path.join(base, name));
    expect(removeLeftRoots(base)).toEqual([names.gone]);
    expect(fs.readdirSync(base).sort()).toEqual(
      [names.running, names.thisProcess, names.otherHost, names.notARun, names.other].sort(),
    );
  });
});
