/**
 * Every construct rule is a loader check: the walk over `allValueRules()` fails for a rule of
 * `@baseline/rules` that neither has a loader check (CONFIG_RULE_CHECKS) nor is listed as not coming
 * from the config, and for a check whose config edit the loader does not refuse at the field.
 */
import { App, aws_kms as kms, aws_logs as logs, Stack } from 'aws-cdk-lib';
import { allValueRules, todayUtc } from '@baseline/rules';
import {
  CONFIG_RULE_CHECKS,
  ConfigError,
  configFieldsBreaking,
  constructRuleProblems,
  KEY_ALIAS_SUFFIXES,
  parseConfig,
  RULES_NOT_FROM_CONFIG,
  STACK_TIERS,
} from '../../src/config';
import { TIERS_OF_A_STAGE } from '../../src/stage/platform-stage';
import { logRetention } from '../../src/stage/retention';
import { SecurityStack } from '../../src/stage/security-stack';
import { fixtureConfigInput, RawConfig } from './fixtures';

/** A change to the fixture config that breaks a rule, and the field the loader must name. */
interface BreakingEdit {
  readonly edit: (c: RawConfig) => void;
  readonly path: string;
}

/**
 * For each rule id, configs that break it. A rule with a loader check and no entry here fails the
 * walk: add an edit that breaks it. Names built from the project and stage names cannot be broken by
 * a config the schema accepts (the schema's name pattern is narrower), so their edits use a stage
 * name the schema refuses too: the construct rule must still see it.
 */
const BREAKING_EDITS: Record<string, BreakingEdit[]> = {
  'mysql.port': [{ edit: (c) => (c.stages[0].database.port = 3306), path: 'stages[0].database.port' }],
  'mysql.masterUsername': [
    { edit: (c) => (c.stages[1].database.masterUsername = 'admin'), path: 'stages[1].database.masterUsername' },
  ],
  'mysql.userName': [
    { edit: (c) => (c.stages[0].database.applicationUser = '1app'), path: 'stages[0].database.applicationUser' },
  ],
  'mysql.allocatedStorage': [
    { edit: (c) => (c.stages[0].database.allocatedStorageGiB = 10), path: 'stages[0].database.allocatedStorageGiB' },
  ],
  'mysql.maxAllocatedStorage': [
    {
      edit: (c) => (c.stages[1].database.allocatedStorageGiB = 40000),
      path: 'stages[1].database.allocatedStorageGiB',
    },
  ],
  'mysql.backupRetentionDays': [
    { edit: (c) => (c.stages[0].database.backupRetentionDays = 36), path: 'stages[0].database.backupRetentionDays' },
  ],
  'mysql.backupWindow': [
    { edit: (c) => (c.stages[0].database.backupWindow = '3:00-4:00'), path: 'stages[0].database.backupWindow' },
  ],
  'mysql.maintenanceWindow': [
    {
      edit: (c) => (c.stages[0].database.maintenanceWindow = 'sun:06:00-sun:06:15'),
      path: 'stages[0].database.maintenanceWindow',
    },
  ],
  'mysql.backupJobClear': [
    {
      // 21 hours of RDS backup window leave 3, too few for the 5-hour AWS Backup job.
      edit: (c) => {
        c.stages[0].database.backupWindow = '01:00-22:00';
        c.stages[0].database.maintenanceWindow = 'sun:22:30-sun:23:00';
      },
      path: 'stages[0].database.backupWindow',
    },
  ],
  'mysql.windowsApart': [
    {
      edit: (c) => (c.stages[0].database.maintenanceWindow = 'wed:03:30-wed:04:30'),
      path: 'stages[0].database.maintenanceWindow',
    },
  ],
  'mysql.majorVersion': [
    { edit: (c) => (c.stages[0].database.engineVersion = '5.7'), path: 'stages[0].database.engineVersion' },
    // A known major past its end of standard support (2026-07-31), not only an unknown one.
    { edit: (c) => (c.stages[0].database.engineVersion = '8.0'), path: 'stages[0].database.engineVersion' },
  ],
  'mysql.instanceIdentifier': [{ edit: (c) => (c.stages[0].name = 'a--b'), path: 'stages[0].name' }],
  'network.vpcCidr': [
    { edit: (c) => (c.stages[0].regions[1].vpcCidr = '11.11.0.0/16'), path: 'stages[0].regions[1].vpcCidr' },
  ],
  'network.vpcCidrSize': [
    { edit: (c) => (c.stages[0].regions[0].vpcCidr = '10.10.0.0/21'), path: 'stages[0].regions[0].vpcCidr' },
    { edit: (c) => (c.stages[1].regions[1].vpcCidr = '10.21.0.0/20'), path: 'stages[1].regions[1].vpcCidr' },
  ],
  'network.availabilityZones': [
    {
      edit: (c) => (c.stages[0].regions[0].availabilityZones = ['eu-west-1a', 'eu-central-1b']),
      path: 'stages[0].regions[0].availabilityZones',
    },
    {
      edit: (c) => (c.stages[1].regions[0].availabilityZones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1a']),
      path: 'stages[1].regions[0].availabilityZones',
    },
  ],
  'network.natGateways': [
    { edit: (c) => (c.stages[0].network.natGateways = 3), path: 'stages[0].network.natGateways' },
  ],
  'logs.logGroupName': [{ edit: (c) => (c.stages[0].name = 'dev:x'), path: 'stages[0].name' }],
  'logs.retentionDays': [{ edit: (c) => (c.stages[0].logs.retentionDays = 10), path: 'stages[0].logs.retentionDays' }],
  'kms.aliasName': [{ edit: (c) => (c.stages[0].name = 'dev.x'), path: 'stages[0].name' }],
  'sns.emailAddress': [{ edit: (c) => (c.stages[0].alarms.emails = ['oncall']), path: 'stages[0].alarms.emails[0]' }],
  'sns.emailAddressesDistinct': [
    {
      edit: (c) => (c.stages[1].alarms.emails = ['ops@example.com', 'OPS@example.com']),
      path: 'stages[1].alarms.emails',
    },
    {
      edit: (c) => (c.pipeline.notificationEmails = ['ops@example.com', 'ops@example.com']),
      path: 'pipeline.notificationEmails',
    },
  ],
  'alarms.percent': [
    { edit: (c) => (c.stages[1].alarms.cpuUtilizationPercent = 120), path: 'stages[1].alarms.cpuUtilizationPercent' },
  ],
  'alarms.percentBelowHundred': [
    { edit: (c) => (c.stages[1].alarms.freeStoragePercent = 100), path: 'stages[1].alarms.freeStoragePercent' },
  ],
  'alarms.positive': [
    { edit: (c) => (c.stages[1].alarms.freeableMemoryMiB = 0), path: 'stages[1].alarms.freeableMemoryMiB' },
    { edit: (c) => (c.stages[1].alarms.maxConnections = -1), path: 'stages[1].alarms.maxConnections' },
    { edit: (c) => (c.stages[0].alarms.readLatencyMs = 0), path: 'stages[0].alarms.readLatencyMs' },
    { edit: (c) => (c.stages[0].alarms.writeLatencyMs = 0), path: 'stages[0].alarms.writeLatencyMs' },
    {
      edit: (c) => (c.stages[1].alarms.rejectedFlowsPer5Minutes = 0),
      path: 'stages[1].alarms.rejectedFlowsPer5Minutes',
    },
  ],
  'cloudwatch.dashboardName': [{ edit: (c) => (c.stages[1].name = 'prod.x'), path: 'stages[1].name' }],
  'iam.roleName': [{ edit: (c) => (c.stages[0].name = 'd'.repeat(40)), path: 'stages[0].name' }],
  'cloudformation.stackName': [{ edit: (c) => (c.stages[0].name = 'dev_x'), path: 'stages[0].name' }],
  // <project>-<stage>-<region>-copies: 8 + 1 + 34 + 1 + 9 + 7 = 60 characters, vault names stop at 50.
  'backup.vaultName': [{ edit: (c) => (c.stages[0].name = 'd'.repeat(34)), path: 'stages[0].name' }],
  'backup.retentionDays': [
    {
      edit: (c) => (c.stages[1].recovery = { backupRetentionDays: 0 }),
      path: 'stages[1].recovery.backupRetentionDays',
    },
  ],
};

const checkedRuleIds = new Set(CONFIG_RULE_CHECKS.map((c) => c.rule.id));

/** The loader's problems for the fixture after `edit`: the construct-rule ones, and all of parseConfig's. */
function loaderProblemsAfter(edit: (c: RawConfig) => void) {
  const input = fixtureConfigInput();
  edit(input);
  const fromRules = constructRuleProblems({ input, today: todayUtc() });
  let all: ConfigError | undefined;
  try {
    parseConfig(input);
  } catch (e) {
    if (!(e instanceof ConfigError)) {
      throw e;
    }
    all = e;
  }
  return { fromRules, all };
}

describe('the construct rules', () => {
  const rules = allValueRules();

  test('are all registered (the walk has something to walk)', () => {
    expect(rules.length).toBeGreaterThanOrEqual(Object.keys(BREAKING_EDITS).length);
  });

  test.each(rules.map((r) => [r.id]))('%s is checked by the loader, or listed as not from the config', (id) => {
    const notFromConfig = RULES_NOT_FROM_CONFIG[id];
    if (notFromConfig !== undefined) {
      expect(checkedRuleIds.has(id)).toBe(false);
      return;
    }
    // THEN the loader has a check for the rule and the test knows how to break it
    expect({ rule: id, inConfigRuleChecks: checkedRuleIds.has(id) }).toEqual({ rule: id, inConfigRuleChecks: true });
    expect({ rule: id, breakingEdits: (BREAKING_EDITS[id] ?? []).length > 0 }).toEqual({
      rule: id,
      breakingEdits: true,
    });
  });

  test.each(Object.entries(BREAKING_EDITS).flatMap(([id, edits]) => edits.map((e) => [id, e.path, e] as const)))(
    'a config breaking %s is refused by the loader at %s',
    (id, path, { edit }) => {
      // WHEN the fixture config is loaded after the edit
      const { fromRules, all } = loaderProblemsAfter(edit);
      // THEN the rule's own check reports the field, and the loader refuses the config at that field
      expect(fromRules.filter((p) => p.rule === id).map((p) => p.path)).toContain(path);
      expect(all?.problems.map((p) => p.path)).toContain(path);
    },
  );

  test('the fixture config breaks none of them', () => {
    expect(constructRuleProblems({ input: fixtureConfigInput(), today: todayUtc() })).toEqual([]);
  });
});

describe('configFieldsBreaking', () => {
  const context = (edit: (c: RawConfig) => void) => {
    const input = fixtureConfigInput();
    edit(input);
    return { input, today: todayUtc() };
  };

  test("names the field a construct's refused value came from", () => {
    const c = context((c) => (c.stages[1].database.port = 3306));
    expect(configFieldsBreaking('mysql.port', 3306, c)).toEqual(['stages[1].database.port']);
  });

  test('prefers the field with the very value the construct refused', () => {
    const c = context((c) => {
      c.stages[0].alarms.readLatencyMs = 0;
      c.stages[1].alarms.maxConnections = -1;
    });
    expect(configFieldsBreaking('alarms.positive', -1, c)).toEqual(['stages[1].alarms.maxConnections']);
  });

  test('is empty for a rule the config does not break', () => {
    expect(
      configFieldsBreaking(
        'mysql.port',
        3306,
        context(() => undefined),
      ),
    ).toEqual([]);
  });
});

describe('the names the checks build', () => {
  test("use PlatformStage's stack tiers", () => {
    expect([...STACK_TIERS]).toEqual([...TIERS_OF_A_STAGE]);
  });

  test("use SecurityStack's key aliases", () => {
    const stack = new SecurityStack(new App(), 'Security', { aliasPrefix: 'p/s' });
    const aliases = stack.node
      .findAll()
      .filter((c): c is kms.Alias => c instanceof kms.Alias)
      .map((a) => (a.node.defaultChild as kms.CfnAlias).aliasName)
      .sort();
    expect(aliases).toEqual(KEY_ALIAS_SUFFIXES.map((suffix) => `alias/p/s/${suffix}`).sort());
  });
});

describe("the stage's log retention", () => {
  test('is the rule the loader checks: refused with the construct path, the field and the value', () => {
    const stack = new Stack(new App(), 'Stage');
    expect(logRetention(stack, 731)).toBe(logs.RetentionDays.TWO_YEARS);
    expect(() => logRetention(stack, 9999)).toThrow(
      /^Stage: logs\.retentionDays 9999 is not a CloudWatch Logs retention period; give one of 1, 3, .* \(9999 is RetentionDays\.INFINITE/,
    );
  });
});
