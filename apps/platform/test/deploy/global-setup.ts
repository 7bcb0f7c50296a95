/**
 * Jest global setup of the deploy-config checks: synthesizes the config the user deploys
 * (PLATFORM_CONFIG, default config/platform.yaml) once, with every check on, for every test file
 * that reads `deployAssembly()`.
 */
// Jest loads a global setup itself, before the test files' set-up (tools/testing/typescript.cjs): the
// workspace packages load from their sources through the synth's loader here too (no build first).
import '../../../../tools/source/register.cjs';
import { ASSEMBLY_ENV } from '../support/assembly';
import { deployConfigFile } from '../support/configs';
import { synthesizeOnce } from '../support/synthesize-once';

export default function globalSetup(): void {
  const file = deployConfigFile();
  console.log(`\ndeploy-config checks: ${file}`);
  synthesizeOnce(file, ASSEMBLY_ENV.deploy);
}
