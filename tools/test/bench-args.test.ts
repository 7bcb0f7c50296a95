/**
 * tools/bench/args.ts: the benchmark's options, their defaults, and a message naming the flag and
 * the value for every mistake.
 */
import * as path from 'node:path';
import { parseArgs, UsageError } from '../bench/args';

const root = '/repo';
const parse = (...argv: string[]) => parseArgs(argv, { root, cwd: '/repo/apps/platform' });

test('defaults: 5 synth runs, 3 per region count, 3 per edit variant, report in docs/performance.md', () => {
  expect(parse()).toEqual({
    runs: 5,
    scaleRuns: 3,
    editRuns: 3,
    quick: false,
    skipTests: false,
    skipEditSynth: false,
    inPlace: false,
    committed: false,
    keepTemp: false,
    help: false,
    baseline: undefined,
    out: path.join(root, 'docs', 'performance.md'),
  });
});

test('--quick lowers the defaults, explicit counts win', () => {
  expect(parse('--quick')).toMatchObject({ quick: true, runs: 2, scaleRuns: 1, editRuns: 1 });
  expect(parse('--quick', '--runs', '4', '--edit-runs=2')).toMatchObject({ runs: 4, scaleRuns: 1, editRuns: 2 });
});

test('every flag, in both --name value and --name=value forms', () => {
  expect(
    parse(
      '--runs=7',
      '--scale-runs',
      '2',
      '--skip-tests',
      '--skip-edit-synth',
      '--in-place',
      '--keep-temp',
      '--baseline',
      'main~3',
      '--out=report.md',
    ),
  ).toMatchObject({
    runs: 7,
    scaleRuns: 2,
    skipTests: true,
    skipEditSynth: true,
    inPlace: true,
    keepTemp: true,
    baseline: 'main~3',
  });
});

test('a relative --out is relative to where the command was run (INIT_CWD), an absolute one is kept', () => {
  expect(parse('--out', 'perf.md').out).toBe('/repo/apps/platform/perf.md');
  expect(parse('--out', '/tmp/perf.md').out).toBe('/tmp/perf.md');
});

test('--help and -h ask for the usage', () => {
  expect(parse('--help').help).toBe(true);
  expect(parse('-h').help).toBe(true);
});

test.each([
  [['--runs', '0'], "--runs must be a whole number from 1 to 100, got '0'"],
  [['--runs', '1.5'], "--runs must be a whole number from 1 to 100, got '1.5'"],
  [['--runs=101'], "--runs must be a whole number from 1 to 100, got '101'"],
  [['--scale-runs', 'many'], "--scale-runs must be a whole number from 1 to 100, got 'many'"],
  [['--edit-runs', '21'], "--edit-runs must be a whole number from 1 to 20, got '21'"],
  [['--runs'], '--runs needs a value (got nothing)'],
  [['--runs', '--quick'], "--runs needs a value (got '--quick')"],
  [['--out', ' '], "--out must be a file path, got ' '"],
  [['--out'], '--out needs a value (got nothing)'],
  [['--baseline', '-x'], "--baseline must be a git ref (a commit, branch or tag), got '-x'"],
  [['--baseline='], "--baseline must be a git ref (a commit, branch or tag), got ''"],
  [['--quick=yes'], "--quick takes no value, got '--quick=yes'"],
  [['--in-place=1'], "--in-place takes no value, got '--in-place=1'"],
  [['--run', '3'], "unknown argument '--run'; allowed: --runs N"],
  [['extra'], "unknown argument 'extra'"],
])('%j is refused: %s', (argv, message) => {
  expect(() => parse(...argv)).toThrow(UsageError);
  expect(() => parse(...argv)).toThrow(message);
});
