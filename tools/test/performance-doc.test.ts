/**
 * README.md's performance block says what docs/performance.md measured: the same targets table, the
 * same date. Both are written by one `npm run bench` run (tools/bench/main.ts); a hand edit of either,
 * or a report written without the README, fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { README_PERFORMANCE, readmeBlockContent } from '../../apps/platform/src/docs/readme-block';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf-8');

/** The first markdown table after `heading` (its lines). */
function tableAfter(text: string, heading: string): string[] {
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`no '${heading}'`);
  const lines = text.slice(at + heading.length).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rest = lines.slice(first);
  const end = rest.findIndex((l) => !l.startsWith('|'));
  return rest.slice(0, end < 0 ? rest.length : end);
}

describe("README.md's performance block", () => {
  const readme = readmeBlockContent(read('README.md'), README_PERFORMANCE);
  const report = read('docs/performance.md');

  test('has the targets table of docs/performance.md, row for row', () => {
    const ours = tableAfter(readme, '');
    expect(ours.length).toBeGreaterThan(2);
    expect(ours).toEqual(tableAfter(report, '## Targets'));
  });

  test('names the date of that run', () => {
    const date = /on (\d{4}-\d{2}-\d{2})/.exec(report)?.[1];
    expect(date).toBeDefined();
    expect(readme).toContain(`on ${date} `);
  });
});
