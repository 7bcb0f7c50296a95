/**
 * Entry point: `node -r ../../tools/source/register.cjs -r ./src/synth/start-validation.ts src/main.ts
 * [--context config=<path>] [--verbose]`
 * (what `nx run platform:synth`, the root `npm run synth` and cdk.json's `app` run: from source,
 * transpile-only; type errors are the `typecheck` target's).
 *
 * Validates the config before any construct exists, synthesizes once with every check on, prints
 * a summary table and exits non-zero on any config error, unacknowledged finding or context lookup.
 *
 * Exit codes: 0 synthesized cleanly; 1 findings, lookups or an oversized template; 2 the config (or
 * the command line) is wrong: the loader's problems, or an error a construct threw about a value,
 * printed as one line per error with the construct path and, where the value came from the config,
 * the field. No stack trace for those unless `--verbose` or `PLATFORM_VERBOSE=1` asks for it (Nx
 * keeps `--verbose` for itself and sets NX_VERBOSE_LOGGING=true instead, so `npm run synth -- --verbose`
 * works too); an error that is not a construct's (a bug) propagates with its stack.
 */
import * as path from 'node:path';
import { Errors } from 'aws-cdk-lib';
import { RuleViolation, todayUtc } from '@baseline/rules';
import { ConfigError, configFieldsBreaking, loadConfig, PlatformConfig } from './config';
import { buildPlatformApp, DEFAULT_CONFIG, soloValidationThreads } from './app';
import { parseContextArgs } from './synth/args';
import { synthesizeApp } from './synth/synthesize';

/** What {@link main} runs with; the defaults are the process's. */
export interface MainOptions {
  /** @default process.argv.slice(2) */
  readonly argv?: string[];
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Reads and validates the config file. @default loadConfig */
  readonly loadConfig?: (file: string) => PlatformConfig;
  /** Where messages go, one call per line or block. @default console.error */
  readonly log?: (text: string) => void;
}

/** The switch that asks for stack traces of construct errors (so does PLATFORM_VERBOSE=1). */
export const VERBOSE_FLAG = '--verbose';

/** Synthesizes the app for the config the command line names; returns the exit code. */
export function main(options: MainOptions = {}): number {
  const env = options.env ?? process.env;
  const log = options.log ?? ((text: string) => console.error(text));
  const args = options.argv ?? process.argv.slice(2);
  const verbose =
    args.includes(VERBOSE_FLAG) ||
    env.PLATFORM_VERBOSE === '1' ||
    env.PLATFORM_VERBOSE === 'true' ||
    env.NX_VERBOSE_LOGGING === 'true';

  let argContext: Record<string, string>;
  try {
    argContext = parseContextArgs(args.filter((a) => a !== VERBOSE_FLAG));
  } catch (e) {
    log(`synth FAILED: ${oneLine((e as Error).message)}, or ${VERBOSE_FLAG}`);
    return 2;
  }
  const cliContext = env.CDK_CONTEXT_JSON ? (JSON.parse(env.CDK_CONTEXT_JSON) as Record<string, unknown>) : {};
  const configArg = argContext.config ?? cliContext.config;
  // A relative path is relative to where the person ran the command (npm sets INIT_CWD), not to
  // apps/platform where Nx runs the app.
  const configFile =
    typeof configArg === 'string' ? path.resolve(env.INIT_CWD ?? process.cwd(), configArg) : DEFAULT_CONFIG;
  const shownFile = path.relative(process.cwd(), configFile);

  let config: PlatformConfig;
  try {
    config = (options.loadConfig ?? loadConfig)(configFile);
  } catch (e) {
    if (e instanceof ConfigError) {
      log(e.message);
      return 2;
    }
    throw e;
  }

  try {
    const { app } = buildPlatformApp({
      config,
      context: argContext,
      outdir: env.CDK_OUTDIR,
      validationThreads: soloValidationThreads(),
    });
    const result = synthesizeApp(app);
    log(`\nconfig: ${shownFile}\n`);
    log(result.summary);
    if (!result.ok) {
      log(`\nsynth FAILED:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`);
      return 1;
    }
    log(`\ncloud assembly: ${app.outdir}`);
    return 0;
  } catch (e) {
    const lines = constructErrorLines(e, config, shownFile);
    if (lines === undefined) {
      throw e; // not a construct's error about a value: a bug, which needs its stack
    }
    for (const line of lines) {
      log(`synth FAILED: ${line}`);
    }
    if (verbose && e instanceof Error && e.stack) {
      log(e.stack);
    }
    return 2;
  }
}

/**
 * One line per error a construct threw: `<construct path>: <message> (config <file>: <field>)`.
 * Undefined when `error` is not a construct's error about a value (a TypeError, say: a bug).
 */
export function constructErrorLines(error: unknown, config: PlatformConfig, configFile: string): string[] | undefined {
  if (!(error instanceof Error)) {
    return undefined;
  }
  if (RuleViolation.isRuleViolation(error)) {
    const fields = configFieldsBreaking(error.ruleId, error.value, {
      input: config as unknown as Record<string, unknown>,
      today: todayUtc(),
    });
    const where = fields.length > 0 ? `config ${configFile}: ${fields.join(', ')}` : `config: ${configFile}`;
    return [`${oneLine(error.message)} (${where})`];
  }
  // The CDK reports the errors of every construct's validate() at once, one `[path] message` per line.
  const validation = /^Validation failed with the following errors:\n([\s\S]*)$/.exec(error.message);
  if (validation) {
    return validation[1]
      .split('\n')
      .map((line) => /^\s*\[([^\]]+)\] (.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `${m[1]}: ${oneLine(m[2])} (config: ${configFile})`);
  }
  if (Errors.isConstructError(error) && error.constructPath) {
    const message = oneLine(error.message);
    const located = message.startsWith(`${error.constructPath}: `) ? message : `${error.constructPath}: ${message}`;
    return [`${located} (config: ${configFile})`];
  }
  // What a construct throws about a value is a plain Error, starting with its construct path
  // (`Dev/Network/Vpc: cidr ...`); a TypeError, RangeError ... is a bug.
  if (Object.getPrototypeOf(error) === Error.prototype) {
    return [`${oneLine(error.message)} (config: ${configFile})`];
  }
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

if (require.main === module) {
  process.exitCode = main();
}
