import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CLOUDFORMATION_STACK_NAME, CLOUDWATCH_DASHBOARD_NAME, IAM_ROLE_NAME } from '../src/names';

/** Whether `build` throws: what the CDK itself says about a name. */
function cdkRefuses(build: () => void): boolean {
  try {
    build();
    return false;
  } catch {
    return true;
  }
}

describe('IAM_ROLE_NAME', () => {
  const names = [
    'baseline-dev-eu-west-1-validation',
    'r'.repeat(64),
    'a_b+c=d,e.f@g-h',
    'r'.repeat(65),
    '',
    'has space',
    'colon:role',
  ];

  test.each(names)('agrees with iam.Role on %p', (name) => {
    // GIVEN what the CDK's own check says about the name
    const stack = new Stack(new App(), 'S');
    const refused = cdkRefuses(
      () => new iam.Role(stack, 'R', { roleName: name, assumedBy: new iam.AccountRootPrincipal() }),
    );
    // THEN the rule says the same (an empty name is no name to iam.Role, so it generates one; IAM refuses it)
    expect(IAM_ROLE_NAME.check(name) !== undefined).toBe(name === '' ? true : refused);
  });

  test('names the limits', () => {
    expect(IAM_ROLE_NAME.check('r'.repeat(65))).toBe(
      "is not a valid IAM role name; use 1 to 64 letters, digits and '_+=,.@-' (it has 65 characters)",
    );
  });
});

describe('CLOUDFORMATION_STACK_NAME', () => {
  test.each(['baseline-dev-data', 'A', 's'.repeat(128), 's'.repeat(129), '1stack', 'my_stack', 'my.stack'])(
    'agrees with Stack on %p',
    (name) => {
      const refused = cdkRefuses(() => new Stack(new App(), 'S', { stackName: name }));
      expect(CLOUDFORMATION_STACK_NAME.check(name) !== undefined).toBe(refused);
    },
  );

  test('refuses an empty name', () => {
    expect(CLOUDFORMATION_STACK_NAME.check('')).toMatch(/^is not a valid CloudFormation stack name/);
  });
});

describe('CLOUDWATCH_DASHBOARD_NAME', () => {
  test.each(['baseline-dev-eu-west-1', 'A_b', 'd'.repeat(255)])('allows %s', (name) => {
    expect(CLOUDWATCH_DASHBOARD_NAME.check(name)).toBeUndefined();
  });

  test.each(['', 'd'.repeat(256), 'baseline dev', 'baseline/dev'])('refuses %p', (name) => {
    expect(CLOUDWATCH_DASHBOARD_NAME.check(name)).toBe(
      'is not allowed; give 1 to 255 characters of letters, digits, - and _',
    );
  });
});
