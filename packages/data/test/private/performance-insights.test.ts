import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { mysqlSupportsPerformanceInsights } from '../../src/private/performance-insights';

const { InstanceClass: C, InstanceSize: S } = ec2;

describe('mysqlSupportsPerformanceInsights', () => {
  test.each([
    [C.T2, S.MICRO],
    [C.T2, S.SMALL],
    [C.T3, S.MICRO],
    [C.T3, S.SMALL],
    [C.T4G, S.MICRO],
    [C.T4G, S.SMALL],
  ])('is false for %s.%s', (instanceClass, size) => {
    expect(mysqlSupportsPerformanceInsights(ec2.InstanceType.of(instanceClass, size))).toBe(false);
  });

  test.each([
    [C.T3, S.MEDIUM],
    [C.T4G, S.LARGE],
    [C.M7G, S.LARGE],
    [C.R6G, S.XLARGE],
    [C.M5, S.SMALL],
  ])('is true for %s.%s', (instanceClass, size) => {
    expect(mysqlSupportsPerformanceInsights(ec2.InstanceType.of(instanceClass, size))).toBe(true);
  });
});
