import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { testLoopEnv } from '../bench/test-loop';

describe('testLoopEnv', () => {
  test("keeps the validation engine's reports in a folder of the run that starts empty, and Nx state of its own", () => {
    const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-test-loop-'));
    try {
      const env = testLoopEnv(tmpRoot);
      // the cold run validates every template at least once: nothing kept before it
      expect(env.PLATFORM_VALIDATE_CACHE).toBe(path.join(tmpRoot, 'nx-tests', 'validate-reports'));
      expect(fs.existsSync(env.PLATFORM_VALIDATE_CACHE!)).toBe(false);
      expect(env.NX_CACHE_DIRECTORY).toBe(path.join(tmpRoot, 'nx-tests', 'cache'));
      expect(env.TMPDIR).toBe(path.join(tmpRoot, 'nx-tests', 'tmp'));
    } finally {
      fs.rmSync(tmpRoot, { recursive: true, force: true });
    }
  });
});
