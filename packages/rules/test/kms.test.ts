import { KMS_ALIAS_NAME } from '../src/kms';

describe('KMS_ALIAS_NAME', () => {
  test.each(['baseline/dev/data', 'a', 'A_b-c/d', 'x'.repeat(250)])('allows %s', (name) => {
    expect(KMS_ALIAS_NAME.check(name)).toBeUndefined();
  });

  test.each([
    ['alias/baseline/dev', "starts with 'alias/'; pass the name without it"],
    ['aws/s3', "starts with 'aws/', which is reserved for AWS managed keys"],
    ['AWS/s3', "starts with 'aws/'"],
    ['', 'has 0 characters; 1 to 250 are allowed'],
    ['x'.repeat(251), 'has 251 characters; 1 to 250 are allowed'],
    ['baseline dev.data', "contains characters other than letters, digits, '/', '_' and '-'"],
    ['baseline//data', 'has an empty path segment'],
    ['/baseline', 'has an empty path segment'],
    ['baseline/', 'has an empty path segment'],
  ])('refuses %p', (name, problem) => {
    expect(KMS_ALIAS_NAME.check(name)).toContain(problem);
  });
});
