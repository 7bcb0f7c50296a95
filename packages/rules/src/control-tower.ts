/**
 * AWS Control Tower's proactive controls in the synth gate.
 *
 * Organisations that enable Control Tower's proactive controls have CloudFormation hooks reject
 * non-compliant resources at deploy time. The same controls, as the Guard rules that
 * `@cdklabs/cdk-validator-cfnguard` ships, run here in the CDK's own CloudFormation validation engine
 * (`@aws/cloudformation-validate`'s CompositeEngine accepts Guard rules: `guardRules` of
 * CloudFormationValidatePlugin), so a synth that would be rejected at deploy time fails first.
 *
 * Why this way and not that package's plugin: it runs a native cfn-guard process over every template
 * with all 237 controls (+11.7 s on this app's 18 templates, measured), and it reports violations
 * without a severity, so that once one of them is acknowledged the CDK counts the report as a success
 * and lets the others through. Here the engine that already validates the templates also evaluates
 * only the controls whose resource types occur in them (47 of 237 for this app, +1.2 to 1.5 s), each
 * finding is an error, and it is acknowledged like any other: `CloudFormation-Validate::<guard rule>`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import {
  CloudFormationValidatePlugin,
  IPolicyValidationContext,
  PolicyValidationPluginReport,
  PolicyViolatingResource,
  PolicyViolation,
  Stack,
  Validations,
  aws_kms as kms,
} from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';

/** One control: its id (CT.S3.PR.4), Guard rule file, the resource types it evaluates, title, fix. */
export interface ControlTowerControl {
  readonly id: string;
  readonly file: string;
  readonly resourceTypes: string[];
  readonly title: string;
  readonly fix: string;
}

/** Properties of a {@link ControlTowerValidatePlugin}. */
export interface ControlTowerValidatePluginProps {
  /**
   * Controls not to run, by id (e.g. `CT.S3.PR.9`). Prefer acknowledging a finding on the construct
   * that has it, with a reason: this turns the control off everywhere.
   * @default - none
   */
  readonly disabledControls?: string[];

  /**
   * Worker threads that validate the templates, each with its own engine (in a process of its own,
   * see validate-engine.cjs), set up while the app is built. One costs less CPU than validating on the
   * main thread; each more one costs another engine set-up (about 1 s of CPU) and shares the
   * templates, which pays when a core is free for it, not on two cores (two engines there: 10.3 s a
   * synth against 7.5 s with one, measured) nor when every core is busy (test runners). The first
   * plugin of a process decides. `PLATFORM_VALIDATE_WORKER=false`, or 0: the main thread.
   * @default 1
   */
  readonly validationThreads?: number;
}

/** The Control Tower rule folder of `@cdklabs/cdk-validator-cfnguard`. */
function rulesDirectory(): string {
  return path.join(
    path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
    'rules',
    'control-tower',
  );
}

/** Every control the package ships, sorted by file. */
export function controlTowerControls(): ControlTowerControl[] {
  const dir = rulesDirectory();
  const guardDir = path.join(dir, 'cfn-guard');
  return (fs.readdirSync(guardDir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.guard'))
    .sort()
    .map((f) => {
      const meta = JSON.parse(
        fs.readFileSync(path.join(dir, 'metadata', f.replace(/\.guard$/, '.metadata.json')), 'utf-8'),
      ) as { Id: string; EvaluatedResourceTypes: string[]; DisplayName: string; RemediationMessage: string };
      return {
        id: meta.Id,
        file: path.join(guardDir, f),
        resourceTypes: meta.EvaluatedResourceTypes,
        title: meta.DisplayName,
        fix: meta.RemediationMessage,
      };
    });
}

/**
 * The CDK's CloudFormation validation plus the Control Tower controls that apply to the templates.
 *
 * Register it on the App, in place of the built-in validation (a subclass: the CDK then does not add
 * its own instance, and only one is allowed). Its name stays "CloudFormation Validate", so findings
 * are acknowledged as `CloudFormation-Validate::<rule>`: the built-in rule ids (`W3010`) and the
 * Guard rule names of the controls (`s3_bucket_logging_enabled_check`). Each control's finding reads
 * `[CT.S3.PR.2] <title>`, once per resource, with the control's fix.
 *
 * The engine behind it (WebAssembly) costs 1 to 2 s to set up, every time, whatever its rules. So it
 * is set up once per process, by a worker thread started when the plugin is created (for the resource
 * types of the last synth in this checkout), while the main thread builds the app; every plugin of the
 * process validates with it. The worker runs the engine in a child process with V8's
 * `--single-threaded`, which halves its set-up (validate-engine.cjs says why); with no hint yet, that
 * process sets its engine up when the templates arrive. Without a worker
 * (`PLATFORM_VALIDATE_WORKER=false`) the engine is set up in validate(), once per set of controls, on
 * the main thread.
 */
export class ControlTowerValidatePlugin extends CloudFormationValidatePlugin {
  private readonly controls: ControlTowerControl[];
  /** The version the engine's process reported with the last validation in workers. */
  private engineVersion: string | undefined;

  constructor(props: ControlTowerValidatePluginProps = {}) {
    super();
    this.controls = enabledControls(props);
    // Set the engine up in worker threads now, while the app is built (see validate-worker.cjs), unless
    // startValidationEngines has already.
    startEngines(props, () => this.controls);
  }

  /**
   * Starts validating a stage's templates now, in a worker's engine, ahead of this plugin's
   * validate(): CDK Pipelines synthesizes each stage when it is added to the pipeline (PipelineStack
   * calls this with the stage's assembly then), and the engine validates its templates while the main
   * thread builds the rest of the app. validate() then uses a template's early report only when the
   * template is byte for byte what was validated, for the same stack, account and region, by the very
   * engine it validates with (validate-engine.cjs); it validates every other template itself. Nothing
   * is validated early without a worker, or by an engine not set up yet or not for the stage's
   * resource types: validate() then does all the work, as before.
   */
  public validateAhead(assembly: cxapi.CloudAssembly): void {
    if (!workersInUse()) {
      return;
    }
    const templates = assembly.stacksRecursively.map(stackTemplateOf);
    if (templates.length > 0) {
      sendAhead(templates, resourceTypesOf(templates));
    }
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const types = resourceTypesOf(context.stackTemplates);
    const wanted = this.wantedControls(types);
    const inWorkers = validateInWorkers(context, guardRulesOf(wanted), types);
    this.engineVersion = inWorkers?.version;
    const report = inWorkers?.report ?? sharedEngine(wanted).validate(context);
    writeTypesHint(types);
    return { ...report, violations: onePerControl(report.violations, controlsByRule(wanted)) };
  }

  /**
   * The version of the engine that validated: the CDK reads it for the report right after validate()
   * (aws-cdk-lib 2.276, synthesis-validation.js, invokeSinglePlugin: `pluginVersion: plugin.version`).
   * The CDK's own getter calls `@aws/cloudformation-validate`'s `version()`, and loading that module
   * instantiates its 9 MB WebAssembly binary: on this thread, after the workers have validated, that
   * was about 0.3 s at the end of every synth (CPU profile of the app process, `node --cpu-prof`) for
   * a string the engine's process sends with its report. Without workers the engine ran here and the
   * module is loaded already.
   */
  public get version(): string | undefined {
    return this.engineVersion ?? super.version;
  }

  /** As the CDK's plugin: the engine's version (its rules come with it). */
  public get ruleIds(): string[] | undefined {
    const version = this.version;
    return version === undefined ? undefined : [version];
  }

  /**
   * Only the controls whose resource types occur in the templates: every control is guarded by
   * "resources of my type exist", so the others find nothing, but they would still be evaluated (the
   * engine's include/exclude settings filter results, not work), at ~0.4 s a template.
   */
  private wantedControls(types: ReadonlySet<string>): GuardControl[] {
    return wantedOf(this.controls, types);
  }
}

/** The controls a plugin with these props checks: every control but the disabled ones. */
function enabledControls(props: ControlTowerValidatePluginProps): ControlTowerControl[] {
  const disabled = new Set(props.disabledControls ?? []);
  return controlTowerControls().filter((c) => !disabled.has(c.id));
}

/** Of these controls, those for the resource types (see ControlTowerValidatePlugin.wantedControls). */
function wantedOf(controls: readonly ControlTowerControl[], types: ReadonlySet<string>): GuardControl[] {
  return controls
    .filter((c) => c.resourceTypes.some((t) => types.has(t)))
    .map((c) => ({ control: c, name: path.basename(c.file, '.guard'), content: fs.readFileSync(c.file, 'utf-8') }));
}

/**
 * Starts the process's validation engines (worker threads, each with its engine process), set up for
 * the resource types of the last synth in this checkout, as a ControlTowerValidatePlugin with these
 * props would when created; a later plugin then uses them. A program calls it first thing, before it
 * loads the modules of its app, so that the engines set up while those load: the app's synth target
 * preloads a module that does (apps/platform/src/synth/start-validation.ts). Nothing happens when the
 * process has engines already, or with PLATFORM_VALIDATE_WORKER=false.
 */
export function startValidationEngines(props: ControlTowerValidatePluginProps = {}): void {
  startEngines(props, () => enabledControls(props));
}

/** Starts the engines for these controls (read only if the engines start: the catalogue is I/O). */
function startEngines(props: ControlTowerValidatePluginProps, controls: () => readonly ControlTowerControl[]): void {
  startWorkers(props.validationThreads ?? 1, () => {
    const types = readTypesHint();
    return types ? { guardRules: guardRulesOf(wantedOf(controls(), types)), resourceTypes: [...types] } : undefined;
  });
}

/** How many validation engines (worker threads) the process has (for tests). */
export function validationEngines(): number {
  return workers.length;
}

/** A control with its Guard rule source, as the engine gets it. */
interface GuardControl {
  readonly control: ControlTowerControl;
  readonly name: string;
  readonly content: string;
}

/** The resource types of the templates, as the CDK's plugin collects them. */
function resourceTypesOf(templates: readonly StackTemplate[]): Set<string> {
  const types = new Set<string>();
  for (const s of templates) {
    const template = JSON.parse(fs.readFileSync(s.templatePath, 'utf-8')) as {
      Resources?: Record<string, { Type?: unknown }>;
    };
    for (const r of Object.values(template.Resources ?? {})) {
      if (typeof r?.Type === 'string') {
        types.add(r.Type);
      }
    }
  }
  return types;
}

/**
 * The engine of the process, for one set of controls: every plugin that wants the same controls
 * (every app a test file synthesizes, say) validates with it. The CDK's plugin keeps its engine while
 * the resource types of the templates are a subset of those it was set up for, and sets it up again
 * otherwise.
 */
let shared: { key: string; plugin: CloudFormationValidatePlugin } | undefined;

function sharedEngine(wanted: readonly GuardControl[]): CloudFormationValidatePlugin {
  const key = wanted.map((c) => c.control.id).join(',');
  if (shared?.key !== key) {
    shared = { key, plugin: new CloudFormationValidatePlugin({ guardRules: guardRulesOf(wanted) }) };
  }
  return shared.plugin;
}

/** The Guard rules of controls, as the engine takes them. */
function guardRulesOf(controls: readonly GuardControl[]): Array<{ name: string; content: string }> {
  return controls.map((c) => ({ name: c.name, content: c.content }));
}

// ---------------------------------------------------------------------------------------------
// The engine behind a worker thread (validate-worker.cjs, validate-engine.cjs), set up while the app
// is built.

/** Turns the worker off (`PLATFORM_VALIDATE_WORKER=false`): the engine is then set up in validate(). */
export const VALIDATE_WORKER_ENV = 'PLATFORM_VALIDATE_WORKER';

/**
 * Where the engine's process keeps each template's report, to answer the same template again without
 * validating it (validate-engine.cjs says what the key holds): a folder, or `false` for none.
 * Default: node_modules/.cache/baseline-validate/reports. Read at each validation.
 */
export const VALIDATE_CACHE_ENV = 'PLATFORM_VALIDATE_CACHE';

/** The folder of kept reports for this validation, or undefined (see VALIDATE_CACHE_ENV). */
function reportCacheFolder(): string | undefined {
  const setting = process.env[VALIDATE_CACHE_ENV];
  if (setting === 'false') {
    return undefined;
  }
  return setting || path.join(path.dirname(typesHintFile()), 'reports');
}

interface GuardRuleSource {
  readonly name: string;
  readonly content: string;
}

/** The workers of the process, shared by every plugin (a test file synthesizes several apps). */
let workers: Worker[] = [];
let validatedInWorker = 0;

/** Whether validation goes to the workers: there are some, and they are not turned off. */
function workersInUse(): boolean {
  return workers.length > 0 && process.env[VALIDATE_WORKER_ENV] !== 'false';
}

/** How many validations of this process ran in worker threads (for tests). */
export function validationsInWorker(): number {
  return validatedInWorker;
}

function startWorkers(
  threads: number,
  prepare: () => { guardRules: GuardRuleSource[]; resourceTypes: string[] } | undefined,
): void {
  if (workers.length > 0 || threads < 1 || process.env[VALIDATE_WORKER_ENV] === 'false') {
    return;
  }
  // From the package folder, so that it resolves from src/ (run from source) and lib/ (a build) alike.
  const file = path.join(__dirname, '..', 'src', 'validate-worker.cjs');
  if (!fs.existsSync(file)) {
    return;
  }
  const workerData = { prepare: prepare() };
  for (let i = 0; i < threads; i++) {
    // Without the process's own flags: the worker is plain CommonJS and needs no loader, and a module
    // the program preloads (-r) must not run again in each worker (it may start engines itself). A
    // worker inherits its parent thread's execArgv unless given its own (Node.js docs, worker_threads,
    // `new Worker` option `execArgv`).
    const worker = new Worker(file, { workerData, execArgv: [] });
    worker.on('message', (m: { validatedAhead?: number }) => (validatedAheadCount += m.validatedAhead ?? 0));
    // An idle worker must not keep the process alive (unref after the 'message' listener, which refs
    // the worker's port), and a failed one leaves the work to the others (or, with none, to this thread).
    worker.unref();
    worker.on('error', () => (workers = workers.filter((w) => w !== worker)));
    workers.push(worker);
  }
}

/** One template of a validation context, as a worker gets it (plain data). */
type StackTemplate = Pick<
  IPolicyValidationContext['stackTemplates'][number],
  'stackConstructPath' | 'templatePath' | 'accountId' | 'region'
>;

/**
 * A stack of an assembly as the CDK puts it in a validation context (aws-cdk-lib 2.276,
 * synthesis-validation.js, invokeSinglePlugin): an unknown account or region is left out.
 */
function stackTemplateOf(s: cxapi.CloudFormationStackArtifact): StackTemplate {
  return {
    stackConstructPath: s.hierarchicalId,
    templatePath: s.templateFullPath,
    accountId: s.environment.account !== cxapi.UNKNOWN_ACCOUNT ? s.environment.account : undefined,
    region: s.environment.region !== cxapi.UNKNOWN_REGION ? s.environment.region : undefined,
  };
}

/**
 * Templates sent ahead (validateAhead), by path: the worker whose engine has their early reports (the
 * worker itself, not its index: a failed worker leaves the list). Cleared by each validation.
 */
const aheadIn = new Map<string, Worker>();
let earlyReportsUsed = 0;
let keptReportsUsed = 0;
let validatedAheadCount = 0;

/** How many templates' reports of this process came from early validation (for tests). */
export function earlyReports(): number {
  return earlyReportsUsed;
}

/** How many templates' reports of this process were kept reports, not validated again (for tests). */
export function keptReports(): number {
  return keptReportsUsed;
}

/**
 * How many templates the engines have validated ahead and kept a report of, as this thread has heard
 * so far (the news comes on its event loop: for tests, which wait for it).
 */
export function templatesValidatedAhead(): number {
  return validatedAheadCount;
}

/** Sends templates ahead to the worker that has the fewest bytes of them so far. */
function sendAhead(templates: readonly StackTemplate[], types: ReadonlySet<string>): void {
  const bytes = new Map(workers.map((w) => [w, 0]));
  for (const [templatePath, w] of aheadIn) {
    const sum = bytes.get(w);
    if (sum !== undefined) {
      bytes.set(w, sum + (fs.statSync(templatePath, { throwIfNoEntry: false })?.size ?? 0));
    }
  }
  const [worker] = [...bytes].reduce((min, x) => (x[1] < min[1] ? x : min));
  for (const t of templates) {
    aheadIn.set(t.templatePath, worker);
  }
  worker.postMessage({ ahead: true, resourceTypes: [...types], stackTemplates: templates, cache: reportCacheFolder() });
}

/**
 * The report of the CDK's CloudFormationValidatePlugin with these Guard rules, computed in the
 * workers while this thread waits (plugins are called synchronously), and the engine's version;
 * undefined without workers.
 *
 * The templates are shared out by size. Each worker reports every template on its own, and the
 * reports are merged template by template in the context's order, the way the CDK's plugin builds
 * one report (a violation per rule, severity and description, its resources in template order), so
 * the result is the report one engine would have made.
 */
function validateInWorkers(
  context: IPolicyValidationContext,
  guardRules: GuardRuleSource[],
  types: ReadonlySet<string>,
): { report: PolicyValidationPluginReport; version: string | undefined } | undefined {
  // Whatever happens, templates sent ahead before this validation are placed by it or not at all.
  const placed = new Map([...aheadIn].map(([templatePath, w]) => [templatePath, workers.indexOf(w)]));
  aheadIn.clear();
  if (!workersInUse()) {
    return undefined;
  }
  validatedInWorker++;
  const templates: StackTemplate[] = context.stackTemplates.map((t) => ({
    stackConstructPath: t.stackConstructPath,
    templatePath: t.templatePath,
    accountId: t.accountId,
    region: t.region,
  }));
  // A template validated ahead goes to the engine that has its early report.
  const shares = shareOut(templates, workers.length, placed);
  const cache = reportCacheFolder();
  const pending = shares.flatMap((share, i) => {
    if (share.length === 0) {
      return [];
    }
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    workers[i].postMessage(
      { guardRules, resourceTypes: [...types], stackTemplates: share, cache, signal, port: port2 },
      [port2],
    );
    return [{ signal, port: port1 }];
  });
  const byTemplate = new Map<string, PolicyViolation[]>();
  let version: string | undefined;
  for (const { signal, port } of pending) {
    Atomics.wait(signal, 0, 0);
    const reply = receiveMessageOnPort(port)?.message as
      | {
          reports: Array<{ templatePath: string; violations: PolicyViolation[] }>;
          early: number;
          kept: number;
          version: string;
          error?: undefined;
        }
      | { error: string }
      | undefined;
    port.close();
    if (!reply || reply.error !== undefined) {
      throw new Error(
        `CloudFormation validation failed in its worker thread or engine process:\n${reply?.error ?? 'no reply'}`,
      );
    }
    earlyReportsUsed += reply.early;
    keptReportsUsed += reply.kept;
    version = reply.version;
    for (const r of reply.reports) {
      byTemplate.set(r.templatePath, r.violations);
    }
  }
  return { report: mergeTemplateReports(templates.map((t) => byTemplate.get(t.templatePath) ?? [])), version };
}

/**
 * The templates in `n` shares of about equal size (largest first, each to the smallest share). A
 * template `placed` in a share (by path) goes there, and counts for nothing: it was validated ahead.
 */
export function shareOut<T extends { templatePath: string }>(
  templates: readonly T[],
  n: number,
  placed: ReadonlyMap<string, number> = new Map(),
): T[][] {
  const sized = templates.map((t, i) => ({ t, i, bytes: fs.statSync(t.templatePath).size }));
  const shares = Array.from({ length: Math.min(n, Math.max(templates.length, 1)) }, () => ({
    bytes: 0,
    items: [] as typeof sized,
  }));
  const rest: typeof sized = [];
  for (const x of sized) {
    const share = shares[placed.get(x.t.templatePath) ?? -1];
    if (share) {
      share.items.push(x);
    } else {
      rest.push(x);
    }
  }
  for (const x of rest.sort((a, b) => b.bytes - a.bytes || a.i - b.i)) {
    const smallest = shares.reduce((min, s) => (s.bytes < min.bytes ? s : min), shares[0]);
    smallest.bytes += x.bytes;
    smallest.items.push(x);
  }
  return shares.map((s) => s.items.sort((a, b) => a.i - b.i).map((x) => x.t));
}

/**
 * One report from the reports of single templates, in template order: what the CDK's plugin makes of
 * the same diagnostics in one pass (aws-cdk-lib 2.276, CloudFormationValidatePlugin.validate): one
 * violation per rule, severity and description, in the order they first occur, each with its
 * resources in template order; a success when no violation is an error.
 */
export function mergeTemplateReports(reports: ReadonlyArray<readonly PolicyViolation[]>): PolicyValidationPluginReport {
  const violations: PolicyViolation[] = [];
  for (const report of reports) {
    for (const v of report) {
      const existing = violations.find(
        (x) => x.ruleName === v.ruleName && x.severity === v.severity && x.description === v.description,
      );
      if (existing) {
        existing.violatingResources.push(...v.violatingResources);
      } else {
        violations.push({ ...v, violatingResources: [...v.violatingResources] });
      }
    }
  }
  return { success: violations.every((v) => v.severity !== 'error' && v.severity !== 'fatal'), violations };
}

/**
 * The resource types of the last validation in this checkout (node_modules/.cache), which the worker
 * sets its engine up for before the templates exist. A new type later only costs a second set-up.
 */
function typesHintFile(): string {
  const nodeModules = path.resolve(
    path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
    '..',
    '..',
  );
  return path.join(nodeModules, '.cache', 'baseline-validate', 'resource-types.json');
}

function readTypesHint(): Set<string> | undefined {
  try {
    const types = JSON.parse(fs.readFileSync(typesHintFile(), 'utf-8')) as unknown;
    return Array.isArray(types) && types.every((t) => typeof t === 'string') ? new Set(types) : undefined;
  } catch {
    return undefined;
  }
}

/** Adds the types to the hint (a union: apps of several configs share one checkout). */
function writeTypesHint(types: ReadonlySet<string>): void {
  const known = readTypesHint() ?? new Set<string>();
  if ([...types].every((t) => known.has(t))) {
    return;
  }
  try {
    const file = typesHintFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}`;
    fs.writeFileSync(temp, JSON.stringify([...new Set([...known, ...types])].sort()));
    fs.renameSync(temp, file);
  } catch {
    // A read-only node_modules: the next synth sets its engine up in validate(), as without a hint.
  }
}

/** Which control each Guard rule name belongs to. */
function controlsByRule(controls: readonly GuardControl[]): Map<string, ControlTowerControl> {
  const byRule = new Map<string, ControlTowerControl>();
  for (const c of controls) {
    for (const m of c.content.matchAll(/^rule\s+([A-Za-z0-9_]+)\s*(?:when\b|\{)/gm)) {
      byRule.set(m[1], c.control);
    }
  }
  return byRule;
}

/** The engine reports one violation per failing Guard clause; one per control and resource reads better. */
function onePerControl(
  violations: PolicyViolation[],
  controlOfRule: ReadonlyMap<string, ControlTowerControl>,
): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const byRule = new Map<string, PolicyViolatingResource[]>();
  for (const v of violations) {
    const control = controlOfRule.get(v.ruleName);
    if (!control) {
      out.push(v);
      continue;
    }
    let resources = byRule.get(v.ruleName);
    if (!resources) {
      resources = [];
      byRule.set(v.ruleName, resources);
      out.push({
        ruleName: v.ruleName,
        severity: 'error',
        description: `[${control.id}] ${control.title}`,
        fix: control.fix,
        ruleMetadata: { control: control.id },
        violatingResources: resources,
      });
    }
    for (const r of v.violatingResources) {
      const same = resources.findIndex(
        (x) =>
          x.templatePath === r.templatePath &&
          x.resourceLogicalId === r.resourceLogicalId &&
          x.constructPath === r.constructPath,
      );
      if (same < 0) {
        resources.push({ ...r, locations: [...r.locations] });
      } else {
        resources[same] = {
          ...resources[same],
          locations: [...new Set([...resources[same].locations, ...r.locations])],
        };
      }
    }
  }
  return out;
}

/**
 * Acknowledges the Control Tower finding a resource gets for naming a customer managed key of another
 * stack, which the synth gate cannot see through.
 *
 * Controls such as CT.CLOUDWATCH.PR.3 and CT.RDS.PR.30 accept a key ARN string or a reference to a
 * key of the same template; a key of the stage's Security stack arrives as `Fn::ImportValue`, which
 * they cannot resolve. At deploy time the CloudFormation hook sees the resolved ARN and passes. Only
 * acknowledged when the key really is a key of another stack of this app (an imported key is a
 * literal ARN, which the control accepts); the app's deploy-config checks follow every such import to
 * the Security stack's key.
 */
export function acknowledgeKeyOfAnotherStack(resource: IConstruct, key: kms.IKey, rule: string): void {
  const keyResource = key.node.defaultChild;
  if (!(keyResource instanceof kms.CfnKey) || Stack.of(keyResource) === Stack.of(resource)) {
    return;
  }
  Validations.of(resource).acknowledge({
    id: `CloudFormation-Validate::${rule}`,
    reason:
      `The key is ${keyResource.node.path}, a customer managed key of another stack, referenced through ` +
      'Fn::ImportValue. The control accepts a key ARN or a reference within the same template and cannot ' +
      'resolve an import at synth time; at deploy time the CloudFormation hook sees the key ARN and passes.',
  });
}
