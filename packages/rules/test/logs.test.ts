import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CLOUDWATCH_LOGS_RETENTION_DAYS, LOGS_LOG_GROUP_NAME, LOGS_RETENTION_DAYS } from '../src/logs';

describe('LOGS_RETENTION_DAYS', () => {
  test.each([1, 14, 365, 3653])('allows %d', (days) => {
    expect(LOGS_RETENTION_DAYS.check(days)).toBeUndefined();
  });

  test.each([0, 2, 10, 366, 3654, 7.5])('refuses %d', (days) => {
    expect(LOGS_RETENTION_DAYS.check(days)).toMatch(/^is not a CloudWatch Logs retention period; give one of 1, 3, 5/);
  });

  test('refuses RetentionDays.INFINITE and says so', () => {
    expect(LOGS_RETENTION_DAYS.check(RetentionDays.INFINITE)).toMatch(/\(9999 is RetentionDays\.INFINITE/);
  });

  test("allows every finite member of the CDK's RetentionDays, and nothing else", () => {
    const finite = Object.values(RetentionDays)
      .filter((v): v is number => typeof v === 'number' && v !== RetentionDays.INFINITE)
      .sort((a, b) => a - b);
    expect([...CLOUDWATCH_LOGS_RETENTION_DAYS]).toEqual(finite);
  });
});

describe('LOGS_LOG_GROUP_NAME', () => {
  test.each(['/aws/vpc/flowlogs/baseline-dev', 'a', 'x'.repeat(512), 'a.b_c-d/e#f'])('allows %s', (name) => {
    expect(LOGS_LOG_GROUP_NAME.check(name)).toBeUndefined();
  });

  test.each(['', 'x'.repeat(513), 'flow logs', '/aws/vpc/flowlogs/baseline:dev'])('refuses %p', (name) => {
    expect(LOGS_LOG_GROUP_NAME.check(name)).toMatch(/^is not a valid log group name; use 1 to 512 characters/);
  });
});
