/**
 * The validation engine runs in a process of its own (src/validate-engine.cjs). When that process is
 * gone, a synth must fail and say so, not wait forever for a report.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, aws_s3 as s3, Stack, Validations } from 'aws-cdk-lib';
import { ControlTowerValidatePlugin, VALIDATE_WORKER_ENV } from '../src';

/**
 * The newest child process of this one that runs the engine (Linux: from /proc). Jest runs test files
 * one after another in a process, and each file's modules start their own engine: the newest is this
 * file's.
 */
function newestEngineProcess(): number | undefined {
  const engines = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        // Fields after the command name: state, ppid, ... starttime is field 22 of the whole line.
        const fields = fs
          .readFileSync(`/proc/${pid}/stat`, 'utf-8')
          .replace(/^.*\) /s, '')
          .split(' ');
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf-8');
        return Number(fields[1]) === process.pid && cmdline.includes('validate-engine.cjs')
          ? [{ pid: Number(pid), started: Number(fields[19]) }]
          : [];
      } catch {
        return [];
      }
    });
  return engines.sort((a, b) => b.started - a.started || b.pid - a.pid)[0]?.pid;
}

function synthesize(): Error | undefined {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-engine-'));
  try {
    const app = new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    Validations.of(app).addPlugins(new ControlTowerValidatePlugin());
    new s3.Bucket(new Stack(app, 'Data', { env: { account: '123456789012', region: 'eu-west-1' } }), 'Plain');
    app.synth();
    return undefined;
  } catch (e) {
    return e as Error;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const onLinux = process.platform === 'linux' ? test : test.skip;

onLinux(
  'a synth whose engine process died fails, naming the engine process, and does not hang',
  async () => {
    delete process.env[VALIDATE_WORKER_ENV];
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    // GIVEN a plugin whose worker has started the engine's process, and that process killed
    synthesize();
    const engine = newestEngineProcess();
    expect(engine).toBeDefined();
    process.kill(engine as number, 'SIGKILL');
    // The worker thread learns of the exit on its own event loop once it has reaped the process: wait
    // until the process is gone from /proc (reaped), then a little longer for the event.
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    for (let waited = 0; fs.existsSync(`/proc/${engine}`) && waited < 20_000; waited += 50) {
      await sleep(50);
    }
    await sleep(300);
    // WHEN the next app is synthesized
    const error = synthesize();
    // THEN the synth fails with the engine's fate in its message
    expect(error?.name).toBe('ValidationFailed');
    expect(error?.message).toMatch(/validation engine's process exited \(SIGKILL\)/);
    // Two synths with an engine set up between them: seconds on a machine busy with other tests.
  },
  60_000,
);
