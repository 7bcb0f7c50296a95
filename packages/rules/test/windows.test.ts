import { MYSQL_BACKUP_JOB_CLEAR } from '../src/mysql';
import {
  BACKUP_JOB_HOURS,
  backupJobHourClearOf,
  Window,
  overlaps,
  parseDailyWindow,
  parseWeeklyWindow,
} from '../src/windows';

function daily(text: string): Window {
  const w = parseDailyWindow(text);
  if (typeof w === 'string') {
    throw new Error(w);
  }
  return w;
}

function weekly(text: string): Window {
  const w = parseWeeklyWindow(text);
  if (typeof w === 'string') {
    throw new Error(w);
  }
  return w;
}

describe('window parsing', () => {
  test('parses daily and weekly windows, including ones that cross midnight or the week end', () => {
    expect(daily('03:00-04:00')).toEqual({ start: 180, end: 240 });
    expect(daily('23:30-00:30')).toEqual({ start: 1410, end: 1470 });
    expect(weekly('mon:00:00-mon:00:30')).toEqual({ start: 0, end: 30 });
    expect(weekly('sun:23:30-mon:00:30')).toEqual({ start: 6 * 1440 + 1410, end: 7 * 1440 + 30 });
  });

  test.each([
    ['03:00-03:20', 'lasts 20 minutes; RDS requires at least 30'],
    ['24:00-01:00', 'has an hour above 23 or a minute above 59'],
    ['3:00-4:00', "is not in the format 'hh24:mi-hh24:mi'"],
  ])('refuses the daily window %s', (text, reason) => {
    expect(parseDailyWindow(text)).toBe(reason);
  });

  test.each([
    ['Sun:04:00-Sun:05:00', "is not in the format 'ddd:hh24:mi-ddd:hh24:mi' (lower-case day names)"],
    ['sun:04:00-xyz:05:00', 'has a day that is not one of mon, tue, wed, thu, fri, sat, sun'],
    ['sun:04:00-sun:04:10', 'lasts 10 minutes; RDS requires at least 30'],
  ])('refuses the weekly window %s', (text, reason) => {
    expect(parseWeeklyWindow(text)).toBe(reason);
  });
});

describe('overlaps', () => {
  test('the defaults do not overlap', () => {
    expect(overlaps(daily('03:00-04:00'), weekly('sun:04:30-sun:05:30'))).toBe(false);
  });

  test('adjacent windows do not overlap', () => {
    expect(overlaps(daily('03:00-04:00'), weekly('tue:04:00-tue:05:00'))).toBe(false);
  });

  test('a daily window overlaps a weekly one on any day', () => {
    expect(overlaps(daily('03:00-04:00'), weekly('wed:03:59-wed:04:30'))).toBe(true);
  });

  test('overlaps across midnight and across the end of the week are found', () => {
    expect(overlaps(daily('23:45-00:15'), weekly('mon:00:00-mon:00:30'))).toBe(true);
    expect(overlaps(daily('00:00-00:30'), weekly('sun:23:45-mon:00:15'))).toBe(true);
    expect(overlaps(daily('01:00-01:30'), weekly('sun:23:45-mon:00:15'))).toBe(false);
  });
});

describe('backupJobHourClearOf', () => {
  test('the first hour from 01:00 whose 5-hour job meets neither window (the defaults: 06:00)', () => {
    // 01:00-05:00 start jobs that meet the 03:00-04:00 backup window; 05:00 meets Sunday's 04:30-05:30.
    expect(BACKUP_JOB_HOURS).toBe(5);
    expect(backupJobHourClearOf('03:00-04:00', 'sun:04:30-sun:05:30')).toBe(6);
  });

  test('a backup window across midnight pushes the job past it', () => {
    expect(backupJobHourClearOf('23:30-02:00', 'sun:12:00-sun:12:30')).toBe(2);
  });

  test('no hour when the windows leave less than the job needs; the rule says so, shown on the backup window', () => {
    expect(backupJobHourClearOf('01:00-22:00', 'sun:22:30-sun:23:00')).toBeUndefined();
    expect(MYSQL_BACKUP_JOB_CLEAR.check({ backup: '01:00-22:00', maintenance: 'sun:22:30-sun:23:00' })).toBe(
      'leaves no hour of the day from which the daily AWS Backup job (up to 5 hours) runs clear of it and of the ' +
        "maintenance window 'sun:22:30-sun:23:00'; shorten the backup window",
    );
    expect(MYSQL_BACKUP_JOB_CLEAR.check({ backup: '03:00-04:00', maintenance: 'sun:04:30-sun:05:30' })).toBeUndefined();
  });

  test('never schedules the job during, or in the hour before, either window of the database', () => {
    // AWS Backup Developer Guide, "AWS Backup metrics with Amazon CloudWatch", NumberOfBackupJobsFailed:
    // "Often caused by scheduling a backup job during or 1 hour before a database resource ...
    // maintenance window or automated backup window". Every daily backup window at half-hour steps
    // and lengths of 30 min to 3 h, beside Sunday and Wednesday maintenance windows at 2-hour steps.
    const minute = (hhmm: number) =>
      `${String(Math.floor(hhmm / 60) % 24).padStart(2, '0')}:${String(hhmm % 60).padStart(2, '0')}`;
    // Whether `at` falls in the window or the hour before it, modulo the window's period (a day or the week)
    const inHourBeforeOrDuring = (w: Window, period: number, at: number) =>
      (((at - (w.start - 60)) % period) + period) % period < w.end - w.start + 60;
    let placed = 0;
    for (let start = 0; start < 24 * 60; start += 30) {
      for (const length of [30, 60, 180]) {
        for (const day of ['sun', 'wed']) {
          for (let m = 0; m < 24 * 60; m += 120) {
            const backup = `${minute(start)}-${minute(start + length)}`;
            const maintenance = `${day}:${minute(m)}-${day}:${minute(m + 30)}`;
            const hour = backupJobHourClearOf(backup, maintenance);
            if (hour === undefined) {
              continue;
            }
            placed++;
            // The scheduled start, on each day of the week, against each window and the hour before it
            const dailyWindow = daily(backup);
            const weeklyWindow = weekly(maintenance);
            for (let d = 0; d < 7; d++) {
              const job = (d * 24 + hour) * 60;
              expect({
                backup,
                maintenance,
                hour,
                day: d,
                inDaily: inHourBeforeOrDuring(dailyWindow, 24 * 60, job),
                inWeekly: inHourBeforeOrDuring(weeklyWindow, 7 * 24 * 60, job),
              }).toEqual({ backup, maintenance, hour, day: d, inDaily: false, inWeekly: false });
            }
          }
        }
      }
    }
    expect(placed).toBeGreaterThan(1000);
  });

  test('malformed windows are left to the window rules', () => {
    expect(backupJobHourClearOf('3-4', 'sun:04:30-sun:05:30')).toBeUndefined();
    expect(MYSQL_BACKUP_JOB_CLEAR.check({ backup: '3-4', maintenance: 'sun:04:30-sun:05:30' })).toBeUndefined();
  });
});
