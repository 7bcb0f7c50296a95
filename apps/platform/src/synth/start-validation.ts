/**
 * Preloaded by the synth (`node -r ../../tools/source/register.cjs -r ./src/synth/start-validation.ts
 * src/main.ts`, the synth target and cdk.json's `app`): starts the validation engines before the app's
 * modules load, so that the engines' set-up (a process each, which loads aws-cdk-lib and compiles the
 * rules) overlaps that loading too, not only the building of the app. The app's
 * ControlTowerValidatePlugin, created with the same props in buildPlatformApp, then uses them.
 *
 * Loads only @baseline/rules (aws-cdk-lib loads its service modules lazily): measured here, the
 * engines start about 0.1 s into the process instead of 0.55 s, when buildPlatformApp creates the
 * plugin. Nothing starts with CDK_VALIDATION=false (buildPlatformApp then adds no plugin).
 */
import { isMainThread } from 'node:worker_threads';
import { startValidationEngines } from '@baseline/rules';
import { builtInValidationOn, soloValidationThreads } from './validation-settings';

if (isMainThread && builtInValidationOn()) {
  startValidationEngines({ validationThreads: soloValidationThreads() });
}
