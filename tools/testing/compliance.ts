/**
 * Test helper: synthesize an App with every check the platform runs and return what they found.
 *
 * The checks are those of the real app: cdk-nag v3 AwsSolutions and NIST 800-53 rev 5 packs as
 * validation plugins, and the CDK's own CloudFormation validation with AWS Control Tower's proactive
 * controls, its findings as errors.
 * Libraries use this so that a construct that would add a finding fails in its own package, not
 * only later in the app.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, AppProps, Validations } from 'aws-cdk-lib';
import { ControlTowerValidatePlugin, readValidationReport } from '@baseline/rules';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';

/** One unacknowledged finding: which plugin, which rule, on which construct paths. */
export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  readonly paths: string[];
}

/** One acknowledged finding, with the reason it was acknowledged. */
export interface Acknowledgement {
  readonly plugin: string;
  readonly rule: string;
  /** The id as acknowledged, e.g. `AwsSolutions::AwsSolutions-IAM5[Action::kms:ReEncrypt*]`. */
  readonly id: string;
  /** The construct the acknowledgement was placed on. */
  readonly at: string;
  readonly reason: string;
  readonly paths: string[];
}

export interface ValidationResult {
  readonly findings: Finding[];
  readonly acknowledged: Acknowledgement[];
}

/** An App that runs both rule packs and treats CloudFormation validation findings as errors. */
export function checkedApp(props: AppProps = {}): App {
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-checked-')),
    ...props,
    context: { '@aws-cdk/core:validateAgainstDefaultRules': true, ...props.context },
  });
  // The CloudFormation validation is registered explicitly: library unit tests turn the built-in one
  // off (tools/testing/unit-test-setup.ts), and an explicit plugin runs whatever CDK_VALIDATION says.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new ControlTowerValidatePlugin(),
  );
  return app;
}

/**
 * True for the one error synthesis throws when a validation plugin reports a violation
 * (aws-cdk-lib 2.276 names it `ValidationFailed`). Construct validation errors ("Validation failed
 * with the following errors") and everything else are real failures and are not matched.
 */
export function isPluginViolationError(e: unknown): boolean {
  return e instanceof Error && e.name === 'ValidationFailed';
}

/**
 * Synthesizes the app and returns every finding of every plugin, acknowledged or not.
 *
 * Synthesis throws when a plugin reports a violation; that one error is expected and swallowed
 * here because the report it points to is the result. Any other error is rethrown.
 */
export function validate(app: App): ValidationResult {
  try {
    app.synth();
  } catch (e) {
    if (!isPluginViolationError(e)) {
      throw e;
    }
  }
  const findings: Finding[] = [];
  const acknowledged: Acknowledgement[] = [];
  for (const v of readValidationReport(app.outdir)) {
    const base = { plugin: v.plugin, rule: v.rule, paths: v.constructPaths };
    if (v.acknowledgement) {
      acknowledged.push({
        ...base,
        id: v.acknowledgement.id,
        at: v.acknowledgement.at,
        reason: v.acknowledgement.reason,
      });
    } else {
      findings.push({ ...base, severity: v.severity, description: v.description });
    }
  }
  return { findings, acknowledged };
}

/** Human-readable lines for a failing assertion: `rule (plugin) at path: description`. */
export function describeFindings(findings: Finding[]): string[] {
  return findings.flatMap((f) => f.paths.map((p) => `${f.rule} (${f.plugin}) at ${p}: ${f.description}`));
}
