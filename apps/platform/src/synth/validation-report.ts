import { readValidationReport as readViolations } from '@baseline/rules';

/** A finding of a validation plugin on one construct, acknowledged or not. */
export interface ReportedFinding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  readonly constructPath: string;
  /** Set when the finding was acknowledged: the id used and the reason given. */
  readonly acknowledgement?: { readonly id: string; readonly at: string; readonly reason: string };
}

/**
 * The findings of the cloud assembly's `validation-report.json`, one per (rule, construct), so
 * that counts are per resource. No file means nothing was found.
 */
export function readValidationReport(outdir: string): ReportedFinding[] {
  return readViolations(outdir).flatMap(({ constructPaths, ...violation }) =>
    constructPaths.map((constructPath) => ({ ...violation, constructPath })),
  );
}
