import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { ControlTowerValidatePlugin } from '@baseline/rules';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { APP_ROOT, cdkJsonContext } from './app-files';
import { PlatformConfig } from './config';
import { PipelineStack } from './pipeline';
import { PlatformStage } from './stage';
import { builtInValidationOn } from './synth/validation-settings';

export { APP_ROOT, cdkJsonContext, DEFAULT_CONFIG } from './app-files';

export interface PlatformAppProps {
  readonly config: PlatformConfig;
  /** Where the cloud assembly goes. @default - the CDK CLI's CDK_OUTDIR, else apps/platform/cdk.out */
  readonly outdir?: string;
  /** Extra context, on top of cdk.json's. @default {} */
  readonly context?: Record<string, unknown>;
  /**
   * Adds to each stage-region right after it is built.
   *
   * The only place to change a stage: CDK Pipelines synthesizes a Stage as soon as it is added to
   * a wave, and the CDK refuses changes to the construct tree after that.
   * @default - the stages as the config describes them
   */
  readonly extendStage?: (stage: PlatformStage) => void;
  /**
   * Worker threads that validate the templates (ControlTowerValidatePlugin's `validationThreads`):
   * more than one pays when the synth has the machine to itself (`npm run synth`), not in test
   * runners that keep every core busy.
   * @default 1
   */
  readonly validationThreads?: number;
}

export { soloValidationThreads } from './synth/validation-settings';

export interface PlatformApp {
  readonly app: App;
  /** The pipeline stack, in the tooling account and home region. */
  readonly pipeline: PipelineStack;
  /** Every stage-region, in config order (stages, then their regions). */
  readonly stages: PlatformStage[];
}

/**
 * Builds the whole app from a validated config: the rule packs, the pipeline stack, and every
 * stage-region the pipeline deploys.
 *
 * The packs are registered once, on the App: CDK validation plugins registered on the App run over
 * every template of every nested Stage (tests prove it with a finding planted inside a stage). They
 * are AwsSolutions, NIST 800-53 rev 5, and the CDK's CloudFormation validation with AWS Control
 * Tower's proactive controls.
 * cdk.json's context is applied here too, so the synth target (plain node, no CDK CLI) synthesizes with the
 * same feature flags as `cdk synth`.
 */
export function buildPlatformApp(props: PlatformAppProps): PlatformApp {
  const app = new App({
    outdir: props.outdir ?? process.env.CDK_OUTDIR ?? path.join(APP_ROOT, 'cdk.out'),
    context: { ...cdkJsonContext(), ...props.context },
    // The callers synthesize once, explicitly; the CDK would otherwise synthesize again on exit
    // whenever CDK_OUTDIR is set (as the CDK CLI and `npm run diff` set it).
    autoSynth: false,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
  // The CDK's CloudFormation validation with AWS Control Tower's proactive controls, in place of the
  // built-in instance; off with it (CDK_VALIDATION=false), for tests about something else. Each
  // stage's templates go to its engine as soon as CDK Pipelines has synthesized the stage.
  const controlTower = builtInValidationOn()
    ? new ControlTowerValidatePlugin({ validationThreads: props.validationThreads })
    : undefined;
  if (controlTower) {
    Validations.of(app).addPlugins(controlTower);
  }

  const stages: PlatformStage[] = [];
  const pipeline = new PipelineStack(app, 'Pipeline', {
    config: props.config,
    onStageSynthesized: controlTower && ((assembly) => controlTower.validateAhead(assembly)),
    stageFactory: (scope, stage, region) => {
      const platformStage = new PlatformStage(scope, { config: props.config, stage, region });
      props.extendStage?.(platformStage);
      stages.push(platformStage);
      return platformStage;
    },
  });
  return { app, pipeline, stages };
}
