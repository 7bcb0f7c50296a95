#!/usr/bin/env node
/**
 * Rehearses the pipeline's build on this machine, before a push: runs the commands of the synth
 * step, exactly as the synthesized pipeline's buildspec lists them, in a fresh clone of this
 * repository's committed HEAD.
 *
 *   node tools/rehearse/rehearse.mjs [--cdk-out <dir>] [--repo <dir>] [--use-aws] [--keep] [--dry-run]
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
import { fileURLToPath } from 'node:url';

const SCRIPT_REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PHASES = ['install', 'pre_build', 'build', 'post_build'];

class UsageError extends Error {}

function parseArgs(argv) {
  const args = { useAws: false, keep: false, dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--use-aws') args.useAws = true;
    else if (a === '--keep') args.keep = true;
    else if (a === '--dry-run') args.dryRun = true;
    else if (a === '--cdk-out' || a === '--repo') {
      const value = argv[++i];
      if (!value) throw new UsageError(`${a} needs a value`);
      args[a === '--repo' ? 'repo' : 'cdkOut'] = path.resolve(value);
    } else throw new UsageError(`unknown argument '${a}' (see the header of ${fileURLToPath(import.meta.url)})`);
  }
  args.repo ??= SCRIPT_REPO;
  args.cdkOut ??= path.join(args.repo, 'apps', 'platform', 'cdk.out');
  return args;
}

/** The synth step of the pipeline in a cloud assembly: its buildspec and its project's variables. */
function findSynthStep(cdkOut) {
  const manifestFile = path.join(cdkOut, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new UsageError(
      `${manifestFile} not found: run 'npm run synth' first (the rehearsal reads the synthesized pipeline)`,
    );
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf-8'));
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = path.join(cdkOut, artifact.properties.templateFile);
    const resources = JSON.parse(fs.readFileSync(templateFile, 'utf-8')).Resources ?? {};
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::CodePipeline::Pipeline') continue;
      const action = resource.Properties.Stages.find((s) => s.Name === 'Build')?.Actions.find(
        (a) => a.Name === 'Synth',
      );
      const projectId = action?.Configuration?.ProjectName?.Ref;
      const project = projectId && resources[projectId];
      if (!project) continue;
      const buildSpec = project.Properties.Source.BuildSpec;
      if (typeof buildSpec !== 'string') {
        throw new UsageError(
          `${templateFile}: the synth project's buildspec contains CloudFormation references; it cannot be rehearsed`,
        );
      }
      const env = {};
      for (const v of project.Properties.Environment?.EnvironmentVariables ?? []) {
        if ((v.Type ?? 'PLAINTEXT') === 'PLAINTEXT' && typeof v.Value === 'string') env[v.Name] = v.Value;
      }
      return { templateFile, project: projectId, ...fromBuildSpec(JSON.parse(buildSpec), env) };
    }
  }
  throw new UsageError(`${cdkOut}: no stack with a CodePipeline whose Build stage has a Synth action`);
}

function fromBuildSpec(spec, projectEnv) {
  const commands = PHASES.flatMap((phase) => spec.phases?.[phase]?.commands ?? []);
  const env = { ...projectEnv, ...(spec.env?.variables ?? {}) };
  return { runtimeVersions: spec.phases?.install?.['runtime-versions'] ?? {}, env, commands };
}

/** One shell script: each command as CodeBuild runs it, stopping at the first that fails. */
function shellScript(commands) {
  const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = ['# generated by tools/rehearse/rehearse.mjs'];
  commands.forEach((command, i) => {
    lines.push(`printf '\\n[rehearse %d/%d] $ %s\\n' ${i + 1} ${commands.length} ${quote(command)}`);
    lines.push(command);
    lines.push(
      `rc=$?; if [ "$rc" -ne 0 ]; then echo "[rehearse] command ${i + 1} failed with exit code $rc" >&2; exit "$rc"; fi`,
    );
  });
  return `${lines.join('\n')}\n`;
}

function git(cwd, ...args) {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    throw new UsageError(`git ${args.join(' ')} failed in ${cwd}: ${(e.stderr || e.message).toString().trim()}`);
  }
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const step = findSynthStep(args.cdkOut);
  if (args.dryRun) {
    console.log(JSON.stringify(step, null, 2));
    return 0;
  }

  const wanted = step.runtimeVersions.nodejs;
  const major = process.versions.node.split('.')[0];
  if (wanted && String(wanted) !== major) {
    console.error(`[rehearse] warning: the pipeline runs Node ${wanted}, this is Node ${process.versions.node}`);
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
  const env = { ...process.env, ...step.env, CI: 'true' };
  // CodeBuild's cache path (/root/...) is not this machine's; an empty cache also means nothing
  // passes because an earlier local run passed.
  env.NX_CACHE_DIRECTORY = path.join(work, 'nx-cache');
  if (!args.useAws) {
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'aws'),
      '#!/bin/sh\necho "rehearse: no AWS in a rehearsal (pass --use-aws to allow it)" >&2\nexit 255\n',
      { mode: 0o755 },
    );
    env.PATH = `${bin}${path.delimiter}${env.PATH ?? ''}`;
  }
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

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`rehearse: ${e.message}`);
    process.exitCode = 2;
  }
}
