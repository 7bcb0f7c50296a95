/**
 * Command-line options of the benchmark. Parsing is separate from running so that every bad flag
 * fails before anything is cloned or built, with a message that names the flag and the value.
 */
import * as path from 'node:path';

/** A mistake on the command line: reported with the usage line and exit code 2, without a stack. */
export class UsageError extends Error {}

export const USAGE =
  'usage: npm run bench -- [--runs N] [--scale-runs N] [--edit-runs N] [--quick] [--skip-tests] [--skip-edit-synth] ' +
  '[--in-place] [--committed] [--baseline <git ref>] [--out <file>] [--keep-temp]';

const ALLOWED =
  '--runs N, --scale-runs N, --edit-runs N, --quick, --skip-tests, --skip-edit-synth, --in-place, --committed, ' +
  '--baseline <git ref>, --out <file>, --keep-temp, --help';

export interface BenchOptions {
  /** Runs per variant of the full synth; the median is reported. */
  readonly runs: number;
  /** Runs per region count of the scale test. */
  readonly scaleRuns: number;
  /** Runs per variant of the edit → synth scenario. */
  readonly editRuns: number;
  readonly quick: boolean;
  readonly skipTests: boolean;
  readonly skipEditSynth: boolean;
  readonly inPlace: boolean;
  /** Measure the commit alone, without the checkout's uncommitted changes. */
  readonly committed: boolean;
  readonly keepTemp: boolean;
  /** A git ref whose full synth is measured beside the current one (optional). */
  readonly baseline?: string;
  /** Absolute path of the report. */
  readonly out: string;
  /** `--help`: print the usage and do nothing else. */
  readonly help: boolean;
}

/** The defaults that depend on --quick (also used to leave them out of the reproduce command). */
export function defaultCounts(quick: boolean): { runs: number; scaleRuns: number; editRuns: number } {
  return quick ? { runs: 2, scaleRuns: 1, editRuns: 1 } : { runs: 5, scaleRuns: 3, editRuns: 3 };
}

/** Where the report goes when --out is not given, relative to the repository root. */
export const DEFAULT_OUT = path.join('docs', 'performance.md');

/**
 * Parses the benchmark's arguments.
 *
 * `root` is the repository root (default report location); `cwd` is where the person ran the
 * command (npm's INIT_CWD), against which a relative --out is resolved, as they would expect.
 */
export function parseArgs(argv: readonly string[], paths: { root: string; cwd: string }): BenchOptions {
  let runs: number | undefined;
  let scaleRuns: number | undefined;
  let editRuns: number | undefined;
  let out: string | undefined;
  let baseline: string | undefined;
  const flags = {
    quick: false,
    skipTests: false,
    skipEditSynth: false,
    inPlace: false,
    committed: false,
    keepTemp: false,
    help: false,
  };

  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const name = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) {
        throw new UsageError(`${name} needs a value (got ${v === undefined ? 'nothing' : `'${v}'`})`);
      }
      return v;
    };
    const noValue = (): true => {
      if (inline !== undefined) throw new UsageError(`${name} takes no value, got '${raw}'`);
      return true;
    };
    switch (name) {
      case '--runs':
        runs = count(name, takeValue(), 100);
        break;
      case '--scale-runs':
        scaleRuns = count(name, takeValue(), 100);
        break;
      case '--edit-runs':
        editRuns = count(name, takeValue(), 20);
        break;
      case '--quick':
        flags.quick = noValue();
        break;
      case '--skip-tests':
        flags.skipTests = noValue();
        break;
      case '--skip-edit-synth':
        flags.skipEditSynth = noValue();
        break;
      case '--keep-temp':
        flags.keepTemp = noValue();
        break;
      case '--in-place':
        flags.inPlace = noValue();
        break;
      case '--committed':
        flags.committed = noValue();
        break;
      case '--out': {
        const v = takeValue();
        if (v.trim() === '') throw new UsageError(`--out must be a file path, got '${v}'`);
        out = v;
        break;
      }
      case '--baseline': {
        const v = takeValue();
        // A ref never starts with '-' (git would read it as an option) and never contains spaces.
        if (v.trim() === '' || v.startsWith('-') || /\s/.test(v)) {
          throw new UsageError(`--baseline must be a git ref (a commit, branch or tag), got '${v}'`);
        }
        baseline = v;
        break;
      }
      case '--help':
      case '-h':
        flags.help = noValue();
        break;
      default:
        throw new UsageError(`unknown argument '${raw}'; allowed: ${ALLOWED}`);
    }
  }

  const defaults = defaultCounts(flags.quick);
  return {
    ...flags,
    runs: runs ?? defaults.runs,
    scaleRuns: scaleRuns ?? defaults.scaleRuns,
    editRuns: editRuns ?? defaults.editRuns,
    baseline,
    out: path.resolve(paths.cwd, out ?? path.join(paths.root, DEFAULT_OUT)),
  };
}

function count(name: string, v: string, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) {
    throw new UsageError(`${name} must be a whole number from 1 to ${max}, got '${v}'`);
  }
  return Number(v);
}
