/**
 * The change review on two real cloud assemblies: one stage-region of the fixture config synthesized
 * as it is (the base) and again with one change (the head), compared with the CDK CLI's diff library.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_rds as rds, aws_s3 as s3 } from 'aws-cdk-lib';
import { cdkJsonContext } from '../../src/app-files';
import { loadConfig, PlatformConfig } from '../../src/config';
import {
  Allowance,
  AssemblyStack,
  readAssemblyStacks,
  renderEnv,
  renderMarkdown,
  review,
  Review,
  ReviewSource,
} from '../../src/review';
import { PlatformStage } from '../../src/stage';
import { withoutBuiltinValidation } from '../support/assembly';
import { FIXTURE_CONFIG } from '../support/configs';

const FIXTURE = loadConfig(FIXTURE_CONFIG);
const STAGE = 'prod';
const stageConfig = (config: PlatformConfig) => config.stages.find((s) => s.name === STAGE)!;
const REGION = stageConfig(FIXTURE).regions[0];
const STAGE_REGION = `${STAGE}-${REGION.region}`;
const BASE_COMMIT = '3f2c1a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39';
/** What the reports say they compare: the base commit and the working tree of the fixture config. */
const SOURCE: ReviewSource = {
  baseCommit: BASE_COMMIT,
  baseRef: 'main',
  head: 'working tree',
  config: 'test/fixtures/platform.yaml',
};

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** The prod stage in its first region, synthesized from `config` with `extend` applied to it. */
function synthesize(
  edit: (config: PlatformConfig) => void = () => {},
  extend: (stage: PlatformStage) => void = () => {},
): Map<string, AssemblyStack> {
  const config = structuredClone(FIXTURE);
  edit(config);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-test-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: cdkJsonContext() });
  const stage = stageConfig(config);
  extend(new PlatformStage(app, { config, stage, region: stage.regions.find((r) => r.region === REGION.region)! }));
  // The review compares templates: the CDK's built-in CloudFormation validation is not what is tested.
  withoutBuiltinValidation(() => app.synth());
  return readAssemblyStacks(outdir);
}

let base: Map<string, AssemblyStack>;
beforeAll(() => {
  base = synthesize();
});

const dataKey = (stage: PlatformStage) => stage.security.dataKey.node.defaultChild as kms.CfnKey;
const dataBucket = (stage: PlatformStage) =>
  stage.data.bucket.node
    .findAll()
    .find((c): c is s3.CfnBucket => c instanceof s3.CfnBucket && c.node.path.endsWith('/Bucket/Resource/Resource'))!;
const database = (stage: PlatformStage) =>
  stage.data.database.node.findAll().find((c): c is rds.CfnDBInstance => c instanceof rds.CfnDBInstance)!;
const logicalIdIn = (stacks: Map<string, AssemblyStack>, stackPath: string, constructPath: string) => {
  const stack = [...stacks.values()].find((s) => s.path === stackPath)!;
  const found = Object.entries(stack.constructPaths).find(([, p]) => p === constructPath);
  if (!found) {
    throw new Error(`no resource at ${constructPath} in ${stackPath}`);
  }
  return found[0];
};

/** Every tag property of a resource (`Tags`, and the `BackupVaultTags` kind of some types). */
function tagsOf(resource: { Properties?: Record<string, unknown> } | undefined): unknown[] {
  return Object.entries(resource?.Properties ?? {})
    .filter(([key]) => key.endsWith('Tags'))
    .map(([, value]) => value);
}

function problemsText(r: Review): string {
  return r.problems
    .map((p) => `[${p.guard}] ${p.stageRegion} ${p.stack} ${p.logicalId} ${p.type}: ${p.detail}`)
    .join('\n');
}

describe('the data-loss guard', () => {
  test('a changed VPC CIDR replaces the VPC under the running database: refused, naming the VPC and its importer', () => {
    // CloudFormation refuses to replace an exported VPC that the Data stack (the database's subnet
    // group and security group) still imports: the deploy would stop before the database is touched.
    const head = synthesize((c) => {
      stageConfig(c).regions[0].vpcCidr = '10.99.0.0/16';
    });
    const r = review(base, head);
    const vpcId = logicalIdIn(head, `${STAGE_REGION}/Network`, `${STAGE_REGION}/Network/Vpc/Resource/Resource`);
    const vpc = r.stacks
      .find((s) => s.path === `${STAGE_REGION}/Network`)!
      .resources.find((x) => x.logicalId === vpcId);
    expect(vpc).toMatchObject({ kind: 'replaced', type: 'AWS::EC2::VPC' });
    expect(vpc?.causes).toEqual(['CidrBlock requires replacement: "10.20.0.0/16" -> "10.99.0.0/16"']);
    expect(r.problems.map((p) => `${p.guard} ${p.stack} ${p.logicalId}`)).toContain(
      `export in use ${STAGE_REGION}/Network ExportsOutputRef${vpcId}${r.problems[0]?.logicalId.slice(-8) ?? ''}`,
    );
    const vpcExport = r.problems.find((p) => p.logicalId.startsWith(`ExportsOutputRef${vpcId}`));
    expect(vpcExport?.detail).toContain(
      `${vpcId} (AWS::EC2::VPC ${STAGE_REGION}/Network/Vpc/Resource/Resource), which it names, is replaced`,
    );
    expect(vpcExport?.detail).toContain(`still imports it: CloudFormation refuses the update`);
  });

  test('a changed DB instance identifier replaces the database: refused with the property, and its export too', () => {
    const head = synthesize(undefined, (stage) => {
      database(stage).dbInstanceIdentifier = 'baseline-prod-mysql-2';
    });
    const r = review(base, head);
    const id = logicalIdIn(head, `${STAGE_REGION}/Data`, `${STAGE_REGION}/Data/Database/Resource/Resource`);
    expect(r.problems.filter((p) => p.guard === 'data loss')).toEqual([
      expect.objectContaining({
        stageRegion: STAGE_REGION,
        stack: `${STAGE_REGION}/Data`,
        logicalId: id,
        type: 'AWS::RDS::DBInstance',
        detail: expect.stringContaining(
          'DBInstanceIdentifier requires replacement: "baseline-prod-mysql" -> "baseline-prod-mysql-2"',
        ),
      }),
    ]);
    // The alarms of the Observability stack import the instance's identifier: a new instance is a new value.
    expect(r.problems.filter((p) => p.guard === 'export in use').map((p) => p.detail)).toEqual([
      expect.stringMatching(
        new RegExp(
          `changes: ${id} \\(AWS::RDS::DBInstance [^)]+\\), which it names, is replaced or removed, but ${STAGE_REGION}/Observability still imports it`,
        ),
      ),
    ]);
  });

  test('a changed key spec: CloudFormation refuses the update, so the key counts as replaced and is refused', () => {
    const head = synthesize(undefined, (stage) => {
      dataKey(stage).keySpec = 'HMAC_256';
      dataKey(stage).keyUsage = 'GENERATE_VERIFY_MAC';
    });
    const r = review(base, head);
    const key = r.problems.find((p) => p.type === 'AWS::KMS::Key');
    expect(key).toMatchObject({ guard: 'data loss', stack: `${STAGE_REGION}/Security` });
    expect(key?.detail).toContain('KeySpec cannot change in place (CloudFormation refuses the update)');
    expect(key?.detail).toContain(`${STAGE_REGION}/Security/DataKey/Resource`);
  });

  test('a tag change passes; every re-tagged resource counts as changed, nothing else', () => {
    const head = synthesize((c) => {
      c.project.tags = { ...c.project.tags, DataClassification: 'confidential' };
    });
    const r = review(base, head);
    expect(problemsText(r)).toBe('');
    for (const stack of r.stacks) {
      const before = base.get(stack.key)!.template.Resources ?? {};
      const after = head.get(stack.key)!.template.Resources ?? {};
      const retagged = Object.keys(after).filter(
        (id) => JSON.stringify(tagsOf(before[id])) !== JSON.stringify(tagsOf(after[id])),
      );
      expect({ stack: stack.path, counts: stack.counts }).toEqual({
        stack: stack.path,
        counts: { added: 0, changed: retagged.length, replaced: 0, removed: 0 },
      });
    }
    expect(r.stacks.reduce((n, s) => n + s.counts.changed, 0)).toBeGreaterThan(10);
  });

  test('an alarm threshold change passes: the alarm and the dashboard (its annotation) change, nothing else', () => {
    const head = synthesize((c) => {
      stageConfig(c).alarms.cpuUtilizationPercent = 55;
    });
    const r = review(base, head);
    expect(problemsText(r)).toBe('');
    expect(Object.fromEntries(r.stacks.map((s) => [s.path, s.counts]))).toEqual({
      [`${STAGE_REGION}/Security`]: { added: 0, changed: 0, replaced: 0, removed: 0 },
      [`${STAGE_REGION}/Network`]: { added: 0, changed: 0, replaced: 0, removed: 0 },
      [`${STAGE_REGION}/Data`]: { added: 0, changed: 0, replaced: 0, removed: 0 },
      [`${STAGE_REGION}/Observability`]: { added: 0, changed: 2, replaced: 0, removed: 0 },
      [`${STAGE_REGION}/Recovery`]: { added: 0, changed: 0, replaced: 0, removed: 0 },
    });
    expect(
      r.stacks.find((s) => s.path.endsWith('/Observability'))!.resources.map((x) => [x.constructPath, x.kind]),
    ).toEqual([
      [`${STAGE_REGION}/Observability/DatabaseAlarms/CpuUtilization/Resource`, 'changed'],
      [`${STAGE_REGION}/Observability/Dashboard/Resource/Resource`, 'changed'],
    ]);
    expect(renderEnv(r)).toBe(`REVIEW_PROD='0 added, 2 changed, 0 replaced, 0 removed in 1 of 5 stacks'\n`);
  });
});

describe('the security table', () => {
  test('a new IAM permission passes the guards and shows where an approver looks: the table, the Markdown, the counts', () => {
    // GIVEN the application role allowed to send to a queue
    const head = synthesize(undefined, (stage) => {
      stage.data.applicationRole.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['sqs:SendMessage'],
          resources: ['arn:aws:sqs:eu-west-1:333333333333:orders'],
        }),
      );
    });
    // WHEN reviewed
    const r = review(base, head);
    // THEN nothing is refused, and the change is in the Data stack's security table (the CDK CLI's)
    expect(problemsText(r)).toBe('');
    expect(r.stacks.filter((s) => s.securityChanges.trim() !== '').map((s) => s.path)).toEqual([
      `${STAGE_REGION}/Data`,
    ]);
    const table = r.stacks.find((s) => s.path === `${STAGE_REGION}/Data`)!.securityChanges;
    expect(table).toMatch(/IAM Statement Changes/);
    // the table wraps long cells: the added row holds the queue's ARN, Allow and the action
    expect(table).toMatch(
      /│ \+ │ arn:aws:sqs:eu-west-1:333333333333 +│ Allow +│ sqs:SendMessage +│ AWS:\$\{Data\/ApplicationRole/,
    );
    expect(renderEnv(r)).toContain('; IAM or security-group changes in 1');
    const md = renderMarkdown(r, SOURCE);
    expect(md).toContain('IAM and security-group changes:');
    expect(md).toContain('sqs:SendMessage');
  });
});

describe('allowances', () => {
  let head: Map<string, AssemblyStack>;
  let bucketId: string;
  beforeAll(() => {
    let bucketPath = '';
    head = synthesize(undefined, (stage) => {
      dataBucket(stage).bucketName = 'baseline-prod-data-renamed';
      dataKey(stage).keySpec = 'HMAC_256';
      bucketPath = dataBucket(stage).node.path;
    });
    bucketId = logicalIdIn(head, `${STAGE_REGION}/Data`, bucketPath);
  });
  const allowance = (over: Partial<Allowance> = {}): Allowance => ({
    stageRegion: STAGE_REGION,
    logicalId: bucketId,
    baseCommit: BASE_COMMIT.slice(0, 7),
    reason: 'Renaming the data bucket; objects copied with S3 Batch Replication first (ticket OPS-1234)',
    ...over,
  });

  test('an entry lets exactly its one replacement through; the other stays refused', () => {
    const r = review(base, head, { allowances: [allowance()], baseCommit: BASE_COMMIT });
    expect(r.allowed.map((a) => [a.problem.logicalId, a.allowance.reason])).toEqual([[bucketId, allowance().reason]]);
    expect(r.problems.map((p) => p.type)).toEqual(['AWS::KMS::Key']);
    expect(r.unusedAllowances).toEqual([]);
  });

  test('an entry for another base commit, stage-region or resource allows nothing and is reported unused', () => {
    for (const wrong of [
      { baseCommit: '0000000' },
      { stageRegion: `dev-${REGION.region}` },
      { logicalId: 'SomethingElse1234' },
    ]) {
      const r = review(base, head, { allowances: [allowance(wrong)], baseCommit: BASE_COMMIT });
      expect(r.allowed).toEqual([]);
      expect(r.problems.map((p) => p.type).sort()).toEqual(['AWS::KMS::Key', 'AWS::S3::Bucket']);
      expect(r.unusedAllowances).toEqual([allowance(wrong)]);
    }
  });
});

describe('the export guard', () => {
  test('an export another stack imports that would change: refused with the two-step fix', () => {
    // A subnet moved to another zone is replaced: its id, which the Network stack exports to the Data
    // stack (the database's subnet group), changes while the Data stack still imports it.
    const head = synthesize(undefined, (stage) => {
      const subnet = stage.network.isolatedSubnets[0].node.defaultChild as ec2.CfnSubnet;
      subnet.availabilityZone = REGION.availabilityZones[REGION.availabilityZones.length - 1] + 'x';
    });
    const r = review(base, head);
    const exports = r.problems.filter((p) => p.guard === 'export in use');
    expect(exports.length).toBeGreaterThan(0);
    for (const p of exports) {
      expect(p).toMatchObject({ stageRegion: STAGE_REGION, stack: `${STAGE_REGION}/Network` });
      expect(p.detail).toMatch(
        new RegExp(`Cannot update export \\S+ as it is in use by ${STAGE_REGION}/Data.*Two steps: first deploy`),
      );
    }
    expect(r.problems.filter((p) => p.guard === 'data loss')).toEqual([]);
  });

  test('nothing deployed yet (no base): everything is new and nothing is refused', () => {
    const r = review(undefined, base);
    expect(r.problems).toEqual([]);
    expect(r.stacks.map((s) => s.status)).toEqual([...base.keys()].map(() => 'new stack'));
    expect(r.stacks.length).toBe(5);
    expect(r.stacks.reduce((n, s) => n + s.counts.added, 0)).toBe(
      [...base.values()].reduce(
        (n, s) => n + Object.values(s.template.Resources ?? {}).filter((r) => r.Type !== 'AWS::CDK::Metadata').length,
        0,
      ),
    );
  });
});

test('the Markdown report names the verdict, the counts per stage and every refused change', () => {
  const head = synthesize(undefined, (stage) => {
    dataBucket(stage).bucketName = 'baseline-prod-data-renamed';
  });
  const md = renderMarkdown(review(base, head), SOURCE);
  expect(md).toContain('**REFUSED: 1 change (data loss: 1)**');
  expect(md).toContain('| prod | 1 of 5 | 0 | 0 | 2 | 0 | 0 stack(s) | 1 |');
  expect(md).toMatch(
    /- \*\*REFUSED\*\* \(data loss\) `prod-[a-z0-9-]+` `prod-[a-z0-9-]+\/Data` `\w+` \(AWS::S3::Bucket\)/,
  );
});
