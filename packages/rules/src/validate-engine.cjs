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
 * { ahead: true, resourceTypes, stackTemplates, cache } validates templates early, and the reply is
 * { validatedAhead } (how many early reports it keeps);
 * { id, guardRules, resourceTypes, stackTemplates, cache } validates, and the reply is
 * { id, reports: [{ templatePath, violations }], early, kept, version } (one report per template;
 * `early`: how many were the early reports; `kept`: how many were kept reports; `version`: the
 * engine's, which the CDK's report names) or { id, error }. `cache`: the folder of kept reports, or
 * none.
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
 * Kept reports: a request's `cache` names a folder (ControlTowerValidatePlugin's default is
 * node_modules/.cache/baseline-validate/reports; PLATFORM_VALIDATE_CACHE=false sends none). A
 * template's report is a function of what the CDK's plugin gives the engine: the template's content,
 * the stack's construct path, account and region, the Guard rules, and the code that validates
 * (aws-cdk-lib, whose plugin picks the built-in rules and the excluded ones, and
 * @aws/cloudformation-validate). Each report is kept in the folder under the SHA-256 of all of them,
 * and a later request for a template with the same key gets that report without the engine
 * validating it (the template's path in it is the new one): an edit that changes three templates of
 * twenty validates three. A report is kept only when the file's content was the same before and after
 * validating; a folder that cannot be read or written is skipped. Early validation skips a template
 * whose report is kept.
 *
 * Plain CommonJS: it runs from the sources and from a build alike, with no compiler. It exits when
 * its parent goes (the IPC channel closes).
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const { CloudFormationValidatePlugin } = require('aws-cdk-lib');

/**
 * A template as the CDK's plugin gets it (IPolicyValidationContext.stackTemplates[n]).
 * @typedef {{ stackConstructPath: string, templatePath: string, accountId?: string, region?: string }} StackTemplate
 */

/**
 * The engine, the digest of its Guard rules (for kept reports), and the early reports it made: by
 * template path, the template as it was asked for, the digest of the content validated, and the
 * violations.
 * @type {{ key: string, rules: string, types: Set<string>, plugin: any, early: Map<string, { template: StackTemplate, digest: string, violations: unknown[] }> } | undefined}
 */
let current;

/**
 * What validates, besides the rules: aws-cdk-lib's version and that of the engine it bundles. Read
 * from their package.json files (loading the engine's module would instantiate its WebAssembly).
 */
const CODE_VERSIONS = (() => {
  const cdk = require.resolve('aws-cdk-lib');
  const engine = createRequire(cdk).resolve('@aws/cloudformation-validate');
  /** @param {string} file */
  const versionOf = (file) => JSON.parse(fs.readFileSync(file, 'utf-8')).version;
  return [
    versionOf(path.join(path.dirname(cdk), 'package.json')),
    versionOf(path.join(path.dirname(engine), 'package.json')),
  ];
})();

/** The SHA-256 of Guard rules, names and contents, in name order. */
function rulesDigestOf(/** @type {Array<{ name: string, content: string }>} */ guardRules) {
  const sorted = [...guardRules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return crypto
    .createHash('sha256')
    .update(JSON.stringify(sorted.map((r) => [r.name, r.content])))
    .digest('hex');
}

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
    current = { key, rules: rulesDigestOf(guardRules), types: new Set(types), plugin, early: new Map() };
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

/** In a kept report, where the template's path was (a JSON string's inside cannot hold a raw NUL). */
const PATH_MARK = '\\u0000template\\u0000';
/** A string's inside as JSON writes it (the path as it appears in the report's JSON text). */
const jsonInside = (/** @type {string} */ text) => JSON.stringify(text).slice(1, -1);

/**
 * Kept reports (see the top): the key of a template whose content has `digest`, for the engine's
 * rules; `lookUp` gives the kept violations or undefined, `keep` stores them.
 */
function reportCache(/** @type {string | undefined} */ folder, /** @type {string} */ rules) {
  const keyOf = (/** @type {StackTemplate} */ t, /** @type {string} */ digest) =>
    crypto
      .createHash('sha256')
      .update(
        JSON.stringify([
          // The form of a kept report: a change to what this file keeps or how, needs a new one.
          'v1',
          ...CODE_VERSIONS,
          rules,
          t.stackConstructPath,
          t.accountId ?? null,
          t.region ?? null,
          digest,
        ]),
      )
      .digest('hex');
  return {
    /** @returns {unknown[] | undefined} */
    lookUp(/** @type {StackTemplate} */ t, /** @type {string | undefined} */ digest) {
      if (folder === undefined || digest === undefined) {
        return undefined;
      }
      try {
        const text = fs.readFileSync(path.join(folder, `${keyOf(t, digest)}.json`), 'utf-8');
        return JSON.parse(text.split(PATH_MARK).join(jsonInside(t.templatePath)));
      } catch {
        return undefined;
      }
    },
    keep(
      /** @type {StackTemplate} */ t,
      /** @type {string | undefined} */ digest,
      /** @type {unknown[]} */ violations,
    ) {
      if (folder === undefined || digest === undefined || digestOf(t.templatePath) !== digest) {
        return;
      }
      try {
        fs.mkdirSync(folder, { recursive: true });
        const file = path.join(folder, `${keyOf(t, digest)}.json`);
        // Whole or not at all: another engine may read the entry while this one writes it.
        const temp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(temp, JSON.stringify(violations).split(jsonInside(t.templatePath)).join(PATH_MARK));
        fs.renameSync(temp, file);
      } catch {
        // A read-only node_modules: nothing is kept.
      }
    },
  };
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
function validateAhead(
  /** @type {{ resourceTypes: string[], stackTemplates: StackTemplate[], cache?: string }} */ message,
) {
  const engine = current;
  let kept = 0;
  if (engine !== undefined && message.resourceTypes.every((t) => engine.types.has(t))) {
    const cache = reportCache(message.cache, engine.rules);
    for (const template of message.stackTemplates) {
      try {
        const before = digestOf(template.templatePath);
        if (cache.lookUp(template, before) !== undefined) {
          continue;
        }
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
  const { id, guardRules, resourceTypes, stackTemplates, cache: folder } = message;
  try {
    // One report per template: the plugin merges them in template order, as one plugin would.
    const plugin = pluginFor(guardRules, resourceTypes);
    const engine = /** @type {NonNullable<typeof current>} */ (current);
    const cache = reportCache(folder, engine.rules);
    let used = 0;
    let kept = 0;
    const reports = stackTemplates.map((/** @type {StackTemplate} */ t) => {
      const digest = digestOf(t.templatePath);
      const e = engine.early.get(t.templatePath);
      if (e && sameTemplate(e.template, t) && digest === e.digest) {
        used++;
        cache.keep(t, digest, e.violations);
        return { templatePath: t.templatePath, violations: e.violations };
      }
      const known = cache.lookUp(t, digest);
      if (known !== undefined) {
        kept++;
        return { templatePath: t.templatePath, violations: known };
      }
      const violations = validateOne(plugin, t);
      cache.keep(t, digest, violations);
      return { templatePath: t.templatePath, violations };
    });
    // Early reports serve at most the next validation request this engine gets (an engine whose share
    // of a validation is empty gets none: its reports wait, and still have to match then).
    engine.early.clear();
    process.send?.({ id, reports, early: used, kept, version: plugin.version });
  } catch (e) {
    process.send?.({ id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
