/**
 * Rehearses the pipeline's build on this machine, before a push: runs the commands of the synth
 * step, exactly as the synthesized pipeline's buildspec lists them, in a fresh clone of this
 * repository's committed HEAD.
 *
 *   npm run rehearse -- [--cdk-out <dir>] [--repo <dir>] [--use-aws] [--keep] [--dry-run]
 *   (or: node tools/rehearse/cli.mjs [same options])
 *
 * --cdk-out  the cloud assembly holding the pipeline stack (default: apps/platform/cdk.out; run
 *            `npm run synth` first so that it describes the current pipeline)
 * --repo     the repository to clone (default: the one this script is in)
 * --use-aws  let the commands call the real AWS CLI; by default `aws` is replaced by a stub that
 *            fails, so the synth step's last-successful-commit lookup falls back to linting and
 *            testing every project, whatever credentials this machine has
 * --keep     keep the temporary clone (it is always kept when a command fails)
 * --dry-run  print what would run (runtime, environment, commands) as JSON and exit
 *
 * The commands run one after another in a single POSIX shell (/bin/sh, as CodeBuild runs buildspec
 * 0.2 commands), with the buildspec's and the CodeBuild project's environment variables, CI=true,
 * and a fresh, empty Nx cache (nothing is served from this machine's cache). The exit code is the
 * first failing command's, 0 when all pass, 2 when the rehearsal itself cannot start.
 * Uncommitted changes are not rehearsed: the pipeline only ever sees commits.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, USAGE } from './args';
import { CannotRehearse } from './errors';
import { shellScript } from './script';
import { findSynthStep, type SynthStep } from './synth-step';

const SCRIPT_REPO = path.resolve(__dirname, '..', '..');

/** The stand-in for the AWS CLI: fails, as it would without credentials, whatever this machine has. */
export const AWS_STUB =
  '#!/bin/sh\necho "rehearse: no AWS in a rehearsal (pass --use-aws to allow it)" >&2\nexit 255\n';

function git(cwd: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    const err = e as { stderr?: Buffer | string; message: string };
    throw new CannotRehearse(
      `git ${args.join(' ')} failed in ${cwd}: ${(err.stderr || err.message).toString().trim()}`,
    );
  }
}

/** The plan --dry-run prints: everything the rehearsal would run, and with what. */
export function dryRunPlan(step: SynthStep): string {
  return JSON.stringify(step, null, 2);
}

/**
 * The environment of the commands: this one, the step's variables, CI=true, an empty Nx cache
 * of the rehearsal's own (CodeBuild's cache path is not this machine's; an empty cache also
 * means nothing passes because an earlier local run passed), and `aws` stubbed unless allowed.
 */
export function rehearsalEnv(
  step: SynthStep,
  work: string,
  useAws: boolean,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...step.env, CI: 'true', NX_CACHE_DIRECTORY: path.join(work, 'nx-cache') };
  if (!useAws) env.PATH = `${path.join(work, 'bin')}${path.delimiter}${env.PATH ?? ''}`;
  return env;
}

/** Runs the rehearsal; returns the exit code. */
export function main(argv: readonly string[]): number {
  const args = parseArgs(argv, { repo: SCRIPT_REPO, cwd: process.env.INIT_CWD ?? process.cwd() });
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const step = findSynthStep(args.cdkOut);
  if (args.dryRun) {
    console.log(dryRunPlan(step));
    return 0;
  }

  const wanted = step.runtimeVersions.nodejs;
  const major = process.versions.node.split('.')[0];
  if (wanted !== undefined && String(wanted) !== major) {
    console.error(
      `[rehearse] warning: the pipeline runs Node ${String(wanted)}, this is Node ${process.versions.node}`,
    );
  }
  const head = git(args.repo, 'rev-parse', 'HEAD');
  if (git(args.repo, 'status', '--porcelain') !== '') {
    console.error('[rehearse] warning: uncommitted changes are not rehearsed (the clone has the committed HEAD only)');
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-'));
  const clone = path.join(work, 'repo');
  // Detached at the commit, as CodeBuild checks out the commit of the run.
  git(work, 'clone', '--quiet', '--no-hardlinks', '--no-checkout', args.repo, clone);
  git(clone, 'checkout', '--quiet', '--detach', head);
  if (!args.useAws) {
    fs.mkdirSync(path.join(work, 'bin'));
    fs.writeFileSync(path.join(work, 'bin', 'aws'), AWS_STUB, { mode: 0o755 });
  }
  const env = rehearsalEnv(step, work, args.useAws);
  const script = path.join(work, 'synth-step.sh');
  fs.writeFileSync(script, shellScript(step.commands));

  console.error(
    `[rehearse] ${step.commands.length} commands of ${step.project} (${path.relative(process.cwd(), step.templateFile)})`,
  );
  console.error(`[rehearse] in a fresh clone of ${head.slice(0, 12)}: ${clone}`);
  const result = spawnSync('/bin/sh', [script], { cwd: clone, env, stdio: 'inherit' });
  const code = result.status ?? 1;
  if (code === 0 && !args.keep) {
    fs.rmSync(work, { recursive: true, force: true });
  } else {
    console.error(`[rehearse] clone kept at ${clone}`);
  }
  console.error(`[rehearse] ${code === 0 ? 'PASSED' : `FAILED (exit code ${code})`}`);
  return code;
}

/** The command-line entry point (cli.mjs, or `ts-node tools/rehearse/main.ts`). */
export function cli(): void {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof CannotRehearse)) throw e;
    console.error(`rehearse: ${e.message}`);
    process.exitCode = 2;
  }
}

if (require.main === module) cli();
