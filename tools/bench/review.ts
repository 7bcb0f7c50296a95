/**
 * The change review, as a person runs it before a push: `npm run diff -- --base HEAD~1` in the
 * throwaway clone, which synthesizes the base commit (a temporary worktree, from source, built-in
 * validation off) beside the working tree (every check on), and compares the two assemblies.
 *
 * The review keeps the base's assembly in node_modules/.cache/baseline-review, so every timed run
 * starts without it: the case of reviewing against a base for the first time. Exit code 1 (a guard
 * refused the change) still counts as a review that ran; 2 (it could not run) fails the scenario.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sec } from './format';
import { fail, log, measure, type Command, type RunContext } from './process';
import { summarize, type Summary } from './stats';
import type { Clone } from './workspace';

export const REVIEW_COMMAND: Command = {
  file: 'npm',
  args: ['run', 'diff', '--', '--base', 'HEAD~1'],
  text: 'npm run diff -- --base HEAD~1',
};

/** Where the review caches base assemblies (apps/platform/src/review/cli.ts). */
export const REVIEW_CACHE = path.join('node_modules', '.cache', 'baseline-review');

export interface Review extends Summary {
  readonly command: string;
  /** Each run's exit code (0: the guards pass, 1: a guard refused the change). */
  readonly codes: readonly number[];
}

export async function review(ctx: RunContext, clone: Clone, runs: number, env: NodeJS.ProcessEnv): Promise<Review> {
  log(`review, in the clone: ${REVIEW_COMMAND.text}, ${runs} run(s), each without the cached base assembly`);
  const samples = [];
  for (let i = 1; i <= runs; i++) {
    fs.rmSync(path.join(clone.dir, REVIEW_CACHE), { recursive: true, force: true });
    const r = await measure(REVIEW_COMMAND, { ...ctx, cwd: clone.dir, env });
    if (r.code !== 0 && r.code !== 1) fail(`${REVIEW_COMMAND.text} (${i}/${runs})`, r);
    log(`  review ${i}/${runs}: ${sec(r.wall)} (exit ${r.code})`);
    samples.push(r);
  }
  return { ...summarize(samples), command: REVIEW_COMMAND.text, codes: samples.map((s) => s.code) };
}
