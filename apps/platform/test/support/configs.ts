/**
 * The configs the tests read.
 *
 * Tests of the product's behaviour use the fixture configs under test/fixtures, never the config a
 * user deploys: a user who edits config/platform.yaml must not break them. The deploy-config checks
 * (test/deploy) read the config the user deploys and derive every expectation from it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG } from '../../src/app-files';

/** The repository root. */
export const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** The fixture config of the product tests: two stages (dev, prod), two regions each, example accounts. */
export const FIXTURE_CONFIG = path.join(__dirname, '..', 'fixtures', 'platform.yaml');

/**
 * The config the deploy-config checks check: `PLATFORM_CONFIG` (a path relative to the repository
 * root, or else to where the command was run), else the default deploy config
 * `apps/platform/config/platform.yaml`.
 */
export function deployConfigFile(): string {
  const named = process.env.PLATFORM_CONFIG;
  if (!named) {
    return DEFAULT_CONFIG;
  }
  const fromRoot = path.resolve(WORKSPACE_ROOT, named);
  return fs.existsSync(fromRoot) ? fromRoot : path.resolve(process.env.INIT_CWD ?? process.cwd(), named);
}

/** Whether the deploy checks run on the default deploy config (the one the committed docs describe). */
export function isDefaultDeployConfig(file: string): boolean {
  return path.resolve(file) === path.resolve(DEFAULT_CONFIG);
}
