/**
 * IAM condition builders that more than one construct's policy needs, so that a key policy and a
 * topic policy that must agree (the same alarms, the same service endpoint) are built by one piece
 * of code.
 */
import { ArnFormat, Aws, Stack, Token, aws_iam as iam } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';

/**
 * The regional endpoint name of an AWS service in the stack's own region (or `inRegion`), e.g.
 * `logs.eu-west-1.amazonaws.com`.
 *
 * This is both the regional service principal (CloudWatch Logs) and the value of
 * `kms:ViaService`. The DNS suffix differs by partition (`amazonaws.com.cn` in China), so it is
 * taken from the region when the region is known and from `AWS::URLSuffix` when the stack is
 * environment-agnostic or the region is new to this CDK version.
 */
export function regionalServiceEndpoint(scope: IConstruct, servicePrefix: string, inRegion?: string): string {
  const region = inRegion ?? Stack.of(scope).region;
  const knownSuffix = Token.isUnresolved(region) ? undefined : RegionInfo.get(region).domainSuffix;
  return `${servicePrefix}.${region}.${knownSuffix ?? Aws.URL_SUFFIX}`;
}

/**
 * The conditions that limit a grant to `cloudwatch.amazonaws.com` acting for CloudWatch alarms of
 * the scope's account and region: `aws:SourceAccount` and `aws:SourceArn`
 * `arn:<partition>:cloudwatch:<region>:<account>:alarm:*`.
 *
 * The alarm topic's policy (sns:Publish) and its key's policy (kms:GenerateDataKey*, kms:Decrypt)
 * must name the same alarms, or alarms deploy cleanly and notify nobody; without the conditions
 * another account's alarm could use CloudWatch as a confused deputy.
 */
export function cloudWatchAlarmSourceConditions(scope: IConstruct): Record<string, Record<string, string>> {
  const stack = Stack.of(scope);
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    },
  };
}

/**
 * The conditions that limit a grant to `events.amazonaws.com` acting for EventBridge rules of the
 * scope's account and region: `aws:SourceAccount` and `aws:SourceArn`
 * `arn:<partition>:events:<region>:<account>:rule/*`.
 *
 * As for alarms, the topic's policy and its key's policy must name the same rules: EventBridge
 * publishes to an encrypted topic only when the key policy lets `events.amazonaws.com` use the key
 * (EventBridge User Guide, "Amazon SNS permissions": an encrypted topic's key policy must allow
 * events.amazonaws.com kms:Decrypt and kms:GenerateDataKey; SNS Developer Guide, "Configure AWS KMS
 * permissions for AWS services", with aws:SourceAccount and aws:SourceArn against the confused deputy).
 */
export function eventBridgeRuleSourceConditions(scope: IConstruct): Record<string, Record<string, string>> {
  const stack = Stack.of(scope);
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'events',
        resource: 'rule',
        resourceName: '*',
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    },
  };
}

/**
 * No grant unless it is for an AWS resource or made by an AWS service: the statement AWS Control
 * Tower's proactive control CT.KMS.PR.3 requires, word for word ("denies access to the
 * kms:CreateGrant operation for all principals when the kms:GrantIsForAWSResource and
 * aws:PrincipalIsAWSService conditions are both false, using the BoolIfExists condition operator").
 *
 * It does not stop the services that use the keys: RDS, Secrets Manager and AWS Backup create their
 * grants for AWS resources (kms:GrantIsForAWSResource true), and S3 and CloudWatch Logs use no grants.
 * The app's access matrix checks both. Every key of the platform carries it: the stage keys, the
 * pipeline's keys and those of CDK Pipelines' cross-region support stacks.
 */
export function denyGrantsExceptForAwsResources(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: {
      BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
    },
  });
}
