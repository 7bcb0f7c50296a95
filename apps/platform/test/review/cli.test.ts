/**
 * `npm run diff` end to end on this repository: the base commit (HEAD) checked out in a temporary
 * worktree and synthesized there, against the fixture config's assembly of the working tree.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readAssemblyStacks } from '../../src/review';
import {
  BASE_CACHE,
  BASE_CACHE_ENTRIES,
  pruneBaseCache,
  REPO_ROOT,
  REVIEW_FILES,
  runReview,
} from '../../src/review/cli';
import { fixtureAssembly } from '../support/assembly';
import { FIXTURE_CONFIG } from '../support/configs';

const git = (...args: string[]) => spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf-8' }).stdout.trim();

/** Runs the command; returns its exit code and what it printed. */
async function diff(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runReview(argv, {
    cwd: REPO_ROOT,
    out: (t) => (out += `${t}\n`),
    err: (t) => (err += `${t}\n`),
  });
  return { code, out, err };
}

/** A copy of the fixture assembly, so that the review files written into it stay in this test. */
function headAssembly(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-cli-'));
  fs.cpSync(fixtureAssembly().outdir, dir, { recursive: true });
  return dir;
}

const configArgs = ['--context', `config=${FIXTURE_CONFIG}`];

// The base is synthesized in a child process (and in `npm test` the other projects' tests run beside
// the app's): on a busy machine that takes longer than jest's default 5 s.
jest.setTimeout(60_000);

test('--base HEAD: synthesizes HEAD in a worktree that is removed afterwards, and reviews every stack', async () => {
  const head = headAssembly();
  const worktreesBefore = git('worktree', 'list');
  const { code, out, err } = await diff('--base', 'HEAD', '--head-assembly', head, ...configArgs);
  expect({ code, err: code === 2 ? err : '' }).toEqual({ code: expect.any(Number), err: '' });
  expect([0, 1]).toContain(code);
  expect(git('worktree', 'list')).toBe(worktreesBefore);

  const json = JSON.parse(fs.readFileSync(path.join(head, REVIEW_FILES.json), 'utf-8')) as {
    source: { baseCommit: string };
    stacks: Array<{ key: string }>;
    problems: unknown[];
  };
  expect(json.source.baseCommit).toBe(git('rev-parse', 'HEAD'));
  expect(json.stacks.map((s) => s.key).sort()).toEqual([...readAssemblyStacks(head).keys()].sort());
  expect(code).toBe(json.problems.length > 0 ? 1 : 0);
  expect(out).toMatch(/^verdict: (OK|REFUSED): /m);
  expect(fs.readFileSync(path.join(head, REVIEW_FILES.markdown), 'utf-8')).toMatch(/^# Change review/);
});

test('the base assembly is cached by commit: reviewed against itself, nothing changes', async () => {
  // The first test synthesized HEAD's assembly into the cache; review it against HEAD again.
  const cacheRoot = BASE_CACHE;
  const commit = git('rev-parse', 'HEAD');
  const cached = fs.readdirSync(cacheRoot).filter((d) => d.startsWith(commit.slice(0, 12)) && !d.includes('.tmp-'));
  expect(cached.length).toBeGreaterThan(0);
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'review-cli-'));
  fs.cpSync(path.join(cacheRoot, cached[0]), copy, { recursive: true });
  // last used long ago: the review marks it as used now, and keeps the entries used last. Beside it,
  // as many entries as the cache keeps, used even longer ago: the oldest one goes.
  const hoursAgo = (h: number) => new Date(Date.now() - h * 60 * 60 * 1000);
  fs.utimesSync(path.join(cacheRoot, cached[0]), hoursAgo(1000), hoursAgo(1000));
  const planted = Array.from({ length: BASE_CACHE_ENTRIES }, (_, i) => `000000000000-planted-${process.pid}-${i}`);
  planted.forEach((name, i) => {
    fs.mkdirSync(path.join(cacheRoot, name));
    fs.utimesSync(path.join(cacheRoot, name), hoursAgo(2000 + i), hoursAgo(2000 + i));
  });

  const { code, out } = await diff('--base', 'HEAD', '--head-assembly', copy, ...configArgs);
  expect(code).toBe(0);
  expect(out).toMatch(/^verdict: OK: 0 added, 0 changed, 0 replaced, 0 removed across 0 of \d+ stacks$/m);
  expect(fs.statSync(path.join(cacheRoot, cached[0])).mtimeMs).toBeGreaterThan(hoursAgo(1).getTime());
  const left = fs.readdirSync(cacheRoot);
  expect(left).not.toContain(planted.at(-1));
  planted.forEach((name) => fs.rmSync(path.join(cacheRoot, name), { recursive: true, force: true }));
});

test('--base none (a first deploy): every stack is new, the per-stage counts are exported', async () => {
  const head = headAssembly();
  const { code, out } = await diff('--base', 'none', '--head-assembly', head);
  expect(code).toBe(0);
  expect(out).toContain('against nothing deployed (every resource is new)');
  const stacks = readAssemblyStacks(head);
  expect(out.match(/new stack, \d+ resources/g)).toHaveLength(stacks.size);
  const env = fs.readFileSync(path.join(head, REVIEW_FILES.env), 'utf-8');
  for (const stage of fixtureAssembly().config.stages) {
    expect(env).toMatch(
      new RegExp(
        `^REVIEW_${stage.name.toUpperCase()}='\\d+ added, 0 changed, 0 replaced, 0 removed in \\d+ of \\d+ stacks`,
        'm',
      ),
    );
  }
});

test('an empty --base (the pipeline before its first successful run) means none', async () => {
  const head = headAssembly();
  const { code, out } = await diff('--base', '', '--head-assembly', head);
  expect(code).toBe(0);
  expect(out).toContain('against nothing deployed');
});

test("the pipeline's form: the base from a file, the per-stage counts into another", async () => {
  const head = headAssembly();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-cli-'));
  fs.writeFileSync(path.join(dir, '.review-base'), 'none\n');
  const { code, out } = await diff(
    '--base-file',
    path.join(dir, '.review-base'),
    '--head-assembly',
    head,
    '--env-file',
    path.join(dir, '.review.env'),
  );
  expect(code).toBe(0);
  expect(out).toContain('against nothing deployed');
  expect(fs.readFileSync(path.join(dir, '.review.env'), 'utf-8')).toBe(
    fs.readFileSync(path.join(head, REVIEW_FILES.env), 'utf-8'),
  );
});

test.each([
  [['--base-file', '/no/such/.review-base'], '--base-file /no/such/.review-base does not exist'],
  [['--base', 'no-such-ref-anywhere'], "--base 'no-such-ref-anywhere' is not a commit of this repository"],
  [['--frobnicate'], "unknown argument '--frobnicate'"],
  [['--head-assembly', os.tmpdir()], 'holds no cloud assembly'],
  [['--base'], '--base needs a value'],
])('%j exits 2 with a clear message', async (argv, message) => {
  const { code, err } = await diff(...argv);
  expect(code).toBe(2);
  expect(err).toContain(message);
});

describe('the cache of base assemblies', () => {
  const HOUR = 60 * 60 * 1000;
  const now = Date.parse('2026-12-02T12:00:00Z');

  /** A cache folder with one entry per name, each last used `hoursAgo` before `now`. */
  function cacheWith(entries: Record<string, number>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'review-cache-'));
    for (const [name, hoursAgo] of Object.entries(entries)) {
      fs.mkdirSync(path.join(root, name));
      fs.writeFileSync(path.join(root, name, 'manifest.json'), '{}');
      const used = new Date(now - hoursAgo * HOUR);
      fs.utimesSync(path.join(root, name), used, used);
    }
    return root;
  }

  test(`keeps the ${BASE_CACHE_ENTRIES} entries used last, and removes the others`, () => {
    const ages = Object.fromEntries(
      Array.from({ length: BASE_CACHE_ENTRIES + 3 }, (_, i) => [`c${String(i).padStart(2, '0')}-key`, i]),
    );
    const root = cacheWith(ages);
    const oldest = Object.keys(ages).slice(BASE_CACHE_ENTRIES);
    expect(oldest).toHaveLength(3);
    expect(pruneBaseCache(root, BASE_CACHE_ENTRIES, now)).toEqual(oldest);
    expect(fs.readdirSync(root)).toHaveLength(BASE_CACHE_ENTRIES);
    // nothing more to remove
    expect(pruneBaseCache(root, BASE_CACHE_ENTRIES, now)).toEqual([]);
  });

  test('removes what a synthesis stopped midway left a day ago, not one that may still run', () => {
    const root = cacheWith({ 'c1-key': 100, 'c2-key.tmp-123': 25, 'c3-key.tmp-456': 1 });
    expect(pruneBaseCache(root, BASE_CACHE_ENTRIES, now)).toEqual(['c2-key.tmp-123']);
    expect(fs.readdirSync(root).sort()).toEqual(['c1-key', 'c3-key.tmp-456']);
  });
});
