/**
 * The MySQL engine lifecycle rule: a major version is allowed until its RDS end of standard support
 * (the dated table MYSQL_MAJOR_VERSIONS) and refused the day after, when a new instance would go into
 * paid Extended Support or, with Extended Support refused, fail to create.
 */
import { MYSQL_DEFAULT_MAJOR_VERSION, MYSQL_MAJOR_VERSION, MYSQL_MAJOR_VERSIONS } from '../src';

const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

describe('MYSQL_MAJOR_VERSION', () => {
  test.each(Object.entries(MYSQL_MAJOR_VERSIONS))(
    '%s is allowed on its last day of standard support and refused the day after',
    (major, { endOfStandardSupport }) => {
      expect(MYSQL_MAJOR_VERSION.check({ major, date: endOfStandardSupport })).toBeUndefined();
      expect(MYSQL_MAJOR_VERSION.check({ major, date: dayAfter(endOfStandardSupport) })).toMatch(
        `is past its RDS end of standard support (${endOfStandardSupport})`,
      );
    },
  );

  test('8.0 left standard support on 2026-07-31 (RDS User Guide release calendar) and is refused after it', () => {
    expect(MYSQL_MAJOR_VERSIONS['8.0']).toEqual({ endOfStandardSupport: '2026-07-31' });
    expect(MYSQL_MAJOR_VERSION.check({ major: '8.0', date: '2026-08-01' })).toBe(
      'is past its RDS end of standard support (2026-07-31); a new instance would be refused (extended support ' +
        'is off) — use 8.4',
    );
  });

  test('the default major version is one in standard support today', () => {
    const today = new Date().toISOString().slice(0, 10);
    expect(MYSQL_MAJOR_VERSION.check({ major: MYSQL_DEFAULT_MAJOR_VERSION, date: today })).toBeUndefined();
  });

  test('an unknown or a minor version is refused with the known majors', () => {
    expect(MYSQL_MAJOR_VERSION.check({ major: '5.7', date: '2026-01-01' })).toMatch(/one of 8\.0, 8\.4/);
    expect(MYSQL_MAJOR_VERSION.check({ major: '8.4.3', date: '2026-01-01' })).toMatch(/major version only/);
  });
});
