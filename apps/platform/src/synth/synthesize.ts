import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { renderSummary, summarize } from './summary';
import { TemplateSize, templateSizeProblems, templateSizes } from './template-size';
import { readValidationReport, ReportedFinding } from './validation-report';

/** The outcome of one synthesis with every check on. */
export interface SynthResult {
  /** True when the cloud assembly is complete and nothing is unacknowledged or looked up. */
  readonly ok: boolean;
  readonly findings: ReportedFinding[];
  readonly unacknowledged: ReportedFinding[];
  /** Context lookups the app asked for (each would make the CDK CLI call AWS and run the app again). */
  readonly lookups: string[];
  /** Every template and its size, largest first. */
  readonly templateSizes: TemplateSize[];
  /** The summary table: one row per stack with resource and finding counts. */
  readonly summary: string;
  /** What went wrong, one line per problem, for stderr. Empty when `ok`. */
  readonly problems: string[];
}

/**
 * Synthesizes `app` once and judges the result: the rule packs' findings (from the validation
 * report) and any context lookup (the app must never need AWS to synthesize).
 *
 * A rule-pack violation makes the CDK throw `ValidationFailed`; that is a result here, not an
 * error. Anything else thrown (a construct's validation error, a bug) propagates.
 */
export function synthesizeApp(app: App): SynthResult {
  let assembly: cxapi.CloudAssembly | undefined;
  try {
    assembly = app.synth();
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'ValidationFailed') {
      throw e;
    }
  }
  const findings = readValidationReport(app.outdir);
  const unacknowledged = findings.filter((f) => !f.acknowledgement);
  const lookups = assembly ? missingContext(assembly) : [];
  const sizes = templateSizes(app.outdir);
  const problems: string[] = [...templateSizeProblems(sizes)];
  if (unacknowledged.length > 0 || !assembly) {
    problems.push(
      `${unacknowledged.length} unacknowledged findings (details above and in ${path.join(app.outdir, 'validation-report.json')})`,
    );
  }
  if (lookups.length > 0) {
    problems.push(
      `the app asked for context lookups, which need AWS credentials: ${lookups.join(', ')}; ` +
        'give the values through the config instead (availability zones, ids)',
    );
  }
  return {
    ok: problems.length === 0,
    findings,
    unacknowledged,
    lookups,
    templateSizes: sizes,
    summary: renderSummary(summarize(app, findings), findings, sizes),
    problems,
  };
}

/**
 * The keys of every missing-context entry of the app, its stages' included: a Stage's builder adds
 * its missing context to its parent's too (@aws-cdk/cloud-assembly-api 2.5, CloudAssemblyBuilder's
 * `addMissing` calls `this.parentBuilder?.addMissing(missing)`), so the root manifest lists them all,
 * once each. (Reading the nested manifests as well named a lookup inside a stage twice.)
 */
export function missingContext(assembly: cxapi.CloudAssembly): string[] {
  return (assembly.manifest.missing ?? []).map((m) => m.key);
}
