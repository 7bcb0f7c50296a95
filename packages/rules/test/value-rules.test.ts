import { App, Lazy, Stack } from 'aws-cdk-lib';
import { RuleViolation, allValueRules, enforceRule, showValue, valueRule } from '../src';

const EVEN = valueRule<number>('test.even', 'an even number', (n) => (n % 2 === 0 ? undefined : 'is not even'));

describe('enforceRule', () => {
  const scope = () => new Stack(new App(), 'Dev');

  test('passes an allowed value', () => {
    expect(() => enforceRule(scope(), 'count', 2, EVEN)).not.toThrow();
  });

  test('fails with the construct path, the prop, the value and the problem, as a RuleViolation', () => {
    // WHEN a value breaks the rule
    let error: unknown;
    try {
      enforceRule(scope(), 'count', 3, EVEN);
    } catch (e) {
      error = e;
    }
    // THEN the error names all of it and carries the rule id and the value for the app
    expect(error).toBeInstanceOf(RuleViolation);
    expect((error as Error).message).toBe('Dev: count 3 is not even');
    expect(RuleViolation.isRuleViolation(error)).toBe(true);
    expect(error).toMatchObject({ ruleId: 'test.even', constructPath: 'Dev', prop: 'count', value: 3 });
  });

  test('prints `shown` instead of the value when given', () => {
    expect(() => enforceRule(scope(), 'count', 3, EVEN, 'three')).toThrow(/^Dev: count 'three' is not even$/);
  });

  test('skips a value holding an unresolved token', () => {
    expect(() => enforceRule(scope(), 'count', Lazy.number({ produce: () => 3 }), EVEN)).not.toThrow();
  });

  test('a plain Error is not a RuleViolation', () => {
    expect(RuleViolation.isRuleViolation(new Error('Dev: x'))).toBe(false);
  });
});

describe('valueRule', () => {
  test('registers each rule once', () => {
    expect(allValueRules().filter((r) => r.id === 'test.even')).toHaveLength(1);
    expect(() => valueRule('test.even', 'again', () => undefined)).toThrow(/value rule 'test\.even' is defined twice/);
  });
});

describe('showValue', () => {
  test.each([
    ['a', "'a'"],
    [['a', 'b'], "['a', 'b']"],
    [3, '3'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [{ a: 1 }, '{"a":1}'],
  ])('shows %p as %s', (value, shown) => {
    expect(showValue(value)).toBe(shown);
  });
});
