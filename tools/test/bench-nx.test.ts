/**
 * tools/bench/nx.ts: what Nx says it did (its cache summary and the NX_PROFILE events), how
 * projen's step banners become step durations, and how long the machine's cores were busy during a run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  busyCpuSeconds,
  nxCacheSummary,
  nxRun,
  parseNxProfile,
  ranTask,
  stepBanners,
  stepDurations,
  tasksRun,
} from '../bench/nx';

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

test("the machine's busy CPU time: user, nice, system and irq over every core, in seconds, idle left out", () => {
  const core = (user: number, nice: number, sys: number, idle: number, irq: number) => ({
    times: { user, nice, sys, idle, irq },
  });
  expect(busyCpuSeconds([core(1500, 100, 300, 90_000, 100), core(2500, 0, 500, 80_000, 0)])).toBe(5);
  // This machine's own: counting up, never more than the cores can have been busy since boot.
  const before = busyCpuSeconds();
  expect(before).toBeGreaterThan(0);
  expect(busyCpuSeconds()).toBeGreaterThanOrEqual(before);
  expect(before).toBeLessThanOrEqual(os.cpus().length * os.uptime() * 1.01 + 1);
});

test('a run reports the CPU its command kept the machine busy with, at least what the command used', async () => {
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-nx-test-'));
  try {
    // A command that exits at once and leaves a process of its own, which it never waits for, to burn
    // 0.4 s of CPU: time(1) and getrusage would not count that one, as they do not count the validation
    // engines' processes. The run lasts until the output closes, so its CPU falls inside the run.
    const burn =
      'const t = process.cpuUsage(); for (let u = t; u.user + u.system < 400_000; ) u = process.cpuUsage(t);';
    const script =
      `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(burn)}], ` +
      "{ stdio: 'inherit', detached: true }).unref();";
    const start = performance.now();
    const r = await nxRun(
      'cpu',
      { file: process.execPath, args: ['-e', script], text: 'node -e …' },
      {
        tmpRoot,
        gnuTime: false,
        cwd: tmpRoot,
        env: { PATH: process.env.PATH },
      },
    );
    expect(r.code).toBe(0);
    expect(r.cpu).toBeGreaterThanOrEqual(0.35);
    // and no more than the cores could do while it ran (seconds, not milliseconds)
    expect(r.cpu).toBeLessThanOrEqual(((performance.now() - start) / 1000) * os.cpus().length + 0.1);
  } finally {
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  }
});
