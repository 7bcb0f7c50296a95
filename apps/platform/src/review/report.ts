/**
 * The review in three forms: text for the terminal and the build log, Markdown for the approver (the
 * pipeline publishes it and links it from every approval), JSON for tools; and the per-stage counts
 * as shell variables, which the pipeline's build step exports into the approval text.
 */
import { GuardProblem, ResourceChangeKind, Review, StackReview } from './diff';

/** Where the review came from. */
export interface ReviewSource {
  /** The base commit (full hash), or undefined when nothing is deployed yet (`--base none`). */
  readonly baseCommit?: string;
  /** What the user named, e.g. `main` or `HEAD~1`. */
  readonly baseRef: string;
  /** The head: a commit, or `working tree`. */
  readonly head: string;
  /** The config file, relative to the repository root where it is inside it. */
  readonly config: string;
}

const KINDS: ResourceChangeKind[] = ['added', 'changed', 'replaced', 'removed'];

/** Counts of every stack of a stage (`dev`), or of the stacks outside any stage (`(app)`). */
export interface StageCounts {
  readonly stage: string;
  readonly stacks: number;
  readonly changedStacks: number;
  readonly counts: Record<ResourceChangeKind, number>;
  /** Stacks whose IAM statements or security groups change. */
  readonly securityChangedStacks: number;
  readonly problems: number;
}

/**
 * The stage a stack belongs to: its stage-region id (`prod-eu-west-1`) without the region, `(app)`
 * outside a stage. (A stage-region's Recovery stack lives in another region, so the stack's own
 * region is not the suffix to remove.)
 */
export function stageOf(stack: Pick<StackReview, 'stageRegion'>): string {
  return stack.stageRegion.replace(/-[a-z]{2}(-[a-z]+)+-\d+$/, '');
}

/** Counts per stage, in the order stages first appear. */
export function stageCounts(review: Review): StageCounts[] {
  const byStage = new Map<string, StackReview[]>();
  for (const stack of review.stacks) {
    const stage = stageOf(stack);
    byStage.set(stage, [...(byStage.get(stage) ?? []), stack]);
  }
  return [...byStage.entries()].map(([stage, stacks]) => ({
    stage,
    stacks: stacks.length,
    changedStacks: stacks.filter((s) => s.status !== 'unchanged').length,
    counts: sumCounts(stacks),
    securityChangedStacks: stacks.filter((s) => s.securityChanges.trim() !== '').length,
    problems: review.problems.filter((p) => stacks.some((s) => s.path === p.stack && s.stageRegion === p.stageRegion))
      .length,
  }));
}

/** `3 added, 1 changed, 0 replaced, 0 removed`. */
export function countsText(counts: Record<ResourceChangeKind, number>): string {
  return KINDS.map((k) => `${counts[k]} ${k}`).join(', ');
}

/** The one-line verdict of the whole review. */
export function verdict(review: Review): string {
  if (review.problems.length > 0) {
    const byGuard = new Map<string, number>();
    review.problems.forEach((p) => byGuard.set(p.guard, (byGuard.get(p.guard) ?? 0) + 1));
    return `REFUSED: ${review.problems.length} change${review.problems.length === 1 ? '' : 's'} (${[...byGuard]
      .map(([guard, n]) => `${guard}: ${n}`)
      .join(', ')})`;
  }
  const total = sumCounts(review.stacks);
  const allowed =
    review.allowed.length > 0 ? `; ${review.allowed.length} replacement(s) allowed by allowed-replacements.yaml` : '';
  const changed = review.stacks.filter((s) => s.status !== 'unchanged').length;
  return `OK: ${countsText(total)} across ${changed} of ${review.stacks.length} stacks${allowed}`;
}

/** The one-line verdict of one stack. */
export function stackVerdict(review: Review, stack: StackReview): string {
  const problems = problemsOf(review, stack);
  if (problems.length > 0) {
    return `REFUSED (${problems.map((p) => p.guard).join(', ')})`;
  }
  switch (stack.status) {
    case 'unchanged':
      return 'no change';
    case 'new stack':
      return `new stack, ${stack.counts.added} resources`;
    case 'removed stack':
      return `stack removed, ${stack.counts.removed} resources`;
    default: {
      const allowed = review.allowed.filter((a) => a.problem.stack === stack.path).length;
      return `${countsText(stack.counts)}${allowed > 0 ? ` (${allowed} allowed replacement)` : ''}`;
    }
  }
}

/** The review as the terminal and the build log show it. `details`: every resource and the full diff. */
export function renderText(review: Review, source: ReviewSource, options: { details?: boolean } = {}): string {
  const lines: string[] = [
    `Change review: ${source.head} against ${describeBase(source)} (config ${source.config})`,
    '',
  ];
  for (const [stageRegion, stacks] of groupByStageRegion(review.stacks)) {
    lines.push(stageRegion);
    const width = Math.max(...stacks.map((s) => s.stackName.length));
    for (const stack of stacks) {
      lines.push(`  ${stack.stackName.padEnd(width)}  ${stackVerdict(review, stack)}`);
      for (const r of stack.resources) {
        if (options.details || r.kind === 'replaced' || r.kind === 'removed' || r.mayReplace) {
          lines.push(
            `      ${r.kind}${r.mayReplace ? ' (may be replaced)' : ''}: ${r.logicalId} ${r.type} ${r.constructPath}`,
          );
          for (const cause of r.causes) {
            lines.push(`        ${cause}`);
          }
        }
      }
      if (stack.securityChanges.trim()) {
        lines.push(...indent(stack.securityChanges.trimEnd(), '      '));
      }
      if (options.details && stack.diff.trim()) {
        lines.push(...indent(stack.diff.trimEnd(), '      '));
      }
    }
    lines.push('');
  }
  lines.push(...renderProblemsText(review));
  lines.push(`verdict: ${verdict(review)}`);
  return lines.join('\n');
}

function renderProblemsText(review: Review): string[] {
  const lines: string[] = [];
  for (const p of review.problems) {
    lines.push(`REFUSED [${p.guard}] ${p.stageRegion} ${p.stack} ${p.logicalId} (${p.type}): ${p.detail}`, '');
  }
  for (const { problem, allowance } of review.allowed) {
    lines.push(
      `allowed [${problem.guard}] ${problem.stageRegion} ${problem.stack} ${problem.logicalId} (${problem.type}) ` +
        `by allowed-replacements.yaml for base ${allowance.baseCommit}: ${allowance.reason}`,
      '',
    );
  }
  for (const a of review.unusedAllowances) {
    lines.push(
      `note: the allowance for ${a.stageRegion} ${a.logicalId} (base ${a.baseCommit}) matched nothing in this review; ` +
        'remove it once its change is deployed',
      '',
    );
  }
  return lines;
}

/** The review for the approver: a summary per stage, then every stage-region's stacks and changes. */
export function renderMarkdown(review: Review, source: ReviewSource): string {
  const out: string[] = [
    `# Change review`,
    '',
    `**${verdict(review)}**`,
    '',
    `Head: ${source.head}. Base: ${describeBase(source)}. Config: \`${source.config}\`.`,
    '',
    '| Stage | Stacks changed | Added | Changed | Replaced | Removed | IAM or security-group changes | Refused |',
    '|---|---|---|---|---|---|---|---|',
    ...stageCounts(review).map(
      (s) =>
        `| ${s.stage} | ${s.changedStacks} of ${s.stacks} | ${KINDS.map((k) => s.counts[k]).join(' | ')} | ${
          s.securityChangedStacks
        } stack(s) | ${s.problems} |`,
    ),
    '',
  ];
  if (review.problems.length > 0 || review.allowed.length > 0) {
    out.push('## What the guards say', '');
    for (const p of review.problems) {
      out.push(
        `- **REFUSED** (${p.guard}) \`${p.stageRegion}\` \`${p.stack}\` \`${p.logicalId}\` (${p.type}): ${p.detail}`,
      );
    }
    for (const { problem, allowance } of review.allowed) {
      out.push(
        `- allowed (${problem.guard}) \`${problem.stageRegion}\` \`${problem.logicalId}\` (${problem.type}) for base ` +
          `${allowance.baseCommit}: ${allowance.reason}`,
      );
    }
    out.push('');
  }
  for (const [stageRegion, stacks] of groupByStageRegion(review.stacks)) {
    out.push(`## ${stageRegion}`, '', '| Stack | Verdict |', '|---|---|');
    out.push(...stacks.map((s) => `| ${s.stackName} (\`${s.path}\`) | ${stackVerdict(review, s)} |`), '');
    for (const stack of stacks.filter((s) => s.resources.length > 0)) {
      out.push(
        `### ${stack.stackName}`,
        '',
        '| Change | Logical id | Type | Construct | Why |',
        '|---|---|---|---|---|',
      );
      for (const r of stack.resources) {
        out.push(
          `| ${r.kind}${r.mayReplace ? ' (may be replaced)' : ''} | ${r.logicalId} | ${r.type} | \`${r.constructPath}\` | ${r.causes
            .map(escapeCell)
            .join('<br>')} |`,
        );
      }
      out.push('');
      if (stack.securityChanges.trim()) {
        out.push('IAM and security-group changes:', '', '```text', stack.securityChanges.trimEnd(), '```', '');
      }
      out.push(
        '<details><summary>Full diff</summary>',
        '',
        '```text',
        stack.diff.trimEnd(),
        '```',
        '',
        '</details>',
        '',
      );
    }
  }
  return out.join('\n');
}

/** The review as JSON (the whole {@link Review} and where it came from). */
export function renderJson(review: Review, source: ReviewSource): string {
  return `${JSON.stringify({ source, verdict: verdict(review), stages: stageCounts(review), ...review }, null, 2)}\n`;
}

/**
 * Shell assignments the pipeline's build step exports (CodeBuild exported variables), one per stage:
 * `REVIEW_PROD='prod: 2 added, 1 changed, 0 replaced, 0 removed in 3 of 8 stacks; IAM or security-group changes in 1'`.
 */
export function renderEnv(review: Review): string {
  return `${stageCounts(review)
    .filter((s) => s.stage !== '(app)')
    .map((s) => `${reviewVariableOf(s.stage)}=${shellQuote(stageSummary(s))}`)
    .join('\n')}\n`;
}

/** The exported variable that holds a stage's counts. */
export function reviewVariableOf(stage: string): string {
  return `REVIEW_${stage.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

function stageSummary(s: StageCounts): string {
  return (
    `${countsText(s.counts)} in ${s.changedStacks} of ${s.stacks} stacks` +
    (s.securityChangedStacks > 0 ? `; IAM or security-group changes in ${s.securityChangedStacks}` : '')
  );
}

function problemsOf(review: Review, stack: StackReview): GuardProblem[] {
  return review.problems.filter((p) => p.stack === stack.path && p.stageRegion === stack.stageRegion);
}

function describeBase(source: ReviewSource): string {
  return source.baseCommit
    ? `${source.baseRef} (${source.baseCommit.slice(0, 12)})`
    : 'nothing deployed (every resource is new)';
}

function groupByStageRegion(stacks: StackReview[]): Array<[string, StackReview[]]> {
  const groups = new Map<string, StackReview[]>();
  for (const stack of stacks) {
    groups.set(stack.stageRegion, [...(groups.get(stack.stageRegion) ?? []), stack]);
  }
  return [...groups.entries()];
}

function sumCounts(stacks: StackReview[]): Record<ResourceChangeKind, number> {
  const total = { added: 0, changed: 0, replaced: 0, removed: 0 };
  for (const s of stacks) {
    for (const k of KINDS) {
      total[k] += s.counts[k];
    }
  }
  return total;
}

function indent(text: string, prefix: string): string[] {
  return text.split('\n').map((l) => `${prefix}${l}`);
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
