/**
 * The stacks of a cloud assembly (its nested Stage assemblies included), read as plain files, keyed
 * the way CloudFormation knows a stack: account, region and stack name (stack names repeat across
 * regions and accounts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A CloudFormation template as JSON. */
export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  [key: string]: unknown;
}

/** One stack of an assembly. */
export interface AssemblyStack {
  /** `<account>/<region>/<stack name>`: the stack as CloudFormation knows it. */
  readonly key: string;
  /** The construct path, e.g. `prod-eu-west-1/Data`. */
  readonly path: string;
  /** `prod-eu-west-1`, or `(app)` for a stack outside a stage (the pipeline). */
  readonly stageRegion: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplate;
  /** Logical id → construct path, from the assembly's metadata. */
  readonly constructPaths: Record<string, string>;
}

type Metadata = Record<string, Array<{ type: string; data?: unknown }>>;

interface Manifest {
  artifacts?: Record<
    string,
    {
      type: string;
      environment?: string;
      displayName?: string;
      additionalMetadataFile?: string;
      metadata?: Metadata;
      properties?: { directoryName?: string; templateFile?: string; stackName?: string };
    }
  >;
}

/** Every stack of the assembly in `dir`, by key. Throws naming the folder when it holds no assembly. */
export function readAssemblyStacks(dir: string): Map<string, AssemblyStack> {
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    throw new Error(`${dir} holds no cloud assembly (no manifest.json)`);
  }
  const stacks = new Map<string, AssemblyStack>();
  const walk = (folder: string) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf-8')) as Manifest;
    for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
      if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
        walk(path.join(folder, artifact.properties.directoryName));
      }
      if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) {
        continue;
      }
      const [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];
      const metadata: Metadata = {
        ...(artifact.metadata ?? {}),
        ...(artifact.additionalMetadataFile
          ? (JSON.parse(fs.readFileSync(path.join(folder, artifact.additionalMetadataFile), 'utf-8')) as Metadata)
          : {}),
      };
      const constructPaths: Record<string, string> = {};
      for (const [constructPath, entries] of Object.entries(metadata)) {
        for (const entry of entries) {
          if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') {
            constructPaths[entry.data] ??= constructPath.replace(/^\//, '');
          }
        }
      }
      const displayName = artifact.displayName ?? id;
      const stackName = artifact.properties.stackName ?? id;
      const key = `${account}/${region}/${stackName}`;
      stacks.set(key, {
        key,
        path: displayName,
        stageRegion: displayName.includes('/') ? displayName.split('/')[0] : '(app)',
        stackName,
        account: account ?? 'unknown-account',
        region: region ?? 'unknown-region',
        template: JSON.parse(
          fs.readFileSync(path.join(folder, artifact.properties.templateFile), 'utf-8'),
        ) as CfnTemplate,
        constructPaths,
      });
    }
  };
  walk(dir);
  return stacks;
}
