/* eslint-disable @typescript-eslint/no-explicit-any -- templates are untyped JSON; the assertions check their shape */
/**
 * The pipeline as CodePipeline will run it: one app with the default config, synthesized once with
 * every check on, with stub stages standing in for PlatformStage (same ids, envs and stack names).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import * as sns from 'aws-cdk-lib/aws-sns';
import { parse as parseYaml } from 'yaml';
import { checkedApp, describeFindings, validate } from '../../../../tools/testing/compliance';
import { cdkJsonContext } from '../../src/app-files';
import { loadConfig, parseConfig, PlatformConfig, recoveryStackNameOf } from '../../src/config';
import { PipelineStack } from '../../src/pipeline';
import {
  actionNamed,
  actionsOf,
  buildSpecOf,
  flat,
  pipelineActions,
  pipelineProperties,
  projectOf,
  statementsOfRole,
  synthesizedTemplate,
  violatingPaths,
} from './helpers';
import { STUB_TIERS, StubStage } from './stub-stage';
import { withoutBuiltinValidation } from '../support/assembly';
import { FIXTURE_CONFIG } from '../support/configs';

const CONFIG_FILE = FIXTURE_CONFIG;
const APP_PACKAGE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8'));
const PARAMETER = '/baseline/pipeline/last-successful-commit';
// The stack's env is concrete, so the CDK renders its own ARNs with the partition literal `aws`.
const PARTITION = 'aws';
const PARAMETER_ARN = `arn:${PARTITION}:ssm:eu-west-1:111111111111:parameter${PARAMETER}`;

/** The assemblies PipelineStack handed to onStageSynthesized, in order, with how many stages were built then. */
const synthesizedStages: Array<{ assembly: CloudAssembly; stagesSoFar: number }> = [];

function buildApp(config: PlatformConfig, synthesized?: typeof synthesizedStages) {
  const app = checkedApp({ context: cdkJsonContext() });
  let built = 0;
  const stack = new PipelineStack(app, 'Pipeline', {
    config,
    stageFactory: (scope, stage, region) => {
      built++;
      return new StubStage(scope, stage, region);
    },
    onStageSynthesized: synthesized && ((assembly) => synthesized.push({ assembly, stagesSoFar: built })),
  });
  const result = validate(app);
  return { app, stack, result, template: synthesizedTemplate(app, stack) };
}

const config = loadConfig(CONFIG_FILE);
const { app, stack, result, template } = buildApp(config, synthesizedStages);
const stageRegions = config.stages.flatMap((s) => s.regions.map((r) => ({ stage: s, region: r.region })));
const validationRole = (account: string, stage: string, region: string) =>
  `arn:${PARTITION}:iam::${account}:role/baseline-${stage}-${region}-validation`;

describe('placement', () => {
  test('the stack is in the tooling account and home region of the config', () => {
    expect([stack.account, stack.region]).toEqual([config.pipeline.account, config.pipeline.region]);
    expect(stack.stackName).toBe('baseline-pipeline');
  });

  test('every stage is created under the App, not nested in the pipeline stack', () => {
    expect(stack.stages.map((s) => s.node.path)).toEqual(stageRegions.map((s) => `${s.stage.name}-${s.region}`));
    for (const stage of stack.stages) {
      expect(stage.node.scope).toBe(app);
    }
  });
  test("each stage-region's assembly is handed on as soon as CDK Pipelines has synthesized it", () => {
    // THEN one call per stage-region, in config order, each before the next stage-region was built,
    // with the very assembly the pipeline deploys (the stage's synth(), cached) and its stacks
    expect(synthesizedStages).toHaveLength(stack.stages.length);
    synthesizedStages.forEach(({ assembly, stagesSoFar }, i) => {
      const stage = stack.stages[i];
      expect(stagesSoFar).toBe(i + 1);
      expect(assembly).toBe(stage.synth());
      expect(assembly.stacksRecursively.map((s) => s.hierarchicalId)).toEqual(
        stage.node.children.filter((c) => Stack.isStack(c)).map((c) => `${stage.node.id}/${c.node.id}`),
      );
    });
  });
});

describe('pipeline settings', () => {
  test('is a V2 pipeline whose artifacts are encrypted with rotated customer-managed keys', () => {
    const props = pipelineProperties(template);
    expect(props.PipelineType).toBe('V2');
    const home = props.ArtifactStores.find((s: any) => s.Region === 'eu-west-1');
    expect(home.ArtifactStore.EncryptionKey.Type).toBe('KMS');
    const keyId = flat(home.ArtifactStore.EncryptionKey.Id).replace(/^<(.*)\.Arn>$/, '$1');
    expect(template.toJSON().Resources[keyId].Properties.EnableKeyRotation).toBe(true);
    // crossAccountKeys: the eu-central-1 replication bucket is KMS-encrypted too (by alias)
    const other = props.ArtifactStores.find((s: any) => s.Region === 'eu-central-1');
    expect(other.ArtifactStore.EncryptionKey).toEqual({ Id: expect.stringMatching(/:alias\//), Type: 'KMS' });
  });

  test('the artifact bucket is versioned, access-logged, KMS-encrypted and TLS-only', () => {
    const home = pipelineProperties(template).ArtifactStores.find((s: any) => s.Region === 'eu-west-1');
    const bucketId = flat(home.ArtifactStore.Location).replace(/[<>]/g, '');
    const bucket = template.toJSON().Resources[bucketId].Properties;
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.LoggingConfiguration.DestinationBucketName).toEqual({
      Ref: expect.stringMatching(/^ArtifactsAccessLogs/),
    });
    expect(
      bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
    ).toBe('aws:kms');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test("each cross-region support stack's replication bucket is versioned, expires its artifacts and sends events; bucket and key survive a failed create's retry", () => {
    // GIVEN the support stacks CDK Pipelines adds for every region of the config other than the home one
    const homeRegion = config.pipeline.region;
    const otherRegions = [...new Set(stageRegions.map((s) => s.region))].filter((r) => r !== homeRegion);
    const supports = app.node
      .findAll()
      .filter((c): c is Stack => Stack.isStack(c) && c.node.id.startsWith('cross-region-stack-'));
    expect(supports.map((s) => s.region).sort()).toEqual([...otherRegions].sort());
    for (const support of supports) {
      // WHEN its template is read
      const resources = synthesizedTemplate(app, support).toJSON().Resources as Record<string, any>;
      const buckets = Object.values(resources).filter((r) => r.Type === 'AWS::S3::Bucket');
      const keys = Object.values(resources).filter((r) => r.Type === 'AWS::KMS::Key');
      // THEN (CT.S3.PR.11 versioning, CT.S3.PR.6 and CT.S3.PR.3 lifecycle, CT.S3.PR.4 events; the
      // bucket's name is fixed at synth, so a plain Retain would collide on the retry of a failed create)
      expect(buckets).toHaveLength(1);
      expect(buckets[0]).toMatchObject({
        DeletionPolicy: 'RetainExceptOnCreate',
        Properties: {
          VersioningConfiguration: { Status: 'Enabled' },
          NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
        },
      });
      expect(buckets[0].Properties.LifecycleConfiguration?.Rules).toEqual([
        expect.objectContaining({
          Status: 'Enabled',
          ExpirationInDays: expect.any(Number),
          NoncurrentVersionExpiration: { NoncurrentDays: expect.any(Number) },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: expect.any(Number) },
        }),
      ]);
      expect(keys).toHaveLength(1);
      expect(keys[0].DeletionPolicy).toBe('RetainExceptOnCreate');
    }
  });

  test("access logs are delivered through the log bucket's policy, not an ACL, whatever the app's flags", () => {
    // GIVEN an app without cdk.json's feature flags (serverAccessLogsUseBucketPolicy off)
    const bare = new App();
    const bareStack = new PipelineStack(bare, 'Pipeline', {
      config,
      stageFactory: (scope, stage, region) => new StubStage(scope, stage, region),
    });
    // WHEN (the CDK's built-in CloudFormation validation, which a plain App runs, is not what is tested)
    const bareTemplate = withoutBuiltinValidation(() => Template.fromStack(bareStack));
    // THEN
    for (const t of [template, bareTemplate]) {
      const buckets = t.findResources('AWS::S3::Bucket');
      const logsId = Object.keys(buckets).find((id) => id.startsWith('ArtifactsAccessLogs'))!;
      expect(buckets[logsId].Properties.AccessControl).toBeUndefined();
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logsId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'AllowServerAccessLogDelivery',
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Action: 's3:PutObject',
              Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' }, ArnLike: Match.anyValue() },
            }),
          ]),
        },
      });
    }
  });

  test('self-mutates with the pinned CDK CLI and no Docker anywhere', () => {
    const selfMutate = actionNamed(template, 'SelfMutate');
    expect(selfMutate.stage).toBe('UpdatePipeline');
    const spec = buildSpecOf(projectOf(template, selfMutate));
    expect(spec.phases.install.commands).toEqual([`npm install -g aws-cdk@${APP_PACKAGE.devDependencies['aws-cdk']}`]);
    expect(spec.phases.build.commands).toEqual(['cdk -a . deploy Pipeline --require-approval=never --verbose']);
    for (const project of Object.values(template.findResources('AWS::CodeBuild::Project'))) {
      expect(project.Properties.Environment.PrivilegedMode).toBe(false);
      expect(project.Properties.Source.BuildSpec).not.toMatch(/docker/i);
    }
  });

  test('publishes every file asset in one action, not one per asset', () => {
    const assets = pipelineActions(template).filter((a) => a.stage === 'Assets');
    expect(assets.map((a) => a.name)).toEqual(['FileAssets']);
    const spec = buildSpecOf(projectOf(template, assets[0]), app.outdir);
    // two distinct stub assets in every stage-region, all published by the one action
    const publish = spec.phases.build.commands.filter((c: string) => c.startsWith('cdk-assets'));
    expect(publish).toHaveLength(STUB_TIERS.length * stageRegions.length);
  });

  test('every CodeBuild project is encrypted, runs Node.js 22 and logs to the encrypted, retained build log group', () => {
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    const [logGroupId] = Object.keys(logGroups);
    expect(logGroups[logGroupId]).toMatchObject({
      // A named group: retained, except when its own creation rolls back (a retry would find it).
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        LogGroupName: '/aws/codebuild/baseline-pipeline',
        RetentionInDays: 365,
        KmsKeyId: expect.anything(),
      },
    });
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project'));
    expect(projects.length).toBeGreaterThanOrEqual(2 + stageRegions.length);
    for (const project of projects) {
      expect(project.Properties.EncryptionKey).toBeDefined();
      expect(project.Properties.LogsConfig.CloudWatchLogs).toEqual({
        GroupName: { Ref: logGroupId },
        Status: 'ENABLED',
      });
      expect(project.Properties.Environment.Image).toBe('aws/codebuild/standard:7.0');
      // Node.js 20 reached end of life on 2026-04-30.
      expect(buildSpecOf(project, app.outdir).phases.install['runtime-versions']).toEqual({ nodejs: '22' });
    }
  });
});

describe('source', () => {
  test('pulls the configured repository and branch through the connection as a full clone', () => {
    const source = actionNamed(template, 'Source');
    expect(source.stageIndex).toBe(0);
    expect(source.action.ActionTypeId.Provider).toBe('CodeStarSourceConnection');
    expect(source.action.Configuration).toEqual({
      ConnectionArn: config.pipeline.connectionArn,
      FullRepositoryId: 'example-org/aws-secure-baseline',
      BranchName: 'main',
      OutputArtifactFormat: 'CODEBUILD_CLONE_REF',
      DetectChanges: true,
    });
  });

  test('a push to the configured branch, and only that branch, triggers the pipeline', () => {
    expect(pipelineProperties(template).Triggers).toEqual([
      {
        ProviderType: 'CodeStarSourceConnection',
        GitConfiguration: { SourceActionName: 'Source', Push: [{ Branches: { Includes: ['main'] } }] },
      },
    ]);
  });

  test('the source action and the clone in the synth step may use the codeconnections connection', () => {
    const source = actionNamed(template, 'Source');
    const synth = projectOf(template, actionNamed(template, 'Synth'));
    for (const roleArn of [source.action.RoleArn, synth.Properties.ServiceRole]) {
      const roleId = flat(roleArn).replace(/^<(.*)\.Arn>$/, '$1');
      const useConnection = statementsOfRole(template, roleId).filter((s) =>
        actionsOf(s).includes('codeconnections:UseConnection'),
      );
      expect(useConnection.map((s) => s.Resource)).toEqual([config.pipeline.connectionArn]);
    }
  });
});

describe('synth step', () => {
  const synth = actionNamed(template, 'Synth');
  const project = projectOf(template, synth);
  const spec = buildSpecOf(project);

  test('runs npm ci, lints and tests what changed since the last successful run, synthesizes, reviews', () => {
    expect(synth.stage).toBe('Build');
    expect(spec.phases.install.commands).toEqual(['npm ci']);
    const [test, synthesize, review, publish] = spec.phases.build.commands;
    expect(spec.phases.build.commands).toHaveLength(4);
    expect(test).toMatch(
      new RegExp(
        `^BASE="\\$\\(aws ssm get-parameter --name '${PARAMETER}' --query Parameter.Value --output text 2>/dev/null \\|\\| true\\)"; `,
      ),
    );
    expect(test).toContain('; if [ -n "$BASE" ] && git cat-file -e "$BASE^{commit}" 2>/dev/null; then');
    expect(test).toContain('npx nx affected -t lint typecheck test --base="$BASE" --head=HEAD;');
    expect(test).toMatch(/else .*npx nx run-many -t lint typecheck test; fi$/);
    expect(synthesize).toBe('npm run synth');
    // The change review against the same base the tests used (none on a first run), failing the build
    // on its guards, its per-stage counts exported for the approvals.
    expect(test).toContain('then echo "$BASE" > .review-base;');
    expect(test).toContain('else echo none > .review-base;');
    expect(review).toBe(
      'npm run diff -- --base-file .review-base --head-assembly apps/platform/cdk.out --env-file .review.env && ' +
        'set -a && . ./.review.env && set +a',
    );
    expect(spec.env['exported-variables']).toEqual(config.stages.map((s) => `REVIEW_${s.name.toUpperCase()}`));
    // The report goes to the artifact bucket, under the commit the approvals link to.
    expect(publish).toBe(
      'if [ -n "$CODEBUILD_BUILD_ID" ]; then aws s3 cp apps/platform/cdk.out/review.md ' +
        '"s3://$REVIEW_BUCKET/reviews/$(git rev-parse HEAD)/review.md" --content-type \'text/markdown; charset=utf-8\' ' +
        '--only-show-errors; else echo "Not in CodeBuild: the review stays in apps/platform/cdk.out/review.md"; fi',
    );
    const bucketId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) =>
      /^Artifacts[0-9A-F]{8}$/.test(id),
    );
    expect(project.Properties.Environment.EnvironmentVariables).toContainEqual({
      Name: 'REVIEW_BUCKET',
      Type: 'PLAINTEXT',
      Value: { Ref: bucketId },
    });
  });

  test('may write the review into the artifact bucket: read-write on its objects and its key', () => {
    const roleId = flat(project.Properties.ServiceRole).replace(/^<(.*)\.Arn>$/, '$1');
    const bucketId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) =>
      /^Artifacts[0-9A-F]{8}$/.test(id),
    )!;
    const statements = statementsOfRole(template, roleId);
    const put = statements.find(
      (s) =>
        actionsOf(s).some((a) => a === 's3:PutObject' || a === 's3:PutObject*') &&
        [s.Resource].flat().map(flat).includes(`<${bucketId}.Arn>/*`),
    );
    expect(put).toBeDefined();
    const keyId = Object.keys(template.findResources('AWS::KMS::Key')).find((id) => id.startsWith('ArtifactsKey'))!;
    const encrypt = statements.find(
      (s) =>
        actionsOf(s).some((a) => a.startsWith('kms:GenerateDataKey')) &&
        [s.Resource].flat().map(flat).includes(`<${keyId}.Arn>`),
    );
    expect(encrypt).toBeDefined();
  });

  test("hands on the app's cloud assembly and the validation script of the same commit", () => {
    expect(spec.artifacts['secondary-artifacts']).toEqual({
      [synth.action.OutputArtifacts[0].Name]: { 'base-directory': 'apps/platform/cdk.out', files: ['**/*'] },
      [synth.action.OutputArtifacts[1].Name]: {
        'base-directory': 'apps/platform/src/pipeline/scripts',
        files: ['**/*'],
      },
    });
  });

  test('caches npm and Nx on the build host, with the Nx daemon off', () => {
    expect(project.Properties.Cache).toEqual({ Type: 'LOCAL', Modes: ['LOCAL_CUSTOM_CACHE', 'LOCAL_SOURCE_CACHE'] });
    expect(spec.cache.paths).toEqual(['/root/.npm/**/*', '/root/.cache/nx/**/*']);
    expect(project.Properties.Environment.EnvironmentVariables).toEqual(
      expect.arrayContaining([
        { Name: 'NX_DAEMON', Type: 'PLAINTEXT', Value: 'false' },
        { Name: 'NX_CACHE_DIRECTORY', Type: 'PLAINTEXT', Value: '/root/.cache/nx' },
      ]),
    );
    expect(project.Properties.Environment.ComputeType).toBe('BUILD_GENERAL1_MEDIUM');
  });

  test('may read the last successful commit and no other parameter', () => {
    const roleId = flat(project.Properties.ServiceRole).replace(/^<(.*)\.Arn>$/, '$1');
    const ssm = statementsOfRole(template, roleId).filter((s) => actionsOf(s).some((a) => a.startsWith('ssm:')));
    expect(ssm).toEqual([{ Action: 'ssm:GetParameter', Effect: 'Allow', Resource: PARAMETER_ARN }]);
  });
});

describe('waves', () => {
  const actions = pipelineActions(template);
  const approval = actionNamed(template, 'Approve');

  test('the stages run Source, Build, UpdatePipeline, Assets, then one wave per config stage in order', () => {
    expect(pipelineProperties(template).Stages.map((s: any) => s.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Assets',
      'dev',
      'prod',
    ]);
  });

  test('every dev stage-region, then the approval, then every prod stage-region', () => {
    const order = actions.map((a) => a.name);
    const lastDev = Math.max(...order.map((n, i) => (n.startsWith('dev-') ? i : -1)));
    const firstProd = order.findIndex((n) => n.startsWith('prod-'));
    expect(order.indexOf('Approve')).toBeGreaterThan(lastDev);
    expect(firstProd).toBeGreaterThan(order.indexOf('Approve'));
    for (const region of ['eu-west-1', 'eu-central-1']) {
      expect(order.filter((n) => n.startsWith(`dev-${region}.`)).length).toBeGreaterThan(0);
      expect(order.filter((n) => n.startsWith(`prod-${region}.`)).length).toBeGreaterThan(0);
    }
  });

  test('no prod action runs before the approval: all are in its stage with a later run order', () => {
    const prodActions = actions.filter((a) => a.name.startsWith('prod-') || a.name === 'RecordSuccessfulCommit');
    for (const action of prodActions) {
      expect({ name: action.name, stage: action.stage }).toEqual({ name: action.name, stage: approval.stage });
      expect(action.runOrder).toBeGreaterThan(approval.runOrder);
    }
    expect(approval.stage).toBe('prod');
    expect(approval.runOrder).toBe(1);
  });

  test('the regions of a stage deploy in parallel (same run orders)', () => {
    for (const stage of config.stages) {
      // (the tiers' actions: a region's Recovery stack, when it has one, comes first and shifts nothing else)
      const byRegion = stage.regions.map((r) =>
        actions
          .filter((a) => a.name.startsWith(`${stage.name}-${r.region}.`) && !a.name.includes('-recovery.'))
          .map((a) => [a.name.split('.').slice(1).join('.'), a.runOrder]),
      );
      for (const other of byRegion.slice(1)) {
        expect(other).toEqual(byRegion[0]);
      }
    }
  });

  test.each(stageRegions.map((s) => [`${s.stage.name}-${s.region}`, s.stage.account, s.region]))(
    '%s has its change set and deploy actions per stack, as the target account deploy role',
    (prefix, account, region) => {
      for (const tier of STUB_TIERS) {
        const stackName = `baseline-${prefix.split('-')[0]}-${tier}`;
        const prepare = actionNamed(template, `${prefix}.${stackName}.Prepare`);
        const deploy = actionNamed(template, `${prefix}.${stackName}.Deploy`);
        expect(prepare.action.Configuration).toMatchObject({ StackName: stackName, ActionMode: 'CHANGE_SET_REPLACE' });
        expect(deploy.action.Configuration).toMatchObject({ StackName: stackName, ActionMode: 'CHANGE_SET_EXECUTE' });
        expect(deploy.runOrder).toBeGreaterThan(prepare.runOrder);
        for (const a of [prepare, deploy]) {
          expect(flat(a.action.RoleArn)).toBe(
            `arn:${PARTITION}:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-${region}`,
          );
          expect(a.action.Region ?? 'eu-west-1').toBe(region);
        }
        expect(flat(prepare.action.Configuration.RoleArn)).toBe(
          `arn:${PARTITION}:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${region}`,
        );
      }
    },
  );

  test('the approval names the commit and what is promoted, and notifies the encrypted topic', () => {
    expect(approval.action.ActionTypeId).toMatchObject({ Category: 'Approval', Provider: 'Manual' });
    // The commit is the source action's CommitId variable, in the namespace the source action declares.
    const source = actionNamed(template, 'Source');
    const commit = `#{${source.action.Namespace}.CommitId}`;
    expect(source.action.Namespace).toEqual(expect.any(String));
    const synthNamespace = actionNamed(template, 'Synth').action.Namespace;
    expect(approval.action.Configuration.CustomData).toBe(
      `Promote commit ${commit} to prod (account 333333333333; regions eu-west-1, eu-central-1): the same cloud ` +
        'assembly that was deployed to and validated in dev (eu-west-1, eu-central-1) in this run. Nothing is rebuilt. ' +
        `Changes to prod against the last successful run: #{${synthNamespace}.REVIEW_PROD}. ` +
        'The review link opens the full report (every stack, replacements, IAM and security-group changes).',
    );
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    expect(approval.action.Configuration.NotificationArn).toEqual({ Ref: topicId });
  });

  test('every approval links to the change review of its commit in the artifact bucket', () => {
    const source = actionNamed(template, 'Source');
    const bucketId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) =>
      /^Artifacts[0-9A-F]{8}$/.test(id),
    );
    const approvals = actions.filter((a) => a.action.ActionTypeId.Category === 'Approval');
    expect(approvals.length).toBe(config.stages.filter((s) => s.requiresApproval).length);
    for (const a of approvals) {
      expect(flat(a.action.Configuration.ExternalEntityLink)).toBe(
        `https://console.aws.amazon.com/s3/object/<${bucketId}>?region=${config.pipeline.region}` +
          `&prefix=reviews/#{${source.action.Namespace}.CommitId}/review.md`,
      );
    }
  });

  test('prod is deployed from the same artifacts as dev: one synth, one cloud assembly', () => {
    const builds = actions.filter((a) => a.action.ActionTypeId.Category === 'Build' && a.name === 'Synth');
    expect(builds).toHaveLength(1);
    const assembly = actionNamed(template, 'Synth').action.OutputArtifacts[0].Name;
    for (const deploy of actions.filter((a) => a.name.endsWith('.Prepare'))) {
      expect(deploy.action.InputArtifacts).toEqual([{ Name: assembly }]);
    }
  });
});

describe('validation after each stage-region', () => {
  test.each(stageRegions.map((s) => [`${s.stage.name}-${s.region}`, s.stage.account, s.region, s.stage.name]))(
    '%s is checked after its stacks deployed, in its account and region',
    (prefix, account, region, stageName) => {
      const validate = actionNamed(template, `${prefix}.Validate`);
      const deploys = pipelineActions(template).filter(
        (a) => a.name.startsWith(`${prefix}.`) && a.name.endsWith('.Deploy'),
      );
      expect(validate.runOrder).toBeGreaterThan(Math.max(...deploys.map((d) => d.runOrder)));
      expect(validate.action.InputArtifacts).toEqual([
        { Name: actionNamed(template, 'Synth').action.OutputArtifacts[1].Name },
      ]);
      const project = projectOf(template, validate);
      const stacks = STUB_TIERS.map((t) => `--stack 'baseline-${stageName}-${t}'`).sort();
      const [command] = buildSpecOf(project).phases.build.commands;
      expect(command).toMatch(
        new RegExp(`^node validate-stage\\.mjs --region '${region}' --role-arn "\\$VALIDATION_ROLE_ARN" `),
      );
      expect(command.match(/--stack '[^']+'/g).sort()).toEqual(stacks);
      const env = project.Properties.Environment.EnvironmentVariables;
      expect(env.map((v: any) => [v.Name, flat(v.Value)])).toEqual([
        ['VALIDATION_ROLE_ARN', validationRole(account, stageName, region)],
      ]);
    },
  );

  test.each(stageRegions.map((s) => [`${s.stage.name}-${s.region}`, s.stage.account, s.region, s.stage.name]))(
    "%s's role has a fixed name and may only assume the stage-region's validation role, besides its input and logs",
    (prefix, account, region, stageName) => {
      const project = projectOf(template, actionNamed(template, `${prefix}.Validate`));
      const roleId = flat(project.Properties.ServiceRole).replace(/^<(.*)\.Arn>$/, '$1');
      // The validation role in the stage account trusts exactly this role, by name.
      expect(template.toJSON().Resources[roleId].Properties.RoleName).toBe(
        `baseline-${stageName}-${region}-validate-step`,
      );
      const statements = statementsOfRole(template, roleId);
      const assume = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sts:')));
      expect(assume).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: expect.anything() }]);
      expect(flat(assume[0].Resource)).toBe(validationRole(account, stageName, region));
      // Everything else is CodeBuild's own: logs, test reports, reading the input artifact.
      const others = statements.filter((s) => s !== assume[0]).flatMap(actionsOf);
      for (const action of others) {
        expect(action).toMatch(
          /^(logs:(CreateLogGroup|CreateLogStream|PutLogEvents)|codebuild:\w*Report\w*|codebuild:BatchPut\w+|s3:(GetObject\*|GetBucket\*|List\*)|kms:\w+\*?)$/,
        );
      }
    },
  );
});

describe('recovery regions', () => {
  const actions = pipelineActions(template);
  const withRecovery = config.stages.flatMap((s) =>
    s.regions.filter((r) => r.recoveryRegion).map((r) => ({ stage: s, region: r })),
  );

  test.each(withRecovery.map((x) => [`${x.stage.name}-${x.region.region}`, x] as const))(
    '%s: its Recovery stack deploys in the recovery region before the stacks that read it, and is not in the validation',
    (id, { stage, region }) => {
      const recoveryName = recoveryStackNameOf('baseline', stage.name, region.region);
      const deploy = actions.find((a) => a.name === `${id}.${recoveryName}.Deploy`);
      // (CodePipeline omits an action's Region when it is the pipeline's own)
      expect(deploy?.action.Region ?? config.pipeline.region).toBe(region.recoveryRegion);
      const reader = actions.find((a) => a.name === `${id}.baseline-${stage.name}-observability.Prepare`)!;
      expect(deploy!.stage).toBe(reader.stage);
      expect(deploy!.runOrder).toBeLessThan(reader.runOrder);
      const validate = actions.find((a) => a.name === `${id}.Validate`)!;
      const command = buildSpecOf(projectOf(template, validate)).phases.build.commands[0] as string;
      expect(command).not.toContain(recoveryName);
      expect(command).toContain(`--region '${region.region}'`);
    },
  );

  test('the config names at least one recovery region (else the test above checks nothing)', () => {
    expect(withRecovery.length).toBeGreaterThan(0);
  });
});

describe('after the last stage', () => {
  const record = actionNamed(template, 'RecordSuccessfulCommit');

  test('records the commit of the run, after every prod stage-region validated', () => {
    const actions = pipelineActions(template);
    expect(actions[actions.length - 1].name).toBe('RecordSuccessfulCommit');
    const validations = actions.filter((a) => a.name.startsWith('prod-') && a.name.endsWith('.Validate'));
    expect(record.runOrder).toBeGreaterThan(Math.max(...validations.map((v) => v.runOrder)));
    expect(JSON.parse(record.action.Configuration.EnvironmentVariables)).toEqual([
      { name: 'COMMIT_ID', type: 'PLAINTEXT', value: expect.stringMatching(/^#\{Source@.*\.CommitId\}$/) },
    ]);
    expect(buildSpecOf(projectOf(template, record)).phases.build.commands).toEqual([
      `aws ssm put-parameter --name '${PARAMETER}' --type String --overwrite --value "$COMMIT_ID"`,
    ]);
  });

  test('may write that one parameter and nothing else in SSM', () => {
    const project = projectOf(template, record);
    const roleId = flat(project.Properties.ServiceRole).replace(/^<(.*)\.Arn>$/, '$1');
    const ssm = statementsOfRole(template, roleId).filter((s) => actionsOf(s).some((a) => a.startsWith('ssm:')));
    expect(ssm).toEqual([{ Action: 'ssm:PutParameter', Effect: 'Allow', Resource: PARAMETER_ARN }]);
  });
});

describe('notifications', () => {
  test('pipeline failures go to the topic', () => {
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: ['codepipeline-pipeline-pipeline-execution-failed'],
      Resource: Match.anyValue(),
      Targets: [{ TargetType: 'SNS', TargetAddress: { Ref: topicId } }],
    });
    const rule = Object.values(template.findResources('AWS::CodeStarNotifications::NotificationRule'))[0];
    const pipelineId = Object.keys(template.findResources('AWS::CodePipeline::Pipeline'))[0];
    expect(flat(rule.Properties.Resource)).toBe(`arn:${PARTITION}:codepipeline:eu-west-1:111111111111:<${pipelineId}>`);
  });

  test('the topic is encrypted with a rotated customer-managed key, TLS-only, and mails the configured people', () => {
    const [topicId, topic] = Object.entries(template.findResources('AWS::SNS::Topic'))[0];
    const keyId = flat(topic.Properties.KmsMasterKeyId).replace(/^<(.*)\.Arn>$/, '$1');
    expect(template.toJSON().Resources[keyId]).toMatchObject({
      Type: 'AWS::KMS::Key',
      Properties: { EnableKeyRotation: true },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'platform-team@example.com',
      TopicArn: { Ref: topicId },
    });
  });

  test('CodeStar Notifications may publish for this account only, and use the key through SNS as AWS documents', () => {
    const [topicId, topic] = Object.entries(template.findResources('AWS::SNS::Topic'))[0];
    const keyId = flat(topic.Properties.KmsMasterKeyId).replace(/^<(.*)\.Arn>$/, '$1');
    const codestar = { Service: 'codestar-notifications.amazonaws.com' };
    const keyStatements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement;
    expect(keyStatements.filter((s: any) => JSON.stringify(s.Principal) === JSON.stringify(codestar))).toEqual([
      {
        Sid: 'CodeStarNotificationsViaSns',
        Effect: 'Allow',
        Principal: codestar,
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        // The one condition AWS documents for this statement: an undocumented one may not be in the
        // request context of CodeStar Notifications' calls, and would then drop every notification.
        Condition: { StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
      },
    ]);
    const topicPolicy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0].Properties;
    expect(topicPolicy.PolicyDocument.Statement.filter((s: any) => s.Effect === 'Allow')).toEqual([
      {
        Sid: 'CodeStarNotificationsPublish',
        Effect: 'Allow',
        Principal: codestar,
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
      },
    ]);
  });

  test('the notification rule is created after the topic policy that lets CodeStar Notifications publish', () => {
    const [ruleId, rule] = Object.entries(template.findResources('AWS::CodeStarNotifications::NotificationRule'))[0];
    const policyId = Object.keys(template.findResources('AWS::SNS::TopicPolicy'))[0];
    expect({ rule: ruleId, DependsOn: rule.DependsOn }).toEqual({
      rule: ruleId,
      DependsOn: expect.arrayContaining([policyId]),
    });
  });
});

describe('compliance', () => {
  test('the rule packs and CloudFormation validation find nothing unacknowledged', () => {
    expect(describeFindings(result.findings)).toEqual([]);
  });

  test('every stage-region assembly was checked too (a planted finding is reported)', () => {
    // GIVEN a stage with an unencrypted topic inside the pipeline's waves
    const planted = checkedApp({ context: cdkJsonContext() });
    new PipelineStack(planted, 'Pipeline', {
      config,
      stageFactory: (scope, stage, region) => {
        const s = new StubStage(scope, stage, region);
        new sns.Topic(s.node.findChild('Security'), 'Plain');
        return s;
      },
    });
    // WHEN
    const found = violatingPaths(planted);
    // THEN every stage-region's topic is reported
    expect(found).toEqual(
      expect.arrayContaining(stageRegions.map((s) => `${s.stage.name}-${s.region}/Security/Plain/Resource`)),
    );
  });

  test('only findings of what CDK Pipelines generates are acknowledged, each by exact id with a reason', () => {
    const acks = result.acknowledged;
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(
        /^(AwsSolutions::AwsSolutions-|NIST\.800\.53\.R5::NIST\.800\.53\.R5-|CloudFormation-Validate::)/,
      );
      expect(ack.reason.length).toBeGreaterThan(60);
      // never on a stack or the pipeline construct as a whole
      expect(ack.at).toMatch(/\/(Resource|DefaultPolicy\/Resource)$|Bucket\/Resource$/);
    }
    const iam5 = acks.filter((a) => a.rule.startsWith('AwsSolutions-IAM5['));
    expect(iam5.every((a) => /^AwsSolutions::AwsSolutions-IAM5\[(Action|Resource)::.+\]$/.test(a.id))).toBe(true);
    expect(iam5.every((a) => a.at.startsWith('Pipeline/Pipeline/'))).toBe(true);
    const inline = acks.filter((a) => a.rule === 'NIST.800.53.R5-IAMNoInlinePolicy');
    expect(inline.every((a) => a.at.startsWith('Pipeline/Pipeline/') && a.at.endsWith('/DefaultPolicy/Resource'))).toBe(
      true,
    );
    const buckets = acks.filter((a) => !iam5.includes(a) && !inline.includes(a));
    expect(buckets.map((a) => `${a.at} ${a.id}`).sort()).toEqual(
      [
        'Pipeline/Artifacts/AccessLogs/Resource NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
        'Pipeline/Artifacts/AccessLogs/Resource NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS',
        'Pipeline/Artifacts/AccessLogs/Resource CloudFormation-Validate::s3_bucket_default_encryption_kms_check',
        'Pipeline/Artifacts/AccessLogs/Resource CloudFormation-Validate::s3_bucket_logging_enabled_check',
        'Pipeline/Artifacts/AccessLogs/Resource CloudFormation-Validate::s3_bucket_object_lock_enabled_check',
        'Pipeline/Artifacts/Resource/Resource NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
        'Pipeline/Artifacts/Resource/Resource CloudFormation-Validate::s3_bucket_object_lock_enabled_check',
        ...[
          'AwsSolutions::AwsSolutions-S1',
          'NIST.800.53.R5::NIST.800.53.R5-S3BucketLoggingEnabled',
          'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
          'CloudFormation-Validate::s3_bucket_logging_enabled_check',
          'CloudFormation-Validate::s3_bucket_object_lock_enabled_check',
        ].map(
          (id) =>
            `cross-region-stack-111111111111:eu-central-1/Default/CrossRegionCodePipelineReplicationBucket/Resource ${id}`,
        ),
      ].sort(),
    );
  });

  test('on the steps the app defines, only the CodeBuild and artifact grants are acknowledged', () => {
    const own = result.acknowledged.filter(
      (a) => a.rule.startsWith('AwsSolutions-IAM5[') && /(\.Validate|RecordSuccessfulCommit|Build\/Synth)\//.test(a.at),
    );
    const generic = new Set(own.map((a) => a.id.replace(/<[A-Za-z0-9]+(\.Arn)?>/g, '<X>')));
    expect([...generic].sort()).toEqual([
      'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions::AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      'AwsSolutions::AwsSolutions-IAM5[Action::s3:Abort*]',
      'AwsSolutions::AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'AwsSolutions::AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions::AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions::AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::<X>/*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:codebuild:eu-west-1:111111111111:report-group/<X>-*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:logs:eu-west-1:111111111111:log-group:/aws/codebuild/<X>:*]',
    ]);
  });
});

describe('another config: three stages, three prod regions', () => {
  // GIVEN dev, staging (approval; one region) and prod (approval; eu-west-1, eu-central-1, eu-north-1)
  const input = parseYaml(fs.readFileSync(CONFIG_FILE, 'utf-8'));
  const [dev, prod] = input.stages;
  const staging = {
    ...dev,
    name: 'staging',
    account: '444444444444',
    requiresApproval: true,
    regions: [{ region: 'eu-west-1', vpcCidr: '10.30.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] }],
  };
  prod.regions.push({
    region: 'eu-north-1',
    vpcCidr: '10.22.0.0/16',
    availabilityZones: ['eu-north-1a', 'eu-north-1b', 'eu-north-1c'],
    recoveryRegion: 'eu-west-1',
  });
  input.stages = [dev, staging, prod];
  // WHEN
  const three = buildApp(parseConfig(input));
  const actions = pipelineActions(three.template).map((a) => `${a.stage}:${a.runOrder}:${a.name}`);

  test('has one wave per stage, in order, and passes the checks', () => {
    // CDK Pipelines names a wave of a single stage-region after that stage-region
    expect(pipelineProperties(three.template).Stages.map((s: any) => s.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Assets',
      'dev',
      'staging-eu-west-1',
      'prod',
    ]);
    expect(describeFindings(three.result.findings)).toEqual([]);
  });

  test('approves staging and prod, each before any of its deployments', () => {
    for (const stage of ['staging-eu-west-1', 'prod']) {
      const inStage = actions.filter((a) => a.startsWith(`${stage}:`));
      expect(inStage[0]).toBe(`${stage}:1:Approve`);
      expect(inStage.slice(1).every((a) => !a.startsWith(`${stage}:1:`))).toBe(true);
    }
    expect(actions.filter((a) => a.startsWith('dev:')).some((a) => a.endsWith(':Approve'))).toBe(false);
  });

  test('deploys and validates each of the three prod regions in parallel, in the prod account', () => {
    const prod = pipelineActions(three.template).filter((a) => a.stage === 'prod');
    for (const region of ['eu-west-1', 'eu-central-1', 'eu-north-1']) {
      const of = (suffix: string) => prod.find((a) => a.name === `prod-${region}.${suffix}`)!;
      // after the approval (run order 1), each region's stacks change-set then deploy, then it is validated
      expect(of('baseline-prod-security.Prepare').runOrder).toBe(2);
      expect(of('baseline-prod-security.Deploy').runOrder).toBe(3);
      const deploys = prod.filter((a) => a.name.startsWith(`prod-${region}.`) && a.name.endsWith('.Deploy'));
      expect(of('Validate').runOrder).toBe(Math.max(...deploys.map((d) => d.runOrder)) + 1);
    }
    const deploy = actionNamed(three.template, 'prod-eu-north-1.baseline-prod-security.Deploy');
    expect(flat(deploy.action.RoleArn)).toBe(
      `arn:${PARTITION}:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-eu-north-1`,
    );
    expect(deploy.action.Region).toBe('eu-north-1');
  });

  test('each approval quotes the review counts of its own stage and links to the review', () => {
    const synthNamespace = actionNamed(three.template, 'Synth').action.Namespace;
    for (const [wave, stage] of [
      ['staging-eu-west-1', 'STAGING'],
      ['prod', 'PROD'],
    ]) {
      const approval = pipelineActions(three.template).find((a) => a.stage === wave && a.name === 'Approve')!;
      expect(approval.action.Configuration.CustomData).toContain(`: #{${synthNamespace}.REVIEW_${stage}}. `);
      expect(flat(approval.action.Configuration.ExternalEntityLink)).toMatch(/\/review\.md$/);
    }
  });

  test('the prod approval names staging as where the assembly was validated', () => {
    const prodApproval = pipelineActions(three.template).find((a) => a.stage === 'prod' && a.name === 'Approve');
    expect(prodApproval?.action.Configuration.CustomData).toMatch(
      /^Promote commit #\{Source@[^}]+\.CommitId\} to prod \(account 333333333333; regions eu-west-1, eu-central-1, eu-north-1\): the same cloud assembly that was deployed to and validated in staging \(eu-west-1\)/,
    );
  });
});

describe('stage factory checks', () => {
  const plainApp = () => new App({ context: cdkJsonContext() });

  test('fails when the factory nests the stage in the pipeline stack', () => {
    const a = plainApp();
    expect(
      () =>
        new PipelineStack(a, 'Pipeline', {
          config,
          stageFactory: (_scope, stage, region) => new StubStage(a.node.findChild('Pipeline') as Stack, stage, region),
        }),
    ).toThrow(
      /Pipeline: stageFactory\(dev, eu-west-1\) returned Pipeline\/dev-eu-west-1, which is inside the pipeline stack/,
    );
  });

  test("fails when the stage's env does not match the config", () => {
    expect(
      () =>
        new PipelineStack(plainApp(), 'Pipeline', {
          config,
          stageFactory: (scope, stage, region) =>
            new StubStage(scope, stage, region, { account: '999999999999', region: region.region }),
        }),
    ).toThrow(
      /stageFactory\(dev, eu-west-1\) returned dev-eu-west-1 with env\.account '999999999999'; the config says '222222222222'/,
    );
  });
});
