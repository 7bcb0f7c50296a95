import { ALARM_PERCENT, ALARM_PERCENT_BELOW_HUNDRED, ALARM_POSITIVE } from '../src/alarms';

describe('ALARM_PERCENT (above 0, at most 100)', () => {
  test.each([0.1, 80, 100])('allows %d', (v) => expect(ALARM_PERCENT.check(v)).toBeUndefined());
  test.each([0, -1, 100.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d', (v) =>
    expect(ALARM_PERCENT.check(v)).toBe('is not allowed; give a percentage above 0 and at most 100'),
  );
});

describe('ALARM_PERCENT_BELOW_HUNDRED (above 0, below 100)', () => {
  test.each([0.1, 10, 99.9])('allows %d', (v) => expect(ALARM_PERCENT_BELOW_HUNDRED.check(v)).toBeUndefined());
  test.each([0, 100, -5, Number.NaN])('refuses %d', (v) =>
    expect(ALARM_PERCENT_BELOW_HUNDRED.check(v)).toBe('is not allowed; give a percentage above 0 and below 100'),
  );
});

describe('ALARM_POSITIVE', () => {
  test.each([0.001, 1, 1e9])('allows %d', (v) => expect(ALARM_POSITIVE.check(v)).toBeUndefined());
  test.each([0, -1, Number.POSITIVE_INFINITY, Number.NaN])('refuses %d', (v) =>
    expect(ALARM_POSITIVE.check(v)).toBe('is not allowed; give a finite number above 0'),
  );
});
