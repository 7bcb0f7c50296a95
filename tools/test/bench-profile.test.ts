/**
 * tools/bench/profile.ts: a CPU profile summarized into the app's phases (whether the app runs
 * compiled or from its TypeScript sources), packages and functions.
 */
import { VALIDATE_WORKER_ENV } from '@baseline/rules';
import { ONE_THREAD, packageOf, PHASES, profiledCommand, summarizeProfile, type CpuProfile } from '../bench/profile';
import { commandOf } from '../bench/workspace';

const ROOT = '/ws';

/** A small profile: module loading, then synthesizeApp validating a template in WebAssembly. */
function profile(appFile: (rel: string) => string): CpuProfile {
  const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 6] },
      { id: 2, callFrame: frame('main', appFile('main')), children: [3, 4] },
      { id: 3, callFrame: frame('synthesizeApp', appFile('synth/synthesize'), 9), children: [5] },
      { id: 4, callFrame: frame('require', 'node:internal/modules/helpers'), children: [7] },
      {
        id: 5,
        callFrame: frame('validateTemplate', `file://${ROOT}/node_modules/@aws/cloudformation-validate/index.js`),
        children: [8],
      },
      { id: 6, callFrame: frame('(garbage collector)', '') },
      { id: 7, callFrame: frame('wrapSafe', 'node:internal/modules/cjs/loader', 1421) },
      { id: 8, callFrame: frame('', 'wasm://wasm/00a1b2c3') },
    ],
    samples: [8, 8, 7, 6, 3],
    timeDeltas: [1000, 1000, 500, 250, 250],
  };
}

const phase = (s: ReturnType<typeof summarizeProfile>, functionName: string) =>
  s.phases[PHASES.findIndex((p) => p.functionName === functionName)];

test.each([
  ['compiled', (rel: string) => `file://${ROOT}/apps/platform/lib/${rel}.js`],
  ['from sources', (rel: string) => `file://${ROOT}/apps/platform/src/${rel}.ts`],
])('phases, packages and functions of an app run %s', (_, appFile) => {
  const s = summarizeProfile(profile(appFile), ROOT);
  expect(s.total).toBeCloseTo(3, 10);
  expect(phase(s, 'require')).toBeCloseTo(0.5, 10);
  expect(phase(s, 'synthesizeApp')).toBeCloseTo(2.25, 10);
  expect(phase(s, 'validateTemplate')).toBeCloseTo(2, 10);
  expect(phase(s, 'loadConfig')).toBe(0);
  expect(Object.fromEntries(s.byPackage)).toEqual({
    '@aws/cloudformation-validate (WebAssembly)': 2,
    'node: module loader': 0.5,
    '(garbage collector)': 0.25,
    'apps/platform': 0.25,
  });
  expect(s.functions[0]).toEqual(['(WebAssembly) called from @aws/cloudformation-validate', 2]);
  expect(s.functions.map(([k]) => k)).toContain('wrapSafe node:internal/modules/cjs/loader:1422');
});

test('a function of the same name elsewhere is not a phase', () => {
  const p = profile((rel) => `file://${ROOT}/apps/platform/lib/${rel}.js`);
  p.nodes[2].callFrame.url = `file://${ROOT}/node_modules/other/lib/synth/synthesize-more.js`;
  expect(phase(summarizeProfile(p, ROOT), 'synthesizeApp')).toBe(0);
});

test.each([
  ['node:internal/modules/cjs/loader', 'node: module loader'],
  ['node:fs', 'node: other'],
  [`file://${ROOT}/node_modules/aws-cdk-lib/aws-iam/lib/policy.js`, 'aws-cdk-lib/aws-iam'],
  [`file://${ROOT}/node_modules/@aws/cloudformation-validate/index.js`, '@aws/cloudformation-validate'],
  [`file://${ROOT}/node_modules/cdk-nag/lib/nag-pack.js`, 'cdk-nag'],
  [`file://${ROOT}/packages/network/lib/platform-vpc.js`, 'packages/network'],
  ['file:///elsewhere/x.js', '/elsewhere/x.js'],
])('%s belongs to %s', (url, pkg) => {
  expect(packageOf(url, ROOT)).toBe(pkg);
});

describe('profiledCommand', () => {
  test('puts the profiler flags right after node (Node refuses them in NODE_OPTIONS)', () => {
    expect(profiledCommand(commandOf('node lib/main.js'), '/tmp/p')).toEqual({
      file: 'node',
      args: ['--cpu-prof', '--cpu-prof-dir=/tmp/p', 'lib/main.js'],
      text: 'node --cpu-prof lib/main.js',
    });
  });

  test('also in a shell command that starts with node', () => {
    const c = profiledCommand(commandOf("node -r ./register.js src/main.ts --flag='x'"), '/tmp/p');
    expect(c).toEqual({
      file: '/bin/sh',
      args: ['-c', "node '--cpu-prof' '--cpu-prof-dir=/tmp/p' -r ./register.js src/main.ts --flag='x'"],
      text: "node --cpu-prof -r ./register.js src/main.ts --flag='x'",
    });
  });

  test('not a node command: undefined', () => {
    expect(profiledCommand(commandOf('npx ts-node src/main.ts'), '/tmp/p')).toBeUndefined();
  });
});

test("the profiled synth keeps the validation on the main thread, by the rules package's own switch", () => {
  expect(ONE_THREAD).toEqual({ name: VALIDATE_WORKER_ENV, value: 'false' });
});
