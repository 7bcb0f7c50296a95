/**
 * Jest global setup of the deploy-config checks: synthesizes the config the user deploys
 * (PLATFORM_CONFIG, default config/platform.yaml) once, with every check on, for every test file
 * that reads `deployAssembly()`.
 */
// Jest's moduleNameMapper does not apply to a global setup: the workspace packages load from their
// sources through the same loader as the synth (no build of the libraries first).
import '../../../../tools/source/register.cjs';
import { ASSEMBLY_ENV } from '../support/assembly';
import { deployConfigFile } from '../support/configs';
import { synthesizeOnce } from '../support/synthesize-once';

export default function globalSetup(): void {
  const file = deployConfigFile();
  console.log(`\ndeploy-config checks: ${file}`);
  synthesizeOnce(file, ASSEMBLY_ENV.deploy);
}
