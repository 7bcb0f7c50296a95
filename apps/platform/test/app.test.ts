import { defaultAssembly, TIERS } from './support/default-assembly';

describe('the default config', () => {
  test('synthesizes with zero unacknowledged findings from any plugin', () => {
    const unacknowledged = defaultAssembly().findings.filter((f) => !f.acknowledgement);
    expect(unacknowledged.map((f) => `${f.rule} (${f.plugin}) at ${f.constructPath}`)).toEqual([]);
  });
});

describe('the pipeline of the default config', () => {
  const pipelineResource = () => {
    const resources = Object.values(defaultAssembly().pipeline.template.Resources);
    return resources.find((r) => r.Type === 'AWS::CodePipeline::Pipeline')!.Properties as {
      Stages: Array<{ Name: string; Actions: Array<{ Name: string; RunOrder: number; RoleArn?: unknown }> }>;
    };
  };

  test('runs Source, Build, UpdatePipeline, then dev and prod (no Assets stage: the stacks have no file assets)', () => {
    expect(pipelineResource().Stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'dev', 'prod']);
  });

  test('deploys every stack of every stage-region, prod only after the approval', () => {
    const stages = pipelineResource().Stages;
    const a = defaultAssembly();
    for (const sr of a.stageRegions) {
      const wave = stages.find((s) => s.Name === sr.stage.name)!;
      const approval = wave.Actions.find((x) => x.Name === 'Approve');
      expect(approval !== undefined).toBe(sr.stage.requiresApproval);
      for (const tier of TIERS) {
        const deploy = wave.Actions.find((x) => x.Name === `${sr.id}.${sr.stacks[tier].stackName}.Deploy`);
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
