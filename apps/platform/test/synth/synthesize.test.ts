/**
 * The gate: what `npm run synth` runs (src/main.ts calls synthesizeApp) fails on a finding anywhere,
 * including inside a stage, and on a context lookup.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { aws_ec2 as ec2, aws_s3 as s3, CfnResource, Stack } from 'aws-cdk-lib';
import { ControlTowerValidatePlugin, VALIDATE_WORKER_ENV } from '@baseline/rules';
import type { CloudAssembly as CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildPlatformApp, soloValidationThreads } from '../../src/app';
import { PlatformConfig } from '../../src/config';
import { parseContextArgs } from '../../src/synth/args';
import { synthesizeApp, SynthResult } from '../../src/synth/synthesize';
import { ReportedFinding } from '../../src/synth/validation-report';
import {
  CODEPIPELINE_TEMPLATE_LIMIT_BYTES,
  TEMPLATE_SIZE_GATE_SHARE,
  templateSizeProblems,
} from '../../src/synth/template-size';
import { fixtureAssembly, withoutBuiltinValidation } from '../support/assembly';

const config = fixtureAssembly().config;

function tempOutdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'platform-gate-'));
}

describe('a finding planted inside a stage', () => {
  let result: SynthResult;
  let ahead: jest.SpyInstance;
  afterAll(() => ahead.mockRestore());
  beforeAll(() => {
    ahead = jest.spyOn(ControlTowerValidatePlugin.prototype, 'validateAhead');
    // GIVEN the fixture app plus an unencrypted, unlogged bucket in the prod eu-central-1 Data stack,
    // whose metadata also makes that template larger than the size gate allows
    const { app } = buildPlatformApp({
      config,
      outdir: tempOutdir(),
      extendStage: (stage) => {
        if (stage.node.id === 'prod-eu-central-1') {
          const bucket = new s3.Bucket(stage.data, 'Planted');
          (bucket.node.defaultChild as CfnResource).addMetadata('Padding', 'x'.repeat(850_000));
        }
      },
    });
    // WHEN synthesized with every check, as `npm run synth` does
    result = synthesizeApp(app);
  });

  test('is reported with its path inside the stage, and fails the synth', () => {
    const planted = result.unacknowledged.filter((f) => f.constructPath.startsWith('prod-eu-central-1/Data/Planted/'));
    expect(planted.map((f) => f.rule)).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^\d+ unacknowledged findings/)]));
  });

  test("every stage-region's templates, the planted one's included, went to be validated ahead, once", () => {
    const sent = ahead.mock.calls.flatMap(([assembly]) =>
      (assembly as CloudAssembly).stacksRecursively.map((s) => s.hierarchicalId),
    );
    const stageRegions = config.stages.flatMap((s) => s.regions.map((r) => `${s.name}-${r.region}`));
    expect(ahead).toHaveBeenCalledTimes(stageRegions.length);
    expect(new Set(sent.map((id) => id.split('/')[0]))).toEqual(new Set(stageRegions));
    expect(sent).toContain('prod-eu-central-1/Data');
    expect(new Set(sent).size).toBe(sent.length);
  });

  test('is the only thing reported: every other finding is acknowledged', () => {
    // (The CDK's own warning that the padded template approaches its size limit is about the plant too.)
    const aboutThePlant = (f: ReportedFinding) =>
      f.constructPath.includes('/Planted/') ||
      (f.constructPath === 'prod-eu-central-1/Data' && f.rule === 'Annotation::@aws-cdk/core:Stack.templateSize');
    expect(result.unacknowledged.filter((f) => !aboutThePlant(f))).toEqual([]);
  });

  test('the oversized template fails the synth, naming its stack, its size and the limit', () => {
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^template of prod-eu-central-1\/Data is \d{6} bytes, above 800000 \(80% of the 1000000-byte template limit of CodePipeline's CloudFormation deploy action\)/,
        ),
      ]),
    );
    expect(result.summary).toMatch(/^largest template: prod-eu-central-1\/Data, \d{6} bytes \(8\d\.\d% of/m);
  });

  test('shows in the summary row of its stack, and in the count of its check', () => {
    const row = result.summary.split('\n').find((l) => /^prod-eu-central-1\s.*baseline-prod-data\s/.test(l));
    const [, , , , findings] = row!.trim().split(/\s{2,}/);
    expect(Number(findings)).toBeGreaterThan(0);
    expect(result.summary).toMatch(
      new RegExp(
        `^${result.templateSizes.length} stacks, \\d+ resources, [1-9]\\d* unacknowledged findings, \\d+ acknowledged findings$`,
        'm',
      ),
    );
    expect(result.summary).toMatch(/^ {2}AwsSolutions: [1-9]\d* unacknowledged, \d+ acknowledged$/m);
    expect(result.summary).toMatch(/^ {2}Control Tower controls: [1-9]\d* unacknowledged, [1-9]\d* acknowledged$/m);
  });
});

describe('a context lookup', () => {
  test('fails the synth and names the lookup', () => {
    // GIVEN the app of one stage in one region (where the lookup is is what matters, not how many
    // stages there are), and in its stage a stack with a concrete environment that looks up a VPC
    // (would call AWS through the CLI)
    const [first] = config.stages;
    const oneStageRegion: PlatformConfig = { ...config, stages: [{ ...first, regions: [first.regions[0]] }] };
    const result = withoutBuiltinValidation(() => {
      const { app } = buildPlatformApp({
        config: oneStageRegion,
        outdir: tempOutdir(),
        extendStage: (stage) => {
          const stack = new Stack(stage, 'Lookup', { env: { account: '222222222222', region: 'eu-west-1' } });
          ec2.Vpc.fromLookup(stack, 'Vpc', { vpcId: 'vpc-12345678' });
        },
      });
      // WHEN
      return synthesizeApp(app);
    });
    // THEN
    expect(result.ok).toBe(false);
    expect(result.lookups).toEqual([expect.stringMatching(/^vpc-provider:account=222222222222:/)]);
    expect(result.problems.join('\n')).toContain('the app asked for context lookups, which need AWS credentials');
  });
});

describe('parseContextArgs', () => {
  test('reads the CDK CLI switches', () => {
    expect(parseContextArgs(['--context', 'config=a.yaml', '-c', 'x=1', '--context=y=2'])).toEqual({
      config: 'a.yaml',
      x: '1',
      y: '2',
    });
  });

  test('fails on an unknown argument, naming it and what is allowed', () => {
    expect(() => parseContextArgs(['--config', 'a.yaml'])).toThrow(
      "unknown argument '--config'; allowed: --context key=value (or -c key=value)",
    );
  });

  test('fails on a context without a value', () => {
    expect(() => parseContextArgs(['--context'])).toThrow(/--context needs a key=value argument/);
    expect(() => parseContextArgs(['-c', 'config'])).toThrow(
      "context 'config' must be key=value, e.g. config=path/to/config.yaml",
    );
  });
});

describe('templateSizeProblems', () => {
  test('passes a template at the gate, fails one a byte above it', () => {
    const sizes = [
      { stack: 'a/Network', file: 'a.json', bytes: 801 },
      { stack: 'b/Network', file: 'b.json', bytes: 800 },
    ];
    expect(templateSizeProblems(sizes, 1000)).toEqual([
      expect.stringMatching(/^template of a\/Network is 801 bytes, above 800 /),
    ]);
  });

  test("the limit is the deploy action's 1 MB, read as 1,000,000 bytes, and the gate 80% of it", () => {
    expect(CODEPIPELINE_TEMPLATE_LIMIT_BYTES).toBe(1_000_000);
    expect(TEMPLATE_SIZE_GATE_SHARE).toBe(0.8);
  });
});

describe('the validation engines', () => {
  const APP_DIR = path.join(__dirname, '..', '..');
  const PRELOAD = '-r ./src/synth/start-validation.ts src/main.ts';
  /** The synth target's command (`node <flags> src/main.ts`). */
  const SYNTH_COMMAND: string = JSON.parse(fs.readFileSync(path.join(APP_DIR, 'project.json'), 'utf-8')).targets.synth
    .options.command;

  test("start before the app's modules load: the synth target and cdk.json preload the module that starts them", () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(APP_DIR, 'cdk.json'), 'utf-8'));
    expect(SYNTH_COMMAND).toMatch(new RegExp(`${PRELOAD.replace(/[.]/g, '\\.')}$`));
    expect(cdkJson.app).toBe(SYNTH_COMMAND);
  });

  test('the preloaded module starts as many as the synth validates with, and none with CDK_VALIDATION=false', () => {
    // The synth's own start, in a process of its own (the module starts engines in a main thread
    // only): the synth target's flags (the loader, the preloaded module), then instead of the app how
    // many engines @baseline/rules holds.
    const [node, ...flags] = SYNTH_COMMAND.split(' ');
    expect([node, flags.at(-1)]).toEqual(['node', 'src/main.ts']);
    const engines = (validation: string | undefined): number => {
      const env = { ...process.env };
      // Engines on (the default), whatever the environment of the test run says.
      delete env[VALIDATE_WORKER_ENV];
      if (validation === undefined) delete env.CDK_VALIDATION;
      else env.CDK_VALIDATION = validation;
      const started = spawnSync(
        process.execPath,
        [
          ...flags.slice(0, -1),
          '-e',
          "process.stdout.write(String(require('@baseline/rules').validationEngines())); process.exit(0);",
        ],
        { cwd: APP_DIR, env, encoding: 'utf-8' },
      );
      expect({ status: started.status, stderr: started.stderr }).toEqual({ status: 0, stderr: '' });
      return Number(started.stdout);
    };
    expect(engines('false')).toBe(0);
    expect(engines(undefined)).toBe(soloValidationThreads());
  });
});
