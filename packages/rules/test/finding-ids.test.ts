import { flattenCfnReference as cdkNagFlatten } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { flattenCfnReference } from '../src/finding-ids';

describe('flattenCfnReference', () => {
  // The acknowledgement id must match what cdk-nag prints; compare with cdk-nag's own implementation so that a
  // cdk-nag upgrade that changes the format turns this test red instead of silently un-acknowledging a finding.
  test.each([
    ['a literal', 'arn:partition:s3:::bucket/*'],
    ['a Fn::Sub template', { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::bucket/*' }],
    ['a bucket attribute', { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket83908E77', 'Arn'] }, '/*']] }],
    ['an import', { 'Fn::Join': ['', [{ 'Fn::ImportValue': 'Dev-Data:ExportsOutputFnGetAttBucketArn' }, '/*']] }],
    ['a Ref', { 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 's3', '', '', 'bucket/*']] }],
    ['an unknown intrinsic', { 'Fn::Select': [0, ['a']] }],
  ])('flattens %s exactly like cdk-nag', (_name, value) => {
    expect(flattenCfnReference(value)).toEqual(cdkNagFlatten(value));
  });

  test('names a bucket in the same stack by its logical id', () => {
    expect(flattenCfnReference({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket83908E77', 'Arn'] }, '/*']] })).toBe(
      '<Bucket83908E77.Arn>/*',
    );
  });
});
