/**
 * The stateful-resource lock: the logical id of every resource that holds data (or, for a key, the
 * only way to read it), per stack, committed next to the config it was synthesized from.
 *
 * CloudFormation identifies a resource by its logical id. A refactoring that changes one (a renamed
 * construct id, a construct moved under another parent or into another stack) makes CloudFormation
 * create a NEW resource under the new id and delete (or, with Retain, orphan) the old one: a new KMS
 * key that cannot decrypt what the old one encrypted, a new empty bucket, a new empty database.
 * The lock protects what is deployed from such a change; the deploy-config checks compare the
 * synthesized assembly with it, and `npm run configure` writes it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cxapi from 'aws-cdk-lib/cx-api';

/** What a stateful resource keeps when its stack is deleted (DeletionPolicy) or it is replaced (UpdateReplacePolicy). */
export interface Retention {
  readonly DeletionPolicy: 'RetainExceptOnCreate' | 'Snapshot';
  readonly UpdateReplacePolicy: 'Retain' | 'Snapshot';
}

/**
 * Retained when the stack is deleted or the resource replaced, and deleted only when its own creation
 * rolls back (RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE): a resource kept after a failed first create
 * (plain Retain) is left behind, and one with a fixed name makes the retry fail with "already exists".
 */
const RETAIN: Retention = { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' };
/** A database is snapshotted instead (RemovalPolicy.SNAPSHOT). */
const SNAPSHOT: Retention = { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' };

/**
 * The resource types that hold data (or, for keys, the only way to read it), with the policies each
 * must carry. SNS topics, alarms, roles and the like are recreated without loss.
 */
export const STATEFUL_TYPES: Record<string, Retention> = {
  'AWS::KMS::Key': RETAIN,
  'AWS::S3::Bucket': RETAIN,
  'AWS::Logs::LogGroup': RETAIN,
  'AWS::RDS::DBInstance': SNAPSHOT,
  'AWS::SecretsManager::Secret': RETAIN,
  'AWS::Backup::BackupVault': RETAIN,
  // None today; listed so that one added later is locked too.
  'AWS::RDS::DBCluster': SNAPSHOT,
  'AWS::DynamoDB::Table': RETAIN,
  'AWS::EFS::FileSystem': RETAIN,
};

/** Stack construct path → logical id → type, every level sorted. */
export type StatefulIds = Record<string, Record<string, string>>;

/** What the lock needs of a stack: its construct path and template. */
export interface LockedStack {
  readonly path: string;
  readonly template: { Resources?: Record<string, { Type: string }> };
}

/** The lock file of a config: `<config folder>/<config name>.stateful-ids.json`. */
export function lockFileOf(configFile: string): string {
  return path.join(path.dirname(configFile), `${path.basename(configFile).replace(/\.ya?ml$/, '')}.stateful-ids.json`);
}

/** Every stack of an assembly and its nested (Stage) assemblies, as the lock sees them. */
export function lockedStacksOf(assembly: cxapi.CloudAssembly): LockedStack[] {
  return assembly.stacksRecursively.map((s) => ({ path: s.hierarchicalId, template: s.template }));
}

/** The stateful logical ids of the stacks. */
export function statefulIds(stacks: LockedStack[]): StatefulIds {
  const out: StatefulIds = {};
  for (const stack of [...stacks].sort((x, y) => compare(x.path, y.path))) {
    out[stack.path] = Object.fromEntries(
      Object.entries(stack.template.Resources ?? {})
        .filter(([, r]) => r.Type in STATEFUL_TYPES)
        .map(([id, r]) => [id, r.Type] as const)
        .sort(([x], [y]) => compare(x, y)),
    );
  }
  return out;
}

/** One difference between a lock and an assembly. */
export interface LockChange {
  readonly stack: string;
  /** `removed` is the dangerous kind: a locked resource that the assembly no longer has. */
  readonly kind: 'removed' | 'renamed' | 'retyped' | 'added';
  readonly text: string;
}

/** Every difference between the committed lock and the stateful ids of an assembly. */
export function lockChanges(committed: StatefulIds, actual: StatefulIds): LockChange[] {
  const changes: LockChange[] = [];
  const stacks = [...new Set([...Object.keys(committed), ...Object.keys(actual)])].sort(compare);
  for (const stack of stacks) {
    const before = committed[stack] ?? {};
    const after = actual[stack] ?? {};
    if (!actual[stack]) {
      for (const [id, type] of Object.entries(before)) {
        changes.push({ stack, kind: 'removed', text: `${stack}: ${id} (${type}) disappeared with its stack` });
      }
      continue;
    }
    const gone = Object.keys(before).filter((id) => !(id in after));
    const added = Object.keys(after).filter((id) => !(id in before));
    for (const id of gone) {
      const type = before[id];
      // One of a type gone and one of the same type new in the same stack: almost always a rename.
      const renamedTo = added.filter((n) => after[n] === type);
      if (renamedTo.length === 1 && gone.filter((g) => before[g] === type).length === 1) {
        changes.push({
          stack,
          kind: 'renamed',
          text: `${stack}: ${id} (${type}) became ${renamedTo[0]}: CloudFormation would replace it`,
        });
        added.splice(added.indexOf(renamedTo[0]), 1);
      } else {
        changes.push({ stack, kind: 'removed', text: `${stack}: ${id} (${type}) disappeared` });
      }
    }
    for (const id of added) {
      changes.push({ stack, kind: 'added', text: `${stack}: ${id} (${after[id]}) appeared (not locked yet)` });
    }
    for (const id of Object.keys(after).filter((n) => n in before && before[n] !== after[n])) {
      changes.push({ stack, kind: 'retyped', text: `${stack}: ${id} changed type from ${before[id]} to ${after[id]}` });
    }
  }
  return changes;
}

/** Reads a lock file; undefined when it does not exist. */
export function readLock(file: string): StatefulIds | undefined {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf-8')) as StatefulIds) : undefined;
}

/** The lock file's content for `ids` (what `npm run configure` writes). */
export function renderLock(ids: StatefulIds): string {
  return JSON.stringify(ids, null, 2) + '\n';
}

/** The failure message of a lock that differs from the assembly: what changed, why it matters, what to do. */
export function lockFailureMessage(lockFile: string, changes: LockChange[]): string {
  const only = (k: LockChange['kind']) => changes.every((c) => c.kind === k);
  return [
    `The stateful resources of the config differ from its lock, ${lockFile}:`,
    ...changes.map((c) => `  ${c.text}`),
    '',
    only('added')
      ? 'New stateful resources are not protected until they are locked. Lock them with `npm run configure`.'
      : [
          'A changed or missing logical id makes CloudFormation REPLACE or DELETE a deployed resource: a new key',
          'that cannot decrypt what the old one encrypted, an empty bucket, a new empty database. Data can be lost.',
          'Usual causes: a renamed construct id, a construct moved to another parent or stack, a removed region.',
          '',
          'If nothing is deployed from this config yet (before the first deploy): `npm run configure` rewrites the',
          'lock for what you configured (with --accept-replacements when ids disappear).',
          'If it is NOT intended: restore the construct id / location (or pin the old id with overrideLogicalId).',
          'If it IS intended: plan the migration first (keep the old resource with RemovalPolicy.RETAIN and bring',
          'it under the new id with `cdk import`, or move the data), then `npm run configure -- --accept-replacements`',
          'and commit the lock with the change. `npm run diff` shows what the deploy would replace.',
        ].join('\n'),
  ].join('\n');
}

function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
