// @ts-check
/**
 * The first Jest setup file of every project (tools/testing/runner.mjs runs the test files): test
 * files, and everything they import, are TypeScript run from source through the synth's own loader
 * (../source/register.cjs: swc, transpile-only, `@baseline/<package>` from the package's sources).
 *
 * The runner imports a test file with `import()`, Node's ESM loader, which knows no `.ts`: the hook
 * in ./typescript-hooks.mjs hands those files to the CommonJS loader. It runs once per worker thread
 * (or once in Jest's own process with `--runInBand`); a second registration would only add a second,
 * identical hook, so it is skipped.
 */
'use strict';
const { register } = require('node:module');
const { pathToFileURL } = require('node:url');

require('../source/register.cjs');

const REGISTERED = Symbol.for('baseline.typescript-hooks');
const state = /** @type {Record<symbol, boolean>} */ (/** @type {unknown} */ (globalThis));
if (!state[REGISTERED]) {
  register('./typescript-hooks.mjs', pathToFileURL(__filename));
  state[REGISTERED] = true;
}
