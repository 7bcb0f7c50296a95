/**
 * Entry point: `node lib/main.js [--context config=<path>]` (what `nx run platform:synth`, the
 * root `npm run synth` and cdk.json's `app` run).
 *
 * Validates the config before any construct exists, synthesizes once with every check on, prints
 * a summary table and exits non-zero on any config error, unacknowledged finding or context lookup.
 */
import * as path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { buildPlatformApp, DEFAULT_CONFIG } from './app';
import { parseContextArgs } from './synth/args';
import { synthesizeApp } from './synth/synthesize';

function main(): number {
  const argContext = parseContextArgs(process.argv.slice(2));
  const cliContext = process.env.CDK_CONTEXT_JSON
    ? (JSON.parse(process.env.CDK_CONTEXT_JSON) as Record<string, unknown>)
    : {};
  const configArg = argContext.config ?? cliContext.config;
  // A relative path is relative to where the person ran the command (npm sets INIT_CWD), not to
  // apps/platform where Nx runs the app.
  const configFile =
    typeof configArg === 'string' ? path.resolve(process.env.INIT_CWD ?? process.cwd(), configArg) : DEFAULT_CONFIG;

  let config;
  try {
    config = loadConfig(configFile);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }

  const { app } = buildPlatformApp({ config, context: argContext });
  const result = synthesizeApp(app);
  console.error(`\nconfig: ${path.relative(process.cwd(), configFile)}\n`);
  console.error(result.summary);
  if (!result.ok) {
    console.error(`\nsynth FAILED:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  console.error(`\ncloud assembly: ${app.outdir}`);
  return 0;
}

process.exitCode = main();
