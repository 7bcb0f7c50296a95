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

export const ASSEMBLY_ENV = 'PLATFORM_TEST_ASSEMBLY';

export default function globalSetup(): void {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-test-'));
  const { app } = buildPlatformApp({ config: loadConfig(DEFAULT_CONFIG), outdir });
  try {
    app.synth();
  } catch (e) {
    // A rule-pack violation: the stage assemblies are missing, and the zero-findings test reports
    // the findings from validation-report.json. Anything else is a broken app: fail every test.
    if (!(e instanceof Error) || e.name !== 'ValidationFailed') {
      throw e;
    }
  }
  process.env[ASSEMBLY_ENV] = outdir;
  process.on('exit', () => fs.rmSync(outdir, { recursive: true, force: true }));
}
