/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are untyped AWS CLI JSON */
/**
 * The post-deployment check the pipeline runs after each stage-region, run here against a fake AWS
 * CLI that answers with the sample CLI outputs in fixtures/ (no AWS, no credentials).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SCRIPT = path.join(__dirname, '..', '..', 'src', 'pipeline', 'scripts', 'validate-stage.mjs');
const FIXTURES = path.join(__dirname, 'fixtures');
const PARTITION = 'aws';
const ROLE_ARN = `arn:${PARTITION}:iam::222222222222:role/baseline-dev-eu-west-1-validation`;
const CPU_ALARM = 'baseline-dev-observability-DatabaseCpuAlarm1A2B3C4D-ABCDEF123456';
const REJECTS_ALARM = 'baseline-dev-observability-FlowLogRejectsAlarm5E6F7A8B-123456ABCDEF';
/** The deployment-health alarm of the fixture, by logical id (the CPU alarm; the rejects alarm is traffic). */
const HEALTH = ['--health-alarm', 'DatabaseCpuAlarm1A2B3C4D'];
/** Tests do not wait: polls follow each other at once, and the deadline is what the test passes. */
const NO_WAIT = ['--poll-seconds', '0', '--wait-seconds', '0'];

interface Scenario {
  /** Stack name → StackStatus, or the statuses of successive polls; a stack not listed does not exist. */
  readonly stacks: Record<string, string | string[]>;
  /** Stack name → StackDriftStatus at the last drift detection. */
  readonly drift?: Record<string, string>;
  /** Alarm name → StateValue, overriding the fixture. */
  readonly alarmStates?: Record<string, string>;
  /** Extra alarms that exist in the account but belong to no stack of the stage. */
  readonly foreignAlarms?: Record<string, string>;
  readonly assumeRoleFails?: boolean;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: Array<{ args: string[]; accessKeyId: string | null }>;
}

function fixture(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf-8'));
}

/** Serves `scenario` through the fake CLI and runs the check on `stackNames`. */
function validate(
  scenario: Scenario,
  stackNames = Object.keys(scenario.stacks),
  extraArgs: string[] = [...HEALTH, ...NO_WAIT],
): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-stage-'));
  const write = (name: string, body: unknown) => fs.writeFileSync(path.join(dir, name), JSON.stringify(body));
  if (!scenario.assumeRoleFails) {
    write('sts.assume-role.json', fixture('sts.assume-role.json'));
  }
  for (const [name, statuses] of Object.entries(scenario.stacks)) {
    const answerFor = (status: string) => {
      const answer = fixture('cloudformation.describe-stacks.json');
      answer.Stacks[0] = { ...answer.Stacks[0], StackName: name, StackStatus: status };
      if (scenario.drift?.[name]) {
        answer.Stacks[0].DriftInformation = {
          StackDriftStatus: scenario.drift[name],
          LastCheckTimestamp: '2025-01-03T00:00:00.000Z',
        };
      }
      return answer;
    };
    const describeStacks = `cloudformation.describe-stacks.${name}`;
    if (Array.isArray(statuses)) {
      fs.writeFileSync(path.join(dir, `${describeStacks}.sequence`), String(statuses.length));
      statuses.forEach((status, i) => write(`${describeStacks}.${i + 1}.json`, answerFor(status)));
    } else {
      write(`${describeStacks}.json`, answerFor(statuses));
    }
    // Only the observability stack has alarms, as in the real stage.
    const resources = name.endsWith('-observability')
      ? fixture('cloudformation.list-stack-resources.json')
      : { StackResourceSummaries: [] };
    write(`cloudformation.list-stack-resources.${name}.json`, resources);
  }
  const alarms = fixture('cloudwatch.describe-alarms.json');
  for (const alarm of alarms.MetricAlarms) {
    alarm.StateValue = scenario.alarmStates?.[alarm.AlarmName] ?? alarm.StateValue;
  }
  for (const [name, state] of Object.entries(scenario.foreignAlarms ?? {})) {
    alarms.MetricAlarms.push({ AlarmName: name, StateValue: state, StateReason: 'not ours' });
  }
  for (const type of ['MetricAlarms', 'CompositeAlarms']) {
    fs.mkdirSync(path.join(dir, 'alarms', type), { recursive: true });
    for (const alarm of alarms[type] ?? []) {
      write(path.join('alarms', type, `${alarm.AlarmName}.json`), alarm);
    }
  }

  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(path.join(FIXTURES, 'fake-aws.sh'), path.join(bin, 'aws'));
  const stackArgs = stackNames.flatMap((s) => ['--stack', s]);
  const result = spawnSync(
    process.execPath,
    [SCRIPT, '--region', 'eu-west-1', '--role-arn', ROLE_ARN, ...stackArgs, ...extraArgs],
    {
      encoding: 'utf-8',
      env: {
        PATH: `${bin}${path.delimiter}${process.env.PATH}`,
        FAKE_AWS_DIR: dir,
        AWS_ACCESS_KEY_ID: 'AKIATOOLINGACCOUNT',
      },
    },
  );
  const callsFile = path.join(dir, 'calls.tsv');
  const calls = fs.existsSync(callsFile)
    ? fs
        .readFileSync(callsFile, 'utf-8')
        .trim()
        .split('\n')
        .map((line) => {
          const [accessKeyId, ...args] = line.split('\t');
          return { args, accessKeyId: accessKeyId || null };
        })
    : [];
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

const HEALTHY = { 'baseline-dev-security': 'CREATE_COMPLETE', 'baseline-dev-observability': 'UPDATE_COMPLETE' };

describe('validate-stage.mjs', () => {
  test('passes when every stack is complete and no alarm is in ALARM (INSUFFICIENT_DATA is fine)', () => {
    // GIVEN the fixtures: one alarm OK, one INSUFFICIENT_DATA (just created)
    // WHEN
    const run = validate({ stacks: HEALTHY });
    // THEN
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/2 stacks, 2 alarms \(1 deployment-health\) in eu-west-1: healthy/);
  });

  test('assumes the validation role first and makes every later call with its credentials in the region', () => {
    const run = validate({ stacks: HEALTHY });
    expect(run.calls[0].args).toEqual(
      expect.arrayContaining(['sts', 'assume-role', '--role-arn', ROLE_ARN, '--region', 'eu-west-1']),
    );
    expect(run.calls.length).toBeGreaterThan(1);
    for (const call of run.calls.slice(1)) {
      expect(call.accessKeyId).toBe('ASIAEXAMPLEVALIDATION');
      expect(call.args).toEqual(expect.arrayContaining(['--region', 'eu-west-1']));
    }
  });

  test('only reads: assume-role, describe-stacks, list-stack-resources, describe-alarms', () => {
    const run = validate({ stacks: HEALTHY, alarmStates: { [CPU_ALARM]: 'ALARM' } });
    const commands = new Set(run.calls.map((c) => `${c.args[0]} ${c.args[1]}`));
    expect([...commands].sort()).toEqual([
      'cloudformation describe-stacks',
      'cloudformation list-stack-resources',
      'cloudwatch describe-alarms',
      'sts assume-role',
    ]);
  });

  test.each([
    'ROLLBACK_COMPLETE',
    'UPDATE_ROLLBACK_COMPLETE',
    'IMPORT_ROLLBACK_COMPLETE',
    'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
    'CREATE_FAILED',
  ])('fails at once when a stack is %s', (status) => {
    const run = validate({ stacks: { ...HEALTHY, 'baseline-dev-security': status } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`FAIL  stack baseline-dev-security: ${status}`);
    expect(run.stdout).not.toContain('wait  stack');
  });

  test('passes a stack in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: updated and usable, old resources being deleted', () => {
    const run = validate({ stacks: { ...HEALTHY, 'baseline-dev-security': 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ok    stack baseline-dev-security: UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
  });

  test('waits while a stack is in progress, and judges the state it ends in', () => {
    // GIVEN a stack still updating on the first two polls, complete on the third
    const run = validate(
      {
        stacks: {
          ...HEALTHY,
          'baseline-dev-security': ['UPDATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE'],
        },
      },
      undefined,
      [...HEALTH, '--poll-seconds', '0', '--wait-seconds', '60'],
    );
    // THEN it waited twice, then passed
    expect(run.stdout.match(/wait {2}stack baseline-dev-security: UPDATE_IN_PROGRESS/g)).toHaveLength(2);
    expect(run.code).toBe(0);
  });

  test('fails when a stack is still in progress at the deadline, naming the state and the wait', () => {
    const run = validate({ stacks: { ...HEALTHY, 'baseline-dev-security': 'UPDATE_IN_PROGRESS' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('FAIL  stack baseline-dev-security: still UPDATE_IN_PROGRESS after 0 s');
  });

  test('reports drift CloudFormation detected, without failing on it', () => {
    const run = validate({ stacks: HEALTHY, drift: { 'baseline-dev-security': 'DRIFTED' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('note  stack baseline-dev-security: DRIFTED at the last drift detection');
  });

  test('fails when a stack of the stage does not exist', () => {
    const run = validate({ stacks: HEALTHY }, ['baseline-dev-security', 'baseline-dev-data']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/FAIL {2}stack baseline-dev-data: cannot be described .*does not exist/);
  });

  test('fails when a deployment-health alarm of the stage is in ALARM, naming it', () => {
    const run = validate({ stacks: HEALTHY, alarmStates: { [CPU_ALARM]: 'ALARM' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`FAIL  alarm ${CPU_ALARM}: ALARM`);
  });

  test('does not block promotion on a traffic alarm in ALARM (rejected flows), and says so', () => {
    const run = validate({ stacks: HEALTHY, alarmStates: { [REJECTS_ALARM]: 'ALARM' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`note  alarm ${REJECTS_ALARM}: ALARM, a traffic alarm that does not block promotion`);
  });

  test("ignores alarms in ALARM that are not resources of the stage's stacks", () => {
    const run = validate({ stacks: HEALTHY, foreignAlarms: { 'someone-elses-alarm': 'ALARM' } });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('someone-elses-alarm');
  });

  test('fails when the validation role cannot be assumed', () => {
    const run = validate({ stacks: HEALTHY, assumeRoleFails: true });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/validate-stage: aws sts assume-role failed/);
  });

  test('fails when no stack is given', () => {
    const run = validate({ stacks: {} }, []);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/at least one --stack is required/);
  });
});
