#!/usr/bin/env node
/**
 * Post-deployment check of one stage-region, run by the pipeline after the stage's stacks deploy.
 *
 *   node validate-stage.mjs --region <region> [--role-arn <arn>] --stack <name> [--stack <name> ...]
 *        [--health-alarm <logical id> ...] [--wait-seconds <n>] [--poll-seconds <n>]
 *
 * Stacks. A stack in a *_IN_PROGRESS state is still being changed (another run, a rollback): the
 * check waits for it, polling every --poll-seconds, for at most --wait-seconds, then fails.
 * UPDATE_COMPLETE_CLEANUP_IN_PROGRESS is done: "the stack has been updated and is usable, but
 * CloudFormation is still deleting the old resources"; UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS
 * is a failed update, rolled back (AWS CloudFormation User Guide, "Stack status codes"). It passes
 * CREATE_COMPLETE, UPDATE_COMPLETE, IMPORT_COMPLETE and UPDATE_COMPLETE_CLEANUP_IN_PROGRESS; every other
 * final state (a ROLLBACK_COMPLETE or UPDATE_ROLLBACK_COMPLETE stack does not run what this pipeline
 * deployed) fails. Drift CloudFormation has already detected is reported, not failed on.
 *
 * Alarms. Only the alarms named with --health-alarm (logical ids of the stacks' alarms, the ones that
 * mean "this deployment is broken": the database is unavailable, out of storage or out of memory)
 * fail the check when in ALARM; traffic alarms (rejected flows, latency, connections) are reported
 * and do not block promotion. INSUFFICIENT_DATA passes: a freshly created alarm has no data yet.
 *
 * Reads only: with --role-arn it first assumes that role (the stage-region's validation role, which
 * may make exactly these calls) and uses its credentials for every later call. Only the AWS CLI and
 * Node are needed (both are on the CodeBuild standard image); no npm packages.
 */
import { execFileSync } from 'node:child_process';

const COMPLETE = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'IMPORT_COMPLETE',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
]);
/** The one *_IN_PROGRESS state that is a final outcome: a failed update, rolled back, cleaning up. */
const FAILED_CLEANUP = 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS';
const ALARM_TYPES = new Set(['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']);
/** describe-alarms accepts at most 100 names per call. */
const NAMES_PER_CALL = 100;

function parseArgs(argv) {
  const args = { stacks: [], healthAlarms: [], waitSeconds: 1200, pollSeconds: 20 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) {
      throw new Error(`${flag} needs a value`);
    }
    if (flag === '--region') {
      args.region = value;
    } else if (flag === '--role-arn') {
      args.roleArn = value;
    } else if (flag === '--stack') {
      args.stacks.push(value);
    } else if (flag === '--health-alarm') {
      args.healthAlarms.push(value);
    } else if (flag === '--wait-seconds' || flag === '--poll-seconds') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) {
        throw new Error(`${flag} '${value}' must be a whole number of seconds`);
      }
      args[flag === '--wait-seconds' ? 'waitSeconds' : 'pollSeconds'] = n;
    } else {
      throw new Error(
        `unknown argument ${flag}; usage: --region <region> [--role-arn <arn>] --stack <name>... ` +
          '[--health-alarm <logical id>...] [--wait-seconds <n>] [--poll-seconds <n>]',
      );
    }
    i++;
  }
  if (!args.region) {
    throw new Error('--region is required');
  }
  if (args.stacks.length === 0) {
    throw new Error('at least one --stack is required');
  }
  return args;
}

/** Runs the AWS CLI and parses its JSON output; a failing call throws with the CLI's message. */
function aws(env, region, ...args) {
  try {
    const out = execFileSync('aws', [...args, '--region', region, '--output', 'json'], {
      env,
      encoding: 'utf-8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return out.trim() === '' ? {} : JSON.parse(out);
  } catch (e) {
    const detail = (e.stderr || e.message || '').toString().trim();
    throw new Error(`aws ${args.slice(0, 2).join(' ')} failed: ${detail}`);
  }
}

function assumeRole(roleArn, region) {
  const result = aws(
    process.env,
    region,
    'sts',
    'assume-role',
    '--role-arn',
    roleArn,
    '--role-session-name',
    'pipeline-stage-validation',
  );
  const c = result.Credentials;
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: c.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
    AWS_SESSION_TOKEN: c.SessionToken,
  };
}

function sleep(seconds) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}

/** The stack, once it is in a final state, or the reason it is not. */
function settledStack(env, args, stackName) {
  const deadline = Date.now() + args.waitSeconds * 1000;
  for (;;) {
    let stack;
    try {
      stack = aws(env, args.region, 'cloudformation', 'describe-stacks', '--stack-name', stackName).Stacks?.[0];
    } catch (e) {
      return { problem: `stack ${stackName}: cannot be described (${e.message})` };
    }
    if (!stack) {
      return { problem: `stack ${stackName}: not found` };
    }
    const status = stack.StackStatus;
    if (!status.endsWith('_IN_PROGRESS') || COMPLETE.has(status) || status === FAILED_CLEANUP) {
      return { stack };
    }
    if (Date.now() >= deadline) {
      return { problem: `stack ${stackName}: still ${status} after ${args.waitSeconds} s; expected it to finish` };
    }
    console.log(`wait  stack ${stackName}: ${status}`);
    sleep(args.pollSeconds);
  }
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const env = args.roleArn ? assumeRole(args.roleArn, args.region) : process.env;
  const problems = [];
  const alarms = [];

  for (const stackName of args.stacks) {
    const { stack, problem } = settledStack(env, args, stackName);
    if (problem) {
      problems.push(problem);
      continue;
    }
    if (!COMPLETE.has(stack.StackStatus)) {
      const reason = stack.StackStatusReason ? ` (${stack.StackStatusReason})` : '';
      problems.push(`stack ${stackName}: ${stack.StackStatus}${reason}; expected one of ${[...COMPLETE].join(', ')}`);
      continue;
    }
    console.log(`ok    stack ${stackName}: ${stack.StackStatus}`);
    if (stack.DriftInformation?.StackDriftStatus === 'DRIFTED') {
      console.log(
        `note  stack ${stackName}: DRIFTED at the last drift detection ` +
          `(${stack.DriftInformation.LastCheckTimestamp ?? 'time unknown'}); someone changed it outside CloudFormation`,
      );
    }
    const resources = aws(env, args.region, 'cloudformation', 'list-stack-resources', '--stack-name', stackName);
    for (const r of resources.StackResourceSummaries ?? []) {
      if (ALARM_TYPES.has(r.ResourceType) && r.PhysicalResourceId) {
        alarms.push({ name: r.PhysicalResourceId, health: args.healthAlarms.includes(r.LogicalResourceId) });
      }
    }
  }

  for (let i = 0; i < alarms.length; i += NAMES_PER_CALL) {
    const batch = alarms.slice(i, i + NAMES_PER_CALL);
    const result = aws(
      env,
      args.region,
      'cloudwatch',
      'describe-alarms',
      '--alarm-types',
      'MetricAlarm',
      'CompositeAlarm',
      '--alarm-names',
      ...batch.map((a) => a.name),
    );
    for (const alarm of [...(result.MetricAlarms ?? []), ...(result.CompositeAlarms ?? [])]) {
      const health = batch.find((a) => a.name === alarm.AlarmName)?.health ?? false;
      if (alarm.StateValue === 'ALARM' && health) {
        problems.push(`alarm ${alarm.AlarmName}: ALARM (${alarm.StateReason ?? 'no reason given'})`);
      } else if (alarm.StateValue === 'ALARM') {
        console.log(`note  alarm ${alarm.AlarmName}: ALARM, a traffic alarm that does not block promotion`);
      } else {
        console.log(`ok    alarm ${alarm.AlarmName}: ${alarm.StateValue}`);
      }
    }
  }

  for (const p of problems) {
    console.error(`FAIL  ${p}`);
  }
  const health = alarms.filter((a) => a.health).length;
  console.log(
    `${args.stacks.length} stacks, ${alarms.length} alarms (${health} deployment-health) in ${args.region}: ` +
      `${problems.length === 0 ? 'healthy' : `${problems.length} problems`}`,
  );
  return problems.length === 0 ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(`validate-stage: ${e.message}`);
  process.exitCode = 2;
}
