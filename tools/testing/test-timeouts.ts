/**
 * Jest's time limits for tests and hooks, under ./runner.mjs (jest-light-runner), which calls them
 * without one: a test that never settles would hold the run until CI's own limit.
 *
 * The setup file after the environment of every project. As with Jest's default runner
 * (https://jestjs.io/docs/api#testname-fn-timeout, https://jestjs.io/docs/jest-object#jestsettimeouttimeout):
 * a test or hook fails when it has not finished after its own `timeout` argument, else the
 * `jest.setTimeout(ms)` of its test file, else 5 s; `test.each` and `test.only` too. The test's
 * function is not stopped (Jest does not stop it either); the run goes on to the next test.
 */
import { clearTimeout, setTimeout } from 'node:timers';
import * as circus from 'jest-circus';
import { bind } from 'jest-each';

/** Jest's default `testTimeout`. */
export const DEFAULT_TIMEOUT_MS = 5_000;

type Fn = (this: unknown, ...args: unknown[]) => unknown;
type Register = (name: unknown, fn?: Fn, timeout?: number) => unknown;

/** `jest.setTimeout` of each test file, by its path. */
const fileTimeouts = new Map<string, number>();

function currentTestPath(): string {
  return (expect.getState() as { testPath?: string }).testPath ?? '';
}

/** `fn` as a function that rejects when it has not finished in time. */
function limited(fn: Fn | undefined, timeout: number | undefined, what: 'test' | 'hook'): Fn | undefined {
  if (typeof fn !== 'function') return fn;
  return function (this: unknown): Promise<unknown> {
    const ms = timeout ?? fileTimeouts.get(currentTestPath()) ?? DEFAULT_TIMEOUT_MS;
    const run =
      fn.length >= 1
        ? new Promise<unknown>((resolve, reject) => {
            fn.call(this, (error?: unknown) => (error ? reject(error) : resolve(undefined)));
          })
        : Promise.resolve().then(() => fn.call(this));
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `Exceeded timeout of ${ms} ms for a ${what}.\n` +
                `Add a timeout value to this ${what} to increase the timeout, if this is a long-running ${what}.`,
            ),
          ),
        ms,
      );
    });
    return Promise.race([run, limit]).finally(() => clearTimeout(timer));
  };
}

function limitedTest(register: Register): Register & { each: unknown } {
  const test: Register = (name, fn, timeout) => register(name, limited(fn, timeout, 'test'), timeout);
  return Object.assign(test, { each: bind(test as never) });
}

const hook =
  (register: (fn: Fn, timeout?: number) => unknown) =>
  (fn: Fn, timeout?: number): unknown =>
    register(limited(fn, timeout, 'hook')!, timeout);

const circusTest = circus.test as unknown as Register & { only: Register; skip: unknown; todo: unknown };
const test = Object.assign(limitedTest(circusTest), {
  only: limitedTest(circusTest.only),
  skip: circusTest.skip,
  todo: circusTest.todo,
});

const globals = globalThis as unknown as Record<string, unknown> & { jest: Record<string, unknown> };
Object.assign(globals, {
  test,
  it: test,
  fit: test.only,
  beforeAll: hook(circus.beforeAll as never),
  afterAll: hook(circus.afterAll as never),
  beforeEach: hook(circus.beforeEach as never),
  afterEach: hook(circus.afterEach as never),
});
globals.jest.setTimeout = (ms: number) => {
  fileTimeouts.set(currentTestPath(), ms);
  return globals.jest;
};
