/**
 * Mermaid diagrams of the pipeline (from the config) and of every stage-region (from the
 * synthesized cloud assembly), written to docs/diagrams/ by `npm run docs`.
 *
 * Nothing is drawn from memory: the pipeline picture follows the config's stages, regions and
 * approvals, and a stage-region picture shows the stacks, their dependencies and their resources
 * as the templates have them. The output has no timestamps, paths or hashes, so regenerating it
 * without a change gives the same bytes and a staleness test can compare.
 */
import * as cxapi from 'aws-cdk-lib/cx-api';
import { PlatformConfig } from '../config';
import { PlatformStage } from '../stage/platform-stage';
import { count, fenced, label, nodeId } from './private/mermaid';
import { CfnTemplate, summarizeResources } from './private/stack-resources';

/** The default `configPath` of {@link renderDiagrams}. */
export const DEFAULT_DIAGRAMS_CONFIG_PATH = 'apps/platform/config/platform.yaml';

/** Where {@link renderDiagrams} puts the pipeline diagram, relative to the repository root. */
export const PIPELINE_DIAGRAM_FILE = 'docs/diagrams/pipeline.md';

/** Where {@link renderDiagrams} puts the stage-region diagrams, relative to the repository root. */
export const STAGES_DIAGRAM_FILE = 'docs/diagrams/stages.md';

/**
 * The pipeline as a left-to-right mermaid flowchart, fenced as ```mermaid, with a trailing newline.
 *
 * Source (the CodeConnections repository and branch) → Build (`npm ci`, `nx affected -t lint
 * test`, synth, the change review) → UpdatePipeline (self-mutation) → one box per stage in config order, holding its
 * regions (deployed in parallel, each followed by its validation step), with a manual approval
 * before every stage that has `requiresApproval` → the step recording the commit after the last
 * stage. Node ids are `source`-style words or `<kind>_<stage>` / `<kind>_<stage>_<region>` with `-`
 * replaced by `_` (e.g. `region_dev_eu_west_1`, `approve_prod`).
 */
export function pipelineDiagram(config: PlatformConfig): string {
  const { owner, name, branch } = config.pipeline.repository;
  const source = nodeId('step', 'source');
  const build = nodeId('step', 'build');
  const update = nodeId('step', 'update');
  const record = nodeId('step', 'record');
  const lines = [
    'flowchart LR',
    `  ${source}([${label(['Source: CodeConnections', `${owner}/${name}@${branch}`])}])`,
    `  ${build}[${label(['Build', 'npm ci', 'nx affected -t lint typecheck test', 'synth', 'diff: review, data-loss guard'])}]`,
    `  ${update}[${label(['UpdatePipeline', 'self-mutation'])}]`,
    `  ${source} --> ${build}`,
    `  ${build} --> ${update}`,
  ];
  let previous = update;
  for (const stage of config.stages) {
    if (stage.requiresApproval) {
      const approve = nodeId('approve', stage.name);
      lines.push(`  ${approve}{{${label(['Manual approval', `promote to ${stage.name}`])}}}`);
      lines.push(`  ${previous} --> ${approve}`);
      previous = approve;
    }
    const wave = nodeId('stage', stage.name);
    lines.push(`  subgraph ${wave}[${label([`${stage.name}: ${count(stage.regions.length, 'region')} in parallel`])}]`);
    for (const region of stage.regions) {
      const id = PlatformStage.idOf(stage, region);
      const deploy = nodeId('region', id);
      const validate = nodeId('validate', id);
      lines.push(`    ${deploy}[${label([id, `account ${stage.account}`])}]`);
      lines.push(`    ${validate}[${label([`Validate ${id}`])}]`);
      lines.push(`    ${deploy} --> ${validate}`);
    }
    lines.push('  end');
    lines.push(`  ${previous} --> ${wave}`);
    previous = wave;
  }
  lines.push(`  ${record}[${label(['Record commit', 'base of the next nx affected'])}]`);
  lines.push(`  ${previous} --> ${record}`);
  return fenced(lines);
}

/** Input of {@link stageRegionDiagram}. */
export interface StageRegionDiagramInput {
  /** The stage-region's construct id, e.g. `dev-eu-west-1`; every stack's path starts with it. */
  readonly stageRegionId: string;
  /**
   * The stacks of the stage-region's nested cloud assembly
   * (`assembly.getNestedAssembly('assembly-<id>').stacks`).
   *
   * Every stack another one depends on must be among them.
   */
  readonly stacks: readonly cxapi.CloudFormationStackArtifact[];
}

/**
 * One stage-region as a mermaid flowchart, fenced as ```mermaid, with a trailing newline.
 *
 * Each stack is a box titled with its construct id and stack name, holding its main resources as
 * the template has them (KMS keys and aliases, the VPC, subnets per tier, NAT gateways, the flow
 * log, endpoints, buckets, the database, roles, log groups, the topic, alarms, the dashboard);
 * repeated resources are one node with a count. An arrow labelled "depends on" goes from a stack
 * to each stack it depends on in the assembly, so the order is the CDK's, not a drawing's. The
 * chart runs right to left, which puts the stacks deployed first on the left. Stack node ids are
 * `stack_<id>`, resource node ids `<id>_<kind>` (e.g. `stack_Network`, `Network_subnets`).
 *
 * Fails when a stack is not under `stageRegionId`, or depends on a stack that is not in `stacks`.
 */
export function stageRegionDiagram(input: StageRegionDiagramInput): string {
  const prefix = `${input.stageRegionId}/`;
  const localId = (stack: cxapi.CloudFormationStackArtifact): string => {
    if (!stack.hierarchicalId.startsWith(prefix)) {
      throw new Error(
        `stageRegionDiagram(${input.stageRegionId}): stack '${stack.hierarchicalId}' is not in this stage-region (its path must start with '${prefix}')`,
      );
    }
    return stack.hierarchicalId.slice(prefix.length);
  };
  const stacks = dependencyOrder(input.stacks, input.stageRegionId);
  const lines = ['flowchart RL'];
  for (const stack of stacks) {
    const id = localId(stack);
    const region =
      stack.environment.region !== stacks[stacks.length - 1].environment.region
        ? ` in ${stack.environment.region}`
        : '';
    lines.push(`  subgraph ${nodeId('stack', id)}[${label([`${id}: ${stack.stackName}${region}`])}]`);
    const summaries = summarizeResources(stack.template as CfnTemplate);
    if (summaries.length === 0) {
      lines.push(`    ${nodeId(id, 'empty')}[${label(['no main resources'])}]`);
    }
    for (const s of summaries) {
      lines.push(`    ${nodeId(id, s.key)}[${label(s.lines)}]`);
    }
    lines.push('  end');
  }
  for (const stack of stacks) {
    for (const dependency of stackDependencies(stack)) {
      lines.push(`  ${nodeId('stack', localId(stack))} -->|"depends on"| ${nodeId('stack', localId(dependency))}`);
    }
  }
  // Where data leaves the region: bucket replication and backup copies, as the templates configure them.
  for (const stack of stacks) {
    for (const copy of crossRegionCopies(stack, stacks)) {
      lines.push(`  ${nodeId(localId(stack), copy.from)} -.->|"${copy.text}"| ${nodeId(localId(copy.to), copy.toKey)}`);
    }
  }
  return fenced(lines);
}

/**
 * The replication rules and backup copy actions of `stack` whose destination another stack of the
 * stage-region outputs (read with Fn::GetStackOutput): from which node, to which stack's node.
 */
function crossRegionCopies(
  stack: cxapi.CloudFormationStackArtifact,
  stacks: readonly cxapi.CloudFormationStackArtifact[],
): Array<{ from: string; to: cxapi.CloudFormationStackArtifact; toKey: string; text: string }> {
  const resources = Object.values(
    (stack.template as { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> })
      .Resources ?? {},
  );
  const producerOf = (value: unknown) => {
    const read = /"Fn::GetStackOutput":\{"StackName":"([^"]+)"/.exec(JSON.stringify(value));
    return read ? stacks.find((s) => s.stackName === read[1] && s !== stack) : undefined;
  };
  const copies: Array<{ from: string; to: cxapi.CloudFormationStackArtifact; toKey: string; text: string }> = [];
  for (const r of resources) {
    if (r.Type === 'AWS::S3::Bucket' && r.Properties?.ReplicationConfiguration) {
      const to = producerOf(r.Properties.ReplicationConfiguration);
      if (to) {
        copies.push({ from: 'buckets', to, toKey: 'buckets', text: `replicates to ${to.environment.region}` });
      }
    }
    if (r.Type === 'AWS::Backup::BackupPlan') {
      const to = producerOf(r.Properties?.BackupPlan);
      if (to) {
        copies.push({ from: 'backup', to, toKey: 'backup', text: `copies backups to ${to.environment.region}` });
      }
    }
  }
  return copies;
}

/** Input of {@link renderDiagrams}. */
export interface RenderDiagramsInput {
  /** The config the assembly was synthesized from. */
  readonly config: PlatformConfig;
  /** The synthesized app: a nested assembly `assembly-<stage>-<region>` per stage-region. */
  readonly assembly: cxapi.CloudAssembly;
  /**
   * The config file, relative to the repository root, named in each file's header.
   *
   * @default 'apps/platform/config/platform.yaml'
   */
  readonly configPath?: string;
}

/**
 * The diagram docs, as repository-relative path → file content.
 *
 * `docs/diagrams/pipeline.md`: the pipeline diagram with a paragraph on the flow.
 * `docs/diagrams/stages.md`: a section per stage-region, in config order, with its diagram.
 * Each file starts with a "generated, do not edit" comment and ends with one newline; the same
 * config and assembly always give the same bytes.
 *
 * Fails when a stage-region of the config has no nested assembly in `assembly`.
 */
export function renderDiagrams(input: RenderDiagramsInput): Record<string, string> {
  const header = generatedHeader(input.configPath ?? DEFAULT_DIAGRAMS_CONFIG_PATH);
  return {
    [PIPELINE_DIAGRAM_FILE]: markdown([
      header,
      '# Delivery pipeline',
      pipelineParagraph(input.config),
      pipelineDiagram(input.config).trimEnd(),
    ]),
    [STAGES_DIAGRAM_FILE]: markdown([
      header,
      '# Stage-regions',
      'One section per stage-region the pipeline deploys, in promotion order. Each box is a ' +
        'CloudFormation stack, titled with its construct id and stack name, holding its main resources ' +
        'as the synthesized template has them (repeated resources are counted; route tables, policies ' +
        'and security groups are left out). An arrow goes from a stack to a stack it depends on, which ' +
        'the pipeline deploys first.',
      ...input.config.stages.flatMap((stage) =>
        stage.regions.flatMap((region) => {
          const id = PlatformStage.idOf(stage, region);
          return [
            `## ${id}`,
            `Stage \`${stage.name}\` in account ${stage.account}, region ${region.region}, VPC ${region.vpcCidr}.`,
            stageRegionDiagram({ stageRegionId: id, stacks: nestedStacks(input.assembly, id) }).trimEnd(),
          ];
        }),
      ),
    ]),
  };
}

function generatedHeader(configPath: string): string {
  return `<!-- Generated by \`npm run docs\` from ${configPath} and the synthesized app. Do not edit by hand. -->`;
}

/** Blocks separated by a blank line, the header directly above the title, one final newline. */
function markdown(blocks: string[]): string {
  const [header, ...rest] = blocks;
  return `${header}\n${rest.join('\n\n')}\n`;
}

function pipelineParagraph(config: PlatformConfig): string {
  const { owner, name, branch } = config.pipeline.repository;
  const stages = config.stages.map((s) => s.name);
  const approvals = config.stages.filter((s) => s.requiresApproval).map((s) => s.name);
  return [
    `A push to \`${branch}\` of \`${owner}/${name}\` starts the pipeline in account ${config.pipeline.account}`,
    `(${config.pipeline.region}). Build installs with \`npm ci\`, lints and tests the projects affected`,
    'since the last commit that went through every stage, and synthesizes the cloud assembly once;',
    'UpdatePipeline then applies any change to the pipeline itself. The same assembly is deployed to',
    `each stage in config order (${stages.join(', then ')}), the regions of a stage in parallel, and`,
    'a validation step checks each stage-region after its deploy.',
    approvals.length > 0
      ? `A person approves before ${approvals.join(' and ')} is deployed.`
      : 'No stage waits for a manual approval.',
    'After the last stage, the commit is recorded as the base of the next run.',
  ].join(' ');
}

function nestedStacks(assembly: cxapi.CloudAssembly, stageRegionId: string): cxapi.CloudFormationStackArtifact[] {
  const artifactId = `assembly-${stageRegionId}`;
  const nested = assembly.nestedAssemblies.find((a) => a.id === artifactId);
  if (!nested) {
    throw new Error(
      `renderDiagrams: the cloud assembly in ${assembly.directory} has no nested assembly '${artifactId}' ` +
        `(has: ${assembly.nestedAssemblies.map((a) => a.id).join(', ') || 'none'}); was it synthesized from this config?`,
    );
  }
  return nested.nestedAssembly.stacks;
}

/** The stacks `stack` depends on (asset artifacts left out). */
function stackDependencies(stack: cxapi.CloudFormationStackArtifact): cxapi.CloudFormationStackArtifact[] {
  return stack.dependencies.filter((d) => cxapi.CloudFormationStackArtifact.isCloudFormationStackArtifact(d));
}

/**
 * The stacks with every dependency before its dependents; otherwise in the given order (the
 * assembly's), so the output does not depend on anything but the assembly.
 */
function dependencyOrder(
  stacks: readonly cxapi.CloudFormationStackArtifact[],
  stageRegionId: string,
): cxapi.CloudFormationStackArtifact[] {
  const ids = new Set(stacks.map((s) => s.id));
  for (const stack of stacks) {
    for (const dependency of stackDependencies(stack)) {
      if (!ids.has(dependency.id)) {
        throw new Error(
          `stageRegionDiagram(${stageRegionId}): stack '${stack.hierarchicalId}' depends on '${dependency.hierarchicalId}', ` +
            'which is not among the stacks given; pass every stack of the nested assembly',
        );
      }
    }
  }
  const placed = new Set<string>();
  const ordered: cxapi.CloudFormationStackArtifact[] = [];
  while (ordered.length < stacks.length) {
    // Of the stacks whose dependencies are placed, the first by construct path: the same order whatever
    // order the stacks come in.
    const next = [...stacks]
      .sort((x, y) => (x.hierarchicalId < y.hierarchicalId ? -1 : x.hierarchicalId > y.hierarchicalId ? 1 : 0))
      .find((s) => !placed.has(s.id) && stackDependencies(s).every((d) => placed.has(d.id)));
    if (!next) {
      throw new Error(`stageRegionDiagram(${stageRegionId}): the stacks depend on each other in a cycle`);
    }
    placed.add(next.id);
    ordered.push(next);
  }
  return ordered;
}
