import { CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CODEPIPELINE_TEMPLATE_LIMIT_BYTES, TEMPLATE_SIZE_GATE_SHARE, TemplateSize } from './template-size';
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

/** The checks of the synth gate, as the summary counts them. */
const CHECKS: Array<{ readonly name: string; readonly owns: (f: ReportedFinding) => boolean }> = [
  { name: 'AwsSolutions', owns: (f) => f.plugin === 'AwsSolutions' },
  { name: 'NIST 800-53 R5', owns: (f) => f.plugin === 'NIST.800.53.R5' },
  // The CloudFormation validation plugin reports the CDK's built-in rules (E3002, W3010) and the
  // Control Tower controls (Guard rule names) that ControlTowerValidatePlugin adds.
  {
    name: 'CloudFormation validation',
    owns: (f) => f.plugin.startsWith('CloudFormation') && /^[EWI]\d+$/.test(f.rule),
  },
  {
    name: 'Control Tower controls',
    owns: (f) => f.plugin.startsWith('CloudFormation') && !/^[EWI]\d+$/.test(f.rule),
  },
];

/** A fixed-width text table of the rows, a totals line, the findings per check and the largest template. */
export function renderSummary(
  rows: SummaryRow[],
  findings: ReportedFinding[] = [],
  sizes: TemplateSize[] = [],
): string {
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
    ...CHECKS.map(({ name, owns }) => {
      const mine = findings.filter(owns);
      const open = mine.filter((f) => !f.acknowledgement).length;
      return `  ${name}: ${open} unacknowledged, ${mine.length - open} acknowledged`;
    }),
    ...(sizes.length > 0
      ? [
          `largest template: ${sizes[0].stack}, ${sizes[0].bytes} bytes (${(
            (100 * sizes[0].bytes) /
            CODEPIPELINE_TEMPLATE_LIMIT_BYTES
          ).toFixed(1)}% of the deploy action's ${CODEPIPELINE_TEMPLATE_LIMIT_BYTES}-byte limit; the gate is at ${
            TEMPLATE_SIZE_GATE_SHARE * 100
          }%)`,
        ]
      : []),
  ].join('\n');
}
