/**
 * The README's config recipes as CI applies them to the deploy config (tools/adoption/recipes.ts):
 * all at once, or one at a time with --only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { applyRecipes, RECIPES } from '../adoption/recipes';

// The app's fixture config (the shipped example's shape), not the deploy config: CI applies the recipes
// to the deploy config and then runs this test too.
const SHIPPED = fs.readFileSync(path.join(__dirname, '..', '..', 'apps/platform/test/fixtures/platform.yaml'), 'utf-8');

interface Stage {
  readonly name: string;
  readonly regions: Array<{ readonly region: string }>;
  readonly alarms?: { readonly cpuUtilizationPercent?: number };
}
const stagesOf = (text: string) => (parse(text) as { stages: Stage[] }).stages;

test('all recipes: a region added to dev, a staging stage before prod, a prod threshold changed; comments kept', () => {
  const edited = applyRecipes(SHIPPED);
  const stages = stagesOf(edited);
  expect(stages.map((s) => s.name)).toEqual(['dev', 'staging', 'prod']);
  expect(stages[0].regions.map((r) => r.region)).toContain('us-east-1');
  expect(stages[2].alarms?.cpuUtilizationPercent).toBe(70);
  const comments = (text: string) => text.split('\n').filter((l) => l.trim().startsWith('#'));
  expect(comments(edited)).toEqual(comments(SHIPPED));
});

test('--only n applies the n-th recipe alone', () => {
  const before = stagesOf(SHIPPED);
  const thresholdOnly = stagesOf(applyRecipes(SHIPPED, RECIPES.length));
  expect(thresholdOnly.map((s) => s.name)).toEqual(before.map((s) => s.name));
  expect(thresholdOnly[0].regions).toEqual(before[0].regions);
  expect(thresholdOnly.find((s) => s.name === 'prod')?.alarms?.cpuUtilizationPercent).toBe(70);

  const regionOnly = stagesOf(applyRecipes(SHIPPED, 1));
  expect(regionOnly.map((s) => s.name)).toEqual(before.map((s) => s.name));
  expect(regionOnly[0].regions).toHaveLength(before[0].regions.length + 1);
});

test.each([0, RECIPES.length + 1, 1.5, Number.NaN])(
  '--only %p names no recipe: refused, naming what is allowed',
  (n) => {
    expect(() => applyRecipes(SHIPPED, n)).toThrow(`--only ${n}: no such recipe; allowed: 1 to ${RECIPES.length}`);
  },
);
