/**
 * The access matrix (src/access/matrix.ts), evaluated in every stage-region of the deploy config by an
 * IAM policy simulator over the synthesized identity, bucket, key, topic and trust policies
 * (test/support/access). Every row is one test per stage-region; a row that does not hold prints the
 * principal, action, resource, what decided and the stack of the deciding policy.
 *
 * The pipeline's rows (the tooling account) are evaluated once.
 */
import { ACCESS_MATRIX } from '../../src/access/matrix';
import { describeEvaluation, evaluate } from '../support/access/simulate';
import { StageRegionModel } from '../support/access/model';
import { deployAssembly } from '../support/assembly';

const a = deployAssembly();
const models = a.stageRegions.map((sr) => [sr.id, new StageRegionModel(a, sr)] as const);
const TOOLING_RESOURCES = new Set(['pipelineTopic', 'pipelineKey', 'reviewObject']);

const rows = ACCESS_MATRIX.map(
  (row, i) =>
    [`#${i + 1} ${row.principal} ${row.action} ${row.resource}: ${row.expected} (${row.because})`, row] as const,
);

describe.each(models)('%s', (id, model) => {
  const hasRecovery = a.stageRegions.find((sr) => sr.id === id)!.recovery !== undefined;
  const applicable = rows.filter(
    ([, row]) => !TOOLING_RESOURCES.has(row.resource) && (hasRecovery || !row.recoveryOnly),
  );
  test.each(applicable)('%s', async (_name, row) => {
    const evaluation = await evaluate(model, row);
    if (evaluation.decision !== row.expected) {
      throw new Error(describeEvaluation(row, evaluation));
    }
    expect(evaluation.decision).toBe(row.expected);
  });
});

describe('tooling account', () => {
  test.each(rows.filter(([, row]) => TOOLING_RESOURCES.has(row.resource)))('%s', async (_name, row) => {
    const evaluation = await evaluate(models[0][1], row);
    if (evaluation.decision !== row.expected) {
      throw new Error(describeEvaluation(row, evaluation));
    }
    expect(evaluation.decision).toBe(row.expected);
  });
});
