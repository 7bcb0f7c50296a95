/**
 * `npm run docs` (Nx target `platform:docs`): regenerates the committed docs from the code.
 *
 * Synthesizes the default config with every check on into a temporary folder, then writes the
 * config JSON Schema, the config reference, the compliance report, the diagrams and the README's
 * pipeline picture. Refuses to write anything when the app has unacknowledged findings.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { buildPlatformApp, DEFAULT_CONFIG } from '../app';
import { loadConfig } from '../config';
import { synthesizeApp } from '../synth/synthesize';
import { generatedDocs, REPO_ROOT } from './generate';

function main(): number {
  const config = loadConfig(DEFAULT_CONFIG);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-docs-'));
  try {
    const { app } = buildPlatformApp({ config, outdir });
    const result = synthesizeApp(app);
    if (!result.ok) {
      console.error(
        `docs not written:\n${result.problems.map((p) => `  - ${p}`).join('\n')}\nrun 'npm run synth' to see the details`,
      );
      return 1;
    }
    const findings = result.findings;
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf-8');
    const files = generatedDocs({ config, assembly: new cxapi.CloudAssembly(outdir), findings, readme });
    for (const [file, content] of Object.entries(files)) {
      const target = path.join(REPO_ROOT, file);
      const before = fs.existsSync(target) ? fs.readFileSync(target, 'utf-8') : undefined;
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
      console.error(`${before === content ? 'unchanged' : 'written  '} ${file}`);
    }
    return 0;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

process.exitCode = main();
