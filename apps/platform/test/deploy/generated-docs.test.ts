/**
 * The committed docs are what the code generates from the deploy config: config schema and
 * reference, compliance report, diagrams and the README's pipeline picture. Stale docs fail here
 * (and so in CI); `npm run docs` regenerates them.
 *
 * The docs describe the default deploy config, config/platform.yaml. When PLATFORM_CONFIG names
 * another config (CI's second run over an example config), they are rendered for it and checked for
 * completeness, but not compared with the committed files, which describe the default.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootstrapCommands } from '../../src/configure/bootstrap';
import { generatedDocs, README_BOOTSTRAP, REPO_ROOT } from '../../src/docs/generate';
import { markdownText } from '../../src/docs/compliance-report';
import { deployAssembly } from '../support/assembly';
import { isDefaultDeployConfig } from '../support/configs';

describe('generated docs', () => {
  const a = deployAssembly();
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf-8');
  const files = generatedDocs({ config: a.config, assembly: a.assembly, findings: a.findings, readme });

  const describesCommittedDocs = isDefaultDeployConfig(a.configFile);
  (describesCommittedDocs ? test : test.skip)(
    'every generated file is committed as generated (run `npm run docs` to update)',
    () => {
      // WHEN each generated file is compared with the committed one
      const stale = Object.entries(files)
        .filter(([file, content]) => {
          const target = path.join(REPO_ROOT, file);
          return !fs.existsSync(target) || fs.readFileSync(target, 'utf-8') !== content;
        })
        .map(([file]) => `${file} is stale: run 'npm run docs' and commit the result`);
      // THEN none differs
      expect(stale).toEqual([]);
    },
  );

  (describesCommittedDocs ? test : test.skip)(
    "the README's bootstrap block is what `npm run configure` prints for the deploy config",
    () => {
      const block = readme.slice(readme.indexOf(README_BOOTSTRAP.start), readme.indexOf(README_BOOTSTRAP.end));
      for (const line of bootstrapCommands(a.config)) {
        expect(block).toContain(`   ${line}`);
      }
      expect(block).not.toContain('--trust-for-lookup');
    },
  );

  test('include the config schema the YAML references, the references, the reports and the diagrams', () => {
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        'apps/platform/config/config.schema.json',
        'docs/config.md',
        'docs/compliance.md',
        'docs/access.md',
        'docs/recovery.md',
        'README.md',
      ]),
    );
    const yaml = fs.readFileSync(path.join(REPO_ROOT, 'apps/platform/config/platform.yaml'), 'utf-8');
    expect(yaml).toMatch(/^# yaml-language-server: \$schema=\.\/config\.schema\.json$/m);
  });

  test('the compliance report lists every acknowledgement of the synthesized app', () => {
    // GIVEN the acknowledged findings of the default config
    const acknowledged = a.findings.filter((f) => f.acknowledgement);
    const report = files['docs/compliance.md'];
    // THEN the total is printed, and every acknowledged id and reason appears
    expect(report).toContain(`**${acknowledged.length} acknowledged findings**`);
    for (const f of acknowledged) {
      expect(report).toContain(f.acknowledgement!.id.replace(/\|/g, '\\|'));
      expect(report).toContain(markdownText(f.acknowledgement!.reason));
    }
  });
});
