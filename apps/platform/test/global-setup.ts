/**
 * Jest global setup of the product tests: synthesizes the fixture config once, for every test file
 * that reads `fixtureAssembly()`. Tests that need a different app (a planted finding, another
 * config) build it themselves.
 */
// Jest loads a global setup itself, before the test files' set-up (tools/testing/typescript.cjs): the
// workspace packages load from their sources through the synth's loader here too (no build first).
import '../../../tools/source/register.cjs';
import { ASSEMBLY_ENV } from './support/assembly';
import { FIXTURE_CONFIG } from './support/configs';
import { synthesizeOnce } from './support/synthesize-once';

export default function globalSetup(): void {
  synthesizeOnce(FIXTURE_CONFIG, ASSEMBLY_ENV.fixture);
}
