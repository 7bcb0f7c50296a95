/**
 * The rules of an RDS for MySQL instance, shared by the data package's `MysqlDatabase` and the app's
 * config loader.
 */
import { valueRule } from './value-rules';
import { BACKUP_JOB_HOURS, backupJobHourClearOf, overlaps, parseDailyWindow, parseWeeklyWindow } from './windows';

/** The port MySQL listens on by default; refused (scanners try it first; CT.RDS.PR.20, AwsSolutions-RDS11). */
export const MYSQL_DEFAULT_PORT = 3306;

/**
 * RDS for MySQL major versions and the end of their RDS standard support.
 *
 * After that date a new instance of the major version is enrolled in paid RDS Extended Support, or,
 * with `EngineLifecycleSupport: open-source-rds-extended-support-disabled` (what MysqlDatabase sets),
 * refused at create ("creating the DB instance will fail if the DB major version is past its end of
 * standard support date", RDS API reference, CreateDBInstance, EngineLifecycleSupport).
 * Source of the dates: Amazon RDS User Guide, "Supported MySQL major versions on Amazon RDS"
 * (release calendar), https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html
 * (8.0: standard support ended 2026-07-31; 8.4, the LTS line: 2029-07-31). Add a row when RDS
 * publishes a new major version.
 */
export const MYSQL_MAJOR_VERSIONS: Readonly<Record<string, { readonly endOfStandardSupport: string }>> = {
  '8.0': { endOfStandardSupport: '2026-07-31' },
  '8.4': { endOfStandardSupport: '2029-07-31' },
};

/** The major version new stages get. */
export const MYSQL_DEFAULT_MAJOR_VERSION = '8.4';

/** Master user names refused: the defaults CT.RDS.PR.22 rejects, and names RDS or MySQL reserve. */
export const RESERVED_MASTER_USERNAMES = ['admin', 'postgres', 'root', 'rdsadmin', 'mysql', 'rdsrepladmin'];

export const MYSQL_PORT = valueRule<number>(
  'mysql.port',
  'the MySQL port: an integer from 1150 to 65535 (the RDS for MySQL range), not the default 3306',
  (port) =>
    Number.isInteger(port) && port >= 1150 && port <= 65535 && port !== MYSQL_DEFAULT_PORT
      ? undefined
      : `is not allowed; it must be an integer from 1150 to 65535 (the RDS for MySQL range) other than the default ${MYSQL_DEFAULT_PORT}`,
);

export const MYSQL_INSTANCE_IDENTIFIER = valueRule<string>(
  'mysql.instanceIdentifier',
  'the DB instance identifier: 1 to 63 lower-case letters, digits or single hyphens, starting with a letter',
  (id) =>
    id.length >= 1 && id.length <= 63 && /^[a-z](?:[a-z0-9]|-(?!-))*(?<!-)$/.test(id)
      ? undefined
      : `is not allowed; it must be 1 to 63 lower-case letters, digits or hyphens, start with a letter, and have no ` +
        `trailing or consecutive hyphens (it has ${id.length} characters)`,
);

export const MYSQL_MASTER_USERNAME = valueRule<string>(
  'mysql.masterUsername',
  "the master user name: 1 to 16 letters, digits or '_', starting with a letter, not a default or reserved name",
  (name) => {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,15}$/.test(name)) {
      return "is not allowed; it must be 1 to 16 letters, digits or '_', starting with a letter (RDS for MySQL)";
    }
    if (RESERVED_MASTER_USERNAMES.includes(name.toLowerCase())) {
      return (
        `is not allowed; ${RESERVED_MASTER_USERNAMES.join(', ')} are the names attackers try first or names RDS ` +
        'reserves (AWS Control Tower CT.RDS.PR.22 refuses admin and postgres)'
      );
    }
    return undefined;
  },
);

export const MYSQL_USER_NAME = valueRule<string>(
  'mysql.userName',
  "a database user name: 1 to 32 letters, digits or '_', starting with a letter",
  (name) =>
    /^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(name)
      ? undefined
      : "is not allowed; it must be 1 to 32 letters, digits or '_', starting with a letter (a MySQL user name)",
);

export const MYSQL_DATABASE_NAME = valueRule<string>(
  'mysql.databaseName',
  "a database name: 1 to 64 letters, digits or '_', starting with a letter",
  (name) =>
    /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name)
      ? undefined
      : "is not allowed; it must be 1 to 64 letters, digits or '_', starting with a letter",
);

export const MYSQL_ALLOCATED_STORAGE = valueRule<number>(
  'mysql.allocatedStorage',
  'gp3 storage for MySQL: an integer from 20 to 65536 GiB',
  (gib) =>
    Number.isInteger(gib) && gib >= 20 && gib <= 65536
      ? undefined
      : 'is not allowed; gp3 storage for MySQL must be an integer from 20 to 65536 GiB',
);

/** The storage autoscaling ceiling (default: twice the allocated storage). */
export const MYSQL_MAX_ALLOCATED_STORAGE = valueRule<{ readonly allocated: number; readonly max: number }>(
  'mysql.maxAllocatedStorage',
  'the storage autoscaling ceiling: at least 10% above the allocated storage, at most 65536 GiB',
  ({ allocated, max }) => {
    // Integer arithmetic: allocated * 1.1 is 110.00000000000001 for 100.
    const minimum = Math.ceil((allocated * 11) / 10);
    return Number.isInteger(max) && max >= minimum && max <= 65536
      ? undefined
      : `is not allowed with ${allocated} GiB allocated; RDS requires a ceiling of at least 10% above the allocated ` +
          `storage (${minimum} or more) and at most 65536`;
  },
);

export const MYSQL_BACKUP_RETENTION_DAYS = valueRule<number>(
  'mysql.backupRetentionDays',
  'automated backup retention: a whole number of days from 1 to 35',
  (days) =>
    Number.isInteger(days) && days >= 1 && days <= 35
      ? undefined
      : 'is not allowed; it must be a whole number of days from 1 to 35 (0 would turn automated backups off)',
);

export const MYSQL_BACKUP_WINDOW = valueRule<string>(
  'mysql.backupWindow',
  "the daily backup window in UTC, 'hh24:mi-hh24:mi', at least 30 minutes",
  (text) => {
    const parsed = parseDailyWindow(text);
    return typeof parsed === 'string' ? parsed : undefined;
  },
);

export const MYSQL_MAINTENANCE_WINDOW = valueRule<string>(
  'mysql.maintenanceWindow',
  "the weekly maintenance window in UTC, 'ddd:hh24:mi-ddd:hh24:mi', at least 30 minutes",
  (text) => {
    const parsed = parseWeeklyWindow(text);
    return typeof parsed === 'string' ? parsed : undefined;
  },
);

/** Shown as the maintenance window; RDS refuses a maintenance window that overlaps the (daily) backup window. */
export const MYSQL_WINDOWS_APART = valueRule<{ readonly backup: string; readonly maintenance: string }>(
  'mysql.windowsApart',
  'the maintenance window does not overlap the backup window, which recurs daily',
  ({ backup, maintenance }) => {
    const daily = parseDailyWindow(backup);
    const weekly = parseWeeklyWindow(maintenance);
    if (typeof daily === 'string' || typeof weekly === 'string') {
      return undefined; // the window rules report malformed windows
    }
    return overlaps(daily, weekly)
      ? `overlaps the backup window '${backup}' (which recurs daily); RDS requires them not to overlap`
      : undefined;
  },
);

/**
 * Shown as the backup window: the daily AWS Backup job (see `backupJobHourClearOf`) needs an hour of the
 * day from which it runs clear of both windows.
 */
export const MYSQL_BACKUP_JOB_CLEAR = valueRule<{ readonly backup: string; readonly maintenance: string }>(
  'mysql.backupJobClear',
  `the windows leave an hour of the day from which the daily AWS Backup job (up to ${BACKUP_JOB_HOURS} hours) runs clear of both`,
  ({ backup, maintenance }) => {
    if (typeof parseDailyWindow(backup) === 'string' || typeof parseWeeklyWindow(maintenance) === 'string') {
      return undefined; // the window rules report malformed windows
    }
    return backupJobHourClearOf(backup, maintenance) === undefined
      ? `leaves no hour of the day from which the daily AWS Backup job (up to ${BACKUP_JOB_HOURS} hours) runs clear of ` +
          `it and of the maintenance window '${maintenance}'; shorten the backup window`
      : undefined;
  },
);

/** A major version RDS supports, before its end of standard support on `date` (YYYY-MM-DD). */
export const MYSQL_MAJOR_VERSION = valueRule<{ readonly major: string; readonly date: string }>(
  'mysql.majorVersion',
  'a MySQL major version RDS still gives standard support on the day of the synth',
  ({ major, date }) => {
    const row = MYSQL_MAJOR_VERSIONS[major];
    if (!row) {
      return `is not allowed; it must be one of ${Object.keys(MYSQL_MAJOR_VERSIONS).join(', ')} (major version only: RDS applies minor versions)`;
    }
    return date > row.endOfStandardSupport
      ? `is past its RDS end of standard support (${row.endOfStandardSupport}); a new instance would be refused ` +
          `(extended support is off) — use ${supportedOn(date).join(' or ') || 'a newer major version'}`
      : undefined;
  },
);

/** The majors still in standard support on `date`. */
function supportedOn(date: string): string[] {
  return Object.entries(MYSQL_MAJOR_VERSIONS)
    .filter(([, row]) => date <= row.endOfStandardSupport)
    .map(([major]) => major);
}

/** Today as YYYY-MM-DD (UTC), the date the lifecycle rule is checked against. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}
