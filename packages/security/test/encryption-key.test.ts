import { App, CfnParameter, Duration, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EncryptionKey, EncryptionKeyProps } from '../src';

const env = { account: '123456789012', region: 'eu-west-1' };
const partition = { Ref: 'AWS::Partition' };
const accountRoot = { 'Fn::Join': ['', ['arn:', partition, ':iam::123456789012:root']] };

type Statement = Record<string, unknown> & { Sid?: string; Action: string | string[]; Principal: unknown };

/** Synthesizes one key in a Security stack of a Dev stage, like the app does. */
function synthKey(props: Partial<EncryptionKeyProps> = {}, stackEnv: { account?: string; region?: string } = env) {
  const app = new App();
  const stack = new Stack(new Stage(app, 'Dev', { env: stackEnv }), 'Security');
  new EncryptionKey(stack, 'Key', { aliasName: 'baseline/dev/test', description: 'test key', ...props });
  return Template.fromStack(stack);
}

function keyPolicyStatements(template: Template): Statement[] {
  const keys = Object.values(template.findResources('AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  return keys[0].Properties.KeyPolicy.Statement;
}

function actionsOf(statement: Statement): string[] {
  return ([] as string[]).concat(statement.Action);
}

/** The administrative actions of AWS's default key policy (KMS Developer Guide), and on-demand rotation. */
const ADMINISTRATION = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

/** The actions that use a key for data (encrypt, decrypt, derive data keys), which no wildcard may grant. */
const CRYPTOGRAPHIC = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateDataKeyPair',
];

/** The statement AWS Control Tower's CT.KMS.PR.3 requires in every key policy. */
const DENY_GRANTS = {
  Sid: 'DenyGrantsExceptForAwsResources',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'kms:CreateGrant',
  Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
};

function matches(pattern: string, action: string): boolean {
  return new RegExp(`^${pattern.replace(/\*/g, '.*')}$`).test(action);
}

/** The statements of the account root that allow a cryptographic action without any condition. */
function unconditionalRootUse(statements: Statement[]): Statement[] {
  return statements.filter(
    (s) =>
      s.Effect === 'Allow' &&
      JSON.stringify(s.Principal) === JSON.stringify({ AWS: accountRoot }) &&
      s.Condition === undefined &&
      actionsOf(s).some((a) => CRYPTOGRAPHIC.some((c) => matches(a, c))),
  );
}

function newKey(props: Partial<EncryptionKeyProps>): () => EncryptionKey {
  return () => {
    const stack = new Stack(new Stage(new App(), 'Dev', { env }), 'Security');
    return new EncryptionKey(stack, 'Key', { aliasName: 'baseline/dev/test', description: 'test key', ...props });
  };
}

describe('EncryptionKey for logs and telemetry', () => {
  // GIVEN a logs key as the Security stack creates it
  // WHEN it is synthesized
  const template = synthKey({
    aliasName: 'baseline/dev/logs',
    description: 'CloudWatch Logs and alarm topic of dev',
    allowCloudWatchLogs: true,
    allowCloudWatchAlarms: true,
  });
  const statements = keyPolicyStatements(template);

  // THEN
  test('is a symmetric encryption key with automatic rotation', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      EnableKeyRotation: true,
      Description: 'CloudWatch Logs and alarm topic of dev',
    });
  });

  test('waits 30 days before deletion by default', () => {
    template.hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: 30 });
  });

  test('is retained when the stack is deleted or the key replaced', () => {
    // Deleted (scheduled) only when its own creation rolls back.
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  });

  test('has an alias pointing at the key', () => {
    template.resourceCountIs('AWS::KMS::Alias', 1);
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/baseline/dev/logs',
      TargetKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
  });

  test('has exactly the statements the construct writes, none added by the CDK', () => {
    expect(statements.map((s) => s.Sid)).toEqual([
      'AccountRootAdministration',
      'DenyGrantsExceptForAwsResources',
      'AllowCloudWatchLogsOfThisAccountAndRegion',
      'AllowCloudWatchAlarmsOfThisAccountAndRegion',
    ]);
  });

  test('lets the account (through IAM) administer the key, and only administer it', () => {
    expect(statements[0]).toEqual({
      Sid: 'AccountRootAdministration',
      Effect: 'Allow',
      Principal: { AWS: accountRoot },
      Action: ADMINISTRATION,
      Resource: '*',
    });
    // No administrative wildcard covers a cryptographic action.
    expect(ADMINISTRATION.filter((a) => CRYPTOGRAPHIC.some((c) => matches(a, c)))).toEqual([]);
  });

  test('denies grants that are not for an AWS resource (CT.KMS.PR.3)', () => {
    expect(statements[1]).toEqual(DENY_GRANTS);
  });

  test('grants kms:* to nobody, and no unconditional use to the account', () => {
    expect(statements.filter((s) => actionsOf(s).some((a) => a === '*' || a === 'kms:*'))).toEqual([]);
    expect(unconditionalRootUse(statements)).toEqual([]);
  });

  test('lets CloudWatch Logs of this region use the key only for log groups of this account and region', () => {
    expect(statements.find((s) => s.Sid === 'AllowCloudWatchLogsOfThisAccountAndRegion')).toEqual({
      Sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
      Effect: 'Allow',
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': {
            'Fn::Join': ['', ['arn:', partition, ':logs:eu-west-1:123456789012:log-group:*']],
          },
        },
      },
    });
  });

  test('lets CloudWatch alarms of this account and region publish to a topic encrypted with the key', () => {
    expect(statements.find((s) => s.Sid === 'AllowCloudWatchAlarmsOfThisAccountAndRegion')).toEqual({
      Sid: 'AllowCloudWatchAlarmsOfThisAccountAndRegion',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: {
          'aws:SourceArn': { 'Fn::Join': ['', ['arn:', partition, ':cloudwatch:eu-west-1:123456789012:alarm:*']] },
        },
      },
    });
  });

  test('scopes every service principal statement with a condition', () => {
    const services = statements.filter((s) => JSON.stringify(s.Principal).includes('Service'));
    expect(services).toHaveLength(2);
    for (const s of services) {
      expect(s.Condition).toBeDefined();
    }
  });
});

describe('EncryptionKey for data', () => {
  // GIVEN a data key used by S3, RDS and Secrets Manager, listed out of order and with a duplicate
  // WHEN it is synthesized
  const template = synthKey({
    aliasName: 'baseline/dev/data',
    description: 'Bucket, database storage and database secret of dev',
    viaServices: ['secretsmanager', 's3', 'rds', 's3'],
  });
  const statements = keyPolicyStatements(template);
  const throughServices = {
    StringEquals: {
      'kms:ViaService': [
        'rds.eu-west-1.amazonaws.com',
        's3.eu-west-1.amazonaws.com',
        'secretsmanager.eu-west-1.amazonaws.com',
      ],
      'kms:CallerAccount': '123456789012',
    },
  };

  // THEN
  test('has exactly the administration and use-through-services statements', () => {
    expect(statements.map((s) => s.Sid)).toEqual([
      'AccountRootAdministration',
      'DenyGrantsExceptForAwsResources',
      'AllowUseThroughServicesOfThisAccount',
      'AllowGrantsForAwsResourcesThroughServices',
    ]);
  });

  test('lets principals of this account use the key only through the listed services in this region', () => {
    expect(statements[2]).toEqual({
      Sid: 'AllowUseThroughServicesOfThisAccount',
      Effect: 'Allow',
      Principal: { AWS: accountRoot },
      // kms:RetireGrant: services retire the grants they made (an AWS Backup vault encrypted with the key needs it).
      Action: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncrypt*',
        'kms:GenerateDataKey*',
        'kms:DescribeKey',
        'kms:RetireGrant',
      ],
      Resource: '*',
      Condition: throughServices,
    });
  });

  test('allows grants only for AWS resources and only through the listed services', () => {
    expect(statements[3]).toEqual({
      Sid: 'AllowGrantsForAwsResourcesThroughServices',
      Effect: 'Allow',
      Principal: { AWS: accountRoot },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { ...throughServices, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
  });

  test('gives no service principal access, so logs and alarms cannot use the data key', () => {
    expect(JSON.stringify(statements)).not.toMatch(/"Service"/);
  });

  test('grants kms:* to nobody, and no use to the account except through the services', () => {
    expect(statements.filter((s) => actionsOf(s).some((a) => a === '*' || a === 'kms:*'))).toEqual([]);
    expect(unconditionalRootUse(statements)).toEqual([]);
  });
});

describe('EncryptionKey defaults and variants', () => {
  test('has only the administration and grant-deny statements when no use is enabled', () => {
    // GIVEN / WHEN
    const statements = keyPolicyStatements(synthKey());
    // THEN
    expect(statements.map((s) => s.Sid)).toEqual(['AccountRootAdministration', 'DenyGrantsExceptForAwsResources']);
  });

  test('accepts the shortest pending window KMS allows', () => {
    synthKey({ pendingWindow: Duration.days(7) }).hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: 7 });
  });

  test('uses the .amazonaws.com.cn endpoints in the China partition', () => {
    // GIVEN a stage in a China region
    const statements = keyPolicyStatements(
      synthKey({ allowCloudWatchLogs: true, viaServices: ['s3'] }, { account: '123456789012', region: 'cn-north-1' }),
    );
    // THEN the regional service principal and the ViaService value carry the China suffix
    expect(statements[2].Principal).toEqual({ Service: 'logs.cn-north-1.amazonaws.com.cn' });
    expect(statements[3].Condition).toMatchObject({
      StringEquals: { 'kms:ViaService': ['s3.cn-north-1.amazonaws.com.cn'] },
    });
  });

  test('takes region and URL suffix from the deployment when the stack has no environment', () => {
    // GIVEN an environment-agnostic stack
    const statements = keyPolicyStatements(synthKey({ allowCloudWatchLogs: true }, {}));
    // THEN
    expect(statements[2].Principal).toEqual({
      Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
    });
  });

  test('does not validate an alias name known only at deploy time', () => {
    // GIVEN an alias name from a parameter
    const stack = new Stack(new App(), 'Security', { env });
    const name = new CfnParameter(stack, 'AliasName').valueAsString;
    // WHEN
    new EncryptionKey(stack, 'Key', { aliasName: name, description: 'test key' });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Alias', {
      AliasName: { 'Fn::Join': ['', ['alias/', { Ref: 'AliasName' }]] },
    });
  });
});

describe('EncryptionKey validation', () => {
  test('fails when aliasName starts with alias/', () => {
    expect(newKey({ aliasName: 'alias/baseline/dev/data' })).toThrow(
      /Dev\/Security\/Key: aliasName 'alias\/baseline\/dev\/data' starts with 'alias\/'/,
    );
  });

  test('fails when aliasName uses the aws/ prefix reserved for AWS managed keys', () => {
    expect(newKey({ aliasName: 'aws/s3' })).toThrow(/aliasName 'aws\/s3' starts with 'aws\/', which is reserved/);
    expect(newKey({ aliasName: 'AWS/s3' })).toThrow(/aliasName 'AWS\/s3' starts with 'aws\/'/);
  });

  test('fails when aliasName contains a character KMS does not allow', () => {
    expect(newKey({ aliasName: 'baseline dev.data' })).toThrow(
      /aliasName 'baseline dev.data' contains characters other than letters, digits/,
    );
  });

  test('fails when aliasName is empty', () => {
    expect(newKey({ aliasName: '' })).toThrow(/aliasName '' has 0 characters; 1 to 250 are allowed/);
  });

  test('fails when aliasName is longer than 250 characters', () => {
    expect(newKey({ aliasName: 'a'.repeat(251) })).toThrow(/has 251 characters; 1 to 250 are allowed/);
  });

  test('fails when aliasName has an empty path segment', () => {
    expect(newKey({ aliasName: 'baseline//data' })).toThrow(/aliasName 'baseline\/\/data' has an empty path segment/);
    expect(newKey({ aliasName: 'baseline/data/' })).toThrow(/aliasName 'baseline\/data\/' has an empty path segment/);
  });

  test('fails when pendingWindow is shorter than 7 days', () => {
    expect(newKey({ pendingWindow: Duration.days(6) })).toThrow(
      /Dev\/Security\/Key: pendingWindow 6 days is not allowed; KMS accepts a whole number of days from 7 to 30/,
    );
  });

  test('fails when pendingWindow is longer than 30 days', () => {
    expect(newKey({ pendingWindow: Duration.days(31) })).toThrow(/pendingWindow 31 days is not allowed/);
  });

  test('fails when pendingWindow is not a whole number of days', () => {
    expect(newKey({ pendingWindow: Duration.hours(180) })).toThrow(/pendingWindow 7 days 12 hours is not allowed/);
  });

  test('fails when a viaServices entry is not a service endpoint prefix', () => {
    expect(newKey({ viaServices: ['s3.amazonaws.com'] })).toThrow(
      /Dev\/Security\/Key: viaServices entry 's3.amazonaws.com' is not a service endpoint prefix/,
    );
  });
});
