// @ts-check
/**
 * The CloudFormation validation engine of ControlTowerValidatePlugin, in a worker thread.
 *
 * Setting the engine up (WebAssembly, the bundled resource schemas, the rules) takes 1.5 to 2 s, about
 * as long as loading the app's modules and building its construct tree. Started when the plugin is
 * created, with the rules of the resource types the last synth of this checkout had, the worker sets
 * its engine up while the main thread builds the app; by the time the templates exist the engine is
 * ready. The plugin then hands the templates over and waits for the report (the CDK calls plugins
 * synchronously): the same CloudFormationValidatePlugin of aws-cdk-lib, the same rules, the same
 * report, one thread later.
 *
 * Messages: { guardRules, resourceTypes, stackTemplates, signal, port }. The reply goes to `port`
 * ({ reports: [{ templatePath, violations }] }, one per template, or { error }), then `signal[0]` is
 * set to 1 and notified.
 *
 * Plain CommonJS: it runs as a worker from the sources and from a build alike, with no compiler.
 */
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
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
 * The plugin for these rules and resource types: the one set up before, when it has every Guard
 * rule asked for and was set up for every resource type (extra rules find nothing where their
 * resource types do not occur), else a new one.
 */
function pluginFor(/** @type {Array<{ name: string, content: string }>} */ guardRules, /** @type {string[]} */ types) {
  const wanted = keyOf(guardRules);
  const covers =
    current !== undefined &&
    guardRules.every((r) => current.key.split(',').includes(r.name)) &&
    types.every((t) => current.types.has(t));
  if (!covers) {
    const plugin = new CloudFormationValidatePlugin({ guardRules });
    // aws-cdk-lib sets its engine up on the first validate(), for the templates' resource types; it
    // keeps it while later templates' types are a subset. Set up now, for these types.
    plugin.initializeEngine(new Set(types));
    current = { key: wanted, types: new Set(types), plugin };
  }
  return /** @type {NonNullable<typeof current>} */ (current).plugin;
}

if (workerData?.prepare) {
  pluginFor(workerData.prepare.guardRules, workerData.prepare.resourceTypes);
}

parentPort?.on('message', (message) => {
  const { guardRules, resourceTypes, stackTemplates, signal, port } = message;
  try {
    // One report per template: the main thread merges them in template order, as one plugin would.
    const plugin = pluginFor(guardRules, resourceTypes);
    const reports = stackTemplates.map((/** @type {{ templatePath: string }} */ t) => ({
      templatePath: t.templatePath,
      violations: plugin.validate({ stackTemplates: [t] }).violations,
    }));
    port.postMessage({ reports });
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  } finally {
    port.close();
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  }
});
