/**
 * What a change does to every stack of every stage-region and the pipeline: the CDK CLI's own diff
 * (`@aws-cdk/cloudformation-diff`, which knows which property changes replace a resource), counted per
 * stack, and two guards against the failures that cost the most:
 *
 * - data loss: a stateful resource (a type the stateful-resource lock covers, or any resource kept
 *   with Retain, RetainExceptOnCreate or Snapshot) that would be replaced or removed, or whose
 *   immutable property changes (CloudFormation then refuses the update);
 * - exports in use: an export another stack imports that would change or disappear. CloudFormation
 *   refuses that update ("Cannot update export ... as it is in use by ...") and the deploy stops half way.
 *
 * Pure: it reads two sets of stacks (readAssemblyStacks) and returns the review; the command
 * (cli.ts) synthesizes and prints.
 */
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import {
  formatDifferences,
  formatSecurityChanges,
  fullDiff,
  ResourceDifference,
  ResourceImpact,
  TemplateDiff,
} from '@aws-cdk/cloudformation-diff';
import { Allowance, allowanceFor } from './allowances';
import { AssemblyStack } from './assembly-stacks';
import { STATEFUL_TYPES } from './stateful-lock';

/** What a change does to one resource. */
export type ResourceChangeKind = 'added' | 'changed' | 'replaced' | 'removed';

/** One resource the change touches. */
export interface ResourceChange {
  readonly logicalId: string;
  readonly type: string;
  readonly constructPath: string;
  readonly kind: ResourceChangeKind;
  /** For a change: CloudFormation may replace it (a property with conditional replacement). */
  readonly mayReplace: boolean;
  /** What causes a replacement or removal: property names with their old and new values. */
  readonly causes: string[];
}

/** One stack of the review. */
export interface StackReview {
  readonly key: string;
  readonly stageRegion: string;
  /** Construct path, e.g. `prod-eu-west-1/Data`. */
  readonly path: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly status: 'new stack' | 'removed stack' | 'changed' | 'unchanged';
  readonly counts: Record<ResourceChangeKind, number>;
  readonly resources: ResourceChange[];
  /** The IAM and security-group changes, as `cdk diff` prints them (plain text). */
  readonly securityChanges: string;
  /** The whole diff, as `cdk diff` prints it (plain text). */
  readonly diff: string;
}

/** A change the guards refuse. */
export interface GuardProblem {
  readonly guard: 'data loss' | 'export in use';
  readonly stageRegion: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** What happens and why, naming the property or the export. */
  readonly detail: string;
}

/** The whole review. */
export interface Review {
  readonly stacks: StackReview[];
  /** What the guards refuse, allowances applied. */
  readonly problems: GuardProblem[];
  /** Problems an allowance let through, with the allowance. */
  readonly allowed: Array<{ readonly problem: GuardProblem; readonly allowance: Allowance }>;
  /** Allowances that matched nothing in this review (their change is deployed, or they are mistyped). */
  readonly unusedAllowances: Allowance[];
}

/**
 * Properties CloudFormation refuses to change in place, which the diff library's resource spec does
 * not mark as replacing: "If you change the value of the KeySpec property on an existing KMS key, the
 * update request fails, regardless of the value of the UpdateReplacePolicy attribute" (AWS
 * CloudFormation User Guide, AWS::KMS::Key; the same for KeyUsage, MultiRegion and Origin).
 */
export const IMMUTABLE_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::KMS::Key': ['KeySpec', 'KeyUsage', 'MultiRegion', 'Origin'],
};

const RETAINING = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

/** The review of `head` against `base` (undefined: nothing deployed yet, everything is new). */
export function review(
  base: Map<string, AssemblyStack> | undefined,
  head: Map<string, AssemblyStack>,
  options: { readonly allowances?: Allowance[]; readonly baseCommit?: string } = {},
): Review {
  const stacks: StackReview[] = [];
  const problems: GuardProblem[] = [];
  // In the head assembly's order (stage-regions as the pipeline deploys them), then what only the base has.
  const keys = [...new Set([...head.keys(), ...(base?.keys() ?? [])])];
  const diffs = new Map<string, TemplateDiff>();
  for (const key of keys) {
    const before = base?.get(key);
    const after = head.get(key);
    const diff = fullDiff(before?.template ?? {}, after?.template ?? {});
    hideCdkBookkeeping(diff);
    diffs.set(key, diff);
    const stack = (after ?? before)!;
    const resources = resourceChanges(diff, stack, before);
    const counts = { added: 0, changed: 0, replaced: 0, removed: 0 };
    for (const r of resources) {
      counts[r.kind]++;
    }
    stacks.push({
      key,
      stageRegion: stack.stageRegion,
      path: stack.path,
      stackName: stack.stackName,
      account: stack.account,
      region: stack.region,
      status: !before ? 'new stack' : !after ? 'removed stack' : diff.isEmpty ? 'unchanged' : 'changed',
      counts,
      resources,
      securityChanges: plainText((s) => formatSecurityChanges(s, diff, (after ?? before)!.constructPaths)),
      diff: plainText((s) => formatDifferences(s, diff, (after ?? before)!.constructPaths, 3)),
    });
    if (before) {
      problems.push(...dataLossProblems(stack, resources, before));
    }
  }
  if (base) {
    problems.push(...exportProblems(base, head, diffs));
  }
  const allowed: Review['allowed'] = [];
  const used = new Set<Allowance>();
  const refused = problems.filter((problem) => {
    const allowance =
      problem.guard === 'data loss' ? allowanceFor(options.allowances ?? [], problem, options.baseCommit) : undefined;
    if (allowance) {
      used.add(allowance);
      allowed.push({ problem, allowance });
      return false;
    }
    return true;
  });
  return {
    stacks,
    problems: refused,
    allowed,
    unusedAllowances: (options.allowances ?? []).filter((a) => !used.has(a)),
  };
}

/** Like `cdk diff` without --strict: the CDK's own bookkeeping resources and rules are not changes. */
function hideCdkBookkeeping(diff: TemplateDiff): void {
  const d = diff as unknown as {
    resources: { filter: (f: (c: ResourceDifference | undefined) => boolean) => unknown };
    unknown: { filter: (f: (c: { newValue?: unknown; oldValue?: unknown } | undefined) => boolean) => unknown };
  };
  (diff as unknown as { resources: unknown }).resources = d.resources.filter(
    (c) => !c || (c.newResourceType !== 'AWS::CDK::Metadata' && c.oldResourceType !== 'AWS::CDK::Metadata'),
  );
  (diff as unknown as { unknown: unknown }).unknown = d.unknown.filter(
    (c) => !c || !JSON.stringify([c.newValue, c.oldValue]).includes('CheckBootstrapVersion'),
  );
}

function resourceChanges(
  diff: TemplateDiff,
  stack: AssemblyStack,
  before: AssemblyStack | undefined,
): ResourceChange[] {
  const changes: ResourceChange[] = [];
  diff.resources.forEachDifference((logicalId, change) => {
    if (!change.isDifferent) {
      return;
    }
    const type = change.newResourceType ?? change.oldResourceType ?? 'unknown';
    const constructPath = stack.constructPaths[logicalId] ?? before?.constructPaths[logicalId] ?? '(no construct path)';
    const immutable = (IMMUTABLE_PROPERTIES[type] ?? []).filter((p) => change.propertyUpdates[p] !== undefined);
    const kind: ResourceChangeKind = change.isAddition
      ? 'added'
      : change.isRemoval
        ? 'removed'
        : change.changeImpact === ResourceImpact.WILL_REPLACE || immutable.length > 0
          ? 'replaced'
          : 'changed';
    changes.push({
      logicalId,
      type,
      constructPath,
      kind,
      mayReplace: kind === 'changed' && change.changeImpact === ResourceImpact.MAY_REPLACE,
      causes: causesOf(change, immutable),
    });
  });
  return changes;
}

function causesOf(change: ResourceDifference, immutable: string[]): string[] {
  if (change.isRemoval) {
    const policy = (change.oldValue as { DeletionPolicy?: string } | undefined)?.DeletionPolicy ?? 'Delete';
    return [`removed from the template (DeletionPolicy ${policy})`];
  }
  if (change.isAddition) {
    return [];
  }
  if (change.oldResourceType !== change.newResourceType) {
    return [`its type changes from ${change.oldResourceType} to ${change.newResourceType}`];
  }
  const causes = Object.entries(change.propertyUpdates)
    .filter(([, d]) => d.changeImpact === ResourceImpact.WILL_REPLACE || d.changeImpact === ResourceImpact.MAY_REPLACE)
    .map(([name, d]) => {
      const replaced = JSON.stringify(d.newValue ?? '').match(/"([A-Za-z0-9]+) ?\(replaced\)"/);
      const how = d.changeImpact === ResourceImpact.WILL_REPLACE ? 'requires replacement' : 'may require replacement';
      return replaced
        ? `${name} ${how}: it references ${replaced[1]}, which is replaced`
        : `${name} ${how}: ${brief(d.oldValue)} -> ${brief(d.newValue)}`;
    });
  for (const name of immutable) {
    const d = change.propertyUpdates[name];
    causes.push(
      `${name} cannot change in place (CloudFormation refuses the update): ${brief(d.oldValue)} -> ${brief(d.newValue)}`,
    );
  }
  return causes;
}

function dataLossProblems(stack: AssemblyStack, resources: ResourceChange[], before: AssemblyStack): GuardProblem[] {
  return resources
    .filter((r) => r.kind === 'replaced' || r.kind === 'removed')
    .filter((r) => {
      const old = before.template.Resources?.[r.logicalId] as
        { Type?: string; DeletionPolicy?: string; UpdateReplacePolicy?: string } | undefined;
      return (
        old !== undefined &&
        ((old.Type ?? '') in STATEFUL_TYPES ||
          RETAINING.has(old.DeletionPolicy ?? '') ||
          RETAINING.has(old.UpdateReplacePolicy ?? ''))
      );
    })
    .map((r) => ({
      guard: 'data loss' as const,
      stageRegion: stack.stageRegion,
      stack: stack.path,
      logicalId: r.logicalId,
      type: r.type,
      detail:
        `${r.constructPath} would be ${r.kind === 'removed' ? 'removed' : 'replaced'}: ${r.causes.join('; ')}. ` +
        'A replaced or removed stateful resource loses its data (a new key cannot decrypt the old data, a new ' +
        'bucket or database is empty). If it is deliberate, plan the migration and allow it in ' +
        'apps/platform/config/allowed-replacements.yaml for this base commit.',
    }));
}

/** Every export a stack of `base` imports that `head` would change or remove, with the two-step fix. */
function exportProblems(
  base: Map<string, AssemblyStack>,
  head: Map<string, AssemblyStack>,
  diffs: Map<string, TemplateDiff>,
): GuardProblem[] {
  const importers = new Map<string, string[]>();
  for (const stack of base.values()) {
    for (const name of importedNames(stack.template)) {
      const key = `${stack.account}/${stack.region}/${name}`;
      importers.set(key, [...new Set([...(importers.get(key) ?? []), stack.path])]);
    }
  }
  const problems: GuardProblem[] = [];
  for (const producer of base.values()) {
    const after = head.get(producer.key);
    const diff = diffs.get(producer.key);
    for (const [outputId, output] of Object.entries(producer.template.Outputs ?? {})) {
      const name = typeof output.Export?.Name === 'string' ? output.Export.Name : undefined;
      const users = name ? importers.get(`${producer.account}/${producer.region}/${name}`) : undefined;
      if (!name || !users) {
        continue;
      }
      const now = Object.values(after?.template.Outputs ?? {}).find((o) => o.Export?.Name === name);
      const referenced = referencedIds(output.Value);
      const goneOrReplaced = [...referenced].filter((id) => {
        const change = diff?.resources.logicalIds.includes(id) ? diff.resources.get(id) : undefined;
        return change !== undefined && (change.isRemoval || change.changeImpact === ResourceImpact.WILL_REPLACE);
      });
      const reason = !now
        ? 'is removed'
        : JSON.stringify(now.Value) !== JSON.stringify(output.Value)
          ? `changes from ${brief(output.Value)} to ${brief(now.Value)}`
          : goneOrReplaced.length > 0
            ? `changes: ${goneOrReplaced
                .map((id) => `${id} (${describeResource(producer, after, id)})`)
                .join(', ')}, which it names, is replaced or removed`
            : undefined;
      if (!reason) {
        continue;
      }
      problems.push({
        guard: 'export in use',
        stageRegion: producer.stageRegion,
        stack: producer.path,
        logicalId: outputId,
        type: 'AWS::CloudFormation::Output',
        detail:
          `export ${name} ${reason}, but ${users.join(', ')} still import${users.length === 1 ? 's' : ''} it: ` +
          `CloudFormation refuses the update ("Cannot update export ${name} as it is in use by ${users.join(', ')}"). ` +
          'Two steps: first deploy a change that keeps exporting the old value (Stack.exportValue with the old ' +
          'value) while the importing stacks stop using it (or import the new value from a new export); then ' +
          'remove the old export in a second deploy.',
      });
    }
  }
  return problems;
}

function describeResource(before: AssemblyStack, after: AssemblyStack | undefined, id: string): string {
  const type = (after ?? before).template.Resources?.[id]?.Type ?? before.template.Resources?.[id]?.Type;
  return `${type} ${after?.constructPaths[id] ?? before.constructPaths[id] ?? '(no construct path)'}`;
}

function importedNames(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.flatMap(importedNames);
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      k === 'Fn::ImportValue' && typeof v === 'string' ? [v] : importedNames(v),
    );
  }
  return [];
}

function referencedIds(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedIds(v, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') {
        found.add(v);
      } else if (k === 'Fn::GetAtt') {
        found.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]);
      } else {
        referencedIds(v, found);
      }
    }
  }
  return found;
}

function brief(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'nothing' : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** What a formatter writes to a stream, without colours. */
function plainText(write: (stream: NodeJS.WritableStream & { columns: number }) => void): string {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, callback) {
        chunks.push(stripVTControlCharacters(chunk.toString()));
        callback();
      },
    }),
    { columns: 120 },
  );
  write(stream);
  return chunks.join('');
}
