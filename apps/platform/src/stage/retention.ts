import { aws_logs as logs } from 'aws-cdk-lib';

/** The `RetentionDays` member for a day count the config schema already restricted to valid values. */
export function logRetention(days: number): logs.RetentionDays {
  const match = Object.values(logs.RetentionDays).find((v) => v === days);
  if (match === undefined) {
    throw new Error(`logs.retentionDays ${days} is not a CloudWatch Logs retention period`);
  }
  return match as logs.RetentionDays;
}
