import {
  Stack,
  Token,
  aws_iam as iam,
  aws_kms as kms,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import {
  SNS_EMAIL_ADDRESS,
  SNS_EMAIL_ADDRESSES_DISTINCT,
  cloudWatchAlarmSourceConditions,
  enforceRule,
} from '@baseline/rules';
import { Construct } from 'constructs';

/** Properties of an {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /**
   * Customer-managed KMS key that encrypts the topic at rest.
   *
   * Its key policy must allow the service principal `cloudwatch.amazonaws.com` `kms:Decrypt` and
   * `kms:GenerateDataKey*`: CloudWatch alarms encrypt each notification with the topic's key, and the
   * AWS-managed key `alias/aws/sns` cannot be given that grant, so a topic encrypted with it silently
   * drops every alarm notification. The construct refuses `alias/aws/...` keys, and for a `kms.Key`
   * defined in the same app it fails synthesis when no key policy statement grants CloudWatch those
   * actions. An imported key cannot be inspected and is trusted as given.
   */
  readonly encryptionKey: kms.IKey;

  /**
   * E-mail addresses subscribed to the topic.
   *
   * Each recipient must confirm the subscription from the e-mail AWS sends after deployment; until
   * then nothing is delivered to it. An empty list is allowed so that a stage can route alarms only to
   * subscribers added elsewhere (`topic.addSubscription`, e.g. AWS Chatbot or an incident tool); the
   * environment config is the place to require at least one address for a stage.
   */
  readonly emailAddresses: string[];

  /**
   * Name shown as the sender of the notification e-mails.
   *
   * @default - no display name; e-mails come from "AWS Notifications"
   */
  readonly displayName?: string;
}

/**
 * An SNS topic that CloudWatch alarms publish to, encrypted with a customer-managed key and reachable
 * only over TLS.
 *
 * The topic policy denies `sns:Publish` without TLS (so a notification can't be read or altered in
 * transit) and allows `cloudwatch.amazonaws.com` to publish only for alarms of this account and
 * region (so another account's alarm can't use CloudWatch as a confused deputy to write to it).
 */
export class AlarmTopic extends Construct {
  /** The topic; alarm actions and further subscriptions attach to it. */
  public readonly topic: sns.Topic;

  /** ARN of the topic. */
  public readonly topicArn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);

    rejectAwsManagedKey(this, props.encryptionKey);
    validateEmailAddresses(this, props.emailAddresses);

    this.topic = new sns.Topic(this, 'Resource', {
      displayName: props.displayName,
      masterKey: props.encryptionKey,
      enforceSSL: true,
      // SHA256 signatures instead of the default SHA1, for subscribers that verify message signatures.
      signatureVersion: '2',
    });
    this.topicArn = this.topic.topicArn;

    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccountToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: cloudWatchAlarmSourceConditions(this),
      }),
    );

    for (const address of props.emailAddresses) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }

    this.node.addValidation({ validate: () => validateKeyPolicyAllowsCloudWatch(props.encryptionKey) });
  }
}

function rejectAwsManagedKey(scope: Construct, key: kms.IKey): void {
  const aliasName = (key as Partial<kms.IAlias>).aliasName;
  if (aliasName !== undefined && !Token.isUnresolved(aliasName) && aliasName.startsWith('alias/aws/')) {
    throw new Error(
      `${scope.node.path}: encryptionKey '${aliasName}' is an AWS-managed key; its policy cannot allow ` +
        'cloudwatch.amazonaws.com, so alarms could not publish. Give a customer-managed key whose policy allows it',
    );
  }
}

function validateEmailAddresses(scope: Construct, emailAddresses: string[]): void {
  emailAddresses.forEach((address, i) => enforceRule(scope, `emailAddresses[${i}]`, address, SNS_EMAIL_ADDRESS));
  enforceRule(scope, 'emailAddresses', emailAddresses, SNS_EMAIL_ADDRESSES_DISTINCT);
}

/**
 * Returns an error when a key defined in this app has no key policy grant for CloudWatch.
 *
 * Runs at synthesis, not in the constructor, so that statements added to the key after this construct
 * was created are seen.
 */
function validateKeyPolicyAllowsCloudWatch(key: kms.IKey): string[] {
  const cfnKey = key.node.defaultChild;
  if (!(cfnKey instanceof kms.CfnKey)) {
    return [];
  }
  const policy = Stack.of(cfnKey).resolve(cfnKey.keyPolicy) as { Statement?: PolicyStatementJson[] } | undefined;
  const actions = new Set<string>();
  for (const statement of policy?.Statement ?? []) {
    if (statement.Effect === 'Allow' && asList(statement.Principal?.Service).includes('cloudwatch.amazonaws.com')) {
      asList(statement.Action).forEach((action) => actions.add(action));
    }
  }
  const allows = (...candidates: string[]) => candidates.some((candidate) => actions.has(candidate));
  if (allows('kms:*') || (allows('kms:Decrypt') && allows('kms:GenerateDataKey*', 'kms:GenerateDataKey'))) {
    return [];
  }
  return [
    // The CDK prefixes validation errors with the construct path.
    `encryptionKey ${key.node.path} has no key policy statement allowing ` +
      'cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*; CloudWatch alarms could not publish ' +
      'to the encrypted topic',
  ];
}

interface PolicyStatementJson {
  readonly Effect?: string;
  readonly Principal?: { readonly Service?: unknown };
  readonly Action?: unknown;
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') {
    return [value];
  }
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
