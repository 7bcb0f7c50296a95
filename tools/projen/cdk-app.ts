import * as fs from 'node:fs';
import * as path from 'node:path';
import { JsonFile, Project } from 'projen';
import { VERSIONS } from './versions';
import { JEST_PROJECT_DEFAULTS, TEMP_ROOT_SETUP, WorkspaceProject } from './workspace-project';

/** One jest project of the app's tests. */
export interface TestProject {
  /** The jest `displayName`, what `--selectProjects` takes. */
  readonly name: string;
  /** Folder of its test files, relative to the project. */
  readonly root: string;
  /** Folders under `root` that belong to another project. @default [] */
  readonly exclude?: string[];
  /**
   * Its jest `globalSetup` module, relative to the project; it calls `useTempRoot()`
   * (tools/testing/temp-root.ts) before it writes anything. @default - the run's temporary folder alone
   * (TEMP_ROOT_SETUP)
   */
  readonly globalSetup?: string;
  /** An Nx target that runs this project alone. @default - none */
  readonly target?: { readonly name: string; readonly description: string };
}

/** Options for the CDK application under `apps/`. */
export interface CdkAppOptions {
  readonly parent: Project;
  /** Folder and Nx project name, e.g. `platform`. */
  readonly name: string;
  readonly description: string;
  /** The construct libraries the app composes, linked through the npm workspace. */
  readonly libraries: WorkspaceProject[];
  /** Extra runtime dependencies (`name@version`). @default [] */
  readonly deps?: string[];
  /** Extra development dependencies (`name@version`), for tests only. @default [] */
  readonly devDeps?: string[];
  /**
   * Context values that deliberately differ from `cdk init`'s recommended feature flags.
   *
   * Each key must be a recommended flag: an override of a flag that does not exist is a typo.
   * @default {}
   */
  readonly contextOverrides?: Record<string, unknown>;
  /**
   * The app's tests as jest projects, run together by the `test` target (one jest process, Jest's
   * default workers: in band on two cores, see useTestProjects). Each project has its own folder and
   * global setup (e.g. one synthesis shared by its test files; the global setups run in that one
   * process, so they can share a synthesis too). A project with `target` also gets an Nx target of
   * that name that runs it alone.
   * @default - one project: every test under test/
   */
  readonly testProjects?: TestProject[];
  /**
   * The command of a `docs` Nx target that regenerates committed documentation from the built
   * app (run in the project folder, after `build`). @default - no docs target
   */
  readonly docsCommand?: string;
  /**
   * Modules (paths relative to the app, `.ts` allowed) that the synth loads before the app, with
   * `node -r`, after the source loader: work that should start before the app's modules load (the
   * platform app starts its validation engines so). @default []
   */
  readonly synthPreload?: string[];
}

/**
 * The CDK app under `apps/<name>`: cdk.json with the feature flags `cdk init` writes for the
 * pinned aws-cdk-lib, a `synth` Nx target that runs the app from source, transpile-only.
 *
 * The stock setup runs `npx ts-node --prefer-ts-exts src/main.ts`, which type-checks the whole app
 * on every synth. Here the synth only transpiles (swc, tools/source/register.cjs, which also loads
 * the libraries from their sources), and type checking is the cached `typecheck` target that
 * `npm test`, CI and the pipeline's build step run (and the CDK CLI's `build` step, from cdk.json).
 * The synth is cached too: an unchanged tree restores the cloud assembly.
 */
export class CdkApp extends WorkspaceProject {
  constructor(options: CdkAppOptions) {
    super({
      parent: options.parent,
      name: options.name,
      kind: 'apps',
      description: options.description,
      deps: [`aws-cdk-lib@${VERSIONS.awsCdkLib}`, `constructs@${VERSIONS.constructs}`, ...(options.deps ?? [])],
      workspaceDeps: options.libraries,
      tags: ['type:app'],
    });
    this.addDevDeps(`aws-cdk@${VERSIONS.awsCdkCli}`, ...(options.devDeps ?? []));
    this.gitignore.exclude('/cdk.out/', '/cdk.context.json');

    const recommended = readRecommendedFlags(this.root.outdir);
    for (const key of Object.keys(options.contextOverrides ?? {})) {
      if (!(key in recommended)) {
        throw new Error(
          `CdkApp.contextOverrides: '${key}' is not a recommended feature flag of aws-cdk-lib ${VERSIONS.awsCdkLib}`,
        );
      }
    }
    const synthCommand = [SYNTH_LOADER, ...(options.synthPreload ?? []).map((m) => `-r ${m}`), 'src/main.ts'].join(' ');
    new JsonFile(this, 'cdk.json', {
      obj: {
        app: synthCommand,
        // `cdk synth`/`cdk deploy` type-check first (through Nx: cached), as the stock ts-node app would.
        build: `npx nx run ${options.name}:typecheck`,
        output: 'cdk.out',
        context: { ...recommended, ...options.contextOverrides },
      },
    });

    this.targets.synth = {
      executor: 'nx:run-commands',
      options: { command: synthCommand, cwd: '{projectRoot}' },
    };
    if (options.testProjects) {
      this.useTestProjects(options.testProjects);
    }
    if (options.docsCommand) {
      // Writes files outside the project (docs/), so it is never cached. Runs from source like the synth.
      this.targets.docs = {
        executor: 'nx:run-commands',
        cache: false,
        options: { command: options.docsCommand, cwd: '{projectRoot}' },
      };
    }
  }

  private useTestProjects(projects: TestProject[]): void {
    for (const key of ['roots', 'testMatch', 'globalSetup', ...Object.keys(JEST_PROJECT_DEFAULTS)]) {
      this.jestConfig.addDeletionOverride(key);
    }
    this.jestConfig.addOverride(
      'projects',
      projects.map((p) => ({
        displayName: p.name,
        ...JEST_PROJECT_DEFAULTS,
        roots: [`<rootDir>/${p.root}`],
        testMatch: ['**/*.test.ts'],
        testPathIgnorePatterns: ['/node_modules/', ...(p.exclude ?? []).map((e) => `<rootDir>/${p.root}/${e}/`)],
        globalSetup: p.globalSetup ? `<rootDir>/${p.globalSetup}` : TEMP_ROOT_SETUP,
      })),
    );
    // Jest's default number of workers (one fewer than the cores; on 2 cores, in Jest's own thread):
    // with tools/testing/runner.mjs the app's tests took as long in band as on two workers here
    // (38–47 s either way), with 39 s of CPU instead of 62 s, which leaves a core to the other projects'
    // tests of an `nx affected` run.
    const test = this.targets.test as { options: { command: string } };
    this.targets.test = {
      ...test,
      inputs: ['default', '^production', ...TEST_ENVIRONMENT_INPUTS],
    };
    for (const p of projects.filter((x) => x.target)) {
      this.targets[p.target!.name] = {
        executor: 'nx:run-commands',
        inputs: ['default', '^production', ...TEST_ENVIRONMENT_INPUTS],
        cache: true,
        metadata: { description: p.target!.description },
        options: { command: `${test.options.command} --selectProjects ${p.name}`, cwd: '{projectRoot}' },
      };
    }
  }
}

/**
 * How the app runs: from source, transpile-only (swc), the libraries from their sources too. Type
 * errors are the `typecheck` target's (cached), which tests, CI and the pipeline run.
 */
const SYNTH_LOADER = 'node -r ../../tools/source/register.cjs';

/** Environment variables that change what the app's tests check (part of their cache key). */
const TEST_ENVIRONMENT_INPUTS = [{ env: 'PLATFORM_CONFIG' }];

/** The flags `cdk init` writes into a new app's cdk.json, as shipped with the installed aws-cdk-lib. */
function readRecommendedFlags(workspaceRoot: string): Record<string, unknown> {
  const file = path.join(workspaceRoot, 'node_modules', 'aws-cdk-lib', 'recommended-feature-flags.json');
  if (!fs.existsSync(file)) {
    throw new Error(`${file} not found: run 'npm ci' before 'npx projen' (cdk.json is generated from it)`);
  }
  const installed = JSON.parse(fs.readFileSync(path.join(path.dirname(file), 'package.json'), 'utf-8')).version;
  if (installed !== VERSIONS.awsCdkLib) {
    throw new Error(
      `node_modules has aws-cdk-lib ${installed}, tools/projen/versions.ts pins ${VERSIONS.awsCdkLib}: run 'npm ci'`,
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf-8'));
}
