/**
 * tools/source/register.cjs runs the repository's TypeScript from source (the synth, `npm run diff`,
 * cdk.json's app) and keeps what swc made in a cache by content. That may make a run faster, never
 * run anything but the file as it is on disk.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REGISTER = path.join(__dirname, '..', 'source', 'register.cjs');

/** Runs `file` through the register with the cache in `cache`; what it printed. */
function run(file: string, cache: string): string {
  const result = spawnSync(process.execPath, ['-r', REGISTER, file], {
    encoding: 'utf-8',
    env: { ...process.env, BASELINE_SOURCE_CACHE: cache },
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.trim();
}

describe('the compiled-source cache', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'register-'));
  const file = path.join(dir, 'program.ts');
  const cache = path.join(dir, 'cache');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('an unchanged file is read back from the cache; an edited one is compiled again and runs as edited', () => {
    // GIVEN a program run once: its compiled form is in the cache
    fs.writeFileSync(file, 'const answer: number = 1;\nconsole.log(`answer ${answer}`);\n');
    expect(run(file, cache)).toBe('answer 1');
    const entries = fs.readdirSync(cache);
    expect(entries).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.js$/)]);
    // WHEN the entry is replaced (to see whether it is read), the file unchanged
    fs.writeFileSync(path.join(cache, entries[0]), "console.log('from the cache');\n");
    // THEN the next run runs the entry, not swc's output
    expect(run(file, cache)).toBe('from the cache');
    // WHEN the file is edited
    fs.writeFileSync(file, 'const answer: number = 2;\nconsole.log(`answer ${answer}`);\n');
    // THEN it runs as edited, from an entry of its own
    expect(run(file, cache)).toBe('answer 2');
    expect(fs.readdirSync(cache)).toHaveLength(2);
  });

  test('a cache that cannot be written is skipped: the program still runs', () => {
    // A folder below a regular file cannot be made (ENOTDIR), whoever runs the test.
    const blocked = path.join(dir, 'a-file');
    fs.writeFileSync(blocked, '');
    fs.writeFileSync(file, 'const answer: number = 3;\nconsole.log(`answer ${answer}`);\n');
    expect(run(file, path.join(blocked, 'cache'))).toBe('answer 3');
    expect(run(file, path.join(blocked, 'cache'))).toBe('answer 3');
  });
});
