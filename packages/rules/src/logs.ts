/**
 * CloudWatch Logs rules, shared by the constructs that create log groups (network's `PlatformVpc`,
 * data's `MysqlDatabase`) and the app's config loader.
 */
import { valueRule } from './value-rules';

/**
 * The retention periods CloudWatch Logs accepts, in days ("Possible values are: 1, 3, 5, 7, 14, 30,
 * 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, and 3653",
 * CloudWatch Logs API reference, PutRetentionPolicy, retentionInDays). The CDK's `RetentionDays` has
 * the same values and `INFINITE` (9999), which means no retention policy at all.
 */
export const CLOUDWATCH_LOGS_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Refused: unbounded retention of every record is a cost and privacy liability, and NIST 800-53 R5 wants a period. */
export const LOGS_RETENTION_DAYS = valueRule<number>(
  'logs.retentionDays',
  'a log retention CloudWatch Logs accepts, in days; never unbounded',
  (days) =>
    CLOUDWATCH_LOGS_RETENTION_DAYS.includes(days)
      ? undefined
      : `is not a CloudWatch Logs retention period; give one of ${CLOUDWATCH_LOGS_RETENTION_DAYS.join(', ')} days` +
        (days === 9999 ? ' (9999 is RetentionDays.INFINITE: unbounded retention is not allowed)' : ''),
);

/**
 * "Log group names can be between 1 and 512 characters long ... a-z, A-Z, 0-9, '_' (underscore), '-'
 * (hyphen), '/' (forward slash), '.' (period), and '#' (number sign)" (CloudWatch Logs API reference,
 * CreateLogGroup, logGroupName).
 */
export const LOGS_LOG_GROUP_NAME = valueRule<string>(
  'logs.logGroupName',
  'a log group name: 1 to 512 characters of a-z, A-Z, 0-9, ".", "-", "_", "/" and "#"',
  (name) =>
    /^[.\-_/#A-Za-z0-9]{1,512}$/.test(name)
      ? undefined
      : 'is not a valid log group name; use 1 to 512 characters of a-z, A-Z, 0-9, ".", "-", "_", "/" and "#"' +
        ` (it has ${name.length} characters)`,
);
