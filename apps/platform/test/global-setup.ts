/**
 * Jest global setup of the product tests: synthesizes the fixture config once, for every test file
 * that reads `fixtureAssembly()`. Tests that need a different app (a planted finding, another
 * config) build it themselves.
 */
// Jest's moduleNameMapper does not apply to a global setup: the workspace packages load from their
// sources through the same loader as the synth (no build of the libraries first).
import '../../../tools/source/register.cjs';
import { ASSEMBLY_ENV } from './support/assembly';
import { FIXTURE_CONFIG } from './support/configs';
import { synthesizeOnce } from './support/synthesize-once';

export default function globalSetup(): void {
  synthesizeOnce(FIXTURE_CONFIG, ASSEMBLY_ENV.fixture);
}
