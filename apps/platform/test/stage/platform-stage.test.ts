/**
 * The stage-regions of the default config, read from the one synthesis shared by the test run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { buildPlatformApp } from '../../src/app';
import { PlatformConfig } from '../../src/config';
import { missingContext } from '../../src/synth/synthesize';
import {
  allStageStacks,
  defaultAssembly,
  StackView,
  TIERS,
  withoutBuiltinValidation,
} from '../support/default-assembly';

const a = defaultAssembly();

describe('the default config synthesizes offline', () => {
  test('with no AWS_* variable set and no context lookup requested anywhere', () => {
    // GIVEN the global setup removed every AWS_* variable before synthesizing
    expect(Object.keys(process.env).filter((n) => n.startsWith('AWS_'))).toEqual([]);
    // THEN no assembly (root or stage) lists missing context: the CDK CLI would run the app once
    expect(missingContext(a.assembly)).toEqual([]);
  });

  test('into dev and prod, two regions each, four stacks per stage-region, in the stage account and region', () => {
    expect(a.stageRegions.map((sr) => sr.id)).toEqual([
      'dev-eu-west-1',
      'dev-eu-central-1',
      'prod-eu-west-1',
      'prod-eu-central-1',
    ]);
    for (const sr of a.stageRegions) {
      for (const tier of TIERS) {
        expect({
          stack: sr.stacks[tier].path,
          account: sr.stacks[tier].account,
          region: sr.stacks[tier].region,
        }).toEqual({
          stack: sr.stacks[tier].path,
          account: sr.stage.account,
          region: sr.region.region,
        });
      }
    }
  });
});

describe('stack dependencies of every stage-region', () => {
  test.each(a.stageRegions.map((sr) => [sr.id, sr] as const))(
    '%s: Security → Network → Data → Observability',
    (id, sr) => {
      // THEN each stack depends on exactly the earlier stacks it references, within its own stage-region
      const deps = (s: StackView) => [...s.dependsOn].sort();
      expect(deps(sr.stacks.security)).toEqual([]);
      expect(deps(sr.stacks.network)).toEqual([`${id}/Security`]);
      expect(deps(sr.stacks.data)).toEqual([`${id}/Network`, `${id}/Security`]);
      expect(deps(sr.stacks.observability)).toEqual([`${id}/Data`, `${id}/Network`, `${id}/Security`]);
    },
  );

  test('the references are CloudFormation exports of the producer, imported by the consumer (strong references)', () => {
    // GIVEN the Data stack of the first stage-region
    const sr = a.stageRegions[0];
    const imports = JSON.stringify(sr.stacks.data.template).match(/"Fn::ImportValue":"([^"]+)"/g) ?? [];
    // THEN it imports values exported by Security and Network
    const exported = (s: StackView) =>
      Object.values(s.template.Outputs ?? {}).map((o) => JSON.stringify(o.Export?.Name));
    expect(imports.length).toBeGreaterThan(0);
    expect(exported(sr.stacks.security).length + exported(sr.stacks.network).length).toBeGreaterThan(0);
    expect(JSON.stringify(sr.stacks.data.template)).not.toContain('Fn::GetStackOutput');
  });
});

describe('names', () => {
  test('stack names are <project>-<stage>-<tier>, the same in every region of a stage', () => {
    for (const sr of a.stageRegions) {
      expect(TIERS.map((t) => sr.stacks[t].stackName)).toEqual(TIERS.map((t) => `baseline-${sr.stage.name}-${t}`));
    }
    expect(a.pipeline.stackName).toBe('baseline-pipeline');
  });

  test('a config that differs only in the order of its regions produces the same templates', () => {
    // GIVEN the default config with every stage's regions reversed
    const reversed: PlatformConfig = {
      ...a.config,
      stages: a.config.stages.map((s) => ({ ...s, regions: [...s.regions].reverse() })),
    };
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-reversed-'));
    // WHEN synthesized (the built-in CloudFormation validation is not what this test is about)
    withoutBuiltinValidation(() => buildPlatformApp({ config: reversed, outdir }).app.synth());
    const other = new cxapi.CloudAssembly(outdir);
    // THEN every stack of every stage-region is identical, logical ids included
    for (const s of allStageStacks(a)) {
      const nested = other.getNestedAssembly(`assembly-${s.path.split('/')[0]}`);
      const twin = nested.stacks.find((x) => x.hierarchicalId === s.path);
      expect({ path: s.path, template: twin?.template }).toEqual({ path: s.path, template: s.template });
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  });
});

describe('tags', () => {
  const TAGGED_TYPES = [
    'AWS::KMS::Key',
    'AWS::EC2::VPC',
    'AWS::EC2::Subnet',
    'AWS::EC2::SecurityGroup',
    'AWS::EC2::NatGateway',
    'AWS::S3::Bucket',
    'AWS::RDS::DBInstance',
    'AWS::SNS::Topic',
    'AWS::Logs::LogGroup',
    'AWS::IAM::Role',
    'AWS::CloudWatch::Alarm',
  ];

  test('every resource of a taggable type carries the six platform tags with its stage and region', () => {
    let checked = 0;
    for (const sr of a.stageRegions) {
      const expected = {
        Project: 'baseline',
        Stage: sr.stage.name,
        Region: sr.region.region,
        Owner: a.config.project.owner,
        CostCentre: a.config.project.costCentre,
        ManagedBy: 'aws-cdk',
        ...a.config.project.tags,
      };
      for (const tier of TIERS) {
        for (const [logicalId, r] of Object.entries(sr.stacks[tier].template.Resources)) {
          if (!TAGGED_TYPES.includes(r.Type)) {
            continue;
          }
          const tags = Object.fromEntries(
            ((r.Properties?.Tags ?? []) as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]),
          );
          expect({ resource: `${sr.id}/${tier}/${logicalId}`, tags }).toEqual({
            resource: `${sr.id}/${tier}/${logicalId}`,
            tags: expect.objectContaining(expected),
          });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
