import { Validations, aws_logs as logs } from 'aws-cdk-lib';
import { enforceRule, LOGS_RETENTION_DAYS } from '@baseline/rules';
import { IConstruct } from 'constructs';

/** What AWS Control Tower's CT.CLOUDWATCH.PR.2 asks of a log group: at least a year. */
export const CONTROL_TOWER_MINIMUM_RETENTION_DAYS = 365;

/**
 * Acknowledges CT.CLOUDWATCH.PR.2 on a log group whose retention the stage's config sets below a
 * year: a decision of that config (dev keeps 14 days), made per stage and said so.
 */
export function acknowledgeConfiguredRetention(logGroup: IConstruct, stageName: string, days: number): void {
  if (days >= CONTROL_TOWER_MINIMUM_RETENTION_DAYS) {
    return;
  }
  Validations.of(logGroup.node.defaultChild ?? logGroup).acknowledge({
    id: 'CloudFormation-Validate::cloudwatch_log_group_retention_period_check',
    reason:
      `stage '${stageName}' is not protected and its config sets logs.retentionDays: ${days} (a shorter record ` +
      'outside production, where logs cost more than they are worth after two weeks); protected stages are refused below a year.',
  });
}

/**
 * The `RetentionDays` member for a day count, refused (a RuleViolation naming `scope` and the value)
 * by the same rule the config loader checks, LOGS_RETENTION_DAYS.
 */
export function logRetention(scope: IConstruct, days: number): logs.RetentionDays {
  enforceRule(scope, 'logs.retentionDays', days, LOGS_RETENTION_DAYS);
  return days as logs.RetentionDays;
}
