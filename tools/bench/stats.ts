/**
 * The statistics of the report: medians (robust against the odd slow run on a shared machine),
 * ranges, ratios and a least-squares line. Nothing here reads the clock or the file system.
 */

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The smallest and largest value of a non-empty list. */
export function range(xs: readonly number[]): { min: number; max: number } {
  if (xs.length === 0) throw new Error('range of no values');
  return { min: Math.min(...xs), max: Math.max(...xs) };
}

/** a / b, or undefined when either is missing or b is not a positive number. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return undefined;
  return a / b;
}

/** Least squares fit y = intercept + slope · x (slope 0 when all x are equal). */
export function fit(points: ReadonlyArray<{ x: number; y: number }>): { slope: number; intercept: number } {
  const n = points.length;
  if (n === 0) throw new Error('fit of no points');
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** One timed run: wall seconds, and peak memory in bytes when it could be measured. */
export interface Sample {
  readonly wall: number;
  readonly peak?: number;
  readonly treePeak?: number;
}

/** The runs of one variant, reduced to what the report shows. */
export interface Summary {
  readonly runs: number;
  /** Every run's wall time, in the order measured. */
  readonly walls: readonly number[];
  /** Median wall time, seconds. */
  readonly wall: number;
  readonly min: number;
  readonly max: number;
  /** Median peak RSS of the largest process (bytes), if every run has one. */
  readonly peak?: number;
  /** Largest peak RSS over the runs (bytes), if every run has one. */
  readonly maxPeak?: number;
  /** Median peak of the summed RSS of the process tree (bytes), if every run has one. */
  readonly treePeak?: number;
  /** Largest peak of the summed RSS of the process tree over the runs (bytes), if every run has one. */
  readonly maxTreePeak?: number;
}

export function summarize(samples: readonly Sample[]): Summary {
  if (samples.length === 0) throw new Error('summary of no runs');
  const walls = samples.map((s) => s.wall);
  const peaks = samples.map((s) => s.peak).filter((p): p is number => p !== undefined && p > 0);
  const treePeaks = samples.map((s) => s.treePeak).filter((p): p is number => p !== undefined && p > 0);
  const all = (xs: number[]) => xs.length === samples.length;
  return {
    runs: samples.length,
    walls,
    wall: median(walls),
    ...range(walls),
    peak: all(peaks) ? median(peaks) : undefined,
    maxPeak: all(peaks) ? Math.max(...peaks) : undefined,
    treePeak: all(treePeaks) ? median(treePeaks) : undefined,
    maxTreePeak: all(treePeaks) ? Math.max(...treePeaks) : undefined,
  };
}
