/**
 * The hand-written docs stay true: every test that docs/architecture.md names as the guard of a
 * control exists in the file it links to, every relative link in the READMEs and docs/ resolves, and
 * every "a /NN holds N zones" in them is what the VPC size rule of @baseline/rules computes, and the
 * README and the config reference warn that a deployed region's zones are fixed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NETWORK_VPC_CIDR_SIZE } from '@baseline/rules';

const ROOT = path.resolve(__dirname, '..', '..');

/** The hand-written markdown files (docs/ also holds generated ones; reading them does no harm). */
const MARKDOWN_FILES = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...fs
    .readdirSync(path.join(ROOT, 'packages'))
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => fs.existsSync(path.join(ROOT, f))),
  'apps/platform/README.md',
];

/** `[text](target)` links of a markdown file, without external ones and anchors. */
function relativeLinks(file: string): Array<{ text: string; target: string }> {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf-8');
  return [...text.matchAll(/\[([^\]]+)\]\(([^)\s]+)\)/g)]
    .map((m) => ({ text: m[1], target: m[2].split('#')[0] }))
    .filter((l) => l.target !== '' && !/^[a-z]+:/.test(l.target));
}

describe('docs/architecture.md', () => {
  const guards = relativeLinks('docs/architecture.md').filter(
    (l) => l.text.startsWith('`') && l.target.endsWith('.test.ts'),
  );

  test('names a guarding test for every control', () => {
    expect(guards.length).toBeGreaterThan(40);
  });

  test('every guarding test exists, with that name, in the file linked', () => {
    const missing = guards.filter((g) => {
      const file = path.resolve(ROOT, 'docs', g.target);
      const name = g.text.slice(1, -1);
      if (!fs.existsSync(file)) {
        return true;
      }
      const source = fs.readFileSync(file, 'utf-8');
      return ![`'${name}'`, `"${name}"`, `\`${name}\``].some((quoted) => source.includes(quoted));
    });
    expect(missing.map((g) => `${g.text} -> ${g.target}`)).toEqual([]);
  });
});

describe('relative links', () => {
  test.each(MARKDOWN_FILES)('in %s resolve to files in the repository', (file) => {
    const broken = relativeLinks(file).filter((l) => !fs.existsSync(path.resolve(ROOT, path.dirname(file), l.target)));
    expect(broken.map((l) => l.target)).toEqual([]);
  });
});

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};

/**
 * "a /20 holds 2 zones", "a /19 up to 4", "a /18 holds up to ten zones": the prefix and the zone count
 * a doc claims for it.
 */
function zoneClaims(text: string): Array<{ claim: string; prefix: number; zones: number }> {
  const count = `\\d+|${Object.keys(NUMBER_WORDS).join('|')}`;
  const pattern = new RegExp(`\\ba /(\\d{1,2}) (?:holds (?:up to )?|up to )(${count})\\b`, 'gi');
  return [...text.matchAll(pattern)].map((m) => ({
    claim: m[0],
    prefix: Number(m[1]),
    zones: NUMBER_WORDS[m[2].toLowerCase()] ?? Number(m[2]),
  }));
}

/** The most zones the VPC size rule lets a /prefix hold (0 when not even one fits). */
function largestZoneCount(prefix: number): number {
  const cidr = `10.0.0.0/${prefix}`;
  let zones = 0;
  while (zones < 64 && NETWORK_VPC_CIDR_SIZE.check({ cidr, zoneCount: zones + 1 }) === undefined) {
    zones++;
  }
  return zones;
}

describe('zones per VPC range in the docs', () => {
  const claims = MARKDOWN_FILES.flatMap((file) =>
    zoneClaims(fs.readFileSync(path.join(ROOT, file), 'utf-8')).map((c) => ({ file, ...c })),
  );

  test('the reader finds the claims (the network README makes some)', () => {
    expect(claims.filter((c) => c.file === 'packages/network/README.md').length).toBeGreaterThan(0);
  });

  test('the reader understands the forms the docs use', () => {
    expect(zoneClaims('a /20 holds 2 zones, a /19 up to 4, a /18 holds up to ten zones')).toEqual([
      { claim: 'a /20 holds 2', prefix: 20, zones: 2 },
      { claim: 'a /19 up to 4', prefix: 19, zones: 4 },
      { claim: 'a /18 holds up to ten', prefix: 18, zones: 10 },
    ]);
  });

  test('every claim is the largest zone count NETWORK_VPC_CIDR_SIZE allows for that prefix', () => {
    const wrong = claims
      .map((c) => ({ ...c, actual: largestZoneCount(c.prefix) }))
      .filter((c) => c.actual !== c.zones)
      .map((c) => `${c.file}: '${c.claim}', but a /${c.prefix} holds ${c.actual} zone(s)`);
    expect(wrong).toEqual([]);
  });
});

describe('zones of a deployed region', () => {
  // A change of zones replaces the subnets that the Data stack imports (issue: immutable zones): the
  // README's configuration section and the config reference (from the schema) both say so.
  test('the README says they are fixed once deployed, and why', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
    expect(readme).toMatch(/`availabilityZones` are fixed once deployed: the subnets[^.]*replaces the VPC's subnets/);
  });

  test('the config reference says it on the field itself', () => {
    const reference = fs.readFileSync(path.join(ROOT, 'docs', 'config.md'), 'utf-8');
    const row = reference.split('\n').find((l) => l.startsWith('| `stages[].regions[].availabilityZones` |'));
    expect(row).toMatch(/Fixed once deployed: subnets are built per zone and imported by the Data stack/);
  });
});
