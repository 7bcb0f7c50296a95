// @ts-check
/**
 * The CloudFormation validation engine of ControlTowerValidatePlugin, in a process of its own.
 *
 * validate-worker.cjs (a worker thread of the synth) starts this process with V8's `--single-threaded`
 * and relays the plugin's requests to it. Everything here is the CDK's own
 * CloudFormationValidatePlugin: the same rules and the same report as on the synth's main thread.
 *
 * Why a process: the engine is WebAssembly, and while it sets itself up (the bundled resource schemas,
 * the rules) its allocator grows the WebAssembly memory step by step to about 170 MB; V8 counts each
 * step as external memory and starts a garbage collection cycle each time (about 340 of them, seen with
 * `node --trace-gc`). With V8's default, concurrent and parallel GC, each of those cycles hands work to
 * helper threads, and on a 2-core machine that doubles the set-up: 2.0 s alone, 3.4 s beside the app
 * being built, against 1.0 s with `--single-threaded` (measured on this repository's templates; the
 * first validation of all of them also drops from 3.4 s to 3.0 s). V8 flags are per process and cannot
 * go in NODE_OPTIONS, and the rest of the synth (building the app, the cdk-nag packs) is faster with
 * the default GC: so the engine runs here, with the flag, and nothing else does.
 *
 * Messages in (IPC): { prepare: { guardRules, resourceTypes } } sets an engine up ahead of time;
 * { id, guardRules, resourceTypes, stackTemplates } validates, and the reply is
 * { id, reports: [{ templatePath, violations }] } (one per template) or { id, error }.
 *
 * Plain CommonJS: it runs from the sources and from a build alike, with no compiler. It exits when
 * its parent goes (the IPC channel closes).
 */
'use strict';
const { CloudFormationValidatePlugin } = require('aws-cdk-lib');

/** @type {{ key: string, types: Set<string>, plugin: any } | undefined} */
let current;

/** Names of the Guard rules, as the key of an engine. */
const keyOf = (/** @type {Array<{ name: string }>} */ guardRules) =>
  guardRules
    .map((r) => r.name)
    .sort()
    .join(',');

/**
 * The plugin for these rules and resource types: the one set up before when it has exactly these
 * Guard rules (a rule more would report a control the caller turned off) and was set up for every
 * resource type, else a new one.
 */
function pluginFor(/** @type {Array<{ name: string, content: string }>} */ guardRules, /** @type {string[]} */ types) {
  const key = keyOf(guardRules);
  if (current === undefined || current.key !== key || !types.every((t) => current?.types.has(t))) {
    current?.plugin._dispose?.();
    const plugin = new CloudFormationValidatePlugin({ guardRules });
    // aws-cdk-lib sets its engine up on the first validate(), for the templates' resource types; it
    // keeps it while later templates' types are a subset. Set up now, for these types.
    plugin.initializeEngine(new Set(types));
    current = { key, types: new Set(types), plugin };
  }
  return current.plugin;
}

process.on('disconnect', () => process.exit(0));

process.on('message', (/** @type {any} */ message) => {
  if (message.prepare) {
    pluginFor(message.prepare.guardRules, message.prepare.resourceTypes);
    return;
  }
  const { id, guardRules, resourceTypes, stackTemplates } = message;
  try {
    // One report per template: the plugin merges them in template order, as one plugin would.
    const plugin = pluginFor(guardRules, resourceTypes);
    const reports = stackTemplates.map((/** @type {{ templatePath: string }} */ t) => ({
      templatePath: t.templatePath,
      violations: plugin.validate({ stackTemplates: [t] }).violations,
    }));
    process.send?.({ id, reports });
  } catch (e) {
    process.send?.({ id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
