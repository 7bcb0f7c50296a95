/**
 * What the jest global setups share: synthesize one config once, with every check on, into a
 * temporary folder, and hand the folder to the test files through an environment variable.
 *
 * Both global setups run in the same jest process, one after the other: when the deploy config and
 * the fixture config are the same YAML (as shipped), the second reuses the first's assembly instead
 * of synthesizing the same app again. The assembly depends on the config's content only (the app
 * gets the parsed config, never its path), and each test file still reads its own config file.
 *
 * The folder is in the run's temporary folder (tools/testing/temp-root.ts), made here first, so this is
 * also how the app's Jest projects get theirs; it goes when the run ends.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildPlatformApp, soloValidationThreads } from '../../src/app';
import { loadConfig } from '../../src/config';
import { synthesizeApp } from '../../src/synth/synthesize';
import { useTempRoot } from '../../../../tools/testing/temp-root';

/** Outdir by sha256 of the config file's content, for this process. */
const synthesized = new Map<string, string>();

export function synthesizeOnce(configFile: string, env: string): void {
  useTempRoot();
  // Offline, provably: no AWS_* variable (credentials, profile, region) is visible to the synth, or
  // to any test. The tests then assert that no context lookup was requested.
  for (const name of Object.keys(process.env).filter((n) => n.startsWith('AWS_'))) {
    delete process.env[name];
  }
  const content = createHash('sha256').update(fs.readFileSync(configFile)).digest('hex');
  let outdir = synthesized.get(content);
  if (!outdir) {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-test-'));
    // The global setups run alone, before any test file: the machine is theirs.
    const { app } = buildPlatformApp({
      config: loadConfig(configFile),
      outdir,
      validationThreads: soloValidationThreads(),
    });
    // Findings are results, not errors: the zero-findings test reports them from
    // validation-report.json (and when a violation leaves assemblies unwritten, every reader of the
    // shared assembly fails with that list). Anything else thrown fails every test.
    synthesizeApp(app);
    synthesized.set(content, outdir);
  }
  process.env[env] = JSON.stringify({ outdir, configFile });
}
