#!/usr/bin/env node
/**
 * Post-deployment check of one stage-region, run by the pipeline after the stage's stacks deploy.
 *
 *   node validate-stage.mjs --region <region> [--role-arn <arn>] --stack <name> [--stack <name> ...]
 *
 * Fails (exit 1) when a stack is missing or not in CREATE_COMPLETE, UPDATE_COMPLETE or
 * IMPORT_COMPLETE (a ROLLBACK_COMPLETE or UPDATE_ROLLBACK_COMPLETE stack is "complete" but does not
 * run what this pipeline deployed), or when any CloudWatch alarm that is a resource of those
 * stacks is in ALARM. An alarm in INSUFFICIENT_DATA passes: a freshly created alarm has no data yet.
 *
 * Reads only: with --role-arn it first assumes that role (the target account's CDK bootstrap
 * lookup role, ReadOnlyAccess) and uses its credentials for every later call. Only the AWS CLI and
 * Node are needed (both are on the CodeBuild standard image); no npm packages.
 */
import { execFileSync } from 'node:child_process';

const COMPLETE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);
const ALARM_TYPES = new Set(['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']);
/** describe-alarms accepts at most 100 names per call. */
const NAMES_PER_CALL = 100;

function parseArgs(argv) {
  const args = { stacks: [] };
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
    } else {
      throw new Error(`unknown argument ${flag}; usage: --region <region> [--role-arn <arn>] --stack <name>...`);
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

function main() {
  const args = parseArgs(process.argv.slice(2));
  const env = args.roleArn ? assumeRole(args.roleArn, args.region) : process.env;
  const problems = [];
  const alarmNames = [];

  for (const stackName of args.stacks) {
    let stack;
    try {
      stack = aws(env, args.region, 'cloudformation', 'describe-stacks', '--stack-name', stackName).Stacks?.[0];
    } catch (e) {
      problems.push(`stack ${stackName}: cannot be described (${e.message})`);
      continue;
    }
    if (!stack) {
      problems.push(`stack ${stackName}: not found`);
      continue;
    }
    if (!COMPLETE.has(stack.StackStatus)) {
      const reason = stack.StackStatusReason ? ` (${stack.StackStatusReason})` : '';
      problems.push(`stack ${stackName}: ${stack.StackStatus}${reason}; expected one of ${[...COMPLETE].join(', ')}`);
      continue;
    }
    console.log(`ok    stack ${stackName}: ${stack.StackStatus}`);
    const resources = aws(env, args.region, 'cloudformation', 'list-stack-resources', '--stack-name', stackName);
    for (const r of resources.StackResourceSummaries ?? []) {
      if (ALARM_TYPES.has(r.ResourceType) && r.PhysicalResourceId) {
        alarmNames.push(r.PhysicalResourceId);
      }
    }
  }

  for (let i = 0; i < alarmNames.length; i += NAMES_PER_CALL) {
    const names = alarmNames.slice(i, i + NAMES_PER_CALL);
    const result = aws(
      env,
      args.region,
      'cloudwatch',
      'describe-alarms',
      '--alarm-types',
      'MetricAlarm',
      'CompositeAlarm',
      '--alarm-names',
      ...names,
    );
    for (const alarm of [...(result.MetricAlarms ?? []), ...(result.CompositeAlarms ?? [])]) {
      if (alarm.StateValue === 'ALARM') {
        problems.push(`alarm ${alarm.AlarmName}: ALARM (${alarm.StateReason ?? 'no reason given'})`);
      } else {
        console.log(`ok    alarm ${alarm.AlarmName}: ${alarm.StateValue}`);
      }
    }
  }

  for (const p of problems) {
    console.error(`FAIL  ${p}`);
  }
  console.log(
    `${args.stacks.length} stacks, ${alarmNames.length} alarms in ${args.region}: ${problems.length === 0 ? 'healthy' : `${problems.length} problems`}`,
  );
  return problems.length === 0 ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(`validate-stage: ${e.message}`);
  process.exitCode = 2;
}
