/**
 * The reader of `validation-report.json`, the file the CDK writes into the cloud assembly when a
 * validation plugin reported or acknowledged something. The app's synth summary and the
 * libraries' compliance tests read it through this one function.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One violation of one rule, as a plugin reported it, acknowledged or not. */
export interface ReportedViolation {
  /** The plugin, e.g. `AwsSolutions`, `NIST.800.53.R5`, `CloudFormation-Validate`. */
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  /** The construct paths of the resources that break the rule. */
  readonly constructPaths: string[];
  /** Set when the violation was acknowledged: the id used, where, and the reason given. */
  readonly acknowledgement?: { readonly id: string; readonly at: string; readonly reason: string };
}

interface RawViolation {
  ruleName: string;
  description: string;
  severity: string;
  violatingConstructs: Array<{ constructPath: string }>;
  acknowledgedId?: string;
  acknowledgedAt?: string;
  reason?: string;
}

interface RawReport {
  pluginReports: Array<{ pluginName: string; violations?: RawViolation[]; suppressedViolations?: RawViolation[] }>;
}

/**
 * Every violation in `<outdir>/validation-report.json`, acknowledged ones included.
 *
 * No file means that no plugin found or acknowledged anything: an empty list.
 */
export function readValidationReport(outdir: string): ReportedViolation[] {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) {
    return [];
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf-8')) as RawReport;
  const violations: ReportedViolation[] = [];
  for (const plugin of report.pluginReports) {
    const add = (v: RawViolation, acknowledged: boolean) =>
      violations.push({
        plugin: plugin.pluginName,
        rule: v.ruleName,
        severity: v.severity,
        description: v.description,
        constructPaths: v.violatingConstructs.map((c) => c.constructPath),
        acknowledgement: acknowledged
          ? { id: v.acknowledgedId ?? v.ruleName, at: v.acknowledgedAt ?? '', reason: v.reason ?? '' }
          : undefined,
      });
    (plugin.violations ?? []).forEach((v) => add(v, false));
    (plugin.suppressedViolations ?? []).forEach((v) => add(v, true));
  }
  return violations;
}
