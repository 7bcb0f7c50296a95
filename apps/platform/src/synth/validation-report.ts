import * as fs from 'node:fs';
import * as path from 'node:path';

/** A finding of a validation plugin, acknowledged or not. */
export interface ReportedFinding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  readonly constructPath: string;
  /** Set when the finding was acknowledged: the id used and the reason given. */
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
 * Reads the `validation-report.json` the CDK writes into the cloud assembly.
 *
 * The CDK writes it whenever a plugin reported or acknowledged something; no file means nothing
 * was found. One entry per (rule, construct), so counts are per resource.
 */
export function readValidationReport(outdir: string): ReportedFinding[] {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) {
    return [];
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf-8')) as RawReport;
  const findings: ReportedFinding[] = [];
  for (const plugin of report.pluginReports) {
    const add = (v: RawViolation, acknowledged: boolean) => {
      for (const c of v.violatingConstructs) {
        findings.push({
          plugin: plugin.pluginName,
          rule: v.ruleName,
          severity: v.severity,
          description: v.description,
          constructPath: c.constructPath,
          acknowledgement: acknowledged
            ? { id: v.acknowledgedId ?? v.ruleName, at: v.acknowledgedAt ?? '', reason: v.reason ?? '' }
            : undefined,
        });
      }
    };
    (plugin.violations ?? []).forEach((v) => add(v, false));
    (plugin.suppressedViolations ?? []).forEach((v) => add(v, true));
  }
  return findings;
}
