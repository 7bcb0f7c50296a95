/**
 * What is generated from a config: the committed docs (for the default deploy config, which they
 * describe) and the stateful-resource lock next to the config. `npm run docs` and
 * `npm run configure` both synthesize through here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { buildPlatformApp, DEFAULT_CONFIG } from '../app';
import { PlatformConfig } from '../config';
import { generatedDocs, REPO_ROOT } from '../docs/generate';
import { LockChange, lockChanges, lockFileOf, lockedStacksOf, readLock, renderLock, statefulIds } from '../review';
import { synthesizeApp } from '../synth/synthesize';

/** The files to write, repo-relative or absolute path → content, and what the lock would change. */
export interface Regenerated {
  readonly files: Record<string, string>;
  readonly lockFile: string;
  readonly lockChanges: LockChange[];
}

/** Synthesizes `config` with every check on; undefined and the problems when the synth fails. */
export function regenerate(
  config: PlatformConfig,
  configFile: string,
  options: { readonly docs: boolean; readonly lock: boolean },
): Regenerated | { readonly problems: string[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-generate-'));
  try {
    const { app } = buildPlatformApp({ config, outdir });
    const result = synthesizeApp(app);
    if (!result.ok) {
      return { problems: result.problems };
    }
    const assembly = new cxapi.CloudAssembly(outdir);
    const files: Record<string, string> = {};
    if (options.docs) {
      const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf-8');
      for (const [file, content] of Object.entries(
        generatedDocs({ config, assembly, findings: result.findings, readme }),
      )) {
        files[path.join(REPO_ROOT, file)] = content;
      }
    }
    const lockFile = lockFileOf(configFile);
    const ids = statefulIds(lockedStacksOf(assembly));
    if (options.lock) {
      files[lockFile] = renderLock(ids);
    }
    return { files, lockFile, lockChanges: lockChanges(readLock(lockFile) ?? {}, ids) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Whether `file` is the default deploy config, the one the committed docs describe. */
export function describesCommittedDocs(file: string): boolean {
  return path.resolve(file) === path.resolve(DEFAULT_CONFIG);
}

/** Writes the files, printing one line each (`written` or `unchanged`), paths relative to the repository. */
export function writeFiles(files: Record<string, string>, log: (line: string) => void): void {
  for (const [file, content] of Object.entries(files)) {
    const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf-8') : undefined;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    log(`${before === content ? 'unchanged' : 'written  '} ${path.relative(REPO_ROOT, file)}`);
  }
}
