// @ts-check
/**
 * The Jest runner of every project: jest-light-runner
 * (https://github.com/nicolo-ribaudo/jest-light-runner), which runs the test files in plain Node.js
 * (worker threads, or Jest's own thread in band, see below), without Jest's `vm` context and module
 * registry per test file.
 *
 * Why, measured on this machine (docs/performance.md has the benchmark):
 * - Jest's default runner gives each test file a `vm` context and a module registry of its own: every
 *   file that builds a CDK app loads and compiles aws-cdk-lib again, and code in a context reads
 *   globals (`Number`, `RegExp`, `Object`, ...) through the context's interceptors: a loop of
 *   `Number.isInteger` ran 14× slower there than in plain Node.js, of `new RegExp` 2× slower; a
 *   build and synth of the default config (validation off) took 2.3–2.5 s there, 1.5–1.6 s in plain
 *   Node.js. The change review formats its tables through such code (slice-ansi, is-fullwidth-code-point).
 * - The app's tests on two workers: 61 s of Jest's time and 102 s of CPU with the default runner,
 *   31 s and 59 s with this one.
 *
 * What it changes for tests: the test files of a worker share loaded modules and globals, so a test
 * must not rely on a fresh module registry (no `jest.mock`, `jest.isolateModules`, `jest.requireActual`;
 * none is used) and must restore what it changes (`process.env`, spies). TypeScript is loaded by
 * ./typescript.cjs, and per-test time limits come from ./test-timeouts.ts.
 *
 * The one thing this subclass changes: with one worker (`--runInBand`, or Jest's default on a 2-core
 * machine) jest-light-runner runs the files in Jest's own thread, where the projects of a multi-project
 * config (the app's `product` and `deploy`) share the first project's set-up and the run fails at its
 * end ("Cannot destructure property 'JEST_WORKER_ID' of 'projectState' as it is undefined"). In band,
 * it runs one project's files after the other's, each project with its own set-up.
 */
import { createRunner } from 'jest-light-runner';

const LightRunner = createRunner();

export default class BaselineRunner extends LightRunner {
  /** @type {boolean} */
  #inBand;

  /**
   * @param {{ maxWorkers: number }} globalConfig
   * @param {...unknown} rest
   */
  constructor(globalConfig, ...rest) {
    super(globalConfig, ...rest);
    this.#inBand = globalConfig.maxWorkers === 1;
  }

  /**
   * @param {Array<{ context: { config: object } }>} tests
   * @param {...unknown} rest watcher, onStart, onResult, onFailure
   */
  async runTests(tests, ...rest) {
    if (!this.#inBand) {
      return super.runTests(tests, ...rest);
    }
    /** @type {Map<object, typeof tests>} */
    const byProject = new Map();
    for (const test of tests) {
      byProject.set(test.context.config, [...(byProject.get(test.context.config) ?? []), test]);
    }
    for (const projectTests of byProject.values()) {
      await super.runTests(projectTests, ...rest);
    }
  }
}
