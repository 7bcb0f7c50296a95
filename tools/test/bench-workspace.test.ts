/**
 * tools/bench/workspace.ts: the benchmark follows the app's synth target (command, folder, what it
 * depends on) instead of hard-coding `node lib/main.js`, and its edits are unique and undone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  appendComment,
  commandOf,
  readSynthTarget,
  refreshCommand,
  synthTargetOf,
  withArgs,
  type NxJson,
  type ProjectJson,
} from '../bench/workspace';

const where = { workspaceRoot: '/ws', projectRoot: 'apps/platform', file: 'apps/platform/project.json' };
const nxJson: NxJson = { targetDefaults: { synth: { dependsOn: ['build'] } } };

describe('readSynthTarget', () => {
  test('today: node lib/main.js in the project, depending on the build (from targetDefaults)', () => {
    const project: ProjectJson = {
      targets: {
        synth: { executor: 'nx:run-commands', options: { command: 'node lib/main.js', cwd: '{projectRoot}' } },
      },
    };
    expect(readSynthTarget(project, nxJson, where)).toEqual({
      command: 'node lib/main.js',
      cwd: '/ws/apps/platform',
      dependsOn: ['build'],
    });
  });

  test('a changed command and no build dependency are followed', () => {
    const project: ProjectJson = {
      targets: {
        synth: {
          dependsOn: ['^build', { target: 'codegen' }, 'build'],
          options: { command: 'node -r ./register.js src/main.ts', cwd: 'apps/platform' },
        },
      },
    };
    expect(readSynthTarget(project, nxJson, where)).toEqual({
      command: 'node -r ./register.js src/main.ts',
      cwd: '/ws/apps/platform',
      dependsOn: ['build', 'codegen'],
    });
    const standalone: ProjectJson = { targets: { synth: { dependsOn: [], options: { command: 'node src/main.js' } } } };
    expect(readSynthTarget(standalone, nxJson, where)).toEqual({
      command: 'node src/main.js',
      cwd: '/ws',
      dependsOn: [],
    });
  });

  test('tokens in the command are replaced; a single-entry commands list is the command', () => {
    const project: ProjectJson = {
      targets: { synth: { options: { commands: [{ command: 'node {projectRoot}/lib/main.js' }] } } },
    };
    expect(readSynthTarget(project, {}, where).command).toBe('node apps/platform/lib/main.js');
  });

  test('errors name the file and what is missing', () => {
    expect(() => readSynthTarget({ targets: {} }, nxJson, where)).toThrow(
      "apps/platform/project.json: no 'synth' target",
    );
    expect(() =>
      readSynthTarget({ targets: { synth: { executor: '@nx/js:node', options: {} } } }, nxJson, where),
    ).toThrow('apps/platform/project.json: targets.synth.options.command must be');
  });

  test("this repository's app has a synth target the benchmark can run", () => {
    const target = synthTargetOf(path.resolve(__dirname, '..', '..'));
    expect(target.command).not.toBe('');
    expect(path.isAbsolute(target.cwd)).toBe(true);
  });
});

describe('commandOf and withArgs', () => {
  test('plain words are spawned without a shell', () => {
    const c = commandOf('node lib/main.js');
    expect(c).toEqual({ file: 'node', args: ['lib/main.js'], text: 'node lib/main.js', shell: false });
    expect(withArgs(c, ['--context', 'config=/tmp/a b.yaml'])).toEqual({
      file: 'node',
      args: ['lib/main.js', '--context', 'config=/tmp/a b.yaml'],
      text: 'node lib/main.js --context config=/tmp/a b.yaml',
    });
  });

  test.each(['FOO=1 node main.js', 'node a.js && node b.js', "node -e 'x'", 'node $APP'])(
    '%s runs in a shell, extra arguments passed as "$@"',
    (text) => {
      const c = commandOf(text);
      expect(c).toMatchObject({ file: '/bin/sh', args: ['-c', text], shell: true });
      expect(withArgs(c, ['--context', 'config=x']).args).toEqual([
        '-c',
        `${text} "$@"`,
        'sh',
        '--context',
        'config=x',
      ]);
    },
  );
});

test('the refresh runs the targets synth depends on, across the workspace, or nothing', () => {
  expect(refreshCommand({ command: 'x', cwd: '/', dependsOn: ['build'] })).toEqual(['nx', 'run-many', '-t', 'build']);
  expect(refreshCommand({ command: 'x', cwd: '/', dependsOn: [] })).toBeUndefined();
});

test('appendComment adds a new comment line each time and restores the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-workspace-test-'));
  try {
    const file = path.join(dir, 'main.ts');
    fs.writeFileSync(file, 'export const x = 1;\n');
    const restore1 = appendComment(dir, 'main.ts', 'edit');
    const first = fs.readFileSync(file, 'utf-8');
    restore1();
    const restore2 = appendComment(dir, 'main.ts', 'edit');
    const second = fs.readFileSync(file, 'utf-8');
    restore2();
    expect(first).toMatch(/^export const x = 1;\n\n\/\/ bench: edit \S+\n$/);
    expect(second).not.toBe(first);
    expect(fs.readFileSync(file, 'utf-8')).toBe('export const x = 1;\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
