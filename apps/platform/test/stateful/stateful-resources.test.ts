/**
 * Stateful resources are locked: their logical ids, and their deletion and replacement policies.
 *
 * CloudFormation identifies a resource by its logical id. When a refactoring changes one (a renamed
 * construct id, a construct moved under another parent or into another stack), CloudFormation
 * creates a NEW resource under the new id and deletes (or, with Retain, orphans) the old one: a new
 * KMS key that cannot decrypt what the old one encrypted, a new empty bucket, a new empty database.
 * stateful-logical-ids.json, committed next to this file, lists the logical id of every stateful
 * resource of every stack of the default config; the first test fails when one changed,
 * disappeared or appeared.
 *
 * If the change is intentional, plan the migration first (keep the old resource, e.g. RemovalPolicy
 * RETAIN, then bring it under the new id with `cdk import`; or keep the old id with
 * `overrideLogicalId`), then regenerate the list and commit it with the change:
 *
 *     cd apps/platform && UPDATE_STATEFUL_IDS=1 npx jest test/stateful
 *
 * (That run writes the file instead of comparing, and logs that it did.)
 *
 * The second test requires DeletionPolicy and UpdateReplacePolicy Retain (Snapshot for databases)
 * on every such resource, in every stage-region, the pipeline stack and CDK Pipelines' support stacks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultAssembly } from '../support/default-assembly';
import { constructPathOf, everyStack, StackLike } from '../support/template-helpers';

/** The committed list. */
const LIST_FILE = path.join(__dirname, 'stateful-logical-ids.json');
/** The command that regenerates it, as printed in failure messages. */
const REGENERATE = 'cd apps/platform && UPDATE_STATEFUL_IDS=1 npx jest test/stateful';

/**
 * The resource types that hold data (or, for keys, the only way to read it), with the policy each
 * must carry. SNS topics, alarms, roles and the like are recreated without loss and are not listed.
 */
const STATEFUL_TYPES: Record<string, 'Retain' | 'Snapshot'> = {
  'AWS::KMS::Key': 'Retain',
  'AWS::S3::Bucket': 'Retain',
  'AWS::Logs::LogGroup': 'Retain',
  'AWS::RDS::DBInstance': 'Snapshot',
  'AWS::SecretsManager::Secret': 'Retain',
  // None today; listed so that one added later is locked too.
  'AWS::RDS::DBCluster': 'Snapshot',
  'AWS::DynamoDB::Table': 'Retain',
  'AWS::EFS::FileSystem': 'Retain',
};

/** Stack construct path → logical id → type, every level sorted. */
type StatefulIds = Record<string, Record<string, string>>;

function statefulIds(stacks: StackLike[]): StatefulIds {
  const out: StatefulIds = {};
  for (const stack of [...stacks].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))) {
    out[stack.path] = Object.fromEntries(
      Object.entries(stack.template.Resources)
        .filter(([, r]) => r.Type in STATEFUL_TYPES)
        .map(([id, r]) => [id, r.Type] as const)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
    );
  }
  return out;
}

/** One line per difference between the committed list and the synthesized assembly. */
function differences(committed: StatefulIds, actual: StatefulIds): string[] {
  const lines: string[] = [];
  const stacks = [...new Set([...Object.keys(committed), ...Object.keys(actual)])].sort();
  for (const stack of stacks) {
    const before = committed[stack];
    const after = actual[stack];
    if (!before) {
      lines.push(`${stack}: new stack with ${Object.keys(after).length} stateful resource(s)`);
    } else if (!after) {
      lines.push(`${stack}: stack disappeared, with ${Object.keys(before).join(', ') || 'no stateful resources'}`);
      continue;
    }
    const gone = Object.keys(before ?? {}).filter((id) => !(id in after));
    const added = Object.keys(after).filter((id) => !(id in (before ?? {})));
    for (const id of gone) {
      const type = before[id];
      // One of a type gone and one of the same type new in the same stack: almost always a rename.
      const renamedTo = added.filter((n) => after[n] === type);
      if (renamedTo.length === 1 && gone.filter((g) => before[g] === type).length === 1) {
        lines.push(`${stack}: ${id} (${type}) became ${renamedTo[0]}: CloudFormation would replace it`);
        added.splice(added.indexOf(renamedTo[0]), 1);
      } else {
        lines.push(`${stack}: ${id} (${type}) disappeared`);
      }
    }
    for (const id of added) {
      lines.push(`${stack}: ${id} (${after[id]}) appeared`);
    }
    for (const id of Object.keys(after).filter((n) => before && n in before && before[n] !== after[n])) {
      lines.push(`${stack}: ${id} changed type from ${before[id]} to ${after[id]}`);
    }
  }
  return lines;
}

function lockFailure(changes: string[]): string {
  return [
    `The stateful resources of the default config differ from ${path.relative(process.cwd(), LIST_FILE)}:`,
    ...changes.map((c) => `  ${c}`),
    '',
    'A changed logical id makes CloudFormation REPLACE the resource: it creates a new one under the new id',
    'and deletes (or, with Retain, orphans) the old one. For a KMS key that is a new key that cannot decrypt',
    'what the old one encrypted; for a bucket, an empty bucket; for a database, a new empty database.',
    'Data can be lost. Usual causes: a renamed construct id, a construct moved to another parent or stack.',
    '',
    'If the change is NOT intended: restore the construct id / location (or pin the old id with',
    'overrideLogicalId).',
    'If it IS intended: plan the migration first (keep the old resource with RemovalPolicy.RETAIN and bring it',
    'under the new id with `cdk import`, or move the data), then regenerate the list and commit it:',
    `    ${REGENERATE}`,
  ].join('\n');
}

const a = defaultAssembly();
const STACKS = everyStack(a);
const ACTUAL = statefulIds(STACKS);

describe('stateful logical ids are locked', () => {
  if (process.env.UPDATE_STATEFUL_IDS === '1') {
    test('UPDATE_STATEFUL_IDS=1: writes the list from the synthesized default config', () => {
      // WHEN asked to regenerate
      fs.writeFileSync(LIST_FILE, JSON.stringify(ACTUAL, null, 2) + '\n');
      console.log(`UPDATE_STATEFUL_IDS=1: wrote ${LIST_FILE}; review the diff and commit it with the change.`);
      // THEN the file holds exactly what was synthesized
      expect(JSON.parse(fs.readFileSync(LIST_FILE, 'utf-8'))).toEqual(ACTUAL);
    });
    return;
  }

  test('no logical id of a key, bucket, log group, database or secret changed, disappeared or appeared', () => {
    // GIVEN the committed list
    if (!fs.existsSync(LIST_FILE)) {
      throw new Error(`${LIST_FILE} does not exist; create it with:\n    ${REGENERATE}`);
    }
    const committed = JSON.parse(fs.readFileSync(LIST_FILE, 'utf-8')) as StatefulIds;
    // WHEN compared with the stateful resources of every stack of the synthesized default config
    const changes = differences(committed, ACTUAL);
    // THEN they are the same
    if (changes.length > 0) {
      throw new Error(lockFailure(changes));
    }
    expect(ACTUAL).toEqual(committed);
  });

  test('the list covers every stack, and every stage-region holds its keys, buckets, logs and database', () => {
    // GIVEN the synthesized assembly
    // THEN every stack is listed: each stage-region's four, the pipeline and its support stacks
    expect(Object.keys(ACTUAL)).toEqual(STACKS.map((s) => s.path));
    expect(Object.keys(ACTUAL)).toEqual(expect.arrayContaining([a.pipeline.path]));
    // AND each stage-region has what the baseline must keep
    for (const sr of a.stageRegions) {
      const types = (tier: keyof typeof sr.stacks) => Object.values(ACTUAL[sr.stacks[tier].path]).sort();
      expect({ stageRegion: sr.id, security: types('security') }).toEqual({
        stageRegion: sr.id,
        security: ['AWS::KMS::Key', 'AWS::KMS::Key'],
      });
      expect({ stageRegion: sr.id, network: types('network') }).toEqual({
        stageRegion: sr.id,
        network: ['AWS::Logs::LogGroup'],
      });
      expect({ stageRegion: sr.id, data: types('data') }).toEqual({
        stageRegion: sr.id,
        data: [
          'AWS::Logs::LogGroup',
          'AWS::Logs::LogGroup',
          'AWS::Logs::LogGroup',
          'AWS::RDS::DBInstance',
          'AWS::S3::Bucket',
          'AWS::S3::Bucket',
        ],
      });
    }
  });
});

describe('stateful resources survive stack deletion and replacement', () => {
  test.each(STACKS.map((s) => [s.path, s] as const))(
    '%s: DeletionPolicy and UpdateReplacePolicy Retain (Snapshot for databases)',
    (_path, stack) => {
      // GIVEN the stateful resources of the stack
      const stateful = Object.entries(stack.template.Resources).filter(([, r]) => r.Type in STATEFUL_TYPES);
      // WHEN their policies are read
      const found = stateful.map(([id, r]) => ({
        resource: `${id} (${r.Type}) at ${constructPathOf(stack, id)}`,
        DeletionPolicy: r.DeletionPolicy ?? 'absent (Delete)',
        UpdateReplacePolicy: r.UpdateReplacePolicy ?? 'absent (Delete)',
      }));
      // THEN each keeps its data when the stack is deleted or the resource replaced
      expect(found).toEqual(
        stateful.map(([id, r]) => ({
          resource: `${id} (${r.Type}) at ${constructPathOf(stack, id)}`,
          DeletionPolicy: STATEFUL_TYPES[r.Type],
          UpdateReplacePolicy: STATEFUL_TYPES[r.Type],
        })),
      );
    },
  );
});
