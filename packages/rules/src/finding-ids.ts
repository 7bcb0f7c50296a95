/**
 * How cdk-nag names the resources of a finding, so that an acknowledgement can use the exact id it
 * prints (`AwsSolutions::AwsSolutions-IAM5[Resource::<Bucket1234.Arn>/*]`).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

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

/**
 * Acknowledges one `AwsSolutions-IAM5[Resource::...]` finding on `target`, with the resource written the way
 * cdk-nag prints it.
 *
 * cdk-nag names a wildcard resource by flattening its CloudFormation value (`<Bucket1234.Arn>/*`, or the export
 * name when the bucket lives in another stack). That value is only final once the CDK has resolved cross-stack
 * references, which happens after construction but before construct validations run; the rule packs run after
 * both. So the acknowledgement is recorded from a validation hook, not in the constructor. If the computed id
 * ever stops matching, the finding is reported again (nothing is hidden by mistake).
 */
export function acknowledgeWildcardResource(target: IConstruct, resource: string, reason: string): void {
  let done = false;
  target.node.addValidation({
    validate: () => {
      if (!done) {
        done = true;
        const flat = flattenCfnReference(Stack.of(target).resolve(resource));
        Validations.of(target).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[Resource::${flat}]`, reason });
      }
      return [];
    },
  });
}
