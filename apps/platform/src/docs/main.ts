/**
 * `npm run docs` (Nx target `platform:docs`): regenerates the committed docs from the code.
 *
 * Synthesizes the default config with every check on into a temporary folder, then writes the
 * config JSON Schema, the config reference, the compliance report, the diagrams and the README's
 * generated blocks. Refuses to write anything when the app has unacknowledged findings.
 */
import { DEFAULT_CONFIG } from '../app';
import { loadConfig } from '../config';
import { regenerate, writeFiles } from '../configure/regenerate';

function main(): number {
  const out = regenerate(loadConfig(DEFAULT_CONFIG), DEFAULT_CONFIG, { docs: true, lock: false });
  if ('problems' in out) {
    console.error(
      `docs not written:\n${out.problems.map((p) => `  - ${p}`).join('\n')}\nrun 'npm run synth' to see the details`,
    );
    return 1;
  }
  writeFiles(out.files, (line) => console.error(line));
  return 0;
}

process.exitCode = main();
