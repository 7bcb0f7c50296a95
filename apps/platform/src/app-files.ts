import * as fs from 'node:fs';
import * as path from 'node:path';

/** The app's own folder (apps/platform), wherever the process was started (src/ or lib/ alike). */
export const APP_ROOT = path.resolve(__dirname, '..');

/** The config used when none is given: `apps/platform/config/platform.yaml`. */
export const DEFAULT_CONFIG = path.join(APP_ROOT, 'config', 'platform.yaml');

/**
 * The `context` of apps/platform/cdk.json (feature flags).
 *
 * `buildPlatformApp` applies it, so the synth target (plain node, no CDK CLI) synthesizes with the same flags
 * as `cdk synth`; tests that build an App of their own use it too.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'cdk.json'), 'utf-8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}
