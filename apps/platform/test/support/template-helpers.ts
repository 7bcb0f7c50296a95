/**
 * Helpers to read synthesized CloudFormation templates the way CloudFormation and IAM will: follow
 * `Ref` / `Fn::GetAtt` / `Fn::ImportValue` to the resource they name, render `Fn::Join` strings with
 * the stack's pseudo parameters, match IAM action wildcards, compare CIDR blocks, and walk the stack
 * dependency graph.
 *
 * Used by the seed regression tests and the stateful-resource lock; they read the one assembly that
 * test/global-setup.ts synthesizes and never synthesize again.
 */
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Ipv4Cidr, parseIpv4Cidr } from '@baseline/rules';
import { PlatformAssembly, Template, view } from './assembly';

/** One resource of a template. */
export type TemplateResource = Template['Resources'][string];

/** What these helpers need of a stack; a {@link StackView} is one. */
export interface StackLike {
  /** Construct path (hierarchical id), e.g. `dev-eu-west-1/Data`, `Pipeline`. */
  readonly path: string;
  readonly account: string;
  readonly region: string;
  readonly template: Template;
  /** Construct paths of the stacks this one depends on. */
  readonly dependsOn: string[];
  readonly artifact: cxapi.CloudFormationStackArtifact;
}

/**
 * Every stack of the assembly: the stacks of every stage-region, the pipeline stack, and whatever
 * else the app put in the root or a nested assembly (CDK Pipelines' cross-region support stacks).
 *
 * The stage-region and pipeline stacks are the very {@link StackView} objects of `a`.
 */
export function everyStack(a: PlatformAssembly): StackLike[] {
  const known = new Map<string, StackLike>();
  for (const sr of a.stageRegions) {
    for (const view of Object.values(sr.stacks)) {
      known.set(view.path, view);
    }
  }
  known.set(a.pipeline.path, a.pipeline);
  for (const artifact of a.assembly.stacksRecursively) {
    if (!known.has(artifact.hierarchicalId)) {
      known.set(artifact.hierarchicalId, view(artifact));
    }
  }
  return [...known.values()].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/** The construct path of a resource, from the stack's `aws:cdk:logicalId` metadata (templates carry none). */
export function constructPathOf(stack: StackLike, logicalId: string): string {
  const entry = stack.artifact
    .findMetadataByType(cxschema.ArtifactMetadataEntryType.LOGICAL_ID)
    .find((m) => m.data === logicalId);
  return entry ? entry.path.replace(/^\//, '') : `${stack.path}/<no construct path for ${logicalId}>`;
}

/** `value` as an array: `undefined` is empty, a single value a one-element array. */
export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/** Compact JSON for failure messages. */
export function show(value: unknown): string {
  return JSON.stringify(value);
}

/** Every occurrence of the property `key`, at any depth of `value`, with its JSON path. */
export function findProperty(value: unknown, key: string, at = '$'): Array<{ path: string; value: unknown }> {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => findProperty(v, key, `${at}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(k === key ? [{ path: `${at}.${k}`, value: v }] : []),
      ...findProperty(v, key, `${at}.${k}`),
    ]);
  }
  return [];
}

/** Every `Fn::ImportValue` export name used anywhere in `value` (non-literal names are rendered as JSON). */
export function importedNames(value: unknown): string[] {
  return findProperty(value, 'Fn::ImportValue').map((f) => (typeof f.value === 'string' ? f.value : show(f.value)));
}

/** A resource a template value points at, found through `Ref`, `Fn::GetAtt` and `Fn::ImportValue`. */
export interface ResolvedReference {
  /** The stack that holds the resource. */
  readonly stack: StackLike;
  readonly logicalId: string;
  /** `Ref`, or the attribute of `Fn::GetAtt` (e.g. `Arn`). */
  readonly attribute: string;
  /** The resource, or undefined when the template has no resource of that id (a parameter, a typo). */
  readonly resource: TemplateResource | undefined;
  /** The export names followed to get there, producer last. */
  readonly via: string[];
}

/**
 * The stack output exported under `name` in the account and region of `consumer` (exports are
 * regional: the same name in two regions are two different exports), or undefined.
 */
export function findExport(
  stacks: StackLike[],
  consumer: StackLike,
  name: string,
): { stack: StackLike; outputId: string; value: unknown } | undefined {
  for (const stack of stacks) {
    if (stack.account !== consumer.account || stack.region !== consumer.region) {
      continue;
    }
    for (const [outputId, output] of Object.entries(stack.template.Outputs ?? {})) {
      if (output.Export?.Name === name) {
        return { stack, outputId, value: output.Value };
      }
    }
  }
  return undefined;
}

/**
 * The resource that `value` (a property value of a resource in `stack`) refers to, following
 * `Fn::ImportValue` to the producing stack's output; undefined for a literal or an expression.
 */
export function resolveReference(
  stacks: StackLike[],
  stack: StackLike,
  value: unknown,
  via: string[] = [],
): ResolvedReference | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return undefined;
  }
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') {
    return { stack, logicalId: v.Ref, attribute: 'Ref', resource: stack.template.Resources[v.Ref], via };
  }
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
    const logicalId = getAtt[0];
    return { stack, logicalId, attribute: String(getAtt[1]), resource: stack.template.Resources[logicalId], via };
  }
  if (typeof getAtt === 'string') {
    const [logicalId, ...attribute] = getAtt.split('.');
    return { stack, logicalId, attribute: attribute.join('.'), resource: stack.template.Resources[logicalId], via };
  }
  const name = v['Fn::ImportValue'];
  if (typeof name === 'string') {
    const exported = findExport(stacks, stack, name);
    return exported ? resolveReference(stacks, exported.stack, exported.value, [...via, name]) : undefined;
  }
  return undefined;
}

/** How a reference reads in a failure message: `dev-eu-west-1/Security LogsKey195F8DFC.Arn (via export ...)`. */
export function describeReference(ref: ResolvedReference | undefined, original: unknown): string {
  if (!ref) {
    return `${show(original)} (not a reference that resolves to a resource)`;
  }
  const via = ref.via.length > 0 ? ` via export ${ref.via.join(' -> ')}` : '';
  return `${ref.stack.path} ${ref.logicalId}.${ref.attribute} (${ref.resource?.Type ?? 'no such resource'})${via}`;
}

/**
 * The value of a pseudo parameter in `stack`, as CloudFormation sets it in that stack's account and
 * region (partition and URL suffix from the CDK's region facts). Undefined for anything else.
 */
export function pseudoParameter(stack: StackLike, name: string): string | undefined {
  switch (name) {
    case 'AWS::Region':
      return stack.region;
    case 'AWS::AccountId':
      return stack.account;
    case 'AWS::Partition':
      return RegionInfo.get(stack.region).partition ?? 'aws';
    case 'AWS::URLSuffix':
      return RegionInfo.get(stack.region).domainSuffix ?? 'amazonaws.com';
    case 'AWS::StackName':
      return stack.artifact.stackName;
    case 'AWS::NoValue':
      return '';
    default:
      return undefined;
  }
}

/**
 * `value` as the string CloudFormation would deploy, when it can be known from the template alone:
 * a literal, a pseudo parameter, or an `Fn::Join` of those. Undefined otherwise.
 */
export function resolveString(stack: StackLike, value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return undefined;
  }
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') {
    return pseudoParameter(stack, v.Ref);
  }
  const join = v['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = (join[1] as unknown[]).map((p) => resolveString(stack, p));
    return parts.every((p): p is string => p !== undefined) ? parts.join(join[0]) : undefined;
  }
  return undefined;
}

/** An IAM policy statement as it appears in a template. */
export interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** A statement and where it is. */
export interface LocatedStatement {
  readonly stack: StackLike;
  readonly logicalId: string;
  readonly type: string;
  /** `PolicyDocument`, `Policies[0](name)`, `KeyPolicy`, ... */
  readonly where: string;
  readonly index: number;
  readonly statement: Statement;
}

/** `stack logicalId (type) where statement <sid or index>`. */
export function describeStatement(s: LocatedStatement): string {
  return `${s.stack.path} ${s.logicalId} (${s.type}) ${s.where} statement ${s.statement.Sid ?? `#${s.index}`}`;
}

function statementsOf(document: unknown): Statement[] {
  const statements = (document as { Statement?: Statement | Statement[] } | undefined)?.Statement;
  return asArray(statements);
}

/**
 * Every statement of every identity-based IAM policy of a stack: `AWS::IAM::Policy`,
 * `AWS::IAM::ManagedPolicy`, and the inline `Policies` of roles, users and groups (trust policies
 * excluded: they grant no permission).
 */
export function identityPolicyStatements(stack: StackLike): LocatedStatement[] {
  const out: LocatedStatement[] = [];
  for (const [logicalId, r] of Object.entries(stack.template.Resources)) {
    const documents: Array<[string, unknown]> = [];
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      documents.push(['PolicyDocument', r.Properties?.PolicyDocument]);
    }
    if (r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::User' || r.Type === 'AWS::IAM::Group') {
      asArray(r.Properties?.Policies as Array<{ PolicyName?: unknown; PolicyDocument?: unknown }>).forEach((p, i) =>
        documents.push([`Policies[${i}](${show(p.PolicyName)})`, p.PolicyDocument]),
      );
    }
    for (const [where, document] of documents) {
      statementsOf(document).forEach((statement, index) =>
        out.push({ stack, logicalId, type: r.Type, where, index, statement }),
      );
    }
  }
  return out;
}

/** Every statement of the `AWS::S3::BucketPolicy` resources of a stack. */
export function bucketPolicyStatements(stack: StackLike): LocatedStatement[] {
  return Object.entries(stack.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::S3::BucketPolicy')
    .flatMap(([logicalId, r]) =>
      statementsOf(r.Properties?.PolicyDocument).map((statement, index) => ({
        stack,
        logicalId,
        type: r.Type,
        where: 'PolicyDocument',
        index,
        statement,
      })),
    );
}

/** Whether the IAM action pattern (`*` and `?` wildcards, case-insensitive) matches `action`. */
export function actionPatternMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
    'i',
  );
  return regex.test(action);
}

/**
 * Whether the statement covers `action`: one of its `Action` patterns matches it, or it has a
 * `NotAction` none of whose patterns match it (a NotAction statement covers everything else).
 */
export function statementCoversAction(statement: Statement, action: string): boolean {
  if (statement.Action !== undefined) {
    return asArray(statement.Action).some((p) => actionPatternMatches(p, action));
  }
  if (statement.NotAction !== undefined) {
    return !asArray(statement.NotAction).some((p) => actionPatternMatches(p, action));
  }
  return false;
}

/** Whether a statement's principal is everyone (`"*"` or `{ "AWS": "*" }`). */
export function isEveryonePrincipal(principal: unknown): boolean {
  if (principal === '*') {
    return true;
  }
  const aws = (principal as { AWS?: unknown } | undefined)?.AWS;
  return asArray<unknown>(aws).some((p) => p === '*');
}

/** The condition values of `conditionKey` under any operator, as [operator, value] pairs. */
export function conditionEntries(statement: Statement, conditionKey: string): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(block ?? {})) {
      if (key.toLowerCase() === conditionKey.toLowerCase()) {
        out.push([operator, value]);
      }
    }
  }
  return out;
}

export { cidrContains } from '@baseline/rules';

/** Parses a template's CIDR value (`a.b.c.d/n`, host bits allowed); undefined when it is none. */
export function parseCidr(text: unknown): Ipv4Cidr | undefined {
  const parsed = typeof text === 'string' ? parseIpv4Cidr(text, { allowHostBits: true }) : undefined;
  return typeof parsed === 'string' ? undefined : parsed;
}

/** A cycle in a directed graph (`node -> its dependencies`), as the list of nodes around it; undefined if none. */
export function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') {
      return undefined;
    }
    if (state.get(node) === 'visiting') {
      return [...trail.slice(trail.indexOf(node)), node];
    }
    state.set(node, 'visiting');
    trail.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) {
        return cycle;
      }
    }
    trail.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) {
      return cycle;
    }
  }
  return undefined;
}

/**
 * Every statement of the identity policies attached to the role `roleLogicalId` of `stack`: its
 * inline `Policies`, the `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy` resources that list it in
 * `Roles`, and the managed policies of the same stack named in its `ManagedPolicyArns`.
 */
export function statementsOfRole(stack: StackLike, roleLogicalId: string): LocatedStatement[] {
  const role = stack.template.Resources[roleLogicalId];
  const attachedManagedPolicies = asArray(role?.Properties?.ManagedPolicyArns as unknown[])
    .map((arn) => (arn as { Ref?: unknown }).Ref)
    .filter((id): id is string => typeof id === 'string');
  return identityPolicyStatements(stack).filter((s) => {
    if (s.logicalId === roleLogicalId) {
      return true;
    }
    const roles = asArray(stack.template.Resources[s.logicalId].Properties?.Roles as unknown[]);
    return (
      roles.some((r) => (r as { Ref?: unknown }).Ref === roleLogicalId) || attachedManagedPolicies.includes(s.logicalId)
    );
  });
}
