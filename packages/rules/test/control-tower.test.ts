/**
 * ControlTowerValidatePlugin sets its engine up in a worker thread while the app is built. The worker
 * must change when the report is made, never what it says: the same findings, on the same resources,
 * as the engine on the main thread.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, aws_s3 as s3, aws_sns as sns, Stack, Stage, Validations } from 'aws-cdk-lib';
import { ControlTowerValidatePlugin, readValidationReport, VALIDATE_WORKER_ENV, validationsInWorker } from '../src';

/** A Stage with two stacks that break Control Tower controls (and the built-in rules pass). */
function synthesize(): unknown {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-worker-'));
  try {
    const app = new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    Validations.of(app).addPlugins(new ControlTowerValidatePlugin());
    const stage = new Stage(app, 'Dev', { env: { account: '123456789012', region: 'eu-west-1' } });
    new s3.Bucket(new Stack(stage, 'Data'), 'Plain');
    new sns.Topic(new Stack(stage, 'Alarms'), 'Plain');
    try {
      app.synth();
    } catch (e) {
      if (!(e instanceof Error && e.name === 'ValidationFailed')) throw e;
    }
    return readValidationReport(outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('the engine in a worker thread', () => {
  const before = process.env[VALIDATE_WORKER_ENV];
  // The CDK prints every finding; the assertions read the report.
  beforeEach(() => jest.spyOn(console, 'error').mockImplementation(() => undefined));
  afterEach(() => {
    jest.restoreAllMocks();
    if (before === undefined) delete process.env[VALIDATE_WORKER_ENV];
    else process.env[VALIDATE_WORKER_ENV] = before;
  });

  test('reports exactly what the engine on the main thread reports', () => {
    // GIVEN the same app validated on the main thread and in the worker
    process.env[VALIDATE_WORKER_ENV] = 'false';
    const inThread = synthesize();
    const counted = validationsInWorker();
    delete process.env[VALIDATE_WORKER_ENV];
    const inWorker = synthesize();
    // THEN the worker ran the second one, and both reports are the same, findings included
    expect(validationsInWorker()).toBe(counted + 1);
    expect(JSON.stringify(inWorker)).toContain('CT.S3.PR');
    expect(inWorker).toEqual(inThread);
    expect((inThread as unknown[]).length).toBeGreaterThan(3);
  });
});
