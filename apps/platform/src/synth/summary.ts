import { CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ReportedFinding } from './validation-report';

/** One row of the synth summary: a stack with its resource and finding counts. */
export interface SummaryRow {
  readonly stage: string;
  readonly region: string;
  readonly stack: string;
  readonly resources: number;
  readonly findings: number;
  readonly acknowledged: number;
}

/** Rows for every stack under `root`, in construction order; findings matched by construct path. */
export function summarize(root: IConstruct, findings: ReportedFinding[]): SummaryRow[] {
  const stacks = root.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  return stacks.map((stack) => {
    const prefix = `${stack.node.path}/`;
    const mine = findings.filter((f) => f.constructPath.startsWith(prefix));
    const stage = Stage.of(stack);
    return {
      stage: stage && stage.stageName !== '' ? stage.stageName : '(app)',
      region: stack.region,
      stack: stack.stackName,
      resources: stack.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length,
      findings: mine.filter((f) => !f.acknowledgement).length,
      acknowledged: mine.filter((f) => f.acknowledgement).length,
    };
  });
}

/** A fixed-width text table of the rows and a totals line. */
export function renderSummary(rows: SummaryRow[]): string {
  const header = ['stage', 'region', 'stack', 'resources', 'findings', 'acknowledged'];
  const cells = rows.map((r) => [
    r.stage,
    r.region,
    r.stack,
    String(r.resources),
    String(r.findings),
    String(r.acknowledged),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i >= 3 ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ');
  const total = (k: 'resources' | 'findings' | 'acknowledged') => rows.reduce((n, r) => n + r[k], 0);
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    '',
    `${rows.length} stacks, ${total('resources')} resources, ${total('findings')} unacknowledged findings, ${total('acknowledged')} acknowledged findings`,
  ].join('\n');
}
