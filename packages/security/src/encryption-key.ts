import { ArnFormat, Duration, RemovalPolicy, Stack, Token, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  KMS_ALIAS_NAME,
  cloudWatchAlarmSourceConditions,
  eventBridgeRuleSourceConditions,
  denyGrantsExceptForAwsResources,
  enforceRule,
  regionalServiceEndpoint,
} from '@baseline/rules';

/** A service endpoint prefix as used in `kms:ViaService`, e.g. `s3`, `rds`, `secretsmanager`. */
const SERVICE_PREFIX_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const MIN_PENDING_WINDOW_DAYS = 7;
const MAX_PENDING_WINDOW_DAYS = 30;

/**
 * Properties of an {@link EncryptionKey}.
 */
export interface EncryptionKeyProps {
  /**
   * Alias of the key, without the `alias/` prefix, e.g. `baseline/dev/data`.
   *
   * Operators and other stacks find the key by its alias, so it carries the purpose and the stage. Letters,
   * digits, `/`, `_` and `-` only; the `aws/` prefix is reserved for AWS managed keys (`KMS_ALIAS_NAME` of
   * `@baseline/rules`, which the app's config loader checks too).
   */
  readonly aliasName: string;

  /**
   * Description stored on the key.
   *
   * Shown in the KMS console next to the key id; say what the key protects so nobody has to guess before
   * disabling or deleting it.
   */
  readonly description: string;

  /**
   * Let CloudWatch Logs of this account and region encrypt log groups with the key.
   *
   * Adds a statement for the regional service principal `logs.<region>.amazonaws.com`, limited by the
   * `kms:EncryptionContext:aws:logs:arn` condition to log groups of this account and region, so another account's
   * log group cannot be encrypted with (and read through) this key.
   *
   * @default false
   */
  readonly allowCloudWatchLogs?: boolean;

  /**
   * Let CloudWatch alarms of this account and region publish to an SNS topic encrypted with the key.
   *
   * CloudWatch publishes as the `cloudwatch.amazonaws.com` service principal, which needs `kms:Decrypt` and
   * `kms:GenerateDataKey*` on the topic's key; without it alarms deploy cleanly and notify nobody. The statement
   * is limited with `aws:SourceAccount` and `aws:SourceArn` (alarms of this account and region) against the
   * confused-deputy problem.
   *
   * @default false
   */
  readonly allowCloudWatchAlarms?: boolean;

  /**
   * Let EventBridge rules of this account and region publish to an SNS topic encrypted with the key.
   *
   * EventBridge publishes as the `events.amazonaws.com` service principal, which needs `kms:Decrypt` and
   * `kms:GenerateDataKey*` on the topic's key (EventBridge User Guide, "Amazon SNS permissions"). Limited with
   * `aws:SourceAccount` and `aws:SourceArn` (rules of this account and region).
   *
   * @default false
   */
  readonly allowEventBridgeRules?: boolean;

  /**
   * Services, by endpoint prefix, through which principals of this account use the key, e.g. `['s3', 'rds',
   * 'secretsmanager']`.
   *
   * Adds statements for the account, limited with `kms:ViaService` to those services in this region and with
   * `kms:CallerAccount` to this account; `kms:CreateGrant` (which RDS needs for storage encryption) is further
   * limited with `kms:GrantIsForAWSResource`. Callers still need an IAM policy allowing the action. These are
   * the only statements that let a principal of the account use the key for data: nobody can encrypt or decrypt
   * with it directly, an administrator included.
   *
   * @default [] - no statement for use through services
   */
  readonly viaServices?: string[];

  /**
   * Waiting period between scheduling the deletion of the key and its deletion.
   *
   * Data encrypted with a deleted key is lost for good; the longest window gives the most time to notice a
   * mistaken deletion and cancel it. Between 7 and 30 days.
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

/**
 * A symmetric customer managed KMS key with automatic rotation, an alias and an explicit, least-privilege key
 * policy.
 *
 * The key policy is written here in full: the CDK's `@aws-cdk/aws-kms:defaultKeyPolicies` behaviour (always on in
 * CDK v2) appends no statement of its own when a policy is passed, and leaves `trustAccountIdentities` on, so
 * `key.grant*()` calls from other stacks land in the grantee's IAM policy instead of this key policy (no
 * cross-stack reference, no dependency cycle). Nobody holds `kms:*`: the account principal gets the
 * administrative actions only (delegated to IAM, so that losing every administrator role never makes the key
 * unmanageable), principals of the account use the key only through the listed services, grants are refused
 * unless they are for AWS resources (CT.KMS.PR.3), and every service statement is scoped to this account and
 * region.
 *
 * Use two keys per stage and region, each an `EncryptionKey`:
 * - a logs/telemetry key (`allowCloudWatchLogs`, `allowCloudWatchAlarms`) for log groups and the alarm topic;
 * - a data key (`viaServices: ['s3', 'rds', 'secretsmanager']`) for the bucket, the database storage and the
 *   database's managed master secret.
 * Separate keys keep duties apart (the logs service principal can never use the data key; access to data can be
 * revoked or audited without touching logging) and limit the blast radius of a key that is disabled, scheduled
 * for deletion or has its policy broken.
 *
 * The key is retained when the stack is deleted or the key replaced, because data encrypted with it cannot be
 * read without it (deleted only when its own creation rolls back).
 */
export class EncryptionKey extends Construct {
  /** The KMS key. */
  public readonly key: kms.Key;

  /** ARN of the key. */
  public readonly keyArn: string;

  /** The key's alias, `alias/<aliasName>`. */
  public readonly alias: kms.IAlias;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);

    enforceRule(this, 'aliasName', props.aliasName, KMS_ALIAS_NAME);
    const viaServices = validateViaServices(this, props.viaServices ?? []);
    const pendingWindow = props.pendingWindow ?? Duration.days(MAX_PENDING_WINDOW_DAYS);
    validatePendingWindow(this, pendingWindow);

    const statements = [accountRootAdministration(), denyGrantsExceptForAwsResources()];
    if (props.allowCloudWatchLogs) {
      statements.push(cloudWatchLogs(this));
    }
    if (props.allowCloudWatchAlarms) {
      statements.push(cloudWatchAlarms(this));
    }
    if (props.allowEventBridgeRules) {
      statements.push(eventBridgeRules(this));
    }
    if (viaServices.length > 0) {
      statements.push(...useThroughServices(this, viaServices));
    }

    this.key = new kms.Key(this, 'Resource', {
      description: props.description,
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      enableKeyRotation: true,
      pendingWindow,
      // Retained when the stack goes or the key is replaced; deleted (scheduled, with the pending
      // window) only when its own creation rolls back, so a failed first deploy leaves no key behind.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      // minimize: false keeps one statement per purpose with its Sid, whatever the app's
      // @aws-cdk/aws-iam:minimizePolicies flag says, so a reviewer can read the policy.
      policy: new iam.PolicyDocument({ statements, minimize: false }),
    });
    this.keyArn = this.key.keyArn;

    this.alias = new kms.Alias(this, 'Alias', {
      aliasName: `alias/${props.aliasName}`,
      targetKey: this.key,
    });
  }
}

/**
 * The administrative actions of AWS's default key policy for key administrators (KMS Developer Guide,
 * "Default key policy", "Allows key administrators to administer the KMS key"), plus on-demand
 * rotation. No cryptographic action: administering a key is not using it.
 */
export const KEY_ADMINISTRATION_ACTIONS = [
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

/**
 * Key administration, delegated to IAM through the account principal.
 *
 * Not `kms:*`: the account principal in a key policy delegates the statement's actions to IAM ("it
 * allows the account to use IAM policies to delegate the permissions specified in the policy
 * statement", KMS Developer Guide, "Default key policy"), so `kms:*` would let any principal whose IAM
 * policy allows kms:Decrypt on `*` (an administrator, the CloudFormation execution role) decrypt
 * directly, and the kms:ViaService statements below would restrict nothing. Administration stays
 * with IAM so that no principal's deletion can make the key unmanageable, and so that CreateKey's
 * lockout check passes ("The key policy must allow the calling principal to make a subsequent
 * PutKeyPolicy request", KMS API reference, CreateKey).
 */
function accountRootAdministration(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AccountRootAdministration',
    principals: [new iam.AccountRootPrincipal()],
    actions: KEY_ADMINISTRATION_ACTIONS,
    resources: ['*'],
  });
}

function cloudWatchLogs(scope: Construct): iam.PolicyStatement {
  const stack = Stack.of(scope);
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
    principals: [new iam.ServicePrincipal(regionalServiceEndpoint(scope, 'logs'))],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    },
  });
}

function cloudWatchAlarms(scope: Construct): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccountAndRegion',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: cloudWatchAlarmSourceConditions(scope),
  });
}

function eventBridgeRules(scope: Construct): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowEventBridgeRulesOfThisAccountAndRegion',
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: eventBridgeRuleSourceConditions(scope),
  });
}

function useThroughServices(scope: Construct, servicePrefixes: string[]): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const throughServicesOfThisAccount = {
    'kms:ViaService': servicePrefixes.map((prefix) => regionalServiceEndpoint(scope, prefix)),
    'kms:CallerAccount': stack.account,
  };
  return [
    new iam.PolicyStatement({
      sid: 'AllowUseThroughServicesOfThisAccount',
      principals: [new iam.AccountRootPrincipal()],
      // kms:RetireGrant: a service retires the grants it made (creating an AWS Backup vault with this key
      // needs CreateGrant, DescribeKey, RetireGrant, Decrypt and GenerateDataKey: AWS Backup Developer
      // Guide, "Backup vault creation and deletion").
      actions: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncrypt*',
        'kms:GenerateDataKey*',
        'kms:DescribeKey',
        'kms:RetireGrant',
      ],
      resources: ['*'],
      conditions: { StringEquals: throughServicesOfThisAccount },
    }),
    new iam.PolicyStatement({
      sid: 'AllowGrantsForAwsResourcesThroughServices',
      principals: [new iam.AccountRootPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        StringEquals: throughServicesOfThisAccount,
        Bool: { 'kms:GrantIsForAWSResource': 'true' },
      },
    }),
  ];
}

function validateViaServices(scope: Construct, viaServices: string[]): string[] {
  for (const prefix of viaServices) {
    if (!Token.isUnresolved(prefix) && !SERVICE_PREFIX_PATTERN.test(prefix)) {
      throw new Error(
        `${scope.node.path}: viaServices entry '${prefix}' is not a service endpoint prefix; ` +
          `use the part before the region, e.g. 's3', 'rds', 'secretsmanager'`,
      );
    }
  }
  return [...new Set(viaServices)].sort();
}

function validatePendingWindow(scope: Construct, pendingWindow: Duration): void {
  if (pendingWindow.isUnresolved()) {
    return;
  }
  const days = pendingWindow.toDays({ integral: false });
  if (!Number.isInteger(days) || days < MIN_PENDING_WINDOW_DAYS || days > MAX_PENDING_WINDOW_DAYS) {
    throw new Error(
      `${scope.node.path}: pendingWindow ${pendingWindow.toHumanString()} is not allowed; ` +
        `KMS accepts a whole number of days from ${MIN_PENDING_WINDOW_DAYS} to ${MAX_PENDING_WINDOW_DAYS}`,
    );
  }
}
