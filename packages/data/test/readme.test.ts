/**
 * README.md's list of acknowledged findings is the list the constructs make: every rule a synthesis
 * of the package's constructs under the platform's checks acknowledges is named in the README, and
 * every rule the README names is acknowledged by one of them (a stale entry fails too).
 *
 * Rules are compared by the part of the id after the plugin's `::` and before any `[...]` qualifier
 * (`AwsSolutions::AwsSolutions-IAM5[Resource::...]` counts as `AwsSolutions-IAM5`): the qualifiers
 * name account-, region- and logical-id-specific ARNs, which the README writes generically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { HIPAASecurityChecks, PCIDSS321Checks } from 'cdk-nag';
import { Acknowledgement, checkedApp, validate } from '../../../tools/testing/compliance';
import { DataBucket, DatabaseBackup, RecoveryPointVault } from '../src';
import { addDatabase, fixture } from './fixtures';

const README = path.join(__dirname, '..', 'README.md');
/** The heading of the README section that lists the acknowledged findings. */
const SECTION = '## Acknowledged findings';

/** `AwsSolutions::AwsSolutions-IAM5[Resource::...]` -> `AwsSolutions-IAM5`. */
function ruleOf(id: string): string {
  const afterPlugin = id.slice(id.indexOf('::') + 2);
  const qualifier = afterPlugin.indexOf('[');
  return qualifier === -1 ? afterPlugin : afterPlugin.slice(0, qualifier);
}

/** The ids (`plugin::rule...`) in the first column of the table of the README's acknowledgement section. */
function readmeAcknowledgementIds(markdown: string): string[] {
  const start = markdown.indexOf(`\n${SECTION}\n`);
  if (start === -1) {
    throw new Error(`README.md has no '${SECTION}' section`);
  }
  const rest = markdown.slice(start + SECTION.length + 2);
  const end = rest.search(/\n## /);
  const section = end === -1 ? rest : rest.slice(0, end);
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) => line.split('|')[1])
    .flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]))
    .filter((code) => /^[A-Za-z0-9.-]+::/.test(code));
}

const inData = (a: Acknowledgement) => a.at === 'Dev/Data' || a.at.startsWith('Dev/Data/');

/** The acknowledgements the package's constructs make in the Data stack, over the two shapes the app uses. */
function acknowledgedByTheConstructs(): Acknowledgement[] {
  // A stage-region without a recovery region: compliance.test.ts's composition (no backup plan, no replication).
  const single = checkedApp();
  const f = fixture(single);
  new DataBucket(f.data, 'DataBucket', { encryptionKey: f.dataKey });
  addDatabase(f);

  // A stage-region with a recovery region: a replicating bucket, a replica bucket, a database with its
  // AWS Backup plan into a vault; with the HIPAA Security and PCI DSS 3.2.1 packs a user may add.
  const recovering = checkedApp();
  Validations.of(recovering).addPlugins(new HIPAASecurityChecks(recovering), new PCIDSS321Checks(recovering));
  const g = fixture(recovering);
  new DataBucket(g.data, 'DataBucket', { encryptionKey: g.dataKey }).replicateTo({
    bucketArn: 'arn:aws:s3:::replica-bucket',
    keyArn: 'arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555',
    region: 'eu-central-1',
  });
  new DataBucket(g.data, 'Replica', { encryptionKey: g.dataKey, replicaOf: 'eu-central-1' });
  const db = addDatabase(g);
  new DatabaseBackup(g.data, 'Backup', {
    instance: db.instance,
    vault: new RecoveryPointVault(g.data, 'Vault', { vaultName: 'app-dev', encryptionKey: g.dataKey }).vault,
    retentionDays: 35,
    copyToVaultArn: 'arn:aws:backup:eu-central-1:123456789012:backup-vault:app-dev-copies',
  });

  return [...validate(single).acknowledged, ...validate(recovering).acknowledged].filter(inData);
}

describe('README.md, Acknowledged findings', () => {
  const readmeRules = new Set(readmeAcknowledgementIds(fs.readFileSync(README, 'utf-8')).map(ruleOf));
  let acknowledged: Acknowledgement[];

  beforeAll(() => {
    acknowledged = acknowledgedByTheConstructs();
  });

  test('the synthesis acknowledges something (the checks reached the Data stack)', () => {
    expect(acknowledged.length).toBeGreaterThan(10);
  });

  test('names every rule the constructs acknowledge', () => {
    const missing = [...new Set(acknowledged.map((a) => ruleOf(a.id)))]
      .filter((rule) => !readmeRules.has(rule))
      .map((rule) => `${rule} (acknowledged as ${acknowledged.find((a) => ruleOf(a.id) === rule)!.id})`);
    expect(missing).toEqual([]);
  });

  test('names no rule that no construct acknowledges', () => {
    const found = new Set(acknowledged.map((a) => ruleOf(a.id)));
    expect([...readmeRules].filter((rule) => !found.has(rule))).toEqual([]);
  });
});
