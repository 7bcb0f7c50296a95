/**
 * KMS alias rules, shared by the security package's `EncryptionKey` and the app's config loader
 * (aliases are built from the project and stage names).
 */
import { valueRule } from './value-rules';

/**
 * KMS limits the full alias (`alias/` + name) to 256 characters; the name "can contain only
 * alphanumeric characters, forward slashes (/), underscores (_), and dashes (-)", and "cannot begin
 * with alias/aws/", which is reserved for AWS managed keys (KMS API reference, CreateAlias, AliasName).
 */
export const KMS_ALIAS_NAME_MAX_LENGTH = 256 - 'alias/'.length;

/** An alias name as `EncryptionKey` takes it: without the `alias/` prefix, which the construct adds. */
export const KMS_ALIAS_NAME = valueRule<string>(
  'kms.aliasName',
  `a KMS alias name without 'alias/': 1 to ${KMS_ALIAS_NAME_MAX_LENGTH} letters, digits, '/', '_' and '-', not under 'aws/'`,
  (name) => {
    if (name.startsWith('alias/')) {
      return "starts with 'alias/'; pass the name without it, the construct adds the prefix";
    }
    if (name.toLowerCase().startsWith('aws/')) {
      return "starts with 'aws/', which is reserved for AWS managed keys";
    }
    if (name.length === 0 || name.length > KMS_ALIAS_NAME_MAX_LENGTH) {
      return `has ${name.length} characters; 1 to ${KMS_ALIAS_NAME_MAX_LENGTH} are allowed`;
    }
    if (!/^[a-zA-Z0-9/_-]+$/.test(name)) {
      return "contains characters other than letters, digits, '/', '_' and '-'";
    }
    if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) {
      return "has an empty path segment; use names like 'baseline/dev/data'";
    }
    return undefined;
  },
);
