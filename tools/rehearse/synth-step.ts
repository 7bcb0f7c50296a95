/**
 * The pipeline's synth step as the synthesized cloud assembly describes it: the CodeBuild project
 * behind the Synth action of the pipeline's Build stage, its buildspec's commands in phase order,
 * its runtime versions and environment variables. Read from the template, not from the source, so
 * that what is rehearsed is what the pipeline will run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CannotRehearse } from './errors';

/** The buildspec 0.2 phases, in the order CodeBuild runs them. */
export const PHASES = ['install', 'pre_build', 'build', 'post_build'] as const;

export interface BuildSpec {
  env?: { variables?: Record<string, string> };
  phases?: Partial<
    Record<(typeof PHASES)[number], { commands?: string[]; 'runtime-versions'?: Record<string, unknown> }>
  >;
}

/** What the rehearsal runs (and what --dry-run prints). */
export interface SynthStep {
  /** The template the step was read from. */
  readonly templateFile: string;
  /** The logical id of the CodeBuild project. */
  readonly project: string;
  readonly runtimeVersions: Record<string, unknown>;
  /** The project's plain-text variables, overridden by the buildspec's own. */
  readonly env: Record<string, string>;
  readonly commands: string[];
}

interface Resource {
  Type?: string;
  Properties?: Record<string, unknown>;
}

interface PipelineStage {
  Name?: string;
  Actions?: Array<{ Name?: string; Configuration?: { ProjectName?: { Ref?: string } } }>;
}

interface Manifest {
  artifacts?: Record<string, { type?: string; properties?: { templateFile?: string } }>;
}

/** The commands, runtime versions and environment of a buildspec, with the project's variables. */
export function fromBuildSpec(
  spec: BuildSpec,
  projectEnv: Record<string, string>,
): Pick<SynthStep, 'runtimeVersions' | 'env' | 'commands'> {
  const commands = PHASES.flatMap((phase) => spec.phases?.[phase]?.commands ?? []);
  const env = { ...projectEnv, ...(spec.env?.variables ?? {}) };
  return { runtimeVersions: spec.phases?.install?.['runtime-versions'] ?? {}, env, commands };
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf-8')) as T;

/** The synth step of the pipeline in a cloud assembly, or CannotRehearse saying what is missing. */
export function findSynthStep(cdkOut: string): SynthStep {
  const manifestFile = path.join(cdkOut, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new CannotRehearse(
      `${manifestFile} not found: run 'npm run synth' first (the rehearsal reads the synthesized pipeline)`,
    );
  }
  const manifest = readJson<Manifest>(manifestFile);
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const templateFile = path.join(cdkOut, artifact.properties.templateFile);
    const resources = readJson<{ Resources?: Record<string, Resource> }>(templateFile).Resources ?? {};
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::CodePipeline::Pipeline') continue;
      const stages = (resource.Properties?.Stages ?? []) as PipelineStage[];
      const action = stages.find((s) => s.Name === 'Build')?.Actions?.find((a) => a.Name === 'Synth');
      const projectId = action?.Configuration?.ProjectName?.Ref;
      const project = projectId ? resources[projectId] : undefined;
      if (!projectId || !project) continue;
      const buildSpec = (project.Properties?.Source as { BuildSpec?: unknown } | undefined)?.BuildSpec;
      if (typeof buildSpec !== 'string') {
        throw new CannotRehearse(
          `${templateFile}: the synth project's buildspec contains CloudFormation references; it cannot be rehearsed`,
        );
      }
      const env: Record<string, string> = {};
      const variables = (project.Properties?.Environment as { EnvironmentVariables?: unknown[] } | undefined)
        ?.EnvironmentVariables as Array<{ Name: string; Type?: string; Value?: unknown }> | undefined;
      // Only plain text: parameter-store and secrets-manager values are references, not values.
      for (const v of variables ?? []) {
        if ((v.Type ?? 'PLAINTEXT') === 'PLAINTEXT' && typeof v.Value === 'string') env[v.Name] = v.Value;
      }
      return { templateFile, project: projectId, ...fromBuildSpec(JSON.parse(buildSpec) as BuildSpec, env) };
    }
  }
  throw new CannotRehearse(`${cdkOut}: no stack with a CodePipeline whose Build stage has a Synth action`);
}
