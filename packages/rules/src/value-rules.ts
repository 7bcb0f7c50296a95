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
 * Throws `<construct path>: <prop> <shown> <problem>` when `rule` refuses `value`.
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
    throw new Error(`${scope.node.path}: ${prop} ${showValue(shown ?? value)} ${problem}`);
  }
}

/** How a value reads in a message: strings quoted, everything else as JSON. */
export function showValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
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
