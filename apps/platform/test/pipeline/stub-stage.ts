import * as path from 'node:path';
import { CfnOutput, CrossStackReferences, Environment, ReferenceStrength, Stack, Stage } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { denyGrantsExceptForAwsResources } from '@baseline/rules';
import { Construct } from 'constructs';
import { recoveryStackNameOf, RegionConfig, StageConfig } from '../../src/config';

/** The tiers of the stub stage, as in the real stage's stack names `<project>-<stage>-<tier>`. */
export const STUB_TIERS = ['security', 'observability'];

/**
 * A stand-in for PlatformStage: the pipeline only needs Stages with stacks, and the real stacks'
 * packages are tested elsewhere. Two stacks (so deploy actions per stack are visible), each with an
 * encrypted topic that the rule packs have nothing to say about, and two file assets (so the
 * pipeline has an Assets stage, and publishing them in one action or two is visible).
 */
export class StubStage extends Stage {
  constructor(scope: Construct, stage: StageConfig, region: RegionConfig, env?: Environment) {
    super(scope, `${stage.name}-${region.region}`, { env: env ?? { account: stage.account, region: region.region } });
    // Like PlatformStage: a Recovery stack in the recovery region, which a stack of the stage-region
    // reads with Fn::GetStackOutput (so it deploys first).
    let recoveryTopic: sns.CfnTopic | undefined;
    if (region.recoveryRegion) {
      const recovery = new Stack(this, 'Recovery', {
        env: { account: env?.account ?? stage.account, region: region.recoveryRegion },
        stackName: recoveryStackNameOf('baseline', stage.name, region.region),
      });
      const key = new kms.Key(recovery, 'Key', { enableKeyRotation: true });
      key.addToResourcePolicy(denyGrantsExceptForAwsResources());
      const topic = new sns.Topic(recovery, 'Topic', { masterKey: key, enforceSSL: true });
      CrossStackReferences.of(topic).produce(ReferenceStrength.WEAK);
      recoveryTopic = topic.node.defaultChild as sns.CfnTopic;
    }
    const stacks: Stack[] = [];
    for (const tier of STUB_TIERS) {
      const stack = new Stack(this, tier === 'security' ? 'Security' : 'Observability', {
        stackName: `baseline-${stage.name}-${tier}`,
      });
      // Like PlatformStage: each tier deploys after the one before it.
      stacks.forEach((before) => stack.addStackDependency(before));
      stacks.push(stack);
      if (tier === 'observability' && recoveryTopic) {
        new CfnOutput(stack, 'RecoveryTopic', { value: recoveryTopic.attrTopicArn });
      }
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      // Like every key of the platform: grants only for AWS resources (CT.KMS.PR.3).
      key.addToResourcePolicy(denyGrantsExceptForAwsResources());
      new sns.Topic(stack, 'Topic', { masterKey: key, enforceSSL: true });
      new s3assets.Asset(stack, 'Runbook', {
        path: path.join(
          __dirname,
          'fixtures',
          tier === 'security' ? 'sts.assume-role.json' : 'cloudwatch.describe-alarms.json',
        ),
      });
    }
  }
}
