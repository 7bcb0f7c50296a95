/**
 * tools/bench/nx.ts: what Nx says it did (its cache summary and the NX_PROFILE events), and how
 * projen's step banners become step durations.
 */
import { nxCacheSummary, parseNxProfile, ranTask, stepBanners, stepDurations, tasksRun } from '../bench/nx';

test('the cache summary of run-many and affected', () => {
  const output = [
    ' NX   Successfully ran targets lint, typecheck, test for 7 projects (1m 52s)',
    '',
    'Nx read the output from the cache instead of running the command for 19 out of 22 tasks.',
  ].join('\n');
  expect(nxCacheSummary(output)).toEqual({
    hits: 19,
    tasks: 22,
    line: 'Nx read the output from the cache instead of running the command for 19 out of 22 tasks',
  });
  expect(nxCacheSummary('Tasks: 6 | Cache: 3/6 hit | 41s')).toMatchObject({ hits: 3, tasks: 6 });
  expect(nxCacheSummary('no summary here')).toBeUndefined();
});

test('task durations and statuses from NX_PROFILE events', () => {
  const events = [
    { name: 'platform:build', ph: 'X', dur: 9_100_000, ts: 1, args: { status: 'success' } },
    { name: 'rules:build', ph: 'X', dur: 40_000, ts: 2, args: { status: 'local-cache-kept-existing' } },
    { name: 'graph', ph: 'B', ts: 0 },
    { name: 'platform:synth', ph: 'X', dur: 4_500_000, ts: 3 },
  ];
  const tasks = parseNxProfile(events);
  expect(tasks).toEqual([
    { id: 'platform:build', seconds: 9.1, status: 'success' },
    { id: 'rules:build', seconds: 0.04, status: 'local-cache-kept-existing' },
    { id: 'platform:synth', seconds: 4.5, status: '?' },
  ]);
  expect(tasks.map(ranTask)).toEqual([true, false, true]);
  expect(tasksRun({ tasks }).map((t) => t.id)).toEqual(['platform:build', 'platform:synth']);
  expect(parseNxProfile({ not: 'a list' })).toEqual([]);
});

test('each step lasts until the next banner, the last until the command exits', () => {
  expect(
    stepDurations(
      [
        { command: 'nx run-many -t build', start: 1 },
        { command: 'nx run platform:synth', start: 4.5 },
      ],
      10,
    ),
  ).toEqual([
    { command: 'nx run-many -t build', start: 1, seconds: 3.5 },
    { command: 'nx run platform:synth', start: 4.5, seconds: 5.5 },
  ]);
});

test("a step starts at npm's banner of the script's command, or at projen's banner", () => {
  const banner = stepBanners();
  const lines = [
    '',
    '> aws-secure-baseline@0.0.0 synth',
    '> nx run platform:synth --output-style=stream',
    '',
    '> nx run platform:synth',
    '👾 test | nx run-many -t test',
  ];
  expect(lines.map(banner)).toEqual([
    undefined,
    undefined,
    'nx run platform:synth --output-style=stream',
    undefined,
    undefined,
    'nx run-many -t test',
  ]);
});
