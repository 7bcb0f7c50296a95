/**
 * What the jest global setups share: synthesize one config once, with every check on, into a
 * temporary folder, and hand the folder to the test files through an environment variable.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildPlatformApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { synthesizeApp } from '../../src/synth/synthesize';

export function synthesizeOnce(configFile: string, env: string): void {
  // Offline, provably: no AWS_* variable (credentials, profile, region) is visible to the synth, or
  // to any test. The tests then assert that no context lookup was requested.
  for (const name of Object.keys(process.env).filter((n) => n.startsWith('AWS_'))) {
    delete process.env[name];
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-test-'));
  const { app } = buildPlatformApp({ config: loadConfig(configFile), outdir });
  // Findings are results, not errors: the zero-findings test reports them from
  // validation-report.json (and when a violation leaves assemblies unwritten, every reader of the
  // shared assembly fails with that list). Anything else thrown fails every test.
  synthesizeApp(app);
  process.env[env] = JSON.stringify({ outdir, configFile });
  process.on('exit', () => fs.rmSync(outdir, { recursive: true, force: true }));
}
