/**
 * How cdk-nag names the resources of a finding, so that an acknowledgement can use the exact id it
 * prints (`AwsSolutions::AwsSolutions-IAM5[Resource::<Bucket1234.Arn>/*]`).
 */

/**
 * A CloudFormation value flattened the way cdk-nag 3.0.2 prints it in finding ids
 * (`utils/flatten-cfn-reference`): `Ref` as `<Id>`, `Fn::GetAtt` as `<Id.Attr>`, `Fn::Join`
 * joined, `Fn::Sub` and `Fn::ImportValue` by their argument. cdk-nag is not a runtime dependency
 * of the libraries, so the function is repeated here, once.
 */
export function flattenCfnReference(node: unknown): string {
  if (node === undefined) {
    return '';
  }
  if (typeof node === 'string') {
    return node.replace(/\${/g, '<').replace(/}/g, '>');
  }
  const obj = node as Record<string, unknown>;
  if (obj['Fn::Join']) {
    const [delimiter, items] = obj['Fn::Join'] as [string, unknown[]];
    return items.map(flattenCfnReference).join(delimiter);
  }
  if (obj['Fn::Sub']) {
    return flattenCfnReference(obj['Fn::Sub']);
  }
  if (obj['Fn::GetAtt']) {
    const [resource, attribute] = obj['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
  }
  if (obj['Fn::ImportValue']) {
    return flattenCfnReference(obj['Fn::ImportValue']);
  }
  if (obj['Ref']) {
    return `<${flattenCfnReference(obj['Ref'])}>`;
  }
  return JSON.stringify(node);
}
