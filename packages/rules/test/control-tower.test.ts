/**
 * ControlTowerValidatePlugin sets its engines up, behind worker threads, in a process of their own while
 * the app is built. That must change when the report is made, never what it says: the same findings,
 * on the same resources, as the engine on the main thread.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  App,
  aws_s3 as s3,
  aws_sns as sns,
  CloudFormationValidatePlugin,
  Stack,
  Stage,
  Validations,
} from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import {
  ControlTowerValidatePlugin,
  earlyReports,
  mergeTemplateReports,
  readValidationReport,
  shareOut,
  startValidationEngines,
  keptReports,
  templatesValidatedAhead,
  VALIDATE_CACHE_ENV,
  VALIDATE_WORKER_ENV,
  validationEngines,
  validationsInWorker,
} from '../src';

/**
 * A Stage with three stacks that break Control Tower controls. With `ahead`, the stage is synthesized
 * first and its templates are sent to be validated ahead (as PipelineStack does), then `ahead` gets
 * the stage's assembly, before the app's synthesis validates.
 */
async function synthesize(
  validationThreads?: number,
  disabledControls?: string[],
  ahead?: (assembly: CloudAssembly) => Promise<void>,
): Promise<unknown> {
  return (await synthesizeWithReport(validationThreads, disabledControls, ahead)).findings;
}

/** As `synthesize`, with the CDK's validation-report.json as written too. */
async function synthesizeWithReport(
  validationThreads?: number,
  disabledControls?: string[],
  ahead?: (assembly: CloudAssembly) => Promise<void>,
): Promise<{ findings: unknown; report: string; outdir: string }> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-worker-'));
  try {
    const app = new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    const plugin = new ControlTowerValidatePlugin({ validationThreads, disabledControls });
    Validations.of(app).addPlugins(plugin);
    const stage = new Stage(app, 'Dev', { env: { account: '123456789012', region: 'eu-west-1' } });
    new s3.Bucket(new Stack(stage, 'Data'), 'Plain');
    new sns.Topic(new Stack(stage, 'Alarms'), 'Plain');
    new s3.Bucket(new Stack(stage, 'Logs'), 'Plain', { enforceSSL: true });
    if (ahead) {
      const assembly = stage.synth();
      plugin.validateAhead(assembly);
      await ahead(assembly);
    }
    try {
      app.synth();
    } catch (e) {
      if (!(e instanceof Error && e.name === 'ValidationFailed')) throw e;
    }
    return {
      findings: readValidationReport(outdir),
      report: fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8'),
      outdir,
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Adds a bucket without encryption settings or public access blocks to the Dev/Logs template. */
function plantBucketInLogs(assembly: CloudAssembly): void {
  const logs = assembly.stacksRecursively.find((s) => s.hierarchicalId === 'Dev/Logs');
  if (!logs) throw new Error('no Dev/Logs stack in the assembly');
  const template = JSON.parse(fs.readFileSync(logs.templateFullPath, 'utf-8'));
  template.Resources.Planted = { Type: 'AWS::S3::Bucket' };
  fs.writeFileSync(logs.templateFullPath, JSON.stringify(template));
}

/**
 * The construct paths of the public access finding: with the planted bucket, a third resource (it
 * has no construct, so the CDK reports an empty construct path for it).
 */
function publicAccessFindingPaths(findings: unknown): string[] | undefined {
  const violations = findings as Array<{ rule: string; constructPaths: string[] }>;
  return violations.find((v) => v.rule === 's3_bucket_level_public_access_prohibited_check')?.constructPaths;
}

// These tests wait for engines set up and validating in worker threads (and a process of their own):
// on a machine that runs other work too, that takes longer than jest's default 5 s (seen with a 1-minute
// load of 9 to 11: 168 s for this file, a test timed out and the next one counted its late report).
// control-tower-engine-gone.test.ts gives its test 60 s likewise.
jest.setTimeout(60_000);

describe('the engine behind a worker thread', () => {
  const before = process.env[VALIDATE_WORKER_ENV];
  // What the engine validates, not kept reports (tested below): every template is validated.
  beforeAll(() => (process.env[VALIDATE_CACHE_ENV] = 'false'));
  afterAll(() => delete process.env[VALIDATE_CACHE_ENV]);
  // The CDK prints every finding; the assertions read the report.
  beforeEach(() => jest.spyOn(console, 'error').mockImplementation(() => undefined));
  afterEach(() => {
    jest.restoreAllMocks();
    if (before === undefined) delete process.env[VALIDATE_WORKER_ENV];
    else process.env[VALIDATE_WORKER_ENV] = before;
  });

  // First in the file: the process has no engines before it.
  test('engines started before any plugin exists are the ones a plugin created later validates with', async () => {
    delete process.env[VALIDATE_WORKER_ENV];
    expect(validationEngines()).toBe(0);
    // WHEN a program starts two engines first thing (the next test wants two), then creates a plugin
    // that asks for one
    startValidationEngines({ validationThreads: 2 });
    expect(validationEngines()).toBe(2);
    const counted = validationsInWorker();
    const report = await synthesize(1);
    // THEN the plugin started none, and validated in the engines started first
    expect(validationEngines()).toBe(2);
    expect(validationsInWorker()).toBe(counted + 1);
    expect(JSON.stringify(report)).toContain('CT.S3.PR');
  });

  test('two workers, sharing the templates, report exactly what the engine on the main thread reports', async () => {
    // GIVEN the same app validated on the main thread and in two workers (the first plugin of the
    // process that starts workers decides how many)
    process.env[VALIDATE_WORKER_ENV] = 'false';
    const inThread = await synthesize();
    const counted = validationsInWorker();
    delete process.env[VALIDATE_WORKER_ENV];
    const inWorker = await synthesize(2);
    // THEN the workers ran the second one, and both reports are the same, findings included (the
    // same rule on buckets of two stacks: one violation, its resources in template order)
    expect(validationsInWorker()).toBe(counted + 1);
    expect(JSON.stringify(inWorker)).toContain('CT.S3.PR');
    expect(inWorker).toEqual(inThread);
    expect((inThread as unknown[]).length).toBeGreaterThan(3);
  });

  test("the report names the engine's version, which came with the workers' reply, not from this thread", () => {
    // GIVEN the CDK's own getter watched (it loads the engine's WebAssembly module on the thread that
    // asks, which a synth whose workers validated would otherwise do only for this string)
    delete process.env[VALIDATE_WORKER_ENV];
    const cdkGetter = jest.spyOn(CloudFormationValidatePlugin.prototype, 'version', 'get');
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-version-'));
    try {
      const app = new App({ outdir });
      const plugin = new ControlTowerValidatePlugin({ validationThreads: 1 });
      Validations.of(app).addPlugins(plugin);
      new s3.Bucket(new Stack(app, 'Data', { env: { account: '123456789012', region: 'eu-west-1' } }), 'Plain');
      const counted = validationsInWorker();
      // WHEN the app is synthesized, its templates validated in the workers
      try {
        app.synth();
      } catch (e) {
        if (!(e instanceof Error && e.name === 'ValidationFailed')) throw e;
      }
      const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8')) as {
        pluginReports: Array<{ pluginName: string; pluginVersion?: string }>;
      };
      const named = report.pluginReports.find((r) => r.pluginName === 'CloudFormation Validate')?.pluginVersion;
      // THEN the workers validated, the CDK's getter was never asked, and the report names the version
      // the CDK's getter gives
      expect(validationsInWorker()).toBe(counted + 1);
      expect(cdkGetter).not.toHaveBeenCalled();
      cdkGetter.mockRestore();
      expect(named).toBe(new CloudFormationValidatePlugin().version);
      expect(named).toMatch(/^\d+\.\d+\.\d+/);
      expect(plugin.ruleIds).toEqual([named]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('a control one plugin turns off is not reported by the engine an earlier plugin set up', async () => {
    // GIVEN an app validated with every control, then the same app with CT.S3.PR.2 (bucket logging,
    // which its plain buckets break) turned off, in one process: the engine of the first plugin has
    // the control's rule, the second plugin does not want it
    delete process.env[VALIDATE_WORKER_ENV];
    const all = JSON.stringify(await synthesize(1));
    const counted = validationsInWorker();
    const without = JSON.stringify(await synthesize(1, ['CT.S3.PR.2']));
    // THEN the second report has no finding of that control's rule, under its control id or raw
    expect(validationsInWorker()).toBe(counted + 1);
    expect(all).toContain('s3_bucket_logging_enabled_check');
    expect(without).not.toContain('s3_bucket_logging_enabled_check');
    expect(without).not.toContain('CT.S3.PR.2]');
    expect(without).toContain('CT.S3.PR.');
  });

  // Templates validated ahead (ControlTowerValidatePlugin.validateAhead)
  /** Waits until the engines have reported `n` more templates validated ahead than `from`. */
  async function validatedAhead(from: number, n: number): Promise<void> {
    while (templatesValidatedAhead() < from + n) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  test("a stage's templates validated ahead give the report validating them at the end gives", async () => {
    // GIVEN the report of the main thread's engine, and a worker's engine set up by a first synth
    process.env[VALIDATE_WORKER_ENV] = 'false';
    const inThread = await synthesize();
    delete process.env[VALIDATE_WORKER_ENV];
    await synthesize(1);
    const [used, validated] = [earlyReports(), templatesValidatedAhead()];
    // WHEN the stage's three templates are validated ahead, before the app's synthesis validates
    const ahead = await synthesize(1, undefined, () => validatedAhead(validated, 3));
    // THEN the three early reports were used, and the report is the same, findings included
    expect(earlyReports()).toBe(used + 3);
    expect(JSON.stringify(ahead)).toContain('CT.S3.PR');
    expect(ahead).toEqual(inThread);
  });

  test('a template changed after it was validated ahead is validated again, with the change', async () => {
    await synthesize(1);
    const [used, validated] = [earlyReports(), templatesValidatedAhead()];
    // WHEN the Logs template gains a bucket without encryption settings after it was validated ahead
    const planted = await synthesize(1, undefined, async (assembly) => {
      await validatedAhead(validated, 3);
      plantBucketInLogs(assembly);
    });
    // THEN the two unchanged templates' early reports were used, and the Logs template was validated
    // as it is at the end: the planted bucket is a third resource without public access blocks (it
    // has no construct, so the CDK reports an empty construct path for it)
    expect(earlyReports()).toBe(used + 2);
    expect(publicAccessFindingPaths(planted)).toEqual(['Dev/Data/Plain/Resource', 'Dev/Logs/Plain/Resource', '']);
  });

  test('early reports of an engine with other rules are not used: a control turned off stays off', async () => {
    // GIVEN an engine set up with every control, which validates the stage ahead
    await synthesize(1);
    const [used, validated] = [earlyReports(), templatesValidatedAhead()];
    // WHEN the plugin that validates at the end has CT.S3.PR.2 (bucket logging) turned off
    const report = JSON.stringify(await synthesize(1, ['CT.S3.PR.2'], () => validatedAhead(validated, 3)));
    // THEN its engine (other rules) made its own reports: none early, none of the control's rule
    expect(earlyReports()).toBe(used);
    expect(report).not.toContain('s3_bucket_logging_enabled_check');
    expect(report).toContain('CT.S3.PR.');
  });
});

describe('kept reports', () => {
  // Each test keeps its reports in a folder of its own, which starts empty.
  let folder: string;
  beforeEach(() => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    delete process.env[VALIDATE_WORKER_ENV];
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-kept-'));
    process.env[VALIDATE_CACHE_ENV] = folder;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    delete process.env[VALIDATE_CACHE_ENV];
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('a template validated before is answered from its kept report: the report validating it gives, with its own path', async () => {
    // GIVEN the report of the main thread's engine (no kept reports there), and a first synth in a
    // worker that keeps a report per template
    process.env[VALIDATE_WORKER_ENV] = 'false';
    const inThread = await synthesize();
    delete process.env[VALIDATE_WORKER_ENV];
    const kept = keptReports();
    const runs: Array<Awaited<ReturnType<typeof synthesizeWithReport>>> = [];
    for (let i = 0; i < 2; i++) {
      // WHEN (the second time round) the same app is synthesized again, into another folder
      runs.push(await synthesizeWithReport(1));
      if (i === 0) {
        expect(keptReports()).toBe(kept);
        expect(fs.readdirSync(folder).filter((f) => f.endsWith('.json'))).toHaveLength(3);
      }
    }
    const [first, again] = runs;
    // THEN its three templates' reports were the kept ones, the findings are those the engine gives,
    // and the report names the templates where this synth wrote them (the CDK writes them relative to
    // the synth's folder), never where the first did
    expect(keptReports()).toBe(kept + 3);
    expect(JSON.stringify(again.findings)).toContain('CT.S3.PR');
    expect(again.findings).toEqual(inThread);
    const templatePaths = [...again.report.matchAll(/"templatePath": "([^"]+)"/g)].map((m) => m[1]);
    expect(templatePaths.length).toBeGreaterThan(3);
    expect(templatePaths.filter((p) => !/^assembly-Dev\/Dev\w+\.template\.json$/.test(p))).toEqual([]);
    expect(again.report).not.toContain(path.basename(first.outdir));
    expect(again.report).toBe(first.report);
  });

  test('a template whose content changed is validated again, with the change; the others are answered', async () => {
    await synthesize(1);
    const kept = keptReports();
    // WHEN the Logs template gains a bucket without encryption settings before the validation (the
    // stage's assembly is handed over before the app's synthesis validates)
    const planted = await synthesize(1, undefined, async (assembly) => plantBucketInLogs(assembly));
    // THEN two reports were kept ones, and the planted bucket is reported
    expect(keptReports()).toBe(kept + 2);
    expect(publicAccessFindingPaths(planted)).toEqual(['Dev/Data/Plain/Resource', 'Dev/Logs/Plain/Resource', '']);
  });

  test('reports kept for other rules are not used: a control turned off stays off', async () => {
    const all = JSON.stringify(await synthesize(1));
    const kept = keptReports();
    // WHEN the same app is validated with CT.S3.PR.2 (bucket logging, which its plain buckets break) off
    const without = JSON.stringify(await synthesize(1, ['CT.S3.PR.2']));
    // THEN no kept report was used, and the control is not reported
    expect(keptReports()).toBe(kept);
    expect(all).toContain('s3_bucket_logging_enabled_check');
    expect(without).not.toContain('s3_bucket_logging_enabled_check');
    expect(without).toContain('CT.S3.PR.');
  });

  test(`${VALIDATE_CACHE_ENV}=false keeps nothing and uses nothing kept`, async () => {
    await synthesize(1);
    const kept = keptReports();
    const files = fs.readdirSync(folder);
    process.env[VALIDATE_CACHE_ENV] = 'false';
    await synthesize(1);
    expect(keptReports()).toBe(kept);
    expect(fs.readdirSync(folder)).toEqual(files);
  });
});

describe('startValidationEngines', () => {
  test("a module the program preloads runs in the program only, not again in each engine's worker thread", () => {
    // GIVEN a program run with a preloaded module that writes where it runs (a preload that starts
    // engines, run again in each worker, would start engines without end)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-preload-'));
    const ran = path.join(dir, 'ran');
    const preload = path.join(dir, 'preload.cjs');
    fs.writeFileSync(
      preload,
      `require('node:fs').appendFileSync(${JSON.stringify(ran)}, require('node:worker_threads').isMainThread ? 'program\\n' : 'worker\\n');`,
    );
    const register = path.join(__dirname, '..', '..', '..', 'tools', 'source', 'register.cjs');
    const rules = path.join(__dirname, '..', 'src', 'index.ts');
    // WHEN it starts an engine and lives long enough for the worker to start (3 s; it starts in ms)
    const child = spawnSync(
      process.execPath,
      [
        '-r',
        register,
        '-r',
        preload,
        '-e',
        `require(${JSON.stringify(rules)}).startValidationEngines({ validationThreads: 1 }); setTimeout(() => undefined, 3000);`,
      ],
      { encoding: 'utf-8', env: { ...process.env, [VALIDATE_WORKER_ENV]: 'true' } },
    );
    // THEN the preload ran once, in the program
    expect(child.stderr).toBe('');
    expect(fs.readFileSync(ran, 'utf-8')).toBe('program\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('shareOut', () => {
  test('shares templates out by size, each share in the original order', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-share-'));
    const t = (name: string, bytes: number) => {
      fs.writeFileSync(path.join(dir, name), 'x'.repeat(bytes));
      return { templatePath: path.join(dir, name) };
    };
    const [a, b, c, d] = [t('a', 100), t('b', 60), t('c', 50), t('d', 10)];
    expect(shareOut([a, b, c, d], 2)).toEqual([
      [a, d],
      [b, c],
    ]);
    expect(shareOut([a, b], 3)).toEqual([[a], [b]]);
    // a template validated ahead stays with the engine that has its report, and weighs nothing there
    expect(shareOut([a, b, c, d], 2, new Map([[a.templatePath, 1]]))).toEqual([[b], [a, c, d]]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('mergeTemplateReports', () => {
  const resource = (templatePath: string, id: string) => ({ templatePath, resourceLogicalId: id, locations: [] });
  const violation = (ruleName: string, severity: string, ...resources: ReturnType<typeof resource>[]) => ({
    ruleName,
    severity,
    description: `${ruleName} broken`,
    violatingResources: resources,
  });

  test('one violation per rule, severity and description, in first-seen order, resources in template order', () => {
    const merged = mergeTemplateReports([
      [violation('W1', 'warning', resource('a', 'A1')), violation('E1', 'error', resource('a', 'A2'))],
      [violation('E2', 'error', resource('b', 'B1')), violation('W1', 'warning', resource('b', 'B2'))],
    ]);
    expect(merged.violations.map((v) => [v.ruleName, v.violatingResources.map((r) => r.resourceLogicalId)])).toEqual([
      ['W1', ['A1', 'B2']],
      ['E1', ['A2']],
      ['E2', ['B1']],
    ]);
    expect(merged.success).toBe(false);
  });

  test('warnings alone are a success', () => {
    expect(mergeTemplateReports([[violation('W1', 'warning', resource('a', 'A1'))], []]).success).toBe(true);
  });
});
