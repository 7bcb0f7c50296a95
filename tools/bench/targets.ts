/**
 * The performance targets and whether a run met them. Test-loop and edit targets are in units of
 * one synth (the median full synth of the same run), so that they hold on a slower or a faster
 * machine alike; the no-change synth is in seconds, because it should not synthesize at all.
 */
import type { EditSynth } from './edit-synth';
import { gib, sec, synths, times } from './format';
import type { NxRun } from './nx';
import type { Review } from './review';
import type { Scale } from './scale';
import { ratio } from './stats';
import type { FullSynth } from './synth';
import type { TestLoop } from './test-loop';

export const TARGETS = {
  /** Full synth, ours / stock. */
  synthVsStock: 0.5,
  /** Synth time at 8 regions per stage / at 1. */
  scaleRatio: 2,
  /** Peak RSS at 8 regions per stage, bytes. */
  scalePeakRss: 1.5 * 1024 ** 3,
  /** Full synth, current / --baseline (checks added must keep synth within 20 % of before). */
  baselineRatio: 1.2,
  /** Edit → synth, ours / stock, for an app edit and for a library edit. */
  editVsStock: 0.4,
  /** `npm run synth` with nothing changed, seconds. */
  noChangeSeconds: 1.5,
  /** `npm test` with an empty Nx cache, in synths. */
  coldTestsSynths: 8,
  /** `npm test` again, in synths (strictly below). */
  warmTestsSynths: 0.5,
  /** `nx affected -t test` after touching only the app, in synths. */
  appTouchedSynths: 2,
  /** `nx affected -t test` after touching one library, in synths. */
  libraryTouchedSynths: 2,
  /** `npm run diff -- --base HEAD~1` (base not cached), in synths (strictly below). */
  reviewSynths: 3,
};

export type TargetId =
  | 'synth-vs-stock'
  | 'scale'
  | 'scale-rss'
  | 'baseline'
  | 'edit-app'
  | 'edit-library'
  | 'no-change'
  | 'tests-cold'
  | 'tests-warm'
  | 'tests-app'
  | 'tests-library'
  | 'review';

export interface TargetRow {
  readonly id: TargetId;
  readonly what: string;
  readonly target: string;
  readonly measured: string;
  /** undefined: not measured (skipped or failed). */
  readonly met?: boolean;
}

/** A section that failed as a whole keeps only its error, so the other results are still reported. */
export interface Failed {
  readonly error: string;
}

export const isFailed = (x: object | undefined): x is Failed => x !== undefined && 'error' in x;

export interface TargetInputs {
  readonly synth: FullSynth;
  readonly scaled: Scale;
  readonly editSynth?: EditSynth | Failed;
  readonly testLoop?: TestLoop | Failed;
  readonly review?: Review | Failed;
}

const exitNote = (run: NxRun) => (run.code === 0 ? '' : ` (exit ${run.code}, see below)`);

export function targetRows(r: TargetInputs): TargetRow[] {
  const { synth, scaled } = r;
  const unit = synth.ours.wall;
  const rows: TargetRow[] = [];
  const synthRatio = ratio(synth.ours.wall, synth.stock.wall);
  rows.push({
    id: 'synth-vs-stock',
    what: 'Full synth, default config, all checks on',
    target: `≤ ${TARGETS.synthVsStock} × stock`,
    measured: `${times(synthRatio)} (${sec(synth.ours.wall)} vs ${sec(synth.stock.wall)})`,
    met: synthRatio === undefined ? undefined : synthRatio <= TARGETS.synthVsStock,
  });
  if (synth.baseline) {
    const b = ratio(synth.ours.wall, synth.baseline.wall);
    rows.push({
      id: 'baseline',
      what: `Full synth vs the baseline (${synth.baseline.head})`,
      target: `≤ ${TARGETS.baselineRatio} × baseline`,
      measured: `${times(b)} (${sec(synth.ours.wall)} vs ${sec(synth.baseline.wall)})`,
      met: b === undefined ? undefined : b <= TARGETS.baselineRatio,
    });
  }
  rows.push({
    id: 'scale',
    what: `Synth time, ${scaled.last.n} vs ${scaled.first.n} region(s) per stage`,
    target: `≤ ${TARGETS.scaleRatio} ×`,
    measured: `${times(scaled.ratio)} (${sec(scaled.last.wall)} vs ${sec(scaled.first.wall)})`,
    met: scaled.ratio <= TARGETS.scaleRatio,
  });
  // The whole synth's memory: its own process and the validation engine's (a child process since
  // 3999850), whichever measure is larger (the tree is sampled, the process peak is exact).
  const peaks = [scaled.last.maxPeak, scaled.last.maxTreePeak].filter((p): p is number => p !== undefined);
  const rss = peaks.length > 0 ? Math.max(...peaks) : undefined;
  rows.push({
    id: 'scale-rss',
    what: `Peak RSS at ${scaled.last.n} regions per stage`,
    target: `< ${gib(TARGETS.scalePeakRss)}`,
    measured: gib(rss),
    met: rss === undefined ? undefined : rss < TARGETS.scalePeakRss,
  });

  const edit = r.editSynth;
  const notMeasured = (x: object | undefined) => (x === undefined ? 'skipped' : 'failed');
  for (const [id, name, key] of [
    ['edit-app', 'the app', 'app'],
    ['edit-library', 'one library', 'library'],
  ] as const) {
    const pair = edit && !isFailed(edit) ? edit[key] : undefined;
    rows.push({
      id,
      what: `Edit → synth, ${name} edited: \`npm run synth\` vs stock`,
      target: `≤ ${TARGETS.editVsStock} × stock`,
      measured: pair
        ? `${times(pair.ratio)} (${sec(pair.ours.wall)} vs ${sec(pair.stock.wall)})`
        : notMeasured(r.editSynth),
      met: pair?.ratio === undefined ? undefined : pair.ratio <= TARGETS.editVsStock,
    });
  }
  const noChange = edit && !isFailed(edit) ? edit.noChange : undefined;
  rows.push({
    id: 'no-change',
    what: 'Synth with nothing changed (`npm run synth`, all cached)',
    target: `≤ ${sec(TARGETS.noChangeSeconds)}`,
    measured: noChange ? sec(noChange.wall) : notMeasured(r.editSynth),
    met: noChange ? noChange.wall <= TARGETS.noChangeSeconds : undefined,
  });

  const loop = r.testLoop && !isFailed(r.testLoop) ? r.testLoop : undefined;
  const testRow = (id: TargetId, what: string, limit: number, strict: boolean, run: NxRun | undefined): TargetRow => {
    const inSynths = run ? ratio(run.wall, unit) : undefined;
    return {
      id,
      what,
      target: `${strict ? '<' : '≤'} ${synths(limit)}`,
      measured: run ? `${synths(inSynths)} (${sec(run.wall)})${exitNote(run)}` : notMeasured(r.testLoop),
      met: inSynths === undefined ? undefined : strict ? inSynths < limit : inSynths <= limit,
    };
  };
  rows.push(
    testRow('tests-cold', 'Cold `npm test` (empty Nx cache)', TARGETS.coldTestsSynths, false, loop?.cold),
    testRow('tests-warm', 'Warm `npm test` (everything cached)', TARGETS.warmTestsSynths, true, loop?.warm),
    testRow('tests-app', 'Only the app touched: `nx affected -t test`', TARGETS.appTouchedSynths, false, loop?.app.run),
    testRow(
      'tests-library',
      'One library touched: `nx affected -t test`',
      TARGETS.libraryTouchedSynths,
      false,
      loop?.library.run,
    ),
  );
  const review = r.review && !isFailed(r.review) ? r.review : undefined;
  const reviewSynths = review ? ratio(review.wall, unit) : undefined;
  rows.push({
    id: 'review',
    what: 'Change review: `npm run diff -- --base HEAD~1`, base not cached',
    target: `< ${synths(TARGETS.reviewSynths)}`,
    measured: review ? `${synths(reviewSynths)} (${sec(review.wall)})` : notMeasured(r.review),
    met: reviewSynths === undefined ? undefined : reviewSynths < TARGETS.reviewSynths,
  });
  return rows;
}
