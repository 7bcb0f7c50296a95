import { Stack } from 'aws-cdk-lib';
import * as codestarnotifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { regionalServiceEndpoint } from '@baseline/rules';
import { Construct } from 'constructs';

/** Properties of a {@link NotificationTopic}. */
export interface NotificationTopicProps {
  /**
   * The customer-managed key that encrypts the topic.
   *
   * Its key policy gets the grant CodeStar Notifications needs to publish to an encrypted topic.
   */
  readonly encryptionKey: kms.Key;
  /**
   * Who is told of pipeline failures and pending approvals.
   *
   * Each address receives a confirmation e-mail first; nothing is delivered until it is confirmed.
   */
  readonly emails: string[];
}

/**
 * The pipeline's encrypted SNS topic: failures and pending approvals are sent here.
 *
 * Encrypted with a customer-managed key (an AWS-managed key cannot grant CodeStar Notifications, so
 * messages would be dropped) and reachable only over TLS. CodeStar Notifications may publish only on
 * behalf of this account (aws:SourceAccount), so another account's notification rule cannot use
 * the topic as a confused deputy.
 */
export class NotificationTopic extends Construct implements codestarnotifications.INotificationRuleTarget {
  /** The topic. */
  public readonly topic: sns.ITopic;
  /** The topic's policy; a notification rule must be created after it. */
  public readonly topicPolicy: sns.CfnTopicPolicy;

  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const topic = new sns.Topic(this, 'Resource', {
      displayName: 'Pipeline notifications',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    for (const email of props.emails) {
      topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const codestar = new iam.ServicePrincipal('codestar-notifications.amazonaws.com');
    const sameAccount = { 'aws:SourceAccount': stack.account };
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CodeStarNotificationsPublish',
        principals: [codestar],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: sameAccount },
      }),
    );
    // SNS encrypts each message with a data key of this key on the publisher's behalf. The statement is
    // the one AWS documents, with its one condition, kms:ViaService (Developer Tools console User Guide,
    // "Configure Amazon SNS topics for notifications"): a condition AWS does not document for these
    // calls (aws:SourceAccount was here) may not be in their request context, and the statement would
    // then match nothing and silently drop every notification. The topic policy above limits
    // publishing to this account.
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CodeStarNotificationsViaSns',
        principals: [codestar],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': regionalServiceEndpoint(this, 'sns') } },
      }),
    );
    this.topic = topic;
    this.topicPolicy = (topic as sns.Topic).node.findChild('Policy').node.defaultChild as sns.CfnTopicPolicy;
  }

  /**
   * Binds the topic to a notification rule without the grants `Topic` would add.
   *
   * `Topic.bindAsNotificationRuleTarget` grants CodeStar Notifications publish and key use without
   * conditions; the constructor has already granted both, restricted to this account.
   */
  public bindAsNotificationRuleTarget(_scope: Construct): codestarnotifications.NotificationRuleTargetConfig {
    return { targetType: 'SNS', targetAddress: this.topic.topicArn };
  }
}
