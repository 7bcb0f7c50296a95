// @ts-check
/**
 * Runs the repository's TypeScript from source, transpile-only: `node -r ./tools/source/register.cjs
 * apps/platform/src/main.ts`.
 *
 * - `.ts` files are compiled on load by swc (the compiler the tests already use, with the same
 *   options), without type checking: type errors are the `typecheck` and `build` targets' job, which
 *   `npm test`, CI and the pipeline's build step run.
 * - What swc made is kept in `node_modules/.cache/baseline-source/` (or `$BASELINE_SOURCE_CACHE`),
 *   one file per source, named by the SHA-256 of the swc version, the options, the file's path and
 *   its content: an edited file is compiled again, an unchanged one is read back (a synth loads 75
 *   of them, about 0.1 s of swc on this machine). A cache that cannot be read or written is skipped.
 *   Delete the folder to drop old entries.
 * - `@baseline/<package>` resolves to that package's `src/index.ts` when it has one, so the app runs
 *   on the libraries' sources, not on their last `tsc` output (`lib/`), which may be stale or absent.
 *   The package is found the normal way (node_modules), so a checkout whose `node_modules/@baseline`
 *   links point to its own packages runs its own libraries (`npm run diff` synthesizes the base
 *   commit this way).
 *
 * Plain CommonJS so that it runs before anything can be compiled.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { threadId } = require('node:worker_threads');
const swc = require('@swc/core');

/** @type {import('@swc/core').Options} */
const OPTIONS = {
  jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
  swcrc: false,
  configFile: false,
};

process.setSourceMapsEnabled(true);

const CACHE =
  process.env.BASELINE_SOURCE_CACHE || path.join(__dirname, '..', '..', 'node_modules', '.cache', 'baseline-source');
/** What the output depends on besides the file: the compiler and how it is called. */
const SALT = JSON.stringify([swc.version, OPTIONS]);

/** The JavaScript for a `.ts` file: from the cache when this very source was compiled before. */
function compile(/** @type {string} */ filename) {
  const source = fs.readFileSync(filename, 'utf-8');
  const key = crypto.createHash('sha256').update(`${SALT}\0${filename}\0${source}`).digest('hex');
  const cached = path.join(CACHE, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf-8');
  } catch {
    // Not compiled yet (or no cache): compile now.
  }
  const { code } = swc.transformSync(source, { ...OPTIONS, filename });
  try {
    fs.mkdirSync(CACHE, { recursive: true });
    // Whole or not at all: another process may read the entry while this one writes it.
    const temp = `${cached}.${process.pid}.${threadId}.tmp`;
    fs.writeFileSync(temp, code);
    fs.renameSync(temp, cached);
  } catch {
    // A read-only checkout: compile every time.
  }
  return code;
}

// require.extensions is deprecated in the docs but is how CommonJS loads a new file type (ts-node does the same).
require.extensions['.ts'] = (module, filename) => {
  /** @type {{ _compile(code: string, filename: string): void }} */ (/** @type {unknown} */ (module))._compile(
    compile(filename),
    filename,
  );
};

const PACKAGE = /^@baseline\/([a-z0-9-]+)$/;
/** @type {{ _resolveFilename: (request: string, parent: unknown, ...rest: unknown[]) => string }} */
const internals = /** @type {any} */ (Module);
const resolveFilename = internals._resolveFilename;
internals._resolveFilename = function (request, parent, ...rest) {
  if (PACKAGE.test(request)) {
    const manifest = resolveFilename.call(this, `${request}/package.json`, parent, ...rest);
    const source = path.join(path.dirname(manifest), 'src', 'index.ts');
    if (fs.existsSync(source)) {
      return source;
    }
  }
  return resolveFilename.call(this, request, parent, ...rest);
};
