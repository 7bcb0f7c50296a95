/**
 * tools/rehearse/synth-step.ts and main.ts: the synth step's commands, runtime and environment
 * read from a synthesized pipeline (a cloud assembly shaped as the CDK writes it: the buildspec
 * is a JSON string in the CodeBuild project behind the Build stage's Synth action), and the plan
 * --dry-run prints, also through the command-line launcher.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CannotRehearse } from '../rehearse/errors';
import { dryRunPlan, main } from '../rehearse/main';
import { findSynthStep, fromBuildSpec } from '../rehearse/synth-step';

/** The synth project's buildspec, as the pipeline writes it (with a pre_build and post_build added). */
const SYNTH_BUILDSPEC = JSON.stringify(
  {
    env: { variables: { FROM_SPEC: 'spec', NX_NO_CLOUD: 'true' } },
    phases: {
      post_build: { commands: ['echo post'] },
      build: {
        commands: ['BASE="$(aws ssm get-parameter)"; npx nx run-many -t lint typecheck test', 'npm run synth'],
      },
      pre_build: { commands: ['echo pre'] },
      install: { 'runtime-versions': { nodejs: '22' }, commands: ['npm ci'] },
    },
    version: '0.2',
  },
  null,
  2,
);

/** Writes a cloud assembly with a pipeline stack (and optionally a stack without one) into `dir`. */
function writeAssembly(
  dir: string,
  options: { extraStack?: boolean; actionName?: string; buildSpec?: unknown } = {},
): void {
  const project = 'PipelineBuildSynthCdkBuildProject6BEFA8E6';
  const pipeline = {
    Resources: {
      [project]: {
        Type: 'AWS::CodeBuild::Project',
        Properties: {
          Environment: {
            EnvironmentVariables: [
              { Name: 'NX_DAEMON', Type: 'PLAINTEXT', Value: 'false' },
              { Name: 'NX_NO_CLOUD', Value: 'false' },
              { Name: 'NX_CACHE_DIRECTORY', Type: 'PLAINTEXT', Value: '/root/.cache/nx' },
              { Name: 'SECRET', Type: 'SECRETS_MANAGER', Value: 'arn-of-a-secret' },
              { Name: 'REF', Type: 'PLAINTEXT', Value: { Ref: 'Something' } },
            ],
          },
          Source: { BuildSpec: options.buildSpec ?? SYNTH_BUILDSPEC, Type: 'CODEPIPELINE' },
        },
      },
      PipelineC660917D: {
        Type: 'AWS::CodePipeline::Pipeline',
        Properties: {
          Stages: [
            { Name: 'Source', Actions: [{ Name: 'example_org_aws_secure_baseline' }] },
            {
              Name: 'Build',
              Actions: [{ Name: options.actionName ?? 'Synth', Configuration: { ProjectName: { Ref: project } } }],
            },
          ],
        },
      },
    },
  };
  const artifacts: Record<string, unknown> = {
    Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
    Pipeline: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Pipeline.template.json' } },
  };
  fs.mkdirSync(dir, { recursive: true });
  if (options.extraStack) {
    artifacts.Other = { type: 'aws:cloudformation:stack', properties: { templateFile: 'Other.template.json' } };
    fs.writeFileSync(
      path.join(dir, 'Other.template.json'),
      JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } }),
    );
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts }));
  fs.writeFileSync(path.join(dir, 'Pipeline.template.json'), JSON.stringify(pipeline));
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-synth-step-test-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('reads the commands of every phase in order, the runtime and the plain-text variables', () => {
  writeAssembly(dir);
  expect(findSynthStep(dir)).toEqual({
    templateFile: path.join(dir, 'Pipeline.template.json'),
    project: 'PipelineBuildSynthCdkBuildProject6BEFA8E6',
    runtimeVersions: { nodejs: '22' },
    // The buildspec's own variables win over the project's.
    env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_CACHE_DIRECTORY: '/root/.cache/nx', FROM_SPEC: 'spec' },
    commands: [
      'npm ci',
      'echo pre',
      'BASE="$(aws ssm get-parameter)"; npx nx run-many -t lint typecheck test',
      'npm run synth',
      'echo post',
    ],
  });
});

test('fromBuildSpec without optional parts', () => {
  expect(fromBuildSpec({}, { A: '1' })).toEqual({ runtimeVersions: {}, env: { A: '1' }, commands: [] });
});

test('skips stacks without the pipeline and other actions', () => {
  writeAssembly(dir, { extraStack: true, actionName: 'Other' });
  expect(() => findSynthStep(dir)).toThrow(`${dir}: no stack with a CodePipeline whose Build stage has a Synth action`);
});

test('refuses a buildspec with CloudFormation references', () => {
  writeAssembly(dir, { buildSpec: { 'Fn::Join': ['', ['{', '}']] } });
  expect(() => findSynthStep(dir)).toThrow(CannotRehearse);
  expect(() => findSynthStep(dir)).toThrow("the synth project's buildspec contains CloudFormation references");
});

test('says to synthesize first when there is no assembly', () => {
  expect(() => findSynthStep(path.join(dir, 'nothing'))).toThrow(
    `${path.join(dir, 'nothing', 'manifest.json')} not found: run 'npm run synth' first`,
  );
});

describe('the dry-run plan', () => {
  const expectedPlan = () => ({
    templateFile: path.join(dir, 'Pipeline.template.json'),
    project: 'PipelineBuildSynthCdkBuildProject6BEFA8E6',
    runtimeVersions: { nodejs: '22' },
    env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_CACHE_DIRECTORY: '/root/.cache/nx', FROM_SPEC: 'spec' },
    commands: [
      'npm ci',
      'echo pre',
      'BASE="$(aws ssm get-parameter)"; npx nx run-many -t lint typecheck test',
      'npm run synth',
      'echo post',
    ],
  });

  test('is the synth step as JSON, and nothing runs', () => {
    writeAssembly(dir);
    expect(JSON.parse(dryRunPlan(findSynthStep(dir)))).toEqual(expectedPlan());
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(main(['--cdk-out', dir, '--dry-run'])).toBe(0);
      expect(log).toHaveBeenCalledTimes(1);
      expect(JSON.parse(log.mock.calls[0][0] as string)).toEqual(expectedPlan());
    } finally {
      log.mockRestore();
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['Pipeline.template.json', 'manifest.json']);
  });

  test('node tools/rehearse/cli.mjs prints it with only node on PATH, and exits 2 when it cannot start', () => {
    writeAssembly(dir);
    const cli = path.join(__dirname, '..', 'rehearse', 'cli.mjs');
    const ok = spawnSync(process.execPath, [cli, '--cdk-out', dir, '--dry-run'], {
      encoding: 'utf-8',
      env: { PATH: '', HOME: dir },
    });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual(expectedPlan());
    const bad = spawnSync(process.execPath, [cli, '--cdk-out'], { encoding: 'utf-8', env: { PATH: '', HOME: dir } });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('rehearse: --cdk-out needs a directory (got nothing)\n');
  });
});
