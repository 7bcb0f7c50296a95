import { JsonFile, TextFile } from 'projen';
import { PROJEN_MARKER } from 'projen/lib/common';
import { NodePackageManager, NodeProject, TrailingComma } from 'projen/lib/javascript';
import { ProjenrcTs } from 'projen/lib/typescript';
import { SCOPE, VERSIONS } from './versions';
import { jestRunner, tscCommand, WorkspaceProject } from './workspace-project';

/** Options for the workspace root. */
export interface NxMonorepoOptions {
  /** The root package name. */
  readonly name: string;
  /** The branch `nx affected` compares against by default. @default 'main' */
  readonly defaultBranch?: string;
}

/**
 * The root of the Nx + npm workspaces monorepo.
 *
 * projen has no Nx or npm-workspaces component, so this one writes nx.json, the `workspaces` list,
 * tsconfig.base.json, the flat eslint config and prettier config, and the root tasks. It owns the
 * whole toolchain as dev dependencies: npm hoists them, so every project runs the same versions.
 */
export class NxMonorepo extends NodeProject {
  private readonly members: WorkspaceProject[] = [];

  constructor(options: NxMonorepoOptions) {
    const defaultBranch = options.defaultBranch ?? 'main';
    super({
      name: options.name,
      defaultReleaseBranch: defaultBranch,
      packageManager: NodePackageManager.NPM,
      projenVersion: VERSIONS.projen,
      projenrcJs: false,
      licensed: false,
      jest: false,
      package: false,
      release: false,
      buildWorkflow: false,
      depsUpgrade: false,
      pullRequestTemplate: false,
      github: false,
      npmignoreEnabled: false,
      readme: undefined,
      prettier: true,
      prettierOptions: {
        settings: { singleQuote: true, printWidth: 120, trailingComma: TrailingComma.ALL },
      },
      devDeps: [
        `nx@${VERSIONS.nx}`,
        `typescript@${VERSIONS.typescript}`,
        `typescript7@npm:typescript@${VERSIONS.typescriptNative}`,
        `ts-node@${VERSIONS.tsNode}`,
        `jest@${VERSIONS.jest}`,
        `jest-light-runner@${VERSIONS.jestLightRunner}`,
        // tools/testing/test-timeouts.ts registers tests through them, as jest-light-runner does.
        `jest-circus@${VERSIONS.jest}`,
        `jest-each@${VERSIONS.jest}`,
        `@swc/jest@${VERSIONS.swcJest}`,
        `@swc/core@${VERSIONS.swcCore}`,
        `@types/jest@${VERSIONS.typesJest}`,
        `@types/node@${VERSIONS.typesNode}`,
        `eslint@${VERSIONS.eslint}`,
        `typescript-eslint@${VERSIONS.typescriptEslint}`,
        `prettier@${VERSIONS.prettier}`,
      ],
    });

    new ProjenrcTs(this, { projenCodeDir: 'tools/projen' });
    // projen's own components add these unpinned; pin them like everything else.
    this.addDevDeps(`prettier@${VERSIONS.prettier}`, `constructs@${VERSIONS.constructs}`);
    // `npm run build` at the root builds every project (through Nx, cached).
    this.compileTask.exec('nx run-many -t build --output-style=stream');
    // projen writes an empty compilerOptions for tsconfig.projen.json; TypeScript then targets ES5
    // and projen's classes cannot be extended ("Class constructor ... cannot be invoked without 'new'").
    this.tryFindObjectFile('tsconfig.projen.json')?.addOverride('compilerOptions', {
      target: 'ES2022',
      module: 'commonjs',
      moduleResolution: 'node',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
    });

    this.package.addField('private', true);
    this.package.addField('workspaces', () =>
      this.members.map((m) => m.package.project.outdir.slice(this.outdir.length + 1)),
    );
    // 20.6: module.register, through which the tests load TypeScript (tools/testing/typescript.cjs).
    this.package.addField('engines', { node: '>=20.6' });

    this.gitignore.exclude('/.nx/', 'node_modules/', '*.tsbuildinfo', '/coverage/', '/.review-base', '/.review.env');
    this.prettier?.addIgnorePattern('**/lib/');
    this.prettier?.addIgnorePattern('**/cdk.out/');
    this.prettier?.addIgnorePattern('.nx/');

    new JsonFile(this, 'tsconfig.base.json', {
      obj: {
        compilerOptions: {
          target: 'ES2022',
          lib: ['es2022'],
          // node16 (CommonJS here: no package.json sets "type"): valid for both compilers, where
          // TypeScript 7 has removed `moduleResolution: node`.
          module: 'node16',
          moduleResolution: 'node16',
          strict: true,
          noImplicitReturns: true,
          noFallthroughCasesInSwitch: true,
          noUnusedLocals: true,
          noUnusedParameters: true,
          esModuleInterop: true,
          resolveJsonModule: true,
          declaration: true,
          sourceMap: true,
          skipLibCheck: true,
          forceConsistentCasingInFileNames: true,
          types: ['node', 'jest'],
          // Type checks read the workspace packages' sources, as the tests and the synth run them:
          // no project waits for another's build to be type-checked.
          paths: { [`${SCOPE}/*`]: ['./packages/*/src'] },
        },
      },
    });

    new JsonFile(this, 'nx.json', {
      obj: {
        $schema: './node_modules/nx/schemas/nx-schema.json',
        defaultBase: defaultBranch,
        // No Nx Cloud: nothing leaves the machine, and CI needs no token.
        neverConnectToCloud: true,
        namedInputs: {
          // Files every project's result depends on: a change here makes every project affected.
          sharedGlobals: [
            '{workspaceRoot}/tsconfig.base.json',
            '{workspaceRoot}/package-lock.json',
            '{workspaceRoot}/eslint.config.mjs',
            '{workspaceRoot}/.prettierrc.json',
            '{workspaceRoot}/tools/testing/**/*',
          ],
          default: ['{projectRoot}/**/*', 'sharedGlobals'],
          production: ['default', '!{projectRoot}/test/**/*', '!{projectRoot}/jest.config.json'],
        },
        targetDefaults: {
          build: {
            dependsOn: ['^build'],
            inputs: ['production', '^production'],
            outputs: ['{projectRoot}/lib'],
            cache: true,
          },
          // Neither waits for a build: tsconfig `paths` and the tests' loader (tools/testing/typescript.cjs)
          // read the other packages' sources (part of `^production`). Tests only transpile (swc); they are
          // type-checked by `typecheck`, which runs beside `test` rather than before it (run both:
          // `-t lint typecheck test`).
          typecheck: { inputs: ['default', '^production'], outputs: [], cache: true },
          test: { inputs: ['default', '^production'], outputs: [], cache: true },
          lint: { inputs: ['default'], outputs: [], cache: true },
          synth: {
            // The app runs from source (tools/source/register.cjs transpiles, no build first), so its
            // inputs are the sources of the app and every library, and the loader.
            // `--context config=<file>` may name any config in the repository: all of them are inputs,
            // so editing one never serves a stale cloud assembly from the cache. The environment
            // variables that change what the app writes are inputs too.
            inputs: [
              'production',
              '^production',
              '{workspaceRoot}/**/*.yaml',
              '{workspaceRoot}/**/*.yml',
              '{workspaceRoot}/tools/source/**/*',
              { env: 'CDK_VALIDATION' },
              { env: 'CDK_CONTEXT_JSON' },
              { env: 'CDK_OUTDIR' },
            ],
            outputs: ['{projectRoot}/cdk.out'],
            cache: true,
          },
        },
      },
    });

    // Read by Nx at start-up, before anything else: it loads the workspace root's `.env` into its own
    // process (https://nx.dev/docs/reference/environment-variables, "Loading environment variables").
    // Nx runs each project-graph plugin in a worker process of its own by default; this workspace uses
    // only Nx's three built-in plugins (package.json, project.json, the JS dependency graph), and their
    // workers' start-up is most of what Nx costs before a task: `nx run platform:synth` with its cloud
    // assembly in the cache, 1.9 s isolated against 0.7 s in process (NX_PERF_LOGGING shows three
    // `start-plugin-worker` steps of 0.7 to 1.2 s each). Isolation guards against third-party plugins
    // that leak state into Nx's process; there are none here. A plugin added to nx.json later can set
    // it back to `true` here.
    new TextFile(this, '.env', {
      lines: [
        `# ${PROJEN_MARKER}. To modify, edit tools/projen/nx-monorepo.ts and run "npx projen".`,
        '# Read by Nx (workspace root .env): load its built-in project-graph plugins in its own process.',
        'NX_ISOLATE_PLUGINS=false',
      ],
    });

    const eslintConfig = new TextFile(this, 'eslint.config.mjs');
    for (const line of [
      `// ${PROJEN_MARKER}. To modify, edit .projenrc.ts and run "npx projen".`,
      "import tseslint from 'typescript-eslint';",
      '',
      'export default tseslint.config(',
      "  { ignores: ['**/lib/**', '**/cdk.out/**', '**/node_modules/**', '.nx/**'] },",
      '  ...tseslint.configs.recommended,',
      '  {',
      '    rules: {',
      "      'no-console': 'off',",
      "      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],",
      '    },',
      '  },',
      '  {',
      '    // CommonJS files (tools/source/register.cjs runs before anything can be compiled) load with require.',
      "    files: ['**/*.cjs'],",
      "    rules: { '@typescript-eslint/no-require-imports': 'off' },",
      '  },',
      '  {',
      '    // Sources only: a literal partition hard-codes the commercial regions. Tests compare',
      '    // synthesized templates, which do carry literal ARNs, so they may spell them out.',
      "    files: ['**/src/**/*.ts'],",
      '    rules: {',
      "      'no-restricted-syntax': ['error', { selector: 'Literal[value=/^arn:aws:/]', message: 'Use Aws.PARTITION or Stack.of(this).formatArn() instead of a literal arn:aws: prefix.' }],",
      '    },',
      '  },',
      ');',
    ]) {
      eslintConfig.addLine(line);
    }

    // The workspace's own commands. package.json scripts call these through projen.
    this.addTask('synth', {
      description: 'Synthesize the CDK app (every stage, region and the pipeline) with all checks on',
      exec: 'nx run platform:synth --output-style=stream',
      receiveArgs: true,
    });
    const rehearse = this.addTask('rehearse', {
      description:
        "Run the pipeline synth step's own commands (from the synthesized buildspec) in a fresh clone of HEAD; args go to tools/rehearse/main.ts",
    });
    rehearse.exec('nx run platform:synth --output-style=stream');
    rehearse.exec('node tools/rehearse/cli.mjs', { receiveArgs: true });
    this.addTask('docs', {
      description:
        'Regenerate the committed docs from the code: config schema and reference, compliance report, diagrams',
      exec: 'nx run platform:docs --output-style=stream',
    });
    const configure = this.addTask('configure', {
      description:
        'Point the config at your accounts, regions, repository and connection, validate it, regenerate the docs and the stateful-resource lock, print the bootstrap commands; args go to apps/platform/src/configure/cli.ts',
    });
    // From source (transpile-only), like the synth: nothing to build first.
    configure.exec('node -r ./tools/source/register.cjs apps/platform/src/configure/main.ts', { receiveArgs: true });
    // From source (transpile-only): a review needs no build, and the base commit has no build either.
    const diff = this.addTask('diff', {
      description:
        'Review what the working tree changes against a git ref (default main) in every stage-region and the pipeline; exits 1 when a change would lose data or break an export in use; args go to apps/platform/src/review/cli.ts',
      exec: 'node -r ./tools/source/register.cjs apps/platform/src/review/main.ts',
      receiveArgs: true,
    });
    // npm runs it directly, not through projen, which reports every failure as exit code 1: the
    // review's 1 (refused) and 2 (could not run) reach the caller (the pipeline, a script).
    this.package.setScript('diff', diff.steps[0].exec!);
    this.addTask('bench', {
      description: 'Measure synth and test times against the stock CDK setup; writes docs/performance.md',
      exec: 'node tools/bench/cli.mjs',
      receiveArgs: true,
    });
    this.testTask.reset('nx run-many -t lint typecheck test --output-style=stream');
    // The two commands people run most call Nx directly: through projen they would pay its start-up
    // (and an `npx` for PATH) before Nx even starts. The projen tasks stay (`npx projen synth`).
    this.package.setScript('synth', 'nx run platform:synth --output-style=stream');
    this.package.setScript('test', 'nx run-many -t lint typecheck test --output-style=stream');

    // The repository tooling (projen components, test helpers, rehearsal, benchmark, the tests of
    // the repository itself) is an Nx project too, so its checks are cached like the others and the
    // pipeline's `nx affected` runs them when tools/ changes.
    new JsonFile(this, 'tools/project.json', {
      obj: {
        $schema: '../node_modules/nx/schemas/project-schema.json',
        name: 'tools',
        projectType: 'library',
        sourceRoot: 'tools',
        tags: ['type:tooling'],
        targets: {
          typecheck: {
            executor: 'nx:run-commands',
            options: { command: tscCommand('tools', '-p tsconfig.json'), cwd: 'tools' },
          },
          lint: {
            executor: 'nx:run-commands',
            inputs: ['default', '{workspaceRoot}/.projenrc.ts'],
            options: {
              commands: [
                'eslint --max-warnings 0 . ../.projenrc.ts',
                'prettier --check "**/*.{ts,mjs}" ../.projenrc.ts',
              ],
              parallel: false,
              cwd: 'tools',
            },
          },
          // These tests also read the docs and the test files the docs link to. (Nx counts a file
          // named in a project's inputs as touching that project for `nx affected` too.)
          test: {
            executor: 'nx:run-commands',
            inputs: [
              'default',
              '{workspaceRoot}/README.md',
              '{workspaceRoot}/packages/*/README.md',
              '{workspaceRoot}/apps/platform/README.md',
              '{workspaceRoot}/docs/**/*',
              '{workspaceRoot}/**/test/**/*.test.ts',
            ],
            options: { command: 'jest --ci -c jest.config.json', cwd: 'tools' },
          },
        },
      },
    });

    new JsonFile(this, 'tools/tsconfig.json', {
      obj: { extends: '../tsconfig.base.json', compilerOptions: { noEmit: true }, include: ['**/*.ts'] },
    });
    new JsonFile(this, 'tools/jest.config.json', {
      obj: {
        testEnvironment: 'node',
        rootDir: '.',
        testMatch: ['<rootDir>/test/**/*.test.ts'],
        globalSetup: '<rootDir>/testing/temp-root.ts',
        // The global setup is compiled by Jest (swc); the test files by tools/testing/typescript.cjs.
        transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
        ...jestRunner('<rootDir>/testing'),
      },
    });
  }

  /** Registers a project as an npm workspace member. */
  public addMember(member: WorkspaceProject): void {
    this.members.push(member);
  }
}
