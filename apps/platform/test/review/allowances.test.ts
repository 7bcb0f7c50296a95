import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readAllowances } from '../../src/review';
import { ALLOWANCES_FILE } from '../../src/review/cli';

function file(text: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'allowances-')), 'allowed-replacements.yaml');
  fs.writeFileSync(f, text);
  return f;
}

const ENTRY = {
  stageRegion: 'prod-eu-west-1',
  logicalId: 'BucketE75EA64C',
  baseCommit: '3f2c1a9',
  reason: 'Renaming the data bucket; objects copied first (OPS-1234)',
};
const yaml = (entry: Record<string, unknown>) =>
  `- ${Object.entries(entry)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join('\n  ')}\n`;

test('the committed file allows nothing', () => {
  expect(readAllowances(ALLOWANCES_FILE)).toEqual([]);
});

test('a missing file allows nothing; an entry is read as written', () => {
  expect(readAllowances('/no/such/file.yaml')).toEqual([]);
  expect(readAllowances(file(yaml(ENTRY)))).toEqual([ENTRY]);
});

test.each([
  [{ stageRegion: 'Prod EU' }, /\[0\]\.stageRegion "Prod EU": must be a stage-region id/],
  [{ logicalId: 'Bucket/Resource' }, /\[0\]\.logicalId "Bucket\/Resource": must be a logical id/],
  [{ baseCommit: 'main' }, /\[0\]\.baseCommit "main": must be the base commit .* \(7 to 40 hex characters\)/],
  [{ reason: 'because' }, /\[0\]\.reason "because": must be a reason a reviewer can check \(20 characters or more\)/],
])('%j is refused, naming the entry, the field and what is allowed', (wrong, message) => {
  expect(() => readAllowances(file(yaml({ ...ENTRY, ...wrong })))).toThrow(message);
});

test('a file that is not a list is refused', () => {
  expect(() => readAllowances(file('stageRegion: prod-eu-west-1\n'))).toThrow(/must be a list of allowances/);
});
