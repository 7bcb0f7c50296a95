/**
 * Duration checks for props validation. Not part of the package API.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Returns the duration as whole days, or throws naming the construct path, the prop and the value.
 *
 * S3 lifecycle rules and RDS backup retention count whole days; a fractional day would be silently
 * truncated by `Duration.toDays()`, so it is refused instead.
 */
export function wholeDays(scope: IConstruct, prop: string, duration: Duration, min: number, max?: number): number {
  if (Token.isUnresolved(duration)) {
    return NaN;
  }
  const days = duration.toDays({ integral: false });
  const allowed =
    max === undefined ? `a whole number of days of at least ${min}` : `a whole number of days from ${min} to ${max}`;
  if (!Number.isInteger(days) || days < min || (max !== undefined && days > max)) {
    throw new Error(`${scope.node.path}: ${prop} ${duration.toHumanString()} is not allowed; it must be ${allowed}`);
  }
  return days;
}
