/**
 * Jest global setup: synthesizes the default config once, with every check on, into a temporary
 * folder, and hands the folder to the test files through `PLATFORM_TEST_ASSEMBLY`.
 *
 * A full synth takes seconds (most of it the CloudFormation validation and the rule packs); test
 * files read this one cloud assembly (test/support/default-assembly.ts) instead of synthesizing
 * their own. Tests that need a different app (a planted finding, another config) build it themselves.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildPlatformApp, DEFAULT_CONFIG } from '../src/app';
import { loadConfig } from '../src/config';
import { synthesizeApp } from '../src/synth/synthesize';

export const ASSEMBLY_ENV = 'PLATFORM_TEST_ASSEMBLY';

export default function globalSetup(): void {
  // Offline, provably: no AWS_* variable (credentials, profile, region) is visible to the synth, or
  // to any test. The tests then assert that no context lookup was requested.
  for (const name of Object.keys(process.env).filter((n) => n.startsWith('AWS_'))) {
    delete process.env[name];
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-test-'));
  const { app } = buildPlatformApp({ config: loadConfig(DEFAULT_CONFIG), outdir });
  // Findings are results, not errors: the zero-findings test reports them from
  // validation-report.json (and when a violation leaves assemblies unwritten, every reader of the
  // shared assembly fails with that list). Anything else thrown fails every test.
  synthesizeApp(app);
  process.env[ASSEMBLY_ENV] = outdir;
  process.on('exit', () => fs.rmSync(outdir, { recursive: true, force: true }));
}
