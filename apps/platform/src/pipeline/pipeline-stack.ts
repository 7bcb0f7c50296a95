import * as fs from 'node:fs';
import * as path from 'node:path';
import { Arn, ArnFormat, Aws, Duration, RemovalPolicy, Stack, StackProps, Stage, Tags, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as codestarnotifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as pipelines from 'aws-cdk-lib/pipelines';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { denyGrantsExceptForAwsResources, sendEventsToEventBridge } from '@baseline/rules';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PlatformConfig, RegionConfig, StageConfig, validationRoleNameOf, validationStepRoleNameOf } from '../config';
import { reviewVariableOf } from '../review/report';
import { ARTIFACT_EXPIRATION_DAYS, ArtifactBucket } from './artifact-bucket';
import { NotificationTopic } from './notification-topic';
import { acknowledgeGeneratedFindings } from './private/generated-findings';
import {
  CLOUD_ASSEMBLY_DIR,
  NPM_CACHE_DIRECTORY,
  NX_CACHE_DIRECTORY,
  PIPELINE_SCRIPTS_DIR,
  REVIEW_PREFIX,
  synthBuildCommands,
  synthInstallCommands,
} from './private/synth-commands';

/**
 * Creates the Stage of one stage-region of the config.
 *
 * `scope` is the scope of the pipeline stack (the App): CDK Pipelines deploys a Stage as its own
 * cloud assembly, so it must not be nested in the pipeline stack. The Stage's env must be the
 * stage's account and the region's region.
 */
export type StageFactory = (scope: Construct, stage: StageConfig, region: RegionConfig) => Stage;

/** Properties of a {@link PipelineStack}. */
export interface PipelineStackProps extends Omit<StackProps, 'env'> {
  /**
   * The validated config.
   *
   * `pipeline` places the stack (tooling account, home region) and its source; `stages`, in
   * order, become the waves.
   */
  readonly config: PlatformConfig;
  /**
   * Creates the Stage deployed for one stage-region (the app passes one creating `PlatformStage`).
   *
   * Called once per region of every stage, in config order, with the pipeline stack's scope.
   */
  readonly stageFactory: StageFactory;
  /**
   * Called with each stage-region's cloud assembly as soon as CDK Pipelines has synthesized it (when
   * the stage is added to its wave, before the pipeline stack itself is built further); the app hands
   * it to ControlTowerValidatePlugin.validateAhead, so its templates are validated while the rest of
   * the app is built.
   * @default - nothing
   */
  readonly onStageSynthesized?: (assembly: CloudAssembly) => void;
}

/**
 * The name of the CodePipeline stage that deploys `stage` (its approval included).
 *
 * CDK Pipelines names a wave's stage after the wave, except a wave with a single Stage, which it
 * names after that Stage (`pipelines` PipelineGraph.addWave: "If the wave only has one Stage in it,
 * don't add an additional Graph around it"): a stage with one region is `<stage>-<region>`.
 */
export function pipelineStageNameOf(stage: StageConfig): string {
  return stage.regions.length === 1 ? `${stage.name}-${stage.regions[0].region}` : stage.name;
}

/** The Node.js major of every CodeBuild project of the pipeline. */
export const CODEBUILD_NODEJS_VERSION = '22';

/** Events sent to the notification topic by the pipeline's notification rule. */
export const NOTIFIED_EVENTS = ['codepipeline-pipeline-pipeline-execution-failed'];

/**
 * The delivery pipeline, in the tooling account: git push → lint and test what changed → synth
 * once → every stage of the config in order, its regions in parallel, approvals where configured.
 *
 * The same cloud assembly (synthesized once, in the Build stage) is promoted from stage to stage;
 * nothing is rebuilt after an approval. Deployments run as the CDK bootstrap roles of the target
 * accounts, which is why every stage account and region must be bootstrapped with
 * `--trust <tooling account>` before this stack is first deployed (the artifact key policy names
 * those roles, and KMS rejects a policy naming a role that does not exist yet).
 *
 * Create it directly under the App: the stages are created in the same scope (CDK Pipelines
 * synthesizes each Stage as its own cloud assembly and refuses one nested in the pipeline stack).
 * Self-mutation deploys it by its construct id (`cdk deploy <id>`), so the id must not change.
 */
export class PipelineStack extends Stack {
  /** The CDK Pipelines pipeline (already built: `pipeline.pipeline` is available). */
  public readonly pipeline: pipelines.CodePipeline;
  /** The encrypted topic that receives pipeline failures and pending approvals. */
  public readonly notificationTopic: sns.ITopic;
  /** The SSM parameter holding the commit of the last run that went through every stage. */
  public readonly lastSuccessfulCommitParameterName: string;
  /** Every Stage the pipeline deploys, in promotion order. */
  public readonly stages: Stage[] = [];

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    const { config, stageFactory, onStageSynthesized, ...stackProps } = props;
    super(scope, id, {
      stackName: `${config.project.name}-pipeline`,
      description: `${config.project.name}: the delivery pipeline of every stage and region`,
      ...stackProps,
      env: { account: config.pipeline.account, region: config.pipeline.region },
    });
    const project = config.project.name;
    const stageScope = this.node.scope;
    if (!stageScope) {
      throw new Error(`${this.node.path}: PipelineStack needs a scope (the App) to create the stages in`);
    }

    const key = new kms.Key(this, 'PipelineKey', {
      description: `${project} pipeline: build logs and notifications`,
      alias: `${project}/pipeline`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    key.addToResourcePolicy(denyGrantsExceptForAwsResources());
    const buildLogs = this.buildLogGroup(project, key);
    const notifications = new NotificationTopic(this, 'Notifications', {
      encryptionKey: key,
      emails: config.pipeline.notificationEmails,
    });
    this.notificationTopic = notifications.topic;

    this.lastSuccessfulCommitParameterName = `/${project}/pipeline/last-successful-commit`;
    const parameterArn = this.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: this.lastSuccessfulCommitParameterName.slice(1),
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    const { owner, name, branch } = config.pipeline.repository;
    const source = pipelines.CodePipelineSource.connection(`${owner}/${name}`, branch, {
      connectionArn: config.pipeline.connectionArn,
      // A full clone, not a zip of the tree: `nx affected` needs the history.
      codeBuildCloneOutput: true,
      triggerOnPush: true,
      actionName: 'Source',
    });

    const artifacts = new ArtifactBucket(this, 'Artifacts');
    const synth = new pipelines.CodeBuildStep('Synth', {
      input: source,
      installCommands: synthInstallCommands(),
      commands: synthBuildCommands(this.lastSuccessfulCommitParameterName),
      primaryOutputDirectory: CLOUD_ASSEMBLY_DIR,
      env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_CACHE_DIRECTORY, REVIEW_BUCKET: artifacts.bucket.bucketName },
      // Tests of five projects and a synth with both rule packs: 3 GB (SMALL) is not enough.
      buildEnvironment: { computeType: codebuild.ComputeType.MEDIUM },
      partialBuildSpec: codebuild.BuildSpec.fromObject({
        cache: { paths: [`${NPM_CACHE_DIRECTORY}/**/*`, `${NX_CACHE_DIRECTORY}/**/*`] },
      }),
      cache: codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM, codebuild.LocalCacheMode.SOURCE),
      rolePolicyStatements: [
        new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameterArn] }),
        ...connectionStatements(config.pipeline.connectionArn),
      ],
    });
    // The change review's counts, per stage, for the approvals (see synthBuildCommands).
    const reviewCounts = new Map(config.stages.map((s) => [s.name, synth.exportedVariable(reviewVariableOf(s.name))]));
    // The validation script of the same commit travels with the run, like the cloud assembly.
    const scripts = synth.addOutputDirectory(PIPELINE_SCRIPTS_DIR);

    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: `${project}-pipeline`,
      artifactBucket: artifacts.bucket,
      pipelineType: codepipeline.PipelineType.V2,
      synth,
      selfMutation: true,
      // dev and prod are other accounts: artifacts must be encrypted with a key they can be granted.
      crossAccountKeys: true,
      enableKeyRotation: true,
      // One asset project instead of one per asset: fewer CodeBuild minutes, slower only with many assets.
      publishAssetsInParallel: false,
      dockerEnabledForSynth: false,
      dockerEnabledForSelfMutation: false,
      // The CLI the repository tests with, not whatever is latest on the day of a deploy.
      cliVersion: cdkCliVersion(),
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.SMALL,
          privileged: false,
        },
        // Node.js 20 reached end of life on 2026-04-30 (Node.js release schedule); the standard:7.0
        // image has offered nodejs 22 since August 2024 (CodeBuild User Guide, "Available runtimes").
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          phases: { install: { 'runtime-versions': { nodejs: CODEBUILD_NODEJS_VERSION } } },
        }),
        logging: { cloudWatch: { logGroup: buildLogs } },
        timeout: Duration.minutes(60),
      },
    });

    const commitId = source.sourceAttribute('CommitId');
    let previous: StageConfig | undefined;
    let lastWave: pipelines.Wave | undefined;
    for (const stageConfig of config.stages) {
      const wave = this.pipeline.addWave(stageConfig.name);
      if (stageConfig.requiresApproval) {
        wave.addPre(
          new pipelines.ManualApprovalStep('Approve', {
            comment: approvalComment(stageConfig, previous, commitId, reviewCounts.get(stageConfig.name)!),
            reviewUrl: reviewUrlOf(artifacts.bucket, commitId),
            notificationTopic: this.notificationTopic,
          }),
        );
      }
      for (const region of stageConfig.regions) {
        const stage = stageFactory(stageScope, stageConfig, region);
        this.checkStage(stage, stageConfig, region);
        const deployment = wave.addStage(stage);
        // addStage has synthesized the stage, and synth() returns that assembly (aws-cdk-lib 2.276:
        // StageDeployment.fromStage calls pipelineSynth, `stage.synth({ validateOnSynthesis: true })`,
        // and Stage.synth keeps its assembly unless forced or the construct tree changed since).
        onStageSynthesized?.(stage.synth());
        const names = { project, stage: stageConfig.name, region: region.region };
        deployment.addPost(
          validationStep(this.pipeline, {
            scripts,
            stageRegionId: stage.node.id,
            region: region.region,
            validationRoleArn: `arn:${Aws.PARTITION}:iam::${stageConfig.account}:role/${validationRoleNameOf(
              names.project,
              names.stage,
              names.region,
            )}`,
            stepRoleName: validationStepRoleNameOf(names.project, names.stage, names.region),
            // The stage-region's own stacks; its Recovery stack lives in the recovery region.
            stackNames: deployment.stacks.filter((s) => s.region === region.region).map((s) => s.stackName),
            healthAlarmIds: isHealthChecked(stage) ? stage.deploymentHealthAlarmIds : [],
          }),
        );
        this.stages.push(stage);
      }
      previous = stageConfig;
      lastWave = wave;
    }

    // Written only after the last stage validated: the next run's `nx affected` base is "what the
    // last stage runs", so a change is tested again until it has gone all the way through.
    lastWave?.addPost(
      new pipelines.CodeBuildStep('RecordSuccessfulCommit', {
        // Any small artifact will do (a CodeBuild action needs one); the source would be a full clone.
        input: scripts,
        env: { COMMIT_ID: source.sourceAttribute('CommitId') },
        commands: [
          `aws ssm put-parameter --name '${this.lastSuccessfulCommitParameterName}' --type String --overwrite --value "$COMMIT_ID"`,
        ],
        rolePolicyStatements: [new iam.PolicyStatement({ actions: ['ssm:PutParameter'], resources: [parameterArn] })],
      }),
    );

    this.pipeline.buildPipeline();
    const sourceAction = this.pipeline.pipeline.stages[0].actions[0];
    // The source action's role is created when the action is bound: Source stage, action 'Source'.
    const sourceRole = this.pipeline.pipeline.node
      .findChild('Source')
      .node.findChild(sourceAction.actionProperties.actionName)
      .node.findChild('CodePipelineActionRole') as iam.Role;
    for (const statement of connectionStatements(config.pipeline.connectionArn)) {
      sourceRole.addToPrincipalPolicy(statement);
    }
    // V2 trigger: a push to the configured branch, and only that branch, starts a run.
    this.pipeline.pipeline.addTrigger({
      providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
      gitConfiguration: { sourceAction, pushFilter: [{ branchesIncludes: [branch] }] },
    });
    const rule = new codestarnotifications.NotificationRule(this, 'FailureNotifications', {
      source: this.pipeline.pipeline,
      events: NOTIFIED_EVENTS,
      targets: [notifications],
      detailType: codestarnotifications.DetailType.FULL,
    });
    // CreateNotificationRule checks that CodeStar Notifications may publish to the target: the topic
    // policy must exist first (CloudFormation would otherwise create both in parallel).
    rule.node.addDependency(notifications.topicPolicy);
    acknowledgeGeneratedFindings(this.pipeline, key);
    for (const support of Object.values(this.pipeline.pipeline.crossRegionSupport)) {
      hardenSupportStack(support);
    }

    const tags: Record<string, string> = {
      ...config.project.tags,
      Project: project,
      Stage: 'tooling',
      Owner: config.project.owner,
      CostCentre: config.project.costCentre,
      ManagedBy: 'aws-cdk',
    };
    // The pipeline stack and CDK Pipelines' cross-region support stacks (they hold a key and a bucket
    // of the tooling account in each other region, and are not children of this stack).
    const supportStacks = Object.values(this.pipeline.pipeline.crossRegionSupport).map((s) => s.stack);
    for (const scope of [this, ...supportStacks]) {
      for (const [k, v] of Object.entries(tags)) {
        Tags.of(scope).add(k, v);
      }
    }
  }

  /** One log group for every CodeBuild project of the pipeline, encrypted and kept a year. */
  private buildLogGroup(project: string, key: kms.Key): logs.LogGroup {
    const logGroupName = `/aws/codebuild/${project}-pipeline`;
    // CloudWatch Logs encrypts with the key itself; the encryption context names the log group.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsBuildLogs',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnEquals: {
            'kms:EncryptionContext:aws:logs:arn': this.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: logGroupName,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    return new logs.LogGroup(this, 'BuildLogs', {
      logGroupName,
      encryptionKey: key,
      retention: logs.RetentionDays.ONE_YEAR,
      // Named: plain Retain would keep the group of a failed first create and the retry would fail
      // with "already exists"; RetainExceptOnCreate deletes it only when its creation rolls back.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
  }

  /** A Stage from the factory must be where CDK Pipelines can deploy it, and where the config says. */
  private checkStage(stage: Stage, stageConfig: StageConfig, region: RegionConfig): void {
    const where = `${this.node.path}: stageFactory(${stageConfig.name}, ${region.region}) returned ${stage.node.path}`;
    if (stage.node.scopes.includes(this)) {
      throw new Error(`${where}, which is inside the pipeline stack; create it in the scope passed to the factory`);
    }
    for (const [prop, actual, expected] of [
      ['account', stage.account, stageConfig.account],
      ['region', stage.region, region.region],
    ]) {
      if (!Token.isUnresolved(actual) && actual !== expected) {
        throw new Error(`${where} with env.${prop} '${actual}'; the config says '${expected}'`);
      }
    }
  }
}

/**
 * What the approver is asked to promote, in the words of the config, with the commit and what it
 * changes in the stage: `commitId` is the source action's CommitId variable and `counts` the build
 * step's exported variable with the change review's counts of the stage, both of which CodePipeline
 * resolves in an approval's comment (CodePipeline User Guide, "Variables": variables can be used in
 * a manual approval's comment and URL; CDK Pipelines' own ConfirmPermissionsBroadening uses both).
 */
function approvalComment(
  stage: StageConfig,
  previous: StageConfig | undefined,
  commitId: string,
  counts: string,
): string {
  const regions = stage.regions.map((r) => r.region).join(', ');
  const origin = previous
    ? `the same cloud assembly that was deployed to and validated in ${previous.name} (${previous.regions
        .map((r) => r.region)
        .join(', ')}) in this run`
    : 'the cloud assembly synthesized and tested in this run';
  return (
    `Promote commit ${commitId} to ${stage.name} (account ${stage.account}; regions ${regions}): ${origin}. ` +
    `Nothing is rebuilt. Changes to ${stage.name} against the last successful run: ${counts}. ` +
    'The review link opens the full report (every stack, replacements, IAM and security-group changes).'
  );
}

/**
 * The S3 console page of the change review the build step uploaded for `commitId`. The approver
 * needs s3:GetObject on it and kms:Decrypt on the artifact key through S3 (README, "What the approver sees").
 */
function reviewUrlOf(bucket: s3.IBucket, commitId: string): string {
  return (
    `https://console.aws.amazon.com/s3/object/${bucket.bucketName}?region=${Stack.of(bucket).region}` +
    `&prefix=${REVIEW_PREFIX}/${commitId}/review.md`
  );
}

/**
 * `codeconnections:UseConnection` for a connection created under the `codeconnections` prefix.
 *
 * The CDK grants only `codestar-connections:UseConnection`; IAM matches an action's service prefix
 * to the resource's, and connections created in the console since July 2024 have `codeconnections`
 * ARNs, so the source action and the clone in the synth step would be denied without this.
 */
function connectionStatements(connectionArn: string): iam.PolicyStatement[] {
  if (Arn.split(connectionArn, ArnFormat.SLASH_RESOURCE_NAME).service !== 'codeconnections') {
    return [];
  }
  return [new iam.PolicyStatement({ actions: ['codeconnections:UseConnection'], resources: [connectionArn] })];
}

/** A Stage that names the alarms its post-deployment check fails on (PlatformStage does). */
export interface HealthCheckedStage extends Stage {
  /** Logical ids of the alarms that mean "this deployment is broken". */
  readonly deploymentHealthAlarmIds: string[];
}

function isHealthChecked(stage: Stage): stage is HealthCheckedStage {
  return Array.isArray((stage as Partial<HealthCheckedStage>).deploymentHealthAlarmIds);
}

interface ValidationStepOptions {
  readonly scripts: pipelines.FileSet;
  /** `<stage>-<region>`, part of the step role's construct id. */
  readonly stageRegionId: string;
  readonly region: string;
  /** The stage-region's validation role (ValidationRole, in its Observability stack). */
  readonly validationRoleArn: string;
  /** The fixed name of the step's own role, the one principal the validation role trusts. */
  readonly stepRoleName: string;
  readonly stackNames: string[];
  readonly healthAlarmIds: string[];
}

/**
 * Fails the pipeline when a just-deployed stage-region is not healthy (validate-stage.mjs).
 *
 * The step runs as a role of its own with a fixed name, which may do nothing but assume the
 * stage-region's validation role; that role trusts this one role only and may make exactly the
 * script's read calls. No stage account trusts the tooling account for lookups.
 */
function validationStep(scope: Construct, options: ValidationStepOptions): pipelines.CodeBuildStep {
  const stacks = options.stackNames.map((s) => `--stack '${s}'`).join(' ');
  const alarms = options.healthAlarmIds.map((a) => ` --health-alarm '${a}'`).join('');
  // Created in the CDK Pipelines construct, beside the roles it generates, so that the findings of
  // the grants CDK Pipelines adds to it (artifacts, its own logs) are acknowledged like theirs.
  const role = new iam.Role(scope, `ValidateRole-${options.stageRegionId}`, {
    roleName: options.stepRoleName,
    assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
    description: `Post-deployment check of one stage-region: assumes ${options.validationRoleArn} only`,
  });
  return new pipelines.CodeBuildStep('Validate', {
    input: options.scripts,
    env: { VALIDATION_ROLE_ARN: options.validationRoleArn },
    commands: [
      `node validate-stage.mjs --region '${options.region}' --role-arn "$VALIDATION_ROLE_ARN" ${stacks}${alarms}`,
    ],
    role,
    rolePolicyStatements: [
      new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [options.validationRoleArn] }),
    ],
    timeout: Duration.minutes(30),
  });
}

/**
 * What CDK Pipelines' cross-region support stack lacks: its key is deleted with the stack (leaving
 * replicated artifacts nobody can decrypt), grants on it are not limited to AWS resources
 * (CT.KMS.PR.3), and its bucket, whose name CDK generates at synth time (a fixed physical name), has
 * plain Retain, no versioning, no lifecycle and no event notifications (CT.S3.PR.4).
 */
function hardenSupportStack(support: codepipeline.CrossRegionSupport): void {
  const bucket = support.replicationBucket;
  // The bucket is encrypted through an alias of the key (aws-codepipeline CrossRegionSupportConstruct).
  const keys = support.stack.node.findAll().filter((c): c is kms.Key => c instanceof kms.Key);
  if (keys.length !== 1) {
    throw new Error(`${support.stack.node.path}: expected one KMS key in the support stack, found ${keys.length}`);
  }
  keys[0].addToResourcePolicy(denyGrantsExceptForAwsResources());
  keys[0].applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
  const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
  cfnBucket.versioningConfiguration = { status: 'Enabled' };
  cfnBucket.lifecycleConfiguration = {
    rules: [
      {
        id: 'ExpireReplicatedArtifacts',
        status: 'Enabled',
        // As the home-region artifact bucket: longer than any run, approvals included.
        expirationInDays: ARTIFACT_EXPIRATION_DAYS,
        noncurrentVersionExpiration: { noncurrentDays: 30 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ],
  };
  sendEventsToEventBridge(bucket);
  // Named by CDK at synth time: RetainExceptOnCreate, so a failed first create leaves no bucket whose
  // name the retry would collide with.
  cfnBucket.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
}

/** The version of the `aws-cdk` CLI the app pins (apps/platform/package.json). */
function cdkCliVersion(): string {
  // Same relative path from src/pipeline (tests) and lib/pipeline (the built app).
  const file = path.join(__dirname, '..', '..', 'package.json');
  const pkg = JSON.parse(fs.readFileSync(file, 'utf-8')) as { devDependencies?: Record<string, string> };
  const version = pkg.devDependencies?.['aws-cdk'];
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`${file}: devDependencies['aws-cdk'] must be an exact version, got '${version}'`);
  }
  return version;
}
