/**
 * The rules values must follow, defined once and used twice: by the construct that enforces a rule
 * (it throws, naming its construct path) and by the app's config loader (it reports every broken rule
 * at once, naming the config field). The two cannot drift apart because they call the same function.
 *
 * Every rule is registered here; the app's tests walk {@link allValueRules} and require a loader
 * check for each rule whose value can come from the config.
 */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** A rule one value (or a few related values) must follow. */
export interface ValueRule<T> {
  /** Stable id, `<area>.<what>`, e.g. `mysql.port`. */
  readonly id: string;
  /** One line: what is allowed and why, for docs and test names. */
  readonly summary: string;
  /**
   * The problem with `value`, worded to follow `<field> <value> `, e.g. `is not allowed; it must be
   * an integer from 1150 to 65535 other than 3306`; undefined when the value is allowed.
   */
  check(value: T): string | undefined;
}

const registry = new Map<string, ValueRule<never>>();

/** Defines (and registers) a rule. Ids are unique. */
export function valueRule<T>(id: string, summary: string, check: (value: T) => string | undefined): ValueRule<T> {
  if (registry.has(id)) {
    throw new Error(`value rule '${id}' is defined twice`);
  }
  const rule: ValueRule<T> = { id, summary, check };
  registry.set(id, rule as ValueRule<never>);
  return rule;
}

/** Every rule defined so far (import the modules that define them first: `@baseline/rules` does). */
export function allValueRules(): ReadonlyArray<ValueRule<never>> {
  return [...registry.values()];
}

/**
 * The error {@link enforceRule} throws: its message is `<construct path>: <prop> <value> <problem>`,
 * and it carries the rule and the value, so that the app can name the config field the value came
 * from (the loader's table of construct rules maps rule ids to config fields).
 */
export class RuleViolation extends Error {
  /** Tells a RuleViolation from another error without `instanceof`, which fails across copies of this package. */
  public static isRuleViolation(error: unknown): error is RuleViolation {
    return (
      error instanceof Error &&
      error.name === 'RuleViolation' &&
      typeof (error as Partial<RuleViolation>).ruleId === 'string' &&
      typeof (error as Partial<RuleViolation>).constructPath === 'string'
    );
  }

  constructor(
    /** The id of the rule that refused the value. */
    public readonly ruleId: string,
    /** The path of the construct that enforced it. */
    public readonly constructPath: string,
    /** The prop the value was given as. */
    public readonly prop: string,
    /** The value the rule refused. */
    public readonly value: unknown,
    /** The rule's words. */
    public readonly problem: string,
    shown: unknown,
  ) {
    super(`${constructPath}: ${prop} ${showValue(shown)} ${problem}`);
    this.name = 'RuleViolation';
  }
}

/**
 * Throws a {@link RuleViolation}, `<construct path>: <prop> <shown> <problem>`, when `rule` refuses `value`.
 *
 * `shown` is what the message prints as the value (default: `value` itself, quoted when a string).
 * A value holding an unresolved token is not checked: it is known only at deploy time.
 */
export function enforceRule<T>(scope: IConstruct, prop: string, value: T, rule: ValueRule<T>, shown?: unknown): void {
  if (containsToken(value)) {
    return;
  }
  const problem = rule.check(value);
  if (problem !== undefined) {
    throw new RuleViolation(rule.id, scope.node.path, prop, value, problem, shown ?? value);
  }
}

/** How a value reads in a message: strings quoted, lists as `['a', 'b']`, everything else as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (Array.isArray(value)) {
    return `[${value.map(showValue).join(', ')}]`;
  }
  // JSON has no Infinity or NaN (it writes null); a number reads as itself.
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function containsToken(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'number') {
    return Token.isUnresolved(value);
  }
  if (Array.isArray(value)) {
    return value.some(containsToken);
  }
  if (value !== null && typeof value === 'object') {
    return Object.values(value).some(containsToken);
  }
  return false;
}
