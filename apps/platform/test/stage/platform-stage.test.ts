/**
 * PlatformStage and its stacks, as the fixture config synthesizes them (test/global-setup.ts, once).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { buildPlatformApp } from '../../src/app';
import { PlatformConfig } from '../../src/config';
import { allStageStacks, fixtureAssembly, TIERS, withoutBuiltinValidation } from '../support/assembly';

const a = fixtureAssembly();

describe('the fixture config', () => {
  test('synthesizes into dev and prod, two regions each, four stacks per stage-region', () => {
    expect(a.stageRegions.map((sr) => sr.id)).toEqual([
      'dev-eu-west-1',
      'dev-eu-central-1',
      'prod-eu-west-1',
      'prod-eu-central-1',
    ]);
    expect(a.stageRegions.map((sr) => TIERS.map((t) => sr.stacks[t].path))).toEqual(
      a.stageRegions.map((sr) => TIERS.map((t) => `${sr.id}/${t[0].toUpperCase()}${t.slice(1)}`)),
    );
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
    // GIVEN the fixture config with every stage's regions reversed
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
