/**
 * The pipeline of the deploy config, as synthesized (test/deploy/global-setup.ts): one wave per
 * stage of the config, in order, every stack of every stage-region deployed, approvals before the
 * stages that require them.
 */
import { pipelineStageNameOf } from '../../src/pipeline';
import { deployAssembly, TIERS } from '../support/assembly';

describe('the deploy config', () => {
  test('synthesizes with zero unacknowledged findings from any plugin', () => {
    const unacknowledged = deployAssembly().findings.filter((f) => !f.acknowledgement);
    expect(unacknowledged.map((f) => `${f.rule} (${f.plugin}) at ${f.constructPath}`)).toEqual([]);
  });
});

describe('the pipeline of the deploy config', () => {
  const pipelineResource = () => {
    const resources = Object.values(deployAssembly().pipeline.template.Resources);
    return resources.find((r) => r.Type === 'AWS::CodePipeline::Pipeline')!.Properties as {
      Stages: Array<{ Name: string; Actions: Array<{ Name: string; RunOrder: number; RoleArn?: unknown }> }>;
    };
  };

  test('runs Source, Build, UpdatePipeline, then one wave per stage in config order (no Assets stage: no file assets)', () => {
    const stages = deployAssembly().config.stages.map(pipelineStageNameOf);
    expect(pipelineResource().Stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', ...stages]);
  });

  test('deploys every stack of every stage-region, a stage that requires approval only after it', () => {
    const stages = pipelineResource().Stages;
    const a = deployAssembly();
    for (const sr of a.stageRegions) {
      const wave = stages.find((s) => s.Name === pipelineStageNameOf(sr.stage))!;
      const approval = wave.Actions.find((x) => x.Name === 'Approve');
      expect(approval !== undefined).toBe(sr.stage.requiresApproval);
      for (const tier of TIERS) {
        // In a pipeline stage of one Stage, CDK Pipelines does not prefix action names with the Stage id.
        const prefix = sr.stage.regions.length === 1 ? '' : `${sr.id}.`;
        const deploy = wave.Actions.find((x) => x.Name === `${prefix}${sr.stacks[tier].stackName}.Deploy`);
        expect({ stack: `${sr.id}/${tier}`, deployed: deploy !== undefined }).toEqual({
          stack: `${sr.id}/${tier}`,
          deployed: true,
        });
        if (approval) {
          expect(deploy!.RunOrder).toBeGreaterThan(approval.RunOrder);
        }
      }
    }
  });
});
