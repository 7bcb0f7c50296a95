/**
 * The construct rules the loader checks: every rule of `@baseline/rules` that a construct enforces on
 * a value the config gives (directly, or joined into a name), with the config field(s) it governs.
 *
 * The loader runs these on the raw input, with the schema's defaults for omitted fields, and reports
 * each broken rule with its field path, the value and the rule's own words, together with every other
 * problem. A test walks `allValueRules()` and fails for a rule that is neither checked here nor listed
 * in {@link RULES_NOT_FROM_CONFIG}.
 */
import {
  MYSQL_ALLOCATED_STORAGE,
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
  ValueRule,
} from '@baseline/rules';
import { DATABASE_DEFAULTS } from './schema';
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

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const arrayAt = (o: Raw, key: string): unknown[] => (Array.isArray(o[key]) ? (o[key] as unknown[]) : []);
const objectAt = (o: Raw, key: string): Raw => (isObject(o[key]) ? (o[key] as Raw) : {});

/** Every stage of the raw config with its index, its database section and its name. */
function stages(input: Raw): Array<{ at: string; stage: Raw; database: Raw; name?: string }> {
  return arrayAt(input, 'stages').flatMap((stage, i) =>
    isObject(stage)
      ? [
          {
            at: `stages[${i}]`,
            stage,
            database: objectAt(stage, 'database'),
            name: typeof stage.name === 'string' ? stage.name : undefined,
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

function projectName(input: Raw): string | undefined {
  const name = objectAt(input, 'project').name;
  return typeof name === 'string' ? name : undefined;
}

/** Names the app builds from the project and stage names (see PlatformStage). */
export const DERIVED_NAMES = {
  instanceIdentifier: (project: string, stage: string) => `${project}-${stage}-mysql`,
};

export const CONFIG_RULE_CHECKS: ReadonlyArray<ConfigRuleCheck<never>> = [
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
  check(MYSQL_WINDOWS_APART, 'MysqlDatabase', ({ input }) =>
    stages(input).flatMap(({ at, database }) => {
      const backup = database.backupWindow ?? DATABASE_DEFAULTS.backupWindow;
      const maintenance = database.maintenanceWindow ?? DATABASE_DEFAULTS.maintenanceWindow;
      return typeof backup === 'string' && typeof maintenance === 'string'
        ? [{ path: `${at}.database.maintenanceWindow`, value: { backup, maintenance }, shown: maintenance }]
        : [];
    }),
  ),
  check(MYSQL_MAJOR_VERSION, 'MysqlDatabase', ({ input, today }) =>
    stages(input).flatMap(({ at, database }) => {
      const major = database.engineVersion ?? DATABASE_DEFAULTS.engineVersion;
      return typeof major === 'string'
        ? [{ path: `${at}.database.engineVersion`, value: { major, date: today }, shown: major }]
        : [];
    }),
  ),
  check(MYSQL_INSTANCE_IDENTIFIER, 'MysqlDatabase', ({ input }) => {
    const project = projectName(input);
    return stages(input).flatMap(({ at, name }) => {
      if (project === undefined || name === undefined) {
        return [];
      }
      const id = DERIVED_NAMES.instanceIdentifier(project, name);
      return [{ path: `${at}.name`, value: id, shown: name, lead: `gives the DB instance identifier '${id}', which` }];
    });
  }),
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
        });
      }
    }
  }
  return problems;
}
