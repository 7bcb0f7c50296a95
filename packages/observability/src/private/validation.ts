import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** What a numeric prop must satisfy, with the wording used in the error message. */
export interface NumberRule {
  /** Smallest allowed value, or undefined for no lower bound. */
  readonly min?: number;
  /** Whether `min` itself is allowed. */
  readonly minInclusive?: boolean;
  /** Largest allowed value, or undefined for no upper bound. */
  readonly max?: number;
  /** Whether `max` itself is allowed. */
  readonly maxInclusive?: boolean;
  /** Human wording of the allowed range, e.g. `a percentage above 0 and at most 100`. */
  readonly allowed: string;
}

/** A percentage that must be above 0 and at most 100. */
export const PERCENT_ABOVE_ZERO_TO_HUNDRED: NumberRule = {
  min: 0,
  minInclusive: false,
  max: 100,
  maxInclusive: true,
  allowed: 'a percentage above 0 and at most 100',
};

/** A percentage strictly between 0 and 100. */
export const PERCENT_BETWEEN_ZERO_AND_HUNDRED: NumberRule = {
  min: 0,
  minInclusive: false,
  max: 100,
  maxInclusive: false,
  allowed: 'a percentage above 0 and below 100',
};

/** A number above 0. */
export const POSITIVE: NumberRule = { min: 0, minInclusive: false, allowed: 'a finite number above 0' };

/**
 * Throws when `value` breaks `rule`; unresolved tokens are accepted as they are only known at deploy time.
 *
 * The message names the construct path, the prop, the value received and what is allowed, so that a
 * bad entry in the environment config can be found without reading this code.
 */
export function validateNumber(scope: Construct, prop: string, value: number, rule: NumberRule): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  const belowMin = rule.min !== undefined && (rule.minInclusive ? value < rule.min : value <= rule.min);
  const aboveMax = rule.max !== undefined && (rule.maxInclusive ? value > rule.max : value >= rule.max);
  if (!Number.isFinite(value) || belowMin || aboveMax) {
    throw new Error(`${scope.node.path}: ${prop} ${value} is not allowed; give ${rule.allowed}`);
  }
}
