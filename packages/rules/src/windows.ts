/**
 * RDS backup and maintenance window parsing, for the MySQL construct and the config loader.
 *
 * Both windows are in UTC. The backup window recurs daily (`hh24:mi-hh24:mi`), the maintenance
 * window weekly (`ddd:hh24:mi-ddd:hh24:mi`); RDS requires each to last at least 30 minutes and
 * refuses a maintenance window that overlaps the backup window.
 */

const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** RDS refuses windows shorter than this. */
export const MIN_WINDOW_MINUTES = 30;

/** A half-open interval of minutes, `end` may pass the period boundary (wrap-around). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** Parses a daily window `hh24:mi-hh24:mi`; returns a reason string when malformed. */
export function parseDailyWindow(text: string): Window | string {
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
  if (!match) {
    return "is not in the format 'hh24:mi-hh24:mi'";
  }
  const start = minuteOfDay(match[1], match[2]);
  const end = minuteOfDay(match[3], match[4]);
  if (start === undefined || end === undefined) {
    return 'has an hour above 23 or a minute above 59';
  }
  return checkLength({ start, end: end <= start ? end + MINUTES_PER_DAY : end });
}

/** Parses a weekly window `ddd:hh24:mi-ddd:hh24:mi`; returns a reason string when malformed. */
export function parseWeeklyWindow(text: string): Window | string {
  const match = /^([a-z]{3}):(\d{2}):(\d{2})-([a-z]{3}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) {
    return "is not in the format 'ddd:hh24:mi-ddd:hh24:mi' (lower-case day names)";
  }
  const startDay = DAYS.indexOf(match[1]);
  const endDay = DAYS.indexOf(match[4]);
  if (startDay < 0 || endDay < 0) {
    return `has a day that is not one of ${DAYS.join(', ')}`;
  }
  const startMinute = minuteOfDay(match[2], match[3]);
  const endMinute = minuteOfDay(match[5], match[6]);
  if (startMinute === undefined || endMinute === undefined) {
    return 'has an hour above 23 or a minute above 59';
  }
  const start = startDay * MINUTES_PER_DAY + startMinute;
  const end = endDay * MINUTES_PER_DAY + endMinute;
  return checkLength({ start, end: end <= start ? end + MINUTES_PER_WEEK : end });
}

/** True when the daily backup window, on any day of the week, shares a minute with the weekly window. */
export function overlaps(dailyBackup: Window, weeklyMaintenance: Window): boolean {
  for (let day = -1; day <= 7; day++) {
    const start = day * MINUTES_PER_DAY + dailyBackup.start;
    const end = day * MINUTES_PER_DAY + dailyBackup.end;
    for (const shift of [-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK]) {
      if (start < weeklyMaintenance.end + shift && weeklyMaintenance.start + shift < end) {
        return true;
      }
    }
  }
  return false;
}

function minuteOfDay(hours: string, minutes: string): number | undefined {
  const h = Number(hours);
  const m = Number(minutes);
  return h > 23 || m > 59 ? undefined : h * 60 + m;
}

function checkLength(window: Window): Window | string {
  const length = window.end - window.start;
  return length < MIN_WINDOW_MINUTES ? `lasts ${length} minutes; RDS requires at least ${MIN_WINDOW_MINUTES}` : window;
}

/** The start window of the daily AWS Backup job of the database (`DatabaseBackup`, data package). */
export const BACKUP_JOB_START_WINDOW_HOURS = 1;
/** The completion window of that job, counted from its start. */
export const BACKUP_JOB_COMPLETION_WINDOW_HOURS = 4;
/** How long the job may run from its scheduled hour: its start window plus its completion window. */
export const BACKUP_JOB_HOURS = BACKUP_JOB_START_WINDOW_HOURS + BACKUP_JOB_COMPLETION_WINDOW_HOURS;

/**
 * The first whole hour (UTC, from 01:00 on) at which a daily AWS Backup job of
 * {@link BACKUP_JOB_HOURS} starts and ends clear of the instance's daily backup window and weekly
 * maintenance window, so that the two backups do not run at once and maintenance does not interrupt
 * the job. That is stricter than what AWS documents as the cause of failed jobs, a job scheduled
 * during or in the hour before either window (AWS Backup Developer Guide, "AWS Backup metrics with
 * Amazon CloudWatch", NumberOfBackupJobsFailed:
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/cloudwatch.html), which a test checks over a
 * grid of window pairs. Undefined when no hour is clear, or when a window is malformed (the window
 * rules report that).
 */
export function backupJobHourClearOf(backupWindow: string, maintenanceWindow: string): number | undefined {
  const daily = parseDailyWindow(backupWindow);
  const weekly = parseWeeklyWindow(maintenanceWindow);
  if (typeof daily === 'string' || typeof weekly === 'string') {
    return undefined;
  }
  for (let i = 0; i < 24; i++) {
    const hour = (1 + i) % 24;
    const job = { start: hour * 60, end: (hour + BACKUP_JOB_HOURS) * 60 };
    const meetsDaily = [-MINUTES_PER_DAY, 0, MINUTES_PER_DAY].some(
      (shift) => job.start < daily.end + shift && daily.start + shift < job.end,
    );
    if (!meetsDaily && !overlaps(job, weekly)) {
      return hour;
    }
  }
  return undefined;
}
