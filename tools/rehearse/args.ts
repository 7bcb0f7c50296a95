/**
 * Command-line options of the rehearsal.
 */
import * as path from 'node:path';
import { CannotRehearse } from './errors';

export const USAGE = 'usage: npm run rehearse -- [--cdk-out <dir>] [--repo <dir>] [--use-aws] [--keep] [--dry-run]';

export interface RehearseOptions {
  /** The cloud assembly holding the pipeline stack (absolute). */
  readonly cdkOut: string;
  /** The repository to clone (absolute). */
  readonly repo: string;
  /** Let the commands call the real AWS CLI instead of a stub that fails. */
  readonly useAws: boolean;
  /** Keep the temporary clone even when every command passed. */
  readonly keep: boolean;
  /** Print the plan (runtime, environment, commands) as JSON and run nothing. */
  readonly dryRun: boolean;
  readonly help: boolean;
}

/**
 * Parses the rehearsal's arguments. Relative paths are resolved against `cwd`; without --cdk-out,
 * the assembly is the repository's apps/platform/cdk.out (what `npm run synth` writes).
 */
export function parseArgs(argv: readonly string[], defaults: { repo: string; cwd: string }): RehearseOptions {
  const flags = { useAws: false, keep: false, dryRun: false, help: false };
  let repo: string | undefined;
  let cdkOut: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const name = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const noValue = (): true => {
      if (inline !== undefined) throw new CannotRehearse(`${name} takes no value, got '${raw}'`);
      return true;
    };
    const takeValue = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '' || v.startsWith('--')) {
        throw new CannotRehearse(`${name} needs a directory (got ${v === undefined ? 'nothing' : `'${v}'`})`);
      }
      return path.resolve(defaults.cwd, v);
    };
    switch (name) {
      case '--use-aws':
        flags.useAws = noValue();
        break;
      case '--keep':
        flags.keep = noValue();
        break;
      case '--dry-run':
        flags.dryRun = noValue();
        break;
      case '--help':
      case '-h':
        flags.help = noValue();
        break;
      case '--repo':
        repo = takeValue();
        break;
      case '--cdk-out':
        cdkOut = takeValue();
        break;
      default:
        throw new CannotRehearse(
          `unknown argument '${raw}'; allowed: --cdk-out <dir>, --repo <dir>, --use-aws, --keep, --dry-run, --help`,
        );
    }
  }
  const resolvedRepo = repo ?? defaults.repo;
  return { ...flags, repo: resolvedRepo, cdkOut: cdkOut ?? path.join(resolvedRepo, 'apps', 'platform', 'cdk.out') };
}
