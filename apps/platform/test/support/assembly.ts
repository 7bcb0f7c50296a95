/**
 * A synthesized cloud assembly of the app as typed views: every stage-region with its four stacks,
 * the pipeline stack, and the findings.
 *
 * Two assemblies are synthesized once per test run, each by the global setup of its jest project:
 * the fixture config's (`fixtureAssembly()`, product tests) and the deploy config's
 * (`deployAssembly()`, deploy-config checks). Test files read them; they do not synthesize again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { loadConfig, PlatformConfig, RegionConfig, StageConfig } from '../../src/config';
import { PlatformStage } from '../../src/stage';
import { readValidationReport, ReportedFinding } from '../../src/synth/validation-report';

/** A CloudFormation template as JSON. */
export interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  [key: string]: unknown;
}

/** One synthesized stack. */
export interface StackView {
  /** Construct path, e.g. `dev-eu-west-1/Data`. */
  readonly path: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: Template;
  /** Construct paths of the stacks this one depends on (same assembly only). */
  readonly dependsOn: string[];
  readonly artifact: cxapi.CloudFormationStackArtifact;
}

export const TIERS = ['security', 'network', 'data', 'observability'] as const;
export type Tier = (typeof TIERS)[number];

/** One stage in one region, as the pipeline deploys it. */
export interface StageRegionView {
  /** Stage id, e.g. `dev-eu-west-1`. */
  readonly id: string;
  readonly stage: StageConfig;
  readonly region: RegionConfig;
  readonly stacks: Record<Tier, StackView>;
  /** The copies of its data in its recovery region, when the config names one (RecoveryStack). */
  readonly recovery?: StackView;
}

export interface PlatformAssembly {
  readonly outdir: string;
  /** The config file it was synthesized from. */
  readonly configFile: string;
  readonly config: PlatformConfig;
  readonly assembly: cxapi.CloudAssembly;
  readonly pipeline: StackView;
  /** Every stage-region in config order. */
  readonly stageRegions: StageRegionView[];
  /** Every finding of every plugin, acknowledged or not. */
  readonly findings: ReportedFinding[];
}

/** Where the global setups hand their assemblies to the test files. */
export const ASSEMBLY_ENV = { fixture: 'PLATFORM_FIXTURE_ASSEMBLY', deploy: 'PLATFORM_DEPLOY_ASSEMBLY' } as const;

const cached = new Map<string, PlatformAssembly>();

/** The fixture config's assembly (test/fixtures/platform.yaml), for tests of the product's behaviour. */
export function fixtureAssembly(): PlatformAssembly {
  return sharedAssembly(ASSEMBLY_ENV.fixture);
}

/** The deploy config's assembly (PLATFORM_CONFIG, default config/platform.yaml), for the deploy-config checks. */
export function deployAssembly(): PlatformAssembly {
  return sharedAssembly(ASSEMBLY_ENV.deploy);
}

function sharedAssembly(env: string): PlatformAssembly {
  const handle = process.env[env];
  if (!handle) {
    throw new Error(`${env} is not set: run the tests through jest.config.json (its global setups synthesize the app)`);
  }
  const { outdir, configFile } = JSON.parse(handle) as { outdir: string; configFile: string };
  const found = cached.get(outdir) ?? readPlatformAssembly(outdir, configFile);
  cached.set(outdir, found);
  return found;
}

/** Reads the assembly the app synthesized from `configFile` into `outdir`. */
export function readPlatformAssembly(outdir: string, configFile: string): PlatformAssembly {
  if (!fs.existsSync(path.join(outdir, 'manifest.json'))) {
    throw new Error(`${outdir} holds no cloud assembly`);
  }
  const config = loadConfig(configFile);
  const findings = readValidationReport(outdir);
  const unacknowledged = findings.filter((f) => !f.acknowledgement);
  if (
    !fs.existsSync(path.join(outdir, `assembly-${PlatformStage.idOf(config.stages[0], config.stages[0].regions[0])}`))
  ) {
    throw new Error(
      `${configFile} did not synthesize: ${unacknowledged.length} unacknowledged findings:\n` +
        unacknowledged.map((f) => `  ${f.rule} (${f.plugin}) at ${f.constructPath}`).join('\n'),
    );
  }
  const assembly = new cxapi.CloudAssembly(outdir);
  const pipelineArtifact = assembly.stacks.find((s) => s.hierarchicalId === 'Pipeline');
  if (!pipelineArtifact) {
    throw new Error(`no Pipeline stack in ${outdir}`);
  }
  const stageRegions: StageRegionView[] = [];
  for (const stage of config.stages) {
    for (const region of stage.regions) {
      const id = PlatformStage.idOf(stage, region);
      const nested = assembly.getNestedAssembly(`assembly-${id}`);
      const byTier = (tier: Tier) => {
        const hierarchicalId = `${id}/${tier[0].toUpperCase()}${tier.slice(1)}`;
        const artifact = nested.stacks.find((s) => s.hierarchicalId === hierarchicalId);
        if (!artifact) {
          throw new Error(`stack ${hierarchicalId} missing from ${nested.directory}`);
        }
        return view(artifact);
      };
      const recovery = nested.stacks.find((s) => s.hierarchicalId === `${id}/Recovery`);
      if ((recovery === undefined) !== (region.recoveryRegion === undefined)) {
        throw new Error(`${id}: the config's recoveryRegion and the Recovery stack of ${nested.directory} disagree`);
      }
      stageRegions.push({
        id,
        stage,
        region,
        recovery: recovery && view(recovery),
        stacks: {
          security: byTier('security'),
          network: byTier('network'),
          data: byTier('data'),
          observability: byTier('observability'),
        },
      });
    }
  }
  return { outdir, configFile, config, assembly, pipeline: view(pipelineArtifact), stageRegions, findings };
}

/** The typed view of one synthesized stack. */
export function view(artifact: cxapi.CloudFormationStackArtifact): StackView {
  return {
    path: artifact.hierarchicalId,
    stackName: artifact.stackName,
    account: artifact.environment.account,
    region: artifact.environment.region,
    template: artifact.template as Template,
    dependsOn: artifact.dependencies
      .filter((d): d is cxapi.CloudFormationStackArtifact => d instanceof cxapi.CloudFormationStackArtifact)
      .map((d) => d.hierarchicalId),
    artifact,
  };
}

/** Every stack of every stage-region (its Recovery stack included). */
export function allStageStacks(a: PlatformAssembly): StackView[] {
  return a.stageRegions.flatMap(stacksOfStageRegion);
}

/** The stacks of a stage-region in deployment order: Recovery (if any) first, then the four tiers. */
export function stacksOfStageRegion(sr: StageRegionView): StackView[] {
  return [...(sr.recovery ? [sr.recovery] : []), ...TIERS.map((t) => sr.stacks[t])];
}

/** The resources of `template` of one CloudFormation type, as [logicalId, resource] pairs. */
export function resourcesOfType(template: Template, type: string): Array<[string, Template['Resources'][string]]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/**
 * Runs `synthesize` with the CDK's built-in CloudFormation validation off (`CDK_VALIDATION=false`),
 * for tests about something else (the rule packs, lookups, logical ids); restores it afterwards.
 */
export function withoutBuiltinValidation<T>(synthesize: () => T): T {
  process.env.CDK_VALIDATION = 'false';
  try {
    return synthesize();
  } finally {
    delete process.env.CDK_VALIDATION;
  }
}
