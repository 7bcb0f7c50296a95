import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from '@baseline/rules';
import { IConstruct } from 'constructs';

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
