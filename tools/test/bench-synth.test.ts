/**
 * tools/bench/synth.ts and scale.ts: the template comparison that keeps the synth comparison
 * honest, and the configs the scale test generates.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../apps/platform/src/config';
import { REGION_COUNTS, scaledConfig, scaleResult, type ScaleRow } from '../bench/scale';
import { compareTemplates, synthVariants, templatesOf } from '../bench/synth';

const ROOT = path.resolve(__dirname, '..', '..');

test('templatesOf hashes every template of a nested cloud assembly', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-test-'));
  try {
    fs.mkdirSync(path.join(dir, 'assembly-dev'));
    fs.writeFileSync(path.join(dir, 'Pipeline.template.json'), '{}');
    fs.writeFileSync(path.join(dir, 'assembly-dev', 'dev-Network.template.json'), '{"a":1}');
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{}');
    const t = templatesOf(dir);
    expect([...t.keys()].sort()).toEqual([
      'Pipeline.template.json',
      path.join('assembly-dev', 'dev-Network.template.json'),
    ]);
    expect(t.get('Pipeline.template.json')).toMatch(/^[0-9a-f]{64}$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('compareTemplates lists missing, extra and different templates', () => {
  const a = new Map([
    ['A.template.json', '1'],
    ['B.template.json', '2'],
    ['C.template.json', '3'],
  ]);
  const b = new Map([
    ['A.template.json', '1'],
    ['B.template.json', 'x'],
    ['D.template.json', '4'],
  ]);
  expect(compareTemplates(a, b)).toEqual([
    'content differs: B.template.json',
    'only in the first: C.template.json',
    'only in the second: D.template.json',
  ]);
  expect(compareTemplates(a, new Map(a))).toEqual([]);
});

test('the variants: ours from the synth target, stock ts-node in the app, ours without validation', () => {
  const v = synthVariants(
    { command: 'node lib/main.js', cwd: '/ws/apps/platform', dependsOn: ['build'] },
    '/ws/apps/platform',
    1,
  );
  expect(v.ours.command.text).toBe('node lib/main.js');
  expect(v.stock.command).toMatchObject({ file: 'npx', args: ['ts-node', '--prefer-ts-exts', 'src/main.ts'] });
  expect(v.noValidation.env).toEqual({ CDK_VALIDATION: 'false' });
});

describe('scaledConfig', () => {
  const base = {
    $schema: './config.schema.json',
    project: { name: 'baseline' },
    stages: [
      {
        name: 'dev',
        protected: false,
        regions: [{ region: 'eu-west-1', vpcCidr: '10.10.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] }],
      },
      {
        name: 'prod',
        protected: true,
        regions: [
          {
            region: 'eu-west-1',
            vpcCidr: '10.20.0.0/16',
            availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
          },
        ],
      },
    ],
  };

  test('n regions per stage, disjoint ranges, zones as the stage needs, rest kept, input untouched', () => {
    const c = scaledConfig(base, 2);
    expect(c).not.toHaveProperty('$schema');
    expect((c as unknown as { project: unknown }).project).toEqual({ name: 'baseline' });
    expect(c.stages.map((s) => s.regions)).toEqual([
      [
        { region: 'eu-west-1', vpcCidr: '10.64.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
        { region: 'eu-central-1', vpcCidr: '10.65.0.0/16', availabilityZones: ['eu-central-1a', 'eu-central-1b'] },
      ],
      [
        {
          region: 'eu-west-1',
          vpcCidr: '10.66.0.0/16',
          availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
          recoveryRegion: 'eu-central-1',
        },
        {
          region: 'eu-central-1',
          vpcCidr: '10.67.0.0/16',
          availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
          recoveryRegion: 'us-east-1',
        },
      ],
    ]);
    expect(base.stages[0].regions).toHaveLength(1);
    expect(base).toHaveProperty('$schema');
  });

  test('every generated config passes the config loader: recovery regions where the stage needs them', () => {
    const deploy = parseYaml(fs.readFileSync(path.join(ROOT, 'apps/platform/config/platform.yaml'), 'utf-8'));
    for (const n of REGION_COUNTS) {
      const c = scaledConfig(deploy, n);
      expect(() => parseConfig(c, `scaled to ${n}`)).not.toThrow();
      for (const region of c.stages.flatMap((s) => s.regions ?? [])) {
        expect(region.recoveryRegion).not.toBe(region.region);
      }
    }
    const prod = scaledConfig(base, 2).stages[1].regions!;
    expect(prod.map((r) => r.recoveryRegion)).toEqual(['eu-central-1', 'us-east-1']);
    expect(scaledConfig(base, 2).stages[0].regions!.map((r) => r.recoveryRegion)).toEqual([undefined, undefined]);
  });

  test('refuses what it cannot generate', () => {
    expect(() => scaledConfig(base, 9)).toThrow('regions per stage must be 1 to 8');
    expect(() => scaledConfig({ project: {} }, 1)).toThrow('the default config has no stages list');
  });
});

test('scaleResult: the time per stage-region, the fixed part and the ratio', () => {
  const row = (n: number, wall: number, peak: number): ScaleRow => ({
    n,
    stageRegions: 2 * n,
    templates: 9 * n,
    runs: 1,
    walls: [wall],
    wall,
    min: wall,
    max: wall,
    peak,
    maxPeak: peak,
  });
  const s = scaleResult([row(1, 4, 100), row(2, 4.5, 110), row(4, 5.5, 130), row(8, 7.5, 170)], 2, 'node lib/main.js');
  expect(s.time.slope).toBeCloseTo(0.25, 10);
  expect(s.time.intercept).toBeCloseTo(3.5, 10);
  expect(s.memory?.slope).toBeCloseTo(5, 10);
  expect(s.ratio).toBeCloseTo(7.5 / 4, 10);
  expect(s.first.n).toBe(1);
  expect(s.last.n).toBe(8);
});
