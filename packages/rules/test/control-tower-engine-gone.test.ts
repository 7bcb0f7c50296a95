/**
 * The validation engine runs in a process of its own (src/validate-engine.cjs). When that process is
 * gone, a synth must fail and say so, not wait forever for a report. The synths run in a process of
 * their own (test/support/engine-gone-scenario.ts says why).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const REGISTER = path.join(__dirname, '..', '..', '..', 'tools', 'source', 'register.cjs');
const SCENARIO = path.join(__dirname, 'support', 'engine-gone-scenario.ts');

const onLinux = process.platform === 'linux' ? test : test.skip;

onLinux(
  'a synth whose engine process died fails, naming the engine process, and does not hang',
  () => {
    // GIVEN a plugin whose worker has started the engine's process, and that process killed
    // WHEN the next app is synthesized
    const run = spawnSync(process.execPath, ['-r', REGISTER, SCENARIO], { encoding: 'utf-8', timeout: 55_000 });
    expect({ status: run.status, signal: run.signal }).toEqual({ status: 0, signal: null });
    const { engine, name, message } = JSON.parse(run.stdout) as {
      engine: number | null;
      name?: string;
      message?: string;
    };
    expect(engine).toEqual(expect.any(Number));
    // THEN the synth fails with the engine's fate in its message
    expect(name).toBe('ValidationFailed');
    expect(message).toMatch(/validation engine's process exited \(SIGKILL\)/);
  },
  // Two synths with an engine set up between them: seconds on a machine busy with other tests.
  60_000,
);
