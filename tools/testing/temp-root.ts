/**
 * One temporary folder per Jest run, removed when the run ends, so that tests leave nothing behind.
 *
 * Tests write apps, assemblies and configs to `os.tmpdir()`: the CDK's `App` without an `outdir`
 * makes a `cdk.out*` folder there for each app, and the tests make folders of their own. Before this,
 * every `nx run-many -t test` left 219 folders (55 MB; 180 of them `cdk.out*`) there.
 *
 * A Jest global setup calls {@link useTempRoot} before any test file runs: it makes
 * `<tmpdir>/baseline-jest-<host>-<pid>-XXXXXX` and points `TMPDIR`, `TMP` and `TEMP` there.
 * `os.tmpdir()` reads them on every call ("On non-Windows platforms, TMPDIR, TMP and TEMP environment
 * variables will be checked to override the result of this method, in the described order",
 * https://nodejs.org/api/os.html#ostmpdir). Jest starts its workers after the global setups, with the
 * setup's environment (the app's tests hand their assembly's folder to the workers the same way), and
 * every process a test starts inherits it too. The folder is removed when the Jest process exits.
 *
 * A run stopped before it exits (Ctrl-C) cannot remove its folder: the next run removes the folders of
 * this host whose process is gone. Jest's own cache (`jest_*`) is not under the run's folder: Jest
 * reads its location before any global setup.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Holds the run's folder, for a second global setup of the same process (the app has two Jest projects). */
export const TEMP_ROOT_ENV = 'BASELINE_TEST_TMPDIR';

const PREFIX = 'baseline-jest-';

/** `baseline-jest-<host>-`: the host keeps machines that share a /tmp apart. */
function hostPrefix(): string {
  return `${PREFIX}${os.hostname().replace(/[^A-Za-z0-9.]/g, '_')}-`;
}

/** `baseline-jest-<host>-<pid>-`, what the run folder's name starts with. */
function prefixOf(pid: number): string {
  return `${hostPrefix()}${pid}-`;
}

/** Whether a process with this id runs (on this host). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the run folders in `base` that this host's runs left when they were stopped. */
export function removeLeftRoots(base: string): string[] {
  const host = hostPrefix();
  const removed: string[] = [];
  for (const name of fs.readdirSync(base)) {
    const pid = name.startsWith(host) ? Number(/^(\d+)-[^-]+$/.exec(name.slice(host.length))?.[1]) : NaN;
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) {
      fs.rmSync(path.join(base, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/**
 * Makes this Jest run's temporary folder and points `TMPDIR` (and `TMP`, `TEMP`) at it; a second call
 * in the same process returns the same folder. Returns the folder.
 */
export function useTempRoot(): string {
  const current = process.env[TEMP_ROOT_ENV];
  if (current && path.basename(current).startsWith(prefixOf(process.pid)) && fs.existsSync(current)) {
    return current;
  }
  const base = os.tmpdir();
  removeLeftRoots(base);
  const root = fs.mkdtempSync(path.join(base, prefixOf(process.pid)));
  process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  for (const name of [TEMP_ROOT_ENV, 'TMPDIR', 'TMP', 'TEMP']) {
    process.env[name] = root;
  }
  return root;
}

/** As a Jest `globalSetup` module of its own (the projects that have no other global setup). */
export default function globalSetup(): void {
  useTempRoot();
}
