/**
 * The renderers of the generated docs. (That the committed docs are what they render for the
 * deploy config is a deploy-config check: test/deploy/generated-docs.test.ts.)
 */
import { README_BOOTSTRAP, README_DIAGRAM, withReadmeBlock } from '../../src/docs/generate';
import { renderComplianceReport } from '../../src/docs/compliance-report';
import { ReportedFinding } from '../../src/synth/validation-report';

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

describe('withReadmeBlock', () => {
  test('replaces only the text between the markers', () => {
    const readme = `# T\n${README_DIAGRAM.start}\nold\n${README_DIAGRAM.end}\nrest\n`;
    expect(withReadmeBlock(readme, README_DIAGRAM, '```mermaid\nflowchart LR\n```')).toBe(
      `# T\n${README_DIAGRAM.start}\n\`\`\`mermaid\nflowchart LR\n\`\`\`\n${README_DIAGRAM.end}\nrest\n`,
    );
  });

  test('fails when README.md lost its markers', () => {
    expect(() => withReadmeBlock('# T\n', README_BOOTSTRAP, 'x')).toThrow(
      /README.md must contain the lines '<!-- bootstrap-commands:start/,
    );
  });
});
