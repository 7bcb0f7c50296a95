/**
 * The access-matrix tooling itself (test/support/access), on the fixture config's assembly: that a
 * row which does not hold fails with a message naming the principal, the action, the resource, what
 * decided, and the stack of the deciding policy; and that the resolver turns template references into
 * the ARNs the simulator compares.
 */
import { AccessRow } from '../../src/access/matrix';
import { StageRegionModel } from '../support/access/model';
import { Resolver } from '../support/access/resolve';
import { describeEvaluation, evaluate, fill } from '../support/access/simulate';
import { fixtureAssembly } from '../support/assembly';
import { everyStack } from '../support/template-helpers';

const a = fixtureAssembly();
const prod = a.stageRegions.find((sr) => sr.id === 'prod-eu-central-1')!;
const model = new StageRegionModel(a, prod);

describe('a planted wrong row', () => {
  test('fails naming the principal, action, resource, the decisive statement and its stack', async () => {
    // GIVEN a row that claims an administrator may decrypt with the data key directly
    const wrong: AccessRow = {
      group: 'planted',
      principal: 'administrator',
      action: 'kms:Decrypt',
      resource: 'dataKey',
      expected: 'Allowed',
      because: 'planted to fail',
    };
    // WHEN it is evaluated
    const evaluation = await evaluate(model, wrong);
    // THEN it does not hold, and the message says who, what, on what, and what decided where
    expect(evaluation.decision).toBe('Denied');
    expect(describeEvaluation(wrong, evaluation)).toBe(
      'administrator (arn:aws:iam::333333333333:role/Administrator) kms:Decrypt on dataKey ' +
        `(arn:aws:kms:eu-central-1:333333333333:key/${model.resource('dataKey').arn.split('/').pop()}): expected Allowed, ` +
        `got ImplicitlyDenied, decided by prod-eu-central-1/Security ${model.logicalIdAt(prod.stacks.security, 'DataKey/Resource/Resource')} ` +
        'KeyPolicy (no statement allows it)',
    );
  });

  test('an explicit deny names its statement by Sid, in the stack of the bucket policy', async () => {
    const wrong: AccessRow = {
      group: 'planted',
      principal: 'applicationRole',
      action: 's3:PutObject',
      resource: 'dataObject',
      context: { 's3:x-amz-server-side-encryption': 'AES256' },
      expected: 'Allowed',
      because: 'planted to fail',
    };
    const message = describeEvaluation(wrong, await evaluate(model, wrong));
    expect(message).toMatch(
      /with s3:x-amz-server-side-encryption="AES256": expected Allowed, got ExplicitlyDenied, decided by prod-eu-central-1\/Data Bucket\w+ PolicyDocument statement DenyEncryptionOtherThanKms$/,
    );
  });
});

describe('Resolver', () => {
  const stacks = everyStack(a);
  const resolver = new Resolver(stacks);
  const data = prod.stacks.data;

  test('follows an import to the producing stack and renders the ARN there', () => {
    const key = model.logicalIdAt(prod.stacks.security, 'DataKey/Resource/Resource');
    const exportName = Object.values(prod.stacks.security.template.Outputs ?? {}).find(
      (o) => JSON.stringify(o.Value) === JSON.stringify({ 'Fn::GetAtt': [key, 'Arn'] }),
    )!.Export!.Name;
    expect(resolver.resolve(data, { 'Fn::ImportValue': exportName })).toBe(
      `arn:aws:kms:eu-central-1:333333333333:key/key-${key.toLowerCase()}`,
    );
  });

  test('joins, substitutes and fills in the pseudo parameters of the stack', () => {
    expect(
      resolver.resolve(data, {
        'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 's3', { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }]],
      }),
    ).toBe('arn:aws:s3:eu-central-1:333333333333');
    expect(resolver.resolve(data, { 'Fn::Sub': 'logs.${AWS::Region}.${AWS::URLSuffix}' })).toBe(
      'logs.eu-central-1.amazonaws.com',
    );
  });

  test('fails on a reference to a resource the stack does not have', () => {
    expect(() => resolver.resolve(data, { Ref: 'NoSuchThing' })).toThrow(
      /prod-eu-central-1\/Data has no resource NoSuchThing/,
    );
  });
});

describe('fill', () => {
  test('replaces the placeholders, and fails on one the model does not know', () => {
    expect(fill('s3.{region}.{urlSuffix}', { region: 'eu-west-1', urlSuffix: 'amazonaws.com' })).toBe(
      's3.eu-west-1.amazonaws.com',
    );
    expect(() => fill('{nope}', {})).toThrow(/placeholder \{nope\}/);
  });
});
