// @ts-check
/**
 * Runs the repository's TypeScript from source, transpile-only: `node -r ./tools/source/register.cjs
 * apps/platform/src/main.ts`.
 *
 * - `.ts` files are compiled on load by swc (the compiler the tests already use, with the same
 *   options), without type checking: type errors are the `typecheck` and `build` targets' job, which
 *   `npm test`, CI and the pipeline's build step run.
 * - `@baseline/<package>` resolves to that package's `src/index.ts` when it has one, so the app runs
 *   on the libraries' sources, not on their last `tsc` output (`lib/`), which may be stale or absent.
 *   The package is found the normal way (node_modules), so a checkout whose `node_modules/@baseline`
 *   links point to its own packages runs its own libraries (`npm run diff` synthesizes the base
 *   commit this way).
 *
 * Plain CommonJS so that it runs before anything can be compiled.
 */
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
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

// require.extensions is deprecated in the docs but is how CommonJS loads a new file type (ts-node does the same).
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf-8'), { ...OPTIONS, filename });
  /** @type {{ _compile(code: string, filename: string): void }} */ (/** @type {unknown} */ (module))._compile(
    code,
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
