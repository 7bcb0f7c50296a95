/**
 * E-mail subscription rules, shared by the observability package's `AlarmTopic` and the app's config
 * loader (which applies them to the pipeline's notification addresses as well).
 */
import { valueRule } from './value-rules';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** SNS accepts the subscription of anything and then fails to deliver; a typo would mean an alarm nobody gets. */
export const SNS_EMAIL_ADDRESS = valueRule<string>(
  'sns.emailAddress',
  'an e-mail address, name@domain.tld without spaces',
  (address) => (EMAIL.test(address) ? undefined : 'is not an e-mail address (expected name@domain.tld without spaces)'),
);

/**
 * Each address once, compared without case (mail domains are case-insensitive, and in practice so are
 * mailboxes): a second subscription of the same mailbox doubles every page, and the CDK refuses two
 * `EmailSubscription`s of the very same string (both would get the same construct id).
 */
export const SNS_EMAIL_ADDRESSES_DISTINCT = valueRule<readonly string[]>(
  'sns.emailAddressesDistinct',
  'each e-mail address listed once (without regard to case)',
  (addresses) => {
    const seen = new Set<string>();
    const twice: string[] = [];
    for (const address of addresses) {
      const normalized = address.toLowerCase();
      if (seen.has(normalized)) {
        twice.push(address);
      }
      seen.add(normalized);
    }
    return twice.length > 0
      ? `contains ${twice.map((a) => `'${a}'`).join(', ')} twice; list each address once`
      : undefined;
  },
);
