/**
 * The README's commands exist and its exit codes are what the commands return: every command in the
 * Quick start and in the "Checks, locally" table names an npm script, an Nx project or an Nx target
 * that exists, and `npm run synth` and `npm run diff` exit as the README says.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
const SCRIPTS = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')) as { scripts: Record<string, string> }
).scripts;

/** Nx project name → its target names, from every project.json of the workspace. */
function nxProjects(): Map<string, string[]> {
  const projects = new Map<string, string[]>();
  for (const dir of [
    'tools',
    'apps/platform',
    ...fs.readdirSync(path.join(ROOT, 'packages')).map((p) => `packages/${p}`),
  ]) {
    const file = path.join(ROOT, dir, 'project.json');
    if (fs.existsSync(file)) {
      const project = JSON.parse(fs.readFileSync(file, 'utf-8')) as { name: string; targets?: object };
      projects.set(project.name, Object.keys(project.targets ?? {}));
    }
  }
  return projects;
}

/** The commands in backticks in the first column of the "Checks, locally" table, and the Quick start block. */
function documentedCommands(): string[] {
  const checks = README.slice(
    README.indexOf('## Checks, locally'),
    README.indexOf('### Review a change before you push'),
  );
  const table = [...checks.matchAll(/^\| (`[^|]+)\|/gm)].flatMap((m) =>
    [...m[1].matchAll(/`([^`]+)`/g)].map((c) => c[1]),
  );
  const quickStart = README.slice(README.indexOf('## Quick start'), README.indexOf('## Layout'));
  const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? '';
  const commands = block
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .flatMap((l) => l.split('&&').map((c) => c.trim()))
    .filter((c) => c);
  return [...table, ...commands];
}

/** Why `command` does not exist, or undefined. */
function problemWith(command: string, projects: Map<string, string[]>): string | undefined {
  const words = command.split(/\s+/);
  const allTargets = new Set([...projects.values()].flat());
  if (words[0] === 'npm') {
    const script = words[1] === 'run' ? words[2] : words[1];
    if (['ci', 'install'].includes(script)) {
      return undefined;
    }
    return SCRIPTS[script] ? undefined : `npm script '${script}' does not exist`;
  }
  if (words[0] === 'npx' && words[1] === 'nx') {
    const problems: string[] = [];
    const run = words.indexOf('run');
    if (run === 2 && words[3]?.includes(':')) {
      const [project, target] = words[3].split(':');
      if (!projects.get(project)?.includes(target)) {
        problems.push(`${project} has no target ${target}`);
      }
    }
    if (words[2] === 'test' && words[3]) {
      if (!projects.get(words[3])?.includes('test')) {
        problems.push(`${words[3]} has no target test`);
      }
    }
    const t = words.indexOf('-t');
    if (t > 0) {
      for (const target of words
        .slice(t + 1)
        .filter((w) => !w.startsWith('-'))
        .slice(0, 3)) {
        if (!allTargets.has(target) && !projects.has(target)) {
          problems.push(`no project has a target ${target}`);
        }
      }
    }
    const p = words.indexOf('-p');
    if (p > 0 && !projects.has(words[p + 1])) {
      problems.push(`no project ${words[p + 1]}`);
    }
    return problems.length > 0 ? problems.join('; ') : undefined;
  }
  return undefined;
}

test('every command of the Quick start and the "Checks, locally" table exists', () => {
  const projects = nxProjects();
  const commands = documentedCommands();
  expect(commands).toEqual(expect.arrayContaining(['npm test', 'npm run synth', 'npm run diff', 'npm run docs']));
  expect(commands.map((c) => [c, problemWith(c, projects)]).filter(([, p]) => p)).toEqual([]);
});

test('a command that does not exist is caught (the check above can fail)', () => {
  const projects = nxProjects();
  expect(problemWith('npm run no-such-script', projects)).toMatch(/does not exist/);
  expect(problemWith('npx nx run platform:no-such-target', projects)).toMatch(/has no target/);
});

describe('documented exit codes', () => {
  const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'readme-')), 'bad.yaml');
  fs.writeFileSync(bad, 'project:\n  name: Bad Name\n');

  test('the app itself (what cdk synth runs) exits 2 on a config error, naming the field', () => {
    const run = spawnSync(
      process.execPath,
      [
        '-r',
        path.join(ROOT, 'tools/source/register.cjs'),
        path.join(ROOT, 'apps/platform/src/main.ts'),
        '--context',
        `config=${bad}`,
      ],
      { encoding: 'utf-8', cwd: path.join(ROOT, 'apps/platform') },
    );
    expect(README).toContain('exits 1 for failed checks and 2 for a config error');
    expect({ code: run.status, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(/project\.name 'Bad Name'/),
    });
  });

  test('`npm run synth` exits 1 through npm and Nx on a config error, naming the field, with no stack trace', () => {
    expect(README).toContain('through npm and Nx the code is 1');
    const run = spawnSync('npm', ['run', '--silent', 'synth', '--', '--context', `config=${bad}`, '--skip-nx-cache'], {
      encoding: 'utf-8',
      cwd: ROOT,
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    const output = `${run.stdout}${run.stderr}`;
    expect({ code: run.status, field: /project\.name 'Bad Name': must be/.test(output) }).toEqual({
      code: 1,
      field: true,
    });
    expect(output.split('\n').filter((line) => /^\S*\s+at .*(\/|node:)\S*:\d+:\d+\)?$/.test(line))).toEqual([]);
  });

  test('`npm run diff` exits 2 when it cannot run, as the README says', () => {
    expect(README).toContain('2 the review could not run');
    const run = spawnSync('npm', ['run', '--silent', 'diff', '--', '--base', 'no-such-ref-anywhere'], {
      encoding: 'utf-8',
      cwd: ROOT,
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    expect({ code: run.status, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining("--base 'no-such-ref-anywhere' is not a commit of this repository"),
    });
  });
});

describe('copyleft licences', () => {
  interface LockEntry {
    readonly license?: string;
    readonly dev?: boolean;
  }
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf-8')) as {
    packages: Record<string, LockEntry>;
  };
  /** GPL-family licences with no permissive alternative (`MIT OR GPL-3.0` leaves the choice of MIT). */
  const copyleftOnly = (license: string) => /\bA?GPL\b|\bLGPL\b/i.test(license) && !/\bOR\b/.test(license);
  const copyleft = Object.entries(lock.packages)
    .filter(([, entry]) => copyleftOnly(entry.license ?? ''))
    .map(([key, entry]) => ({ name: key.replace(/^.*node_modules\//, ''), license: entry.license!, dev: entry.dev }));

  test('every copyleft package is installed for development only (npm marks it dev in the lockfile)', () => {
    expect(copyleft.filter((p) => p.dev !== true)).toEqual([]);
  });

  test('the README names each copyleft package a test depends on directly, with its licence', () => {
    const devDependencies = new Set(
      ['.', 'tools', 'apps/platform', ...fs.readdirSync(path.join(ROOT, 'packages')).map((p) => `packages/${p}`)]
        .map((dir) => path.join(ROOT, dir, 'package.json'))
        .filter((file) => fs.existsSync(file))
        .flatMap((file) => Object.keys(JSON.parse(fs.readFileSync(file, 'utf-8')).devDependencies ?? {})),
    );
    const direct = copyleft.filter((p) => devDependencies.has(p.name));
    for (const p of direct) {
      const sentence = README.replace(/\s+/g, ' ');
      expect(sentence).toContain(`\`${p.name}\`, is ${p.license.replace(/-or-later$/, '')}`);
      expect(sentence).toContain("a devDependency of the app's tests only");
    }
  });
});
