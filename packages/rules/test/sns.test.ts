import { SNS_EMAIL_ADDRESS, SNS_EMAIL_ADDRESSES_DISTINCT } from '../src/sns';

describe('SNS_EMAIL_ADDRESS', () => {
  test.each(['ops@example.com', 'a.b+c@sub.example.org'])('allows %s', (a) => {
    expect(SNS_EMAIL_ADDRESS.check(a)).toBeUndefined();
  });

  test.each(['oncall', 'ops@example', 'ops @example.com', '@example.com', ''])('refuses %p', (a) => {
    expect(SNS_EMAIL_ADDRESS.check(a)).toBe('is not an e-mail address (expected name@domain.tld without spaces)');
  });
});

describe('SNS_EMAIL_ADDRESSES_DISTINCT', () => {
  test('allows distinct addresses and an empty list', () => {
    expect(SNS_EMAIL_ADDRESSES_DISTINCT.check(['a@example.com', 'b@example.com'])).toBeUndefined();
    expect(SNS_EMAIL_ADDRESSES_DISTINCT.check([])).toBeUndefined();
  });

  test('refuses an address listed twice, without regard to case', () => {
    expect(SNS_EMAIL_ADDRESSES_DISTINCT.check(['ops@example.com', 'a@example.com', 'OPS@example.com'])).toBe(
      "contains 'OPS@example.com' twice; list each address once",
    );
  });
});
