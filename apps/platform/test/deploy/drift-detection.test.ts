/**
 * Drift detection in every stage-region of the deploy config: each of its four stacks is checked
 * daily by a schedule, a DRIFTED result notifies the stage-region's alarm topic, and the schedules'
 * role can read every resource type the stacks hold (a type it cannot read would go unchecked).
 */
import { DRIFT_READ_ACTIONS } from '@baseline/observability';
import { deployAssembly, resourcesOfType, TIERS } from '../support/assembly';
import { constructPathOf, identityPolicyStatements, statementCoversAction } from '../support/template-helpers';

const a = deployAssembly();

describe.each(a.stageRegions.map((sr) => [sr.id, sr] as const))('%s', (_id, sr) => {
  const observability = sr.stacks.observability;
  const schedules = resourcesOfType(observability.template, 'AWS::Scheduler::Schedule');

  test('one daily schedule per stack of the stage-region starts CloudFormation drift detection', () => {
    const stackNames = schedules.map(
      ([, s]) => JSON.parse((s.Properties?.Target as { Input: string }).Input).StackName,
    );
    expect(stackNames.sort()).toEqual(TIERS.map((t) => sr.stacks[t].stackName).sort());
    for (const [, s] of schedules) {
      expect(JSON.stringify(s.Properties?.Target)).toContain(':scheduler:::aws-sdk:cloudformation:detectStackDrift');
      expect(s.Properties?.ScheduleExpression).toMatch(/^cron\(/);
    }
  });

  test('a DRIFTED result of any of its stacks notifies the alarm topic', () => {
    const [[, rule]] = resourcesOfType(observability.template, 'AWS::Events::Rule');
    const pattern = rule.Properties?.EventPattern as {
      detail: { 'stack-id': Array<{ prefix: unknown }>; 'status-details': unknown };
    };
    expect(pattern.detail['status-details']).toEqual({ 'stack-drift-status': ['DRIFTED'] });
    expect(JSON.stringify(pattern.detail['stack-id'])).toEqual(
      expect.stringContaining(`:stack/${sr.stacks.data.stackName}/`),
    );
    expect(pattern.detail['stack-id']).toHaveLength(TIERS.length);
    const [[topicId]] = resourcesOfType(observability.template, 'AWS::SNS::Topic');
    expect((rule.Properties?.Targets as Array<{ Arn: unknown }>).map((t) => t.Arn)).toEqual([{ Ref: topicId }]);
  });

  test("the schedules' role can read every resource type of the four stacks (drift detection reads them all)", () => {
    const [[roleId]] = resourcesOfType(observability.template, 'AWS::IAM::Role').filter(([id]) =>
      constructPathOf(observability, id).endsWith('/DriftDetection/Role/Resource'),
    );
    const role = observability.template.Resources[roleId];
    const attached = new Set<string>([
      roleId,
      ...((role.Properties?.ManagedPolicyArns as Array<{ Ref?: string }>) ?? []).flatMap((x) => (x.Ref ? [x.Ref] : [])),
      ...Object.entries(observability.template.Resources)
        .filter(([, r]) => JSON.stringify(r.Properties?.Roles ?? []).includes(`"${roleId}"`))
        .map(([id]) => id),
    ]);
    const statements = identityPolicyStatements(observability).filter((s) => attached.has(s.logicalId));
    expect(statements.length).toBeGreaterThan(0);
    const unreadable: string[] = [];
    for (const tier of TIERS) {
      for (const type of new Set(Object.values(sr.stacks[tier].template.Resources).map((r) => r.Type))) {
        const actions = DRIFT_READ_ACTIONS[type];
        if (actions === undefined) {
          unreadable.push(`${type} (no entry in DRIFT_READ_ACTIONS)`);
          continue;
        }
        for (const action of actions) {
          if (!statements.some((s) => s.statement.Effect === 'Allow' && statementCoversAction(s.statement, action))) {
            unreadable.push(`${type}: ${action}`);
          }
        }
      }
    }
    expect(unreadable).toEqual([]);
  });

  test('the logs key lets EventBridge rules of this account and region encrypt for the alarm topic', () => {
    const [[, key]] = resourcesOfType(sr.stacks.security.template, 'AWS::KMS::Key').filter(([id]) =>
      constructPathOf(sr.stacks.security, id).includes('/LogsKey/'),
    );
    const statement = (key.Properties?.KeyPolicy as { Statement: Array<Record<string, unknown>> }).Statement.find(
      (s) => s.Sid === 'AllowEventBridgeRulesOfThisAccountAndRegion',
    );
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: { StringEquals: { 'aws:SourceAccount': sr.stage.account } },
    });
  });
});
