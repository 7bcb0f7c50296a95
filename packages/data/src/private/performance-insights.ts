/**
 * Which RDS for MySQL instance classes support Performance Insights. Not part of the package API.
 */
import { aws_ec2 as ec2 } from 'aws-cdk-lib';

/**
 * Burstable classes whose two smallest sizes RDS for MySQL cannot run Performance Insights on.
 *
 * Source: Amazon RDS User Guide, "Amazon RDS DB engine, Region, and instance class support for
 * Performance Insights": for RDS for MySQL, db.t2, db.t3 and db.t4g in sizes micro and small are not
 * supported. Asking for it there makes CreateDBInstance fail at deploy time, after the synth checks
 * have passed, so the construct decides it instead of the caller.
 */
const UNSUPPORTED_FAMILIES = new Set(['t2', 't3', 't4g']);
const UNSUPPORTED_SIZES = new Set(['micro', 'small']);

/**
 * True when RDS for MySQL supports Performance Insights on this instance type.
 *
 * An instance type the CDK cannot render as `family.size` (a token) is treated as supported: the
 * larger classes are the rule and the smallest burstables the documented exception.
 */
export function mysqlSupportsPerformanceInsights(instanceType: ec2.InstanceType): boolean {
  const [family, size] = instanceType.toString().split('.');
  return !(UNSUPPORTED_FAMILIES.has(family) && UNSUPPORTED_SIZES.has(size));
}
