/**
 * tools/bench/process.ts: the /proc and GNU time parsers, output line splitting, the environment
 * children get, and one real measured run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  cleanEnv,
  detectGnuTime,
  LineSplitter,
  measure,
  parseChildren,
  parseGnuTime,
  parseProcStatus,
  tail,
} from '../bench/process';

const PROC_STATUS = `Name:\tnode
Umask:\t0022
State:\tS (sleeping)
Pid:\t4242
VmPeak:\t 1234567 kB
VmSize:\t 1200000 kB
VmHWM:\t  491520 kB
VmRSS:\t  480000 kB
RssAnon:\t  400000 kB
Threads:\t11
`;

describe('/proc/<pid>/status', () => {
  test('VmRSS and VmHWM, in bytes', () => {
    expect(parseProcStatus(PROC_STATUS)).toEqual({ rss: 480000 * 1024, hwm: 491520 * 1024 });
  });

  test('a kernel thread (no Vm lines) counts as nothing', () => {
    expect(parseProcStatus('Name:\tkworker/0:1\nState:\tI (idle)\n')).toEqual({ rss: 0, hwm: 0 });
  });

  test('VmHWM is not mistaken for another field that ends the same way', () => {
    expect(parseProcStatus('XVmHWM:\t 9 kB\nVmHWM:\t 2 kB\nVmRSS:\t 1 kB\n')).toEqual({ rss: 1024, hwm: 2048 });
  });
});

describe('GNU time -f %M output', () => {
  test('the KiB on the last line, in bytes', () => {
    expect(parseGnuTime('491520\n')).toBe(491520 * 1024);
  });

  test('after the note GNU time adds for a failing command', () => {
    expect(parseGnuTime('Command exited with non-zero status 1\n12345\n')).toBe(12345 * 1024);
    expect(parseGnuTime('Command terminated by signal 9\n777\n')).toBe(777 * 1024);
  });

  test('nothing usable', () => {
    expect(parseGnuTime('')).toBeUndefined();
    expect(parseGnuTime('Command terminated by signal 9\n')).toBeUndefined();
    expect(parseGnuTime('12.5\n')).toBeUndefined();
  });
});

test('children of every task of a process', () => {
  expect(parseChildren(['101 102 ', '', '103\n'])).toEqual([101, 102, 103]);
});

test('lines are handed on whole, however the output is chunked', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  s.push('👾 test | nx run');
  s.push('-many -t test\nsecond');
  s.push(' line\n');
  s.push('unfinished');
  expect(lines).toEqual(['👾 test | nx run-many -t test', 'second line']);
});

test('tail keeps the last lines', () => {
  expect(tail('a\nb\nc\n\n', 2)).toBe('b\nc');
});

describe('cleanEnv', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('drops what npm run, Nx and ts-node add, keeps the rest, adds the extra', () => {
    process.env = {
      HOME: '/home/me',
      npm_lifecycle_event: 'bench',
      npm_config_cache: '/x',
      INIT_CWD: '/repo',
      NODE: '/usr/bin/node',
      NX_DAEMON: 'true',
      NX_TASK_TARGET_PROJECT: 'tools',
      TS_NODE_TRANSPILE_ONLY: 'true',
      PATH: [
        '/repo/node_modules/.bin',
        '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin',
        '/usr/bin',
      ].join(path.delimiter),
    };
    expect(cleanEnv({ CDK_OUTDIR: '/tmp/out' })).toEqual({
      HOME: '/home/me',
      PATH: '/usr/bin',
      PLATFORM_VALIDATE_CACHE: 'false',
      CDK_OUTDIR: '/tmp/out',
    });
  });

  test("runs without the validation engine's kept reports, whatever the shell says, unless the extra names a folder", () => {
    // a synth that took every template's report from the last one would not be the synth measured
    process.env = { HOME: '/home/me', PATH: '/usr/bin', PLATFORM_VALIDATE_CACHE: '/home/me/reports' };
    expect(cleanEnv().PLATFORM_VALIDATE_CACHE).toBe('false');
    expect(cleanEnv({ PLATFORM_VALIDATE_CACHE: '/tmp/run/reports' }).PLATFORM_VALIDATE_CACHE).toBe('/tmp/run/reports');
  });
});

describe('measure', () => {
  let tmpRoot: string;
  beforeAll(() => {
    tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-process-test-'));
  });
  afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

  test('times a child, collects its output and lines, and measures its memory', async () => {
    const gnuTime = detectGnuTime();
    const seen: string[] = [];
    const script =
      "const b = Buffer.alloc(64 * 1024 * 1024, 1); console.log('one'); console.error('two'); setTimeout(() => process.exit(b[0] + 2), 150);";
    const r = await measure(
      { file: process.execPath, args: ['-e', script], text: 'node -e …' },
      { tmpRoot, gnuTime, cwd: tmpRoot, env: cleanEnv(), onLine: (line) => seen.push(line) },
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('one\n');
    expect(r.stderr).toBe('two\n');
    expect(seen.sort()).toEqual(['one', 'two']);
    expect(r.wall).toBeGreaterThan(0.1);
    expect(r.wall).toBeLessThan(30);
    expect(r.peak).toBeGreaterThan(64 * 1024 * 1024);
    // GNU time's output file is removed after reading it.
    expect(fs.readdirSync(tmpRoot)).toEqual([]);
  });

  test('a command that cannot start is an error naming it', async () => {
    await expect(
      measure(
        { file: path.join(tmpRoot, 'no-such-command'), args: [], text: 'no-such-command' },
        { tmpRoot, gnuTime: false, cwd: tmpRoot, env: cleanEnv() },
      ),
    ).rejects.toThrow(/could not start 'no-such-command'/);
  });
});
