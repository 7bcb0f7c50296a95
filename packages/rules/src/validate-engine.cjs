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
 * { ahead: true, resourceTypes, stackTemplates } validates templates early, and the reply is
 * { validatedAhead } (how many early reports it keeps);
 * { id, guardRules, resourceTypes, stackTemplates } validates, and the reply is
 * { id, reports: [{ templatePath, violations }], early, version } (one report per template; `early`:
 * how many were the early reports; `version`: the engine's, which the CDK's report names) or
 * { id, error }.
 *
 * Early reports: CDK Pipelines synthesizes each stage when it is added to the pipeline, seconds
 * before the app's synthesis ends and the CDK calls the validation plugins; the plugin sends each
 * stage's templates here then (ControlTowerValidatePlugin.validateAhead), and the engine validates
 * them, with the engine it has (set up ahead of time, or by the last validation), while the synth's
 * main thread builds the rest of the app. When the plugin's validation comes, a template's early
 * report is its report only if it came from the very engine that validation uses (the same Guard
 * rules, resource types covered: an engine set up anew drops every early report) for the same stack,
 * account and region, and the template file has, byte for byte, the content that was validated (read
 * before and after validating, compared when the report is used); any other template is validated
 * then, as without early reports. Early requests never set an engine up: without one, or with one
 * whose resource types do not cover theirs, they are ignored.
 *
 * Plain CommonJS: it runs from the sources and from a build alike, with no compiler. It exits when
 * its parent goes (the IPC channel closes).
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const { CloudFormationValidatePlugin } = require('aws-cdk-lib');

/**
 * A template as the CDK's plugin gets it (IPolicyValidationContext.stackTemplates[n]).
 * @typedef {{ stackConstructPath: string, templatePath: string, accountId?: string, region?: string }} StackTemplate
 */

/**
 * The engine, and the early reports it made: by template path, the template as it was asked for, the
 * digest of the content validated, and the violations.
 * @type {{ key: string, types: Set<string>, plugin: any, early: Map<string, { template: StackTemplate, digest: string, violations: unknown[] }> } | undefined}
 */
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
    current = { key, types: new Set(types), plugin, early: new Map() };
  }
  return current.plugin;
}

process.on('disconnect', () => process.exit(0));

/** The SHA-256 of a file's content, or undefined when it cannot be read. */
function digestOf(/** @type {string} */ file) {
  try {
    return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

/** The violations of one template, as the CDK's plugin reports them. */
function validateOne(/** @type {any} */ plugin, /** @type {StackTemplate} */ template) {
  return plugin.validate({ stackTemplates: [template] }).violations;
}

/** Same stack, account, region and file: what the CDK's plugin passes the engine besides the content. */
function sameTemplate(/** @type {StackTemplate} */ a, /** @type {StackTemplate} */ b) {
  return (
    a.templatePath === b.templatePath &&
    a.stackConstructPath === b.stackConstructPath &&
    a.accountId === b.accountId &&
    a.region === b.region
  );
}

/** Validates templates early, with the engine the process has (see the top). */
function validateAhead(/** @type {{ resourceTypes: string[], stackTemplates: StackTemplate[] }} */ message) {
  const engine = current;
  let kept = 0;
  if (engine !== undefined && message.resourceTypes.every((t) => engine.types.has(t))) {
    for (const template of message.stackTemplates) {
      try {
        const before = digestOf(template.templatePath);
        const violations = validateOne(engine.plugin, template);
        if (before !== undefined && digestOf(template.templatePath) === before) {
          engine.early.set(template.templatePath, { template, digest: before, violations });
          kept++;
        }
      } catch {
        // Validated again when the plugin asks, which reports the error.
      }
    }
  }
  process.send?.({ validatedAhead: kept });
}

process.on('message', (/** @type {any} */ message) => {
  if (message.prepare) {
    pluginFor(message.prepare.guardRules, message.prepare.resourceTypes);
    return;
  }
  if (message.ahead) {
    validateAhead(message);
    return;
  }
  const { id, guardRules, resourceTypes, stackTemplates } = message;
  try {
    // One report per template: the plugin merges them in template order, as one plugin would.
    const plugin = pluginFor(guardRules, resourceTypes);
    const early = /** @type {NonNullable<typeof current>} */ (current).early;
    let used = 0;
    const reports = stackTemplates.map((/** @type {StackTemplate} */ t) => {
      const e = early.get(t.templatePath);
      if (e && sameTemplate(e.template, t) && digestOf(t.templatePath) === e.digest) {
        used++;
        return { templatePath: t.templatePath, violations: e.violations };
      }
      return { templatePath: t.templatePath, violations: validateOne(plugin, t) };
    });
    // Early reports serve at most the next validation request this engine gets (an engine whose share
    // of a validation is empty gets none: its reports wait, and still have to match then).
    early.clear();
    process.send?.({ id, reports, early: used, version: plugin.version });
  } catch (e) {
    process.send?.({ id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
