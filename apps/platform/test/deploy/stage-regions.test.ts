/**
 * Every stage-region of the deploy config: synthesized offline, in its stage's account and region,
 * four stacks linked Security → Network → Data → Observability, every taggable resource tagged.
 * Expectations come from the config (test/deploy/global-setup.ts synthesizes it once).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- templates are untyped JSON */
import { missingContext } from '../../src/synth/synthesize';
import { templateSizeProblems, templateSizes } from '../../src/synth/template-size';
import { deployAssembly, stacksOfStageRegion, StackView, TIERS } from '../support/assembly';

const a = deployAssembly();

describe('the deploy config synthesizes offline', () => {
  test('with no AWS_* variable set and no context lookup requested anywhere', () => {
    // GIVEN the global setup removed every AWS_* variable before synthesizing
    expect(Object.keys(process.env).filter((n) => n.startsWith('AWS_'))).toEqual([]);
    // THEN no assembly (root or stage) lists missing context: the CDK CLI would run the app once
    expect(missingContext(a.assembly)).toEqual([]);
  });

  test('into every region of every stage, four stacks each, in the stage account and region', () => {
    expect(a.stageRegions.map((sr) => sr.id)).toEqual(
      a.config.stages.flatMap((s) => s.regions.map((r) => `${s.name}-${r.region}`)),
    );
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

describe('template sizes', () => {
  test("every template of the deploy config, the pipeline's included, is within the synth gate's share of the deploy action's limit", () => {
    // The gate is part of every `npm run synth`; checked here too, so that a config that grows a
    // template past it (more regions, more alarms) fails the deploy-config checks that CI runs for it.
    const sizes = templateSizes(a.outdir);
    expect(sizes.map((t) => t.stack)).toEqual(
      expect.arrayContaining([
        'Pipeline',
        ...a.stageRegions.flatMap((sr) => stacksOfStageRegion(sr).map((s) => s.path)),
      ]),
    );
    expect(templateSizeProblems(sizes)).toEqual([]);
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
      // (and on its Recovery stack, whose ARNs it reads, so that the copies' home exists first)
      expect(deps(sr.stacks.data)).toEqual(
        [`${id}/Network`, ...(sr.recovery ? [`${id}/Recovery`] : []), `${id}/Security`].sort(),
      );
      if (sr.recovery) {
        expect(deps(sr.recovery)).toEqual([]);
      }
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
  });
});

describe('references across regions', () => {
  const stacks = a.stageRegions.flatMap(stacksOfStageRegion);
  const crossRegion = a.stageRegions.filter((sr) => sr.recovery);

  test('no stack holds a strong reference to another region: every import is of its own account and region, no SSM export writers', () => {
    const problems: string[] = [];
    for (const stack of [...stacks, a.pipeline]) {
      for (const name of JSON.stringify(stack.template).match(/"Fn::ImportValue":"[^"]+"/g) ?? []) {
        const exportName = JSON.parse(`{${name}}`)['Fn::ImportValue'] as string;
        // Export names are per account and region: the producer must be in the importer's.
        const exports = (s: StackView) =>
          Object.values(s.template.Outputs ?? {}).some((o) => o.Export?.Name === exportName);
        const local = stacks.find((s) => s.account === stack.account && s.region === stack.region && exports(s));
        if (!local) {
          const elsewhere = stacks.find(exports);
          problems.push(
            `${stack.path} (${stack.region}) imports ${exportName}, exported only by ${elsewhere?.path} (${elsewhere?.region})`,
          );
        }
      }
      for (const [id, r] of Object.entries(stack.template.Resources)) {
        if (/CrossRegion|ExportsWriter|ExportsReader/.test(`${r.Type} ${id}`)) {
          problems.push(`${stack.path} has ${id} (${r.Type}), an SSM-based cross-region reference`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test.each(crossRegion.map((sr) => [sr.id, sr] as const))(
    "%s: the Data stack reads its Recovery stack's ARNs with Fn::GetStackOutput (weak), from the recovery region",
    (_id, sr) => {
      const recovery = sr.recovery!;
      expect(recovery.region).toBe(sr.region.recoveryRegion);
      expect(recovery.account).toBe(sr.stage.account);
      const reads = [...JSON.stringify(sr.stacks.data.template).matchAll(/\{"Fn::GetStackOutput":(\{[^}]+\})\}/g)].map(
        (m) => JSON.parse(m[1]) as { StackName: string; OutputName: string; Region: string },
      );
      expect(reads.length).toBeGreaterThanOrEqual(3);
      for (const read of reads) {
        expect(read).toEqual({
          StackName: recovery.stackName,
          Region: recovery.region,
          OutputName: expect.any(String),
        });
        expect(Object.keys(recovery.template.Outputs ?? {})).toContain(read.OutputName);
      }
      // No stack but a Data stack with a recovery region reads another stack's outputs.
      const readers = new Set(crossRegion.map((x) => x.stacks.data));
      for (const other of stacks.filter((s) => !readers.has(s))) {
        expect({ stack: other.path, weak: JSON.stringify(other.template).includes('Fn::GetStackOutput') }).toEqual({
          stack: other.path,
          weak: false,
        });
      }
    },
  );
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
        Project: a.config.project.name,
        Stage: sr.stage.name,
        Region: sr.region.region,
        Owner: a.config.project.owner,
        CostCentre: a.config.project.costCentre,
        ManagedBy: 'aws-cdk',
        ...a.config.project.tags,
      };
      for (const stack of stacksOfStageRegion(sr)) {
        for (const [logicalId, r] of Object.entries(stack.template.Resources)) {
          if (!TAGGED_TYPES.includes(r.Type)) {
            continue;
          }
          const tags = Object.fromEntries(
            ((r.Properties?.Tags ?? []) as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]),
          );
          expect({ resource: `${stack.path}/${logicalId}`, tags }).toEqual({
            resource: `${stack.path}/${logicalId}`,
            tags: expect.objectContaining(expected),
          });
          checked++;
        }
      }
    }
    // every stage-region has its VPC, subnets, keys, bucket, database, topic, alarms: more than a few per region
    expect(checked).toBeGreaterThan(20 * a.stageRegions.length);
  });

  test("the pipeline stack and CDK Pipelines' cross-region support stacks carry the project tags, Stage 'tooling'", () => {
    const expected = {
      Project: a.config.project.name,
      Stage: 'tooling',
      Owner: a.config.project.owner,
      CostCentre: a.config.project.costCentre,
      ManagedBy: 'aws-cdk',
      ...a.config.project.tags,
    };
    const tooling = a.assembly.stacks;
    expect(tooling.map((s) => s.hierarchicalId)).toEqual(expect.arrayContaining(['Pipeline']));
    let checked = 0;
    for (const stack of tooling) {
      for (const [logicalId, r] of Object.entries((stack.template as { Resources: Record<string, any> }).Resources)) {
        if (!TAGGED_TYPES.includes(r.Type)) {
          continue;
        }
        const tags = Object.fromEntries(
          ((r.Properties?.Tags ?? []) as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]),
        );
        expect({ resource: `${stack.hierarchicalId}/${logicalId}`, tags }).toEqual({
          resource: `${stack.hierarchicalId}/${logicalId}`,
          tags: expect.objectContaining(expected),
        });
        checked++;
      }
    }
    // the support stacks' key and bucket too, when the config deploys to another region than the pipeline's
    const otherRegions = a.config.stages.some((s) => s.regions.some((r) => r.region !== a.config.pipeline.region));
    expect(tooling.length > 1).toBe(otherRegions);
    expect(checked).toBeGreaterThan(tooling.length);
  });
});
