/**
 * The committed docs are what the code generates: config schema and reference, compliance report,
 * diagrams and the README's pipeline picture. Stale docs fail here (and so in CI); `npm run docs`
 * regenerates them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  generatedDocs,
  README_DIAGRAM_END,
  README_DIAGRAM_START,
  REPO_ROOT,
  withReadmeDiagram,
} from '../../src/docs/generate';
import { markdownText, renderComplianceReport } from '../../src/docs/compliance-report';
import { ReportedFinding } from '../../src/synth/validation-report';
import { defaultAssembly } from '../support/default-assembly';

describe('generated docs', () => {
  const a = defaultAssembly();
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf-8');
  const files = generatedDocs({ config: a.config, assembly: a.assembly, findings: a.findings, readme });

  test('every generated file is committed as generated (run `npm run docs` to update)', () => {
    // WHEN each generated file is compared with the committed one
    const stale = Object.entries(files)
      .filter(([file, content]) => {
        const target = path.join(REPO_ROOT, file);
        return !fs.existsSync(target) || fs.readFileSync(target, 'utf-8') !== content;
      })
      .map(([file]) => `${file} is stale: run 'npm run docs' and commit the result`);
    // THEN none differs
    expect(stale).toEqual([]);
  });

  test('include the config schema the YAML references, the references, the report and the diagrams', () => {
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        'apps/platform/config/config.schema.json',
        'docs/config.md',
        'docs/compliance.md',
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

describe('renderComplianceReport', () => {
  const finding = (constructPath: string, reason = 'a reason a reviewer can check'): ReportedFinding => ({
    plugin: 'AwsSolutions',
    rule: 'AwsSolutions-S1',
    severity: 'error',
    description: 'd',
    constructPath,
    acknowledgement: { id: 'AwsSolutions::AwsSolutions-S1', at: constructPath, reason },
  });

  test('folds resources that differ only in the stage-region and says where they are', () => {
    // GIVEN the same acknowledgement in two of three stage-regions, and on another resource in all three
    const report = renderComplianceReport(
      [
        finding('dev-eu-west-1/Data/Bucket/Resource'),
        finding('prod-eu-west-1/Data/Bucket/Resource'),
        ...['dev-eu-west-1', 'dev-eu-central-1', 'prod-eu-west-1'].map((id) => finding(`${id}/Data/Logs/Resource`)),
      ],
      ['dev-eu-west-1', 'dev-eu-central-1', 'prod-eu-west-1'],
    );
    // THEN one row for the decision, each resource once, with the stage-regions unless it is in all
    expect(report).toContain(
      '| `AwsSolutions::AwsSolutions-S1` | a reason a reviewer can check | `<stage-region>/Data/Bucket/Resource` (dev-eu-west-1, prod-eu-west-1)<br>`<stage-region>/Data/Logs/Resource` |',
    );
    expect(report).toContain('**5 acknowledged findings** (one per resource and rule) in 1 decisions');
  });

  test('keeps decisions with different reasons apart', () => {
    const report = renderComplianceReport(
      [finding('dev-eu-west-1/A', 'first reason, checked'), finding('dev-eu-west-1/B', 'second reason, checked')],
      ['dev-eu-west-1'],
    );
    expect(report.match(/\| `AwsSolutions::AwsSolutions-S1` \|/g)).toHaveLength(2);
  });

  test('lists unacknowledged findings nowhere (the synth fails on them)', () => {
    const open: ReportedFinding = { ...finding('dev-eu-west-1/X'), acknowledgement: undefined };
    expect(renderComplianceReport([open], ['dev-eu-west-1'])).toContain('**0 acknowledged findings**');
  });
});

describe('withReadmeDiagram', () => {
  test('replaces only the text between the markers', () => {
    const readme = `# T\n${README_DIAGRAM_START}\nold\n${README_DIAGRAM_END}\nrest\n`;
    expect(withReadmeDiagram(readme, '```mermaid\nflowchart LR\n```\n')).toBe(
      `# T\n${README_DIAGRAM_START}\n\`\`\`mermaid\nflowchart LR\n\`\`\`\n${README_DIAGRAM_END}\nrest\n`,
    );
  });

  test('fails when README.md lost its markers', () => {
    expect(() => withReadmeDiagram('# T\n', 'x')).toThrow(
      /README.md must contain the lines '<!-- pipeline-diagram:start/,
    );
  });
});
