import * as path from 'node:path';
import { JsonFile, Project, ProjenrcFile } from 'projen';
import { NodePackageManager, NodeProject, NodeProjectOptions } from 'projen/lib/javascript';
import { SCOPE } from './versions';

/** Options shared by every project of the Nx workspace. */
export interface WorkspaceProjectOptions {
  /** The root project that owns the workspace. */
  readonly parent: Project;
  /** The Nx project name, also the folder name and the npm package name after the scope. */
  readonly name: string;
  /** `packages` for libraries, `apps` for applications. */
  readonly kind: 'packages' | 'apps';
  /** One line that says what the project is for; goes into package.json. */
  readonly description: string;
  /** Runtime dependencies (`name@version`). @default [] */
  readonly deps?: string[];
  /** Peer dependencies (`name@range`). @default [] */
  readonly peerDeps?: string[];
  /** Workspace projects this one depends on, by their `WorkspaceProject`. @default [] */
  readonly workspaceDeps?: WorkspaceProject[];
  /** Nx tags (`scope:lib`, `scope:app`) for module-boundary rules. @default [] */
  readonly tags?: string[];
}

/**
 * How every jest config of the workspace (the tools' too) runs its test files: tools/testing/runner.mjs
 * (jest-light-runner: plain Node.js worker threads, modules shared by the files of a worker), the
 * TypeScript of the test files and of the workspace packages from source through the synth's loader
 * (tools/testing/typescript.cjs, first of the `setupFiles`), and Jest's time limits
 * (tools/testing/test-timeouts.ts). `testingDir` is tools/testing as the config sees it.
 */
export function jestRunner(testingDir: string, ...setupFiles: string[]) {
  return {
    runner: `${testingDir}/runner.mjs`,
    setupFiles: [`${testingDir}/typescript.cjs`, ...setupFiles],
    setupFilesAfterEnv: [`${testingDir}/test-timeouts.ts`],
  };
}

/** tools/testing as the jest config of a workspace project sees it. */
export const TESTING_DIR = '<rootDir>/../../tools/testing';

/**
 * What every jest config (or jest project of a multi-project config) of the workspace project has in
 * common: Node, the runner above, and swc for what Jest itself loads (the global setups; the test
 * files load through tools/testing/typescript.cjs, so they never wait for, or run on a stale, `tsc`
 * build of a library).
 */
export const JEST_PROJECT_DEFAULTS = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, sourceMaps: 'inline' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  ...jestRunner(TESTING_DIR),
};

/**
 * The Jest global setup of every project that has no other: the run's temporary folder, removed when
 * the run ends (see the file). A project's own global setup calls its `useTempRoot()` (the app's
 * do, through test/support/synthesize-once.ts).
 */
export const TEMP_ROOT_SETUP = `${TESTING_DIR}/temp-root.ts`;

/**
 * The TypeScript compiler of the `build` and `typecheck` targets: the native one (TypeScript 7, the
 * npm alias `typescript7`), called by path because both it and TypeScript 5.9 (projen's ts-node,
 * typescript-eslint) ship a `tsc` bin. `fromDir` is the project folder relative to the workspace root.
 */
export function tscCommand(fromDir: string, args: string): string {
  const up = fromDir
    .split('/')
    .map(() => '..')
    .join('/');
  return `node ${up}/node_modules/typescript7/bin/tsc ${args}`;
}

/**
 * One project of the Nx workspace: a package.json, a tsconfig extending the base, a jest config
 * with the swc transform, and a project.json with the Nx targets.
 *
 * Deliberately a plain `NodeProject`, not projen's `TypeScriptProject`: the latter writes its own
 * full compiler option set (overriding `tsconfig.base.json`), a ts-jest transform, an eslintrc and
 * a dozen npm scripts that Nx would infer as targets. Here the root owns the toolchain and every
 * project only declares what differs.
 */
export class WorkspaceProject extends NodeProject {
  /** The npm package name, e.g. `@baseline/network`. */
  public readonly packageName: string;
  /** The Nx project name, e.g. `network`. */
  public readonly nxName: string;
  /** The project's jest.config.json (e.g. `jestConfig.addOverride('globalSetup', ...)`). */
  public readonly jestConfig: JsonFile;

  /** The targets written into project.json; subclasses add to it before synthesis. */
  protected readonly targets: Record<string, unknown>;

  constructor(options: WorkspaceProjectOptions) {
    const packageName = `${SCOPE}/${options.name}`;
    const nodeOptions: NodeProjectOptions = {
      parent: options.parent,
      outdir: path.join(options.kind, options.name),
      name: packageName,
      packageName,
      description: options.description,
      defaultReleaseBranch: 'main',
      packageManager: NodePackageManager.NPM,
      entrypoint: 'lib/index.js',
      deps: options.deps,
      peerDeps: options.peerDeps,
      licensed: false,
      jest: false,
      prettier: false,
      package: false,
      release: false,
      buildWorkflow: false,
      depsUpgrade: false,
      pullRequestTemplate: false,
      github: false,
      npmignoreEnabled: false,
      projenrcJs: false,
      projenDevDependency: false,
      readme: { filename: 'README.md', contents: `# ${packageName}\n\n${options.description}\n` },
    };
    super(nodeOptions);
    this.packageName = packageName;
    this.nxName = options.name;

    // The root runs one install for the whole workspace. A per-project `npm install` (projen's
    // default) costs a second each and rewrites "*" workspace dependencies to registry versions.
    this.package.postSynthesize = () => {};

    for (const dep of options.workspaceDeps ?? []) {
      // "*" resolves to the workspace copy: npm links packages/<name> instead of downloading.
      this.addDeps(`${dep.packageName}@*`);
    }
    this.package.addField('private', true);
    this.package.addField('types', 'lib/index.d.ts');
    // Nx must not turn package.json scripts into targets: project.json is the single source.
    this.package.addField('nx', { includedScripts: [] });
    // The projen tasks of a subproject are not how anyone runs it (Nx is): no npm scripts that
    // would look like a second way in.
    this.package.file.addDeletionOverride('scripts');
    new WorkspaceProjenrc(this);

    this.gitignore.exclude('/lib/', '/coverage/', '*.tsbuildinfo');

    // Two tsconfigs: tsconfig.json type-checks sources and tests together (editors use it too);
    // tsconfig.lib.json emits only the sources to lib/. Jest itself only transpiles (swc).
    new JsonFile(this, 'tsconfig.json', {
      obj: {
        extends: '../../tsconfig.base.json',
        compilerOptions: { noEmit: true },
        include: ['src/**/*.ts', 'test/**/*.ts'],
      },
    });
    new JsonFile(this, 'tsconfig.lib.json', {
      obj: {
        extends: './tsconfig.json',
        // No `paths`: the emitted lib/ compiles against the other packages' built declarations (the
        // workspace links, `types`), not their sources, which lie outside rootDir.
        compilerOptions: { noEmit: false, rootDir: 'src', outDir: 'lib', paths: {} },
        include: ['src/**/*.ts'],
      },
    });

    this.jestConfig = new JsonFile(this, 'jest.config.json', {
      obj: {
        ...JEST_PROJECT_DEFAULTS,
        roots: ['<rootDir>/test'],
        testMatch: ['**/*.test.ts'],
        globalSetup: TEMP_ROOT_SETUP,
        // A failing test must print what it compared, not a truncated line.
        verbose: false,
      },
    });

    const projectDir = `${options.kind}/${options.name}`;
    this.targets = {
      build: {
        executor: 'nx:run-commands',
        options: { command: tscCommand(projectDir, '-p tsconfig.lib.json'), cwd: '{projectRoot}' },
      },
      typecheck: {
        executor: 'nx:run-commands',
        options: { command: tscCommand(projectDir, '-p tsconfig.json'), cwd: '{projectRoot}' },
      },
      test: { executor: 'nx:run-commands', options: { command: 'jest --ci', cwd: '{projectRoot}' } },
      lint: {
        executor: 'nx:run-commands',
        options: {
          commands: ['eslint --max-warnings 0 src test', 'prettier --check src test'],
          parallel: false,
          cwd: '{projectRoot}',
        },
      },
    };
    new JsonFile(this, 'project.json', {
      obj: () => ({
        $schema: '../../node_modules/nx/schemas/project-schema.json',
        name: this.nxName,
        projectType: options.kind === 'apps' ? 'application' : 'library',
        sourceRoot: `${options.kind}/${options.name}/src`,
        tags: options.tags ?? [],
        targets: this.targets,
      }),
    });
  }
}

/**
 * Points a subproject's generated-file markers at the root `.projenrc.ts`.
 *
 * Without a projenrc component of its own, projen tells readers of a subproject's files to edit a
 * `.projenrc.js` that does not exist.
 */
class WorkspaceProjenrc extends ProjenrcFile {
  public readonly filePath = '.projenrc.ts';
  public preSynthesize(): void {
    // The root's .gitignore already keeps .projenrc.ts; nothing to add in the subproject.
  }
}
