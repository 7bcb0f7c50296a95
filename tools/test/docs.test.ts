/**
 * The hand-written docs stay true: every test that docs/architecture.md names as the guard of a
 * control exists in the file it links to, and every relative link in README.md and docs/ resolves.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

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
  const files = [
    'README.md',
    ...fs
      .readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  test.each(files)('in %s resolve to files in the repository', (file) => {
    const broken = relativeLinks(file).filter((l) => !fs.existsSync(path.resolve(ROOT, path.dirname(file), l.target)));
    expect(broken.map((l) => l.target)).toEqual([]);
  });
});
