/**
 * tools/bench/stats.ts and format.ts: the statistics behind the report and how its numbers read.
 */
import { gib, mib, rangeText, sec, status, synths, table, times } from '../bench/format';
import { fit, median, range, ratio, summarize } from '../bench/stats';

describe('median', () => {
  test.each([
    [[3], 3],
    [[5, 1, 3], 3],
    [[4, 1, 3, 2], 2.5],
    [[2, 2, 9], 2],
  ])('of %j is %d', (xs, m) => {
    expect(median(xs)).toBe(m);
  });

  test('does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  test('of nothing is an error, not NaN', () => {
    expect(() => median([])).toThrow('median of no values');
  });
});

test('range is the smallest and the largest value', () => {
  expect(range([4.2, 3.9, 5.1])).toEqual({ min: 3.9, max: 5.1 });
  expect(() => range([])).toThrow('range of no values');
});

describe('least squares', () => {
  test('recovers an exact line', () => {
    const points = [1, 2, 4, 8].map((x) => ({ x, y: 3 + 0.5 * x }));
    const f = fit(points);
    expect(f.slope).toBeCloseTo(0.5, 10);
    expect(f.intercept).toBeCloseTo(3, 10);
  });

  test('fits noisy points between them', () => {
    const f = fit([
      { x: 0, y: 1 },
      { x: 1, y: 3 },
      { x: 2, y: 2 },
      { x: 3, y: 4 },
    ]);
    expect(f.slope).toBeCloseTo(0.8, 10);
    expect(f.intercept).toBeCloseTo(1.3, 10);
  });

  test('gives slope 0 when every x is the same', () => {
    expect(
      fit([
        { x: 2, y: 1 },
        { x: 2, y: 3 },
      ]),
    ).toEqual({ slope: 0, intercept: 2 });
  });
});

test('ratio is undefined rather than Infinity or NaN', () => {
  expect(ratio(1, 4)).toBe(0.25);
  expect(ratio(1, 0)).toBeUndefined();
  expect(ratio(undefined, 2)).toBeUndefined();
  expect(ratio(1, undefined)).toBeUndefined();
  expect(ratio(Number.NaN, 2)).toBeUndefined();
});

describe('summarize', () => {
  test('medians, range and peaks of the runs', () => {
    const s = summarize([
      { wall: 5, peak: 300, treePeak: 310 },
      { wall: 4, peak: 500, treePeak: 520 },
      { wall: 6, peak: 400, treePeak: 410 },
    ]);
    expect(s).toEqual({
      runs: 3,
      walls: [5, 4, 6],
      wall: 5,
      min: 4,
      max: 6,
      peak: 400,
      maxPeak: 500,
      treePeak: 410,
      maxTreePeak: 520,
    });
  });

  test('leaves memory out when one run could not measure it', () => {
    const s = summarize([{ wall: 1, peak: 100 }, { wall: 2 }]);
    expect(s.peak).toBeUndefined();
    expect(s.maxPeak).toBeUndefined();
    expect(s.treePeak).toBeUndefined();
    expect(s.maxTreePeak).toBeUndefined();
    expect(s.wall).toBe(1.5);
  });
});

describe('formatting', () => {
  test('seconds: two decimals below 10 s, one above', () => {
    expect(sec(4.554)).toBe('4.55 s');
    expect(sec(12.34)).toBe('12.3 s');
    expect(sec(undefined)).toBe('n/a');
    expect(sec(Number.NaN)).toBe('n/a');
  });

  test('memory', () => {
    expect(mib(480 * 1024 ** 2)).toBe('480 MiB');
    expect(gib(1.5 * 1024 ** 3)).toBe('1.50 GiB');
    expect(mib(undefined)).toBe('n/a');
  });

  test('ratios and synth units', () => {
    expect(times(0.3712)).toBe('0.37 ×');
    expect(times(undefined)).toBe('n/a');
    expect(synths(1.8444)).toBe('1.84 synths');
    expect(synths(1)).toBe('1.00 synth');
    expect(synths(0.5)).toBe('0.50 synths');
    expect(synths(Number.POSITIVE_INFINITY)).toBe('n/a');
  });

  test('a range needs two runs', () => {
    expect(rangeText([4.37, 5.08, 4.5])).toBe('4.37 s – 5.08 s');
    expect(rangeText([4.37])).toBe('–');
  });

  test('status', () => {
    expect(status(true)).toBe('**met**');
    expect(status(false)).toBe('**not met**');
    expect(status(undefined)).toBe('not measured');
  });

  test('tables are padded and aligned, so prettier leaves them alone', () => {
    expect(
      table(
        ['Name', 'Wall'],
        [
          ['ours', '4.55 s'],
          ['stock (ts-node)', '12.3 s'],
        ],
        ['l', 'r'],
      ),
    ).toBe(
      [
        '| Name            |   Wall |',
        '| --------------- | -----: |',
        '| ours            | 4.55 s |',
        '| stock (ts-node) | 12.3 s |',
      ].join('\n'),
    );
  });

  test('table cells with non-ASCII characters pad by characters', () => {
    expect(table(['A'], [['≤ 0.5 ×']])).toBe(['| A       |', '| ------- |', '| ≤ 0.5 × |'].join('\n'));
  });
});
