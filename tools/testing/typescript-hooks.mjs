// @ts-check
/**
 * Node.js module customization hook, registered by ./typescript.cjs: a `.ts` file that Node's ESM
 * loader is asked for (jest-light-runner imports each test file with `import()`) is CommonJS, and its
 * source is left out. "If source is undefined or null, it will be handled by the CommonJS module
 * loader and require/require.resolve calls will not go through the registered hooks"
 * (https://nodejs.org/docs/latest-v20.x/api/module.html#loadurl-context-nextload): the file and
 * everything it requires then load through require, where ../source/register.cjs compiles TypeScript,
 * as in the synth.
 */

/**
 * @param {string} url
 * @param {object} context
 * @param {(url: string, context: object) => Promise<object>} nextLoad
 */
export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && new URL(url).pathname.endsWith('.ts')) {
    return { format: 'commonjs', shortCircuit: true };
  }
  return nextLoad(url, context);
}
