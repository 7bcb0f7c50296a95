import { allStageStacks, defaultAssembly, TIERS } from './support/default-assembly';

describe('the default config', () => {
  test('synthesizes with zero unacknowledged findings from any plugin', () => {
    const unacknowledged = defaultAssembly().findings.filter((f) => !f.acknowledgement);
    expect(unacknowledged.map((f) => `${f.rule} (${f.plugin}) at ${f.constructPath}`)).toEqual([]);
  });

  test('has four stacks per stage-region', () => {
    const a = defaultAssembly();
    expect(a.stageRegions.map((sr) => sr.id)).toEqual([
      'dev-eu-west-1',
      'dev-eu-central-1',
      'prod-eu-west-1',
      'prod-eu-central-1',
    ]);
    expect(allStageStacks(a)).toHaveLength(16);
    expect(TIERS).toHaveLength(4);
  });
});
