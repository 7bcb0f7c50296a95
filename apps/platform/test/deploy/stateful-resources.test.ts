/**
 * Stateful resources are locked (src/review/stateful-lock.ts): their logical ids match the lock
 * committed next to the deploy config, and they carry deletion and replacement policies that keep
 * their data.
 *
 * The lock protects what is deployed. Regenerate it with `npm run configure`: before the first
 * deploy (nothing is deployed from the config yet), and after a deliberate change whose migration
 * is planned. The failing test says which.
 */
import {
  fixedPhysicalName,
  lockChanges,
  lockFailureMessage,
  lockFileOf,
  readLock,
  STATEFUL_TYPES,
  statefulIds,
} from '../../src/review';
import { deployAssembly } from '../support/assembly';
import { constructPathOf, everyStack } from '../support/template-helpers';

const a = deployAssembly();
const STACKS = everyStack(a);
const ACTUAL = statefulIds(STACKS);
const LOCK_FILE = lockFileOf(a.configFile);

describe('stateful logical ids are locked', () => {
  test('no logical id of a key, bucket, log group, vault, database or secret changed, disappeared or appeared', () => {
    // GIVEN the lock committed next to the deploy config
    const committed = readLock(LOCK_FILE);
    if (!committed) {
      throw new Error(`${LOCK_FILE} does not exist; write it with: npm run configure`);
    }
    // WHEN compared with the stateful resources of every stack of the synthesized deploy config
    const changes = lockChanges(committed, ACTUAL);
    // THEN they are the same
    if (changes.length > 0) {
      throw new Error(lockFailureMessage(LOCK_FILE, changes));
    }
    expect(ACTUAL).toEqual(committed);
  });

  test('the lock covers every stack, and every stage-region holds its keys, buckets, logs and database', () => {
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
          'AWS::Backup::BackupVault',
          'AWS::Logs::LogGroup',
          'AWS::Logs::LogGroup',
          'AWS::Logs::LogGroup',
          'AWS::RDS::DBInstance',
          'AWS::S3::Bucket',
          'AWS::S3::Bucket',
        ],
      });
      // AND, with a recovery region, the copies there: their key, the replica and its access logs, the vault
      if (sr.recovery) {
        expect({ stageRegion: sr.id, recovery: Object.values(ACTUAL[sr.recovery.path]).sort() }).toEqual({
          stageRegion: sr.id,
          recovery: ['AWS::Backup::BackupVault', 'AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::S3::Bucket'],
        });
      }
    }
  });
});

describe('stateful resources survive stack deletion and replacement', () => {
  test.each(STACKS.map((s) => [s.path, s] as const))(
    '%s: DeletionPolicy RetainExceptOnCreate and UpdateReplacePolicy Retain (Snapshot for databases)',
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
          ...STATEFUL_TYPES[r.Type],
        })),
      );
    },
  );
});

describe('no resource with a fixed physical name outlives a failed create', () => {
  test.each(STACKS.map((s) => [s.path, s] as const))(
    '%s: a named resource is never plain Retain (RetainExceptOnCreate instead)',
    (_path, stack) => {
      // GIVEN every resource of the stack that CloudFormation keeps when it is deleted
      const retained = Object.entries(stack.template.Resources).filter(([, r]) => r.DeletionPolicy === 'Retain');
      // WHEN their physical names are looked up
      const problems = retained.flatMap(([id, r]) => {
        const name = fixedPhysicalName(r);
        if (name === 'unknown') {
          return [
            `${id} (${r.Type}) at ${constructPathOf(stack, id)} is plain Retain, and ${r.Type} is not in ` +
              'PHYSICAL_NAME_PROPERTY (src/review/physical-names.ts): add it, with the property that names it',
          ];
        }
        return name
          ? [
              `${id} (${r.Type}) at ${constructPathOf(stack, id)} has ${name.property} ${JSON.stringify(name.value)} ` +
                'and DeletionPolicy Retain: after a failed first create it stays, and the retry fails with "already ' +
                'exists"; use RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE (RetainExceptOnCreate)',
            ]
          : [];
      });
      // THEN none has a fixed name (a retained resource with a generated name is only left over)
      expect(problems).toEqual([]);
    },
  );
});
