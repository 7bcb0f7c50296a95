import { Aws, Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';

/**
 * The regional endpoint name of an AWS service in the stack's own region, e.g. `logs.eu-west-1.amazonaws.com`.
 *
 * This is both the regional service principal (CloudWatch Logs) and the value of `kms:ViaService`. The DNS
 * suffix differs by partition (`amazonaws.com.cn` in China), so it is taken from the region when the region is
 * known and from `AWS::URLSuffix` when the stack is environment-agnostic or the region is new to this CDK version.
 */
export function regionalServiceEndpoint(scope: IConstruct, servicePrefix: string): string {
  const region = Stack.of(scope).region;
  const knownSuffix = Token.isUnresolved(region) ? undefined : RegionInfo.get(region).domainSuffix;
  return `${servicePrefix}.${region}.${knownSuffix ?? Aws.URL_SUFFIX}`;
}
