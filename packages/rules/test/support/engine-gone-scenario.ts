/**
 * Run by control-tower-engine-gone.test.ts in a Node.js process of its own: a synth that starts the
 * plugin's engine, that engine's process killed, then a second synth. Prints the killed process and
 * what the second synth threw, as JSON.
 *
 * A process of its own, because the plugin's worker threads and their engine processes belong to the
 * process, not to a test file: in a Jest worker they serve every test file it runs
 * (tools/testing/runner.mjs), so there the killed engine might not be the one the next synth uses, and
 * the files after this one would find it dead.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, aws_s3 as s3, Stack, Validations } from 'aws-cdk-lib';
import { ControlTowerValidatePlugin, VALIDATE_WORKER_ENV } from '../../src';

/** The newest child process of this one that runs the engine (Linux: from /proc). */
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

async function main(): Promise<void> {
  delete process.env[VALIDATE_WORKER_ENV];
  // The plugin's findings for the plain bucket (the first synth fails on them too) are not the point.
  console.error = () => undefined;
  synthesize();
  const engine = newestEngineProcess();
  if (engine !== undefined) {
    process.kill(engine, 'SIGKILL');
    // The worker thread learns of the exit on its own event loop once it has reaped the process: wait
    // until the process is gone from /proc (reaped), then a little longer for the event.
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    for (let waited = 0; fs.existsSync(`/proc/${engine}`) && waited < 20_000; waited += 50) {
      await sleep(50);
    }
    await sleep(300);
  }
  const error = engine === undefined ? undefined : synthesize();
  process.stdout.write(JSON.stringify({ engine: engine ?? null, name: error?.name, message: error?.message }));
  process.exit(0);
}

void main();
