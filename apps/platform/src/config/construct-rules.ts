/**
 * The construct rules the loader checks: every rule of `@baseline/rules` that a construct enforces on
 * a value the config gives (directly, or joined into a name), with the config field(s) it governs.
 *
 * The loader runs these on the raw input, with the schema's defaults for omitted fields, and reports
 * each broken rule with its field path, the value and the rule's own words, together with every other
 * problem. A test walks `allValueRules()` and fails for a rule that is neither checked here nor listed
 * in {@link RULES_NOT_FROM_CONFIG}, and breaks each rule in a config to see the loader refuse it.
 */
import {
  ALARM_PERCENT,
  ALARM_PERCENT_BELOW_HUNDRED,
  ALARM_POSITIVE,
  CLOUDFORMATION_STACK_NAME,
  BACKUP_RETENTION_DAYS,
  BACKUP_VAULT_NAME,
  CLOUDWATCH_DASHBOARD_NAME,
  IAM_ROLE_NAME,
  KMS_ALIAS_NAME,
  LOGS_LOG_GROUP_NAME,
  LOGS_RETENTION_DAYS,
  MYSQL_ALLOCATED_STORAGE,
  MYSQL_BACKUP_JOB_CLEAR,
  MYSQL_BACKUP_RETENTION_DAYS,
  MYSQL_BACKUP_WINDOW,
  MYSQL_INSTANCE_IDENTIFIER,
  MYSQL_MAINTENANCE_WINDOW,
  MYSQL_MAJOR_VERSION,
  MYSQL_MASTER_USERNAME,
  MYSQL_MAX_ALLOCATED_STORAGE,
  MYSQL_PORT,
  MYSQL_USER_NAME,
  MYSQL_WINDOWS_APART,
  NETWORK_AVAILABILITY_ZONES,
  NETWORK_NAT_GATEWAYS,
  NETWORK_VPC_CIDR,
  NETWORK_VPC_CIDR_SIZE,
  SNS_EMAIL_ADDRESS,
  SNS_EMAIL_ADDRESSES_DISTINCT,
  ValueRule,
} from '@baseline/rules';
import {
  backupVaultNameOf,
  dashboardNameOf,
  databaseRestoreRoleNameOf,
  flowLogGroupNameOf,
  instanceIdentifierOf,
  keyAliasPrefixOf,
  recoveryKeyAliasOf,
  recoveryStackNameOf,
  recoveryVaultNameOf,
  restoreRoleNameOf,
  stackNameOf,
  validationRoleNameOf,
  validationStepRoleNameOf,
} from './names';
import { ALARM_DEFAULTS, DATABASE_DEFAULTS, LOGS_DEFAULTS, NETWORK_DEFAULTS, RECOVERY_DEFAULTS } from './schema';
import { ConfigProblem } from './validate';

type Raw = Record<string, unknown>;

/** What the checks read: the raw config and the day the lifecycle rules are checked against. */
export interface RuleContext {
  readonly input: Raw;
  /** YYYY-MM-DD. */
  readonly today: string;
}

/** One value a rule checks, where it comes from, and how it reads in the message. */
export interface RuleSubject<T> {
  readonly path: string;
  readonly value: T;
  /** What the message prints as the value. @default value */
  readonly shown?: unknown;
  /** Words before the rule's own, e.g. `gives the DB instance identifier 'x', which`. @default none */
  readonly lead?: string;
}

/** A construct rule and the config values it governs. */
export interface ConfigRuleCheck<T = never> {
  readonly rule: ValueRule<T>;
  /** The construct that enforces it, for the reader. */
  readonly enforcedBy: string;
  subjects(context: RuleContext): Array<RuleSubject<T>>;
}

/** Rules of `@baseline/rules` whose values never come from the config, with the reason. */
export const RULES_NOT_FROM_CONFIG: Record<string, string> = {
  'mysql.databaseName': 'the app creates no database by name (MysqlDatabaseProps.databaseName is not set)',
};

/**
 * The tiers of a stage-region's stack names, `<project>-<stage>-<tier>` (PlatformStage's
 * TIERS_OF_A_STAGE; not imported from there, which would make the config depend on the stage. A test
 * holds the two lists equal).
 */
export const STACK_TIERS = ['security', 'network', 'data', 'observability'] as const;

/** The aliases SecurityStack gives a stage's two keys, after `<project>/<stage>/` (a test holds them to the synthesized aliases). */
export const KEY_ALIAS_SUFFIXES = ['data', 'logs'] as const;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const arrayAt = (o: Raw, key: string): unknown[] => (Array.isArray(o[key]) ? (o[key] as unknown[]) : []);
const objectAt = (o: Raw, key: string): Raw => (isObject(o[key]) ? (o[key] as Raw) : {});
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

interface StageEntry {
  readonly at: string;
  readonly stage: Raw;
  readonly database: Raw;
  readonly alarms: Raw;
  readonly name?: string;
}

/** Every stage of the raw config with its index, its database and alarms sections and its name. */
function stages(input: Raw): StageEntry[] {
  return arrayAt(input, 'stages').flatMap((stage, i) =>
    isObject(stage)
      ? [
          {
            at: `stages[${i}]`,
            stage,
            database: objectAt(stage, 'database'),
            alarms: objectAt(stage, 'alarms'),
            name: typeof stage.name === 'string' ? stage.name : undefined,
          },
        ]
      : [],
  );
}

interface RegionEntry {
  readonly at: string;
  readonly region?: string;
  readonly vpcCidr?: string;
  /** Undefined when the list is missing or holds something other than strings (the schema reports it). */
  readonly zones?: string[];
}

/** Every region of a stage, with its index path. */
function regionsOf(stage: StageEntry): RegionEntry[] {
  return arrayAt(stage.stage, 'regions').flatMap((region, r) =>
    isObject(region)
      ? [
          {
            at: `${stage.at}.regions[${r}]`,
            region: typeof region.region === 'string' ? region.region : undefined,
            vpcCidr: typeof region.vpcCidr === 'string' ? region.vpcCidr : undefined,
            zones: isStringArray(region.availabilityZones) ? region.availabilityZones : undefined,
          },
        ]
      : [],
  );
}

/** A database field of every stage, its default when omitted, when it has the type `T` names. */
function databaseField<K extends keyof typeof DATABASE_DEFAULTS, T>(
  key: K,
  type: 'number' | 'string',
): (c: RuleContext) => Array<RuleSubject<T>> {
  return ({ input }) =>
    stages(input).flatMap(({ at, database }) => {
      const value = database[key] ?? DATABASE_DEFAULTS[key];
      return typeof value === type ? [{ path: `${at}.database.${key}`, value: value as T }] : [];
    });
}

/**
 * Both database windows of every stage (defaults for omitted ones), when they are strings, for a rule
 * on the pair; reported at, and shown as, the window `shownAt`.
 */
function databaseWindows(
  shownAt: 'backupWindow' | 'maintenanceWindow',
): (c: RuleContext) => Array<RuleSubject<{ backup: string; maintenance: string }>> {
  return ({ input }) =>
    stages(input).flatMap(({ at, database }) => {
      const backup = database.backupWindow ?? DATABASE_DEFAULTS.backupWindow;
      const maintenance = database.maintenanceWindow ?? DATABASE_DEFAULTS.maintenanceWindow;
      if (typeof backup !== 'string' || typeof maintenance !== 'string') {
        return [];
      }
      const shown = shownAt === 'backupWindow' ? backup : maintenance;
      return [{ path: `${at}.database.${shownAt}`, value: { backup, maintenance }, shown }];
    });
}

/** Alarm thresholds of every stage (defaults for omitted ones), when they are numbers. */
function alarmFields(...keys: Array<keyof typeof ALARM_DEFAULTS>): (c: RuleContext) => Array<RuleSubject<number>> {
  return ({ input }) =>
    stages(input).flatMap(({ at, alarms }) =>
      keys.flatMap((key) => {
        const value = alarms[key] ?? ALARM_DEFAULTS[key];
        return typeof value === 'number' ? [{ path: `${at}.alarms.${key}`, value }] : [];
      }),
    );
}

function projectName(input: Raw): string | undefined {
  const name = objectAt(input, 'project').name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * A name the app builds from the project and stage names (and, when `perRegion`, each region's), for
 * every stage; reported at the stage's name, the part that differs between the names.
 */
function derivedNames(
  what: string,
  build: (project: string, stage: string, region: string) => string[],
  perRegion = false,
): (c: RuleContext) => Array<RuleSubject<string>> {
  return ({ input }) => {
    const project = projectName(input);
    if (project === undefined) {
      return [];
    }
    return stages(input).flatMap((stage) => {
      const { at, name } = stage;
      if (name === undefined) {
        return [];
      }
      const regions = perRegion ? regionsOf(stage).flatMap((r) => (r.region ? [r.region] : [])) : [''];
      return regions.flatMap((region) =>
        build(project, name, region).map((derived) => ({
          path: `${at}.name`,
          value: derived,
          shown: name,
          lead: `with project.name '${project}' gives the ${what} '${derived}', which`,
        })),
      );
    });
  };
}

export const CONFIG_RULE_CHECKS: ReadonlyArray<ConfigRuleCheck<never>> = [
  // MysqlDatabase (data), ApplicationRole (security)
  check(MYSQL_PORT, 'MysqlDatabase', databaseField('port', 'number')),
  check(MYSQL_MASTER_USERNAME, 'MysqlDatabase', databaseField('masterUsername', 'string')),
  check(MYSQL_USER_NAME, 'ApplicationRole.allowDatabaseConnect', databaseField('applicationUser', 'string')),
  check(MYSQL_ALLOCATED_STORAGE, 'MysqlDatabase', databaseField('allocatedStorageGiB', 'number')),
  check(MYSQL_MAX_ALLOCATED_STORAGE, 'MysqlDatabase', ({ input }) =>
    stages(input).flatMap(({ at, database }) => {
      const allocated = database.allocatedStorageGiB ?? DATABASE_DEFAULTS.allocatedStorageGiB;
      return typeof allocated === 'number' && MYSQL_ALLOCATED_STORAGE.check(allocated) === undefined
        ? [
            {
              path: `${at}.database.allocatedStorageGiB`,
              value: { allocated, max: allocated * 2 },
              shown: allocated,
              lead: `gives a storage autoscaling ceiling of ${allocated * 2} GiB (twice the allocated), which`,
            },
          ]
        : [];
    }),
  ),
  check(MYSQL_BACKUP_RETENTION_DAYS, 'MysqlDatabase', databaseField('backupRetentionDays', 'number')),
  check(MYSQL_BACKUP_WINDOW, 'MysqlDatabase', databaseField('backupWindow', 'string')),
  check(MYSQL_MAINTENANCE_WINDOW, 'MysqlDatabase', databaseField('maintenanceWindow', 'string')),
  check(MYSQL_BACKUP_JOB_CLEAR, 'DataStack (DatabaseBackup)', databaseWindows('backupWindow')),
  check(MYSQL_WINDOWS_APART, 'MysqlDatabase', databaseWindows('maintenanceWindow')),
  check(MYSQL_MAJOR_VERSION, 'MysqlDatabase', ({ input, today }) =>
    stages(input).flatMap(({ at, database }) => {
      const major = database.engineVersion ?? DATABASE_DEFAULTS.engineVersion;
      return typeof major === 'string'
        ? [{ path: `${at}.database.engineVersion`, value: { major, date: today }, shown: major }]
        : [];
    }),
  ),
  check(
    MYSQL_INSTANCE_IDENTIFIER,
    'MysqlDatabase',
    derivedNames('DB instance identifier', (project, stage) => [instanceIdentifierOf(project, stage)]),
  ),

  // PlatformVpc (network)
  check(NETWORK_VPC_CIDR, 'PlatformVpc', ({ input }) =>
    stages(input).flatMap((stage) =>
      regionsOf(stage).flatMap(({ at, vpcCidr }) =>
        vpcCidr === undefined ? [] : [{ path: `${at}.vpcCidr`, value: vpcCidr }],
      ),
    ),
  ),
  check(NETWORK_VPC_CIDR_SIZE, 'PlatformVpc', ({ input }) =>
    stages(input).flatMap((stage) =>
      regionsOf(stage).flatMap(({ at, vpcCidr, zones }) =>
        vpcCidr === undefined || zones === undefined
          ? []
          : [{ path: `${at}.vpcCidr`, value: { cidr: vpcCidr, zoneCount: zones.length }, shown: vpcCidr }],
      ),
    ),
  ),
  check(NETWORK_AVAILABILITY_ZONES, 'PlatformVpc', ({ input }) =>
    stages(input).flatMap((stage) =>
      regionsOf(stage).flatMap(({ at, region, zones }) =>
        zones === undefined ? [] : [{ path: `${at}.availabilityZones`, value: { zones, region }, shown: zones }],
      ),
    ),
  ),
  check(NETWORK_NAT_GATEWAYS, 'PlatformVpc', ({ input }) =>
    stages(input).flatMap((stage) => {
      const count = objectAt(stage.stage, 'network').natGateways ?? NETWORK_DEFAULTS.natGateways;
      if (typeof count !== 'number') {
        return [];
      }
      return regionsOf(stage).flatMap(({ at, zones }) =>
        zones === undefined || zones.length === 0
          ? []
          : [
              {
                path: `${stage.at}.network.natGateways`,
                value: { count, zoneCount: zones.length },
                shown: count,
                lead: `gives ${at} (${zones.length} availability zones) ${count} NAT gateways, which`,
              },
            ],
      );
    }),
  ),
  check(
    LOGS_LOG_GROUP_NAME,
    'PlatformVpc (flow log group)',
    derivedNames('flow log group name', (project, stage) => [flowLogGroupNameOf(project, stage)]),
  ),
  check(LOGS_RETENTION_DAYS, 'PlatformVpc (flow logs), MysqlDatabase (exported logs)', ({ input }) =>
    stages(input).flatMap(({ at, stage }) => {
      const days = objectAt(stage, 'logs').retentionDays ?? LOGS_DEFAULTS.retentionDays;
      return typeof days === 'number' ? [{ path: `${at}.logs.retentionDays`, value: days }] : [];
    }),
  ),

  // EncryptionKey (security)
  check(
    KMS_ALIAS_NAME,
    'EncryptionKey (SecurityStack: <project>/<stage>/data and /logs; RecoveryStack: .../recovery-<region>)',
    derivedNames(
      'KMS alias name',
      (project, stage, region) => [
        ...KEY_ALIAS_SUFFIXES.map((suffix) => `${keyAliasPrefixOf(project, stage)}/${suffix}`),
        recoveryKeyAliasOf(project, stage, region),
      ],
      true,
    ),
  ),

  // AlarmTopic, DatabaseAlarms, FlowLogRejectAlarm, OperationsDashboard (observability)
  check(SNS_EMAIL_ADDRESS, 'AlarmTopic', ({ input }) =>
    stages(input).flatMap(({ at, alarms }) =>
      arrayAt(alarms, 'emails').flatMap((address, i) =>
        typeof address === 'string' ? [{ path: `${at}.alarms.emails[${i}]`, value: address }] : [],
      ),
    ),
  ),
  check(
    SNS_EMAIL_ADDRESSES_DISTINCT,
    "AlarmTopic; the pipeline's NotificationTopic (two subscriptions of one address get the same construct id)",
    ({ input }) => {
      const notificationEmails = objectAt(input, 'pipeline').notificationEmails;
      return [
        ...stages(input).flatMap(({ at, alarms }) =>
          isStringArray(alarms.emails) ? [{ path: `${at}.alarms.emails`, value: alarms.emails }] : [],
        ),
        ...(isStringArray(notificationEmails)
          ? [{ path: 'pipeline.notificationEmails', value: notificationEmails }]
          : []),
      ];
    },
  ),
  check(ALARM_PERCENT, 'DatabaseAlarms', alarmFields('cpuUtilizationPercent')),
  check(ALARM_PERCENT_BELOW_HUNDRED, 'DatabaseAlarms', alarmFields('freeStoragePercent')),
  check(ALARM_POSITIVE, 'DatabaseAlarms, FlowLogRejectAlarm (rejectThreshold)', (context) => [
    ...alarmFields(
      'freeableMemoryMiB',
      'maxConnections',
      'readLatencyMs',
      'writeLatencyMs',
      'rejectedFlowsPer5Minutes',
    )(context),
    // DatabaseAlarms computes the free-storage threshold from the allocated storage.
    ...databaseField<'allocatedStorageGiB', number>('allocatedStorageGiB', 'number')(context),
  ]),
  check(
    CLOUDWATCH_DASHBOARD_NAME,
    'OperationsDashboard',
    derivedNames('dashboard name', (project, stage, region) => [dashboardNameOf(project, stage, region)], true),
  ),

  // Names the CDK checks itself (iam.Role, Stack): refused here before any construct exists.
  check(
    IAM_ROLE_NAME,
    "aws-cdk-lib iam.Role: the stage's ValidationRole, the pipeline's validation step role, RecoveryStack's restore role",
    derivedNames(
      'IAM role name',
      (project, stage, region) => [
        validationRoleNameOf(project, stage, region),
        validationStepRoleNameOf(project, stage, region),
        restoreRoleNameOf(project, stage, region),
        databaseRestoreRoleNameOf(project, stage, region),
      ],
      true,
    ),
  ),
  check(
    CLOUDFORMATION_STACK_NAME,
    "aws-cdk-lib Stack: the stage-region's stacks",
    derivedNames(
      'stack name',
      (project, stage, region) => [
        ...STACK_TIERS.map((tier) => stackNameOf(project, stage, tier)),
        recoveryStackNameOf(project, stage, region),
      ],
      true,
    ),
  ),

  // RecoveryPointVault, DatabaseBackup (data)
  check(
    BACKUP_VAULT_NAME,
    "RecoveryPointVault: the stage-region's vault and its copies' vault in the recovery region",
    derivedNames(
      'backup vault name',
      (project, stage, region) => [backupVaultNameOf(project, stage), recoveryVaultNameOf(project, stage, region)],
      true,
    ),
  ),
  check(BACKUP_RETENTION_DAYS, 'DatabaseBackup, RecoveryPointVault (lock)', ({ input }) =>
    stages(input).flatMap(({ at, stage }) => {
      const days = objectAt(stage, 'recovery').backupRetentionDays ?? RECOVERY_DEFAULTS.backupRetentionDays;
      return typeof days === 'number' ? [{ path: `${at}.recovery.backupRetentionDays`, value: days }] : [];
    }),
  ),
];

function check<T>(
  rule: ValueRule<T>,
  enforcedBy: string,
  subjects: (context: RuleContext) => Array<RuleSubject<T>>,
): ConfigRuleCheck<never> {
  return { rule, enforcedBy, subjects } as unknown as ConfigRuleCheck<never>;
}

/** Every construct rule the raw config breaks, one problem per place. */
export function constructRuleProblems(context: RuleContext): ConfigProblem[] {
  if (!isObject(context.input)) {
    return [];
  }
  const problems: ConfigProblem[] = [];
  for (const { rule, subjects } of CONFIG_RULE_CHECKS as ReadonlyArray<ConfigRuleCheck<unknown>>) {
    for (const subject of subjects(context)) {
      const problem = rule.check(subject.value as never);
      if (problem !== undefined) {
        problems.push({
          path: subject.path,
          value: subject.shown ?? subject.value,
          message: subject.lead ? `${subject.lead} ${problem}` : problem,
          rule: rule.id,
        });
      }
    }
  }
  return problems;
}

/**
 * The config fields a construct's rule violation came from: the places in `input` where the rule
 * `ruleId` is broken, those with the very value the construct refused first. Empty when no check of
 * the table covers the rule (or the config does not break it).
 */
export function configFieldsBreaking(ruleId: string, value: unknown, context: RuleContext): string[] {
  if (!isObject(context.input)) {
    return [];
  }
  const broken = (CONFIG_RULE_CHECKS as ReadonlyArray<ConfigRuleCheck<unknown>>)
    .filter((c) => c.rule.id === ruleId)
    .flatMap((c) => c.subjects(context).filter((s) => c.rule.check(s.value as never) !== undefined));
  const same = broken.filter((s) => JSON.stringify(s.value) === JSON.stringify(value));
  return [...new Set((same.length > 0 ? same : broken).map((s) => s.path))];
}
