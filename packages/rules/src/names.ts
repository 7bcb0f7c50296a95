/**
 * Rules of AWS resource names the app builds from config values (project, stage and region names
 * joined): what the service accepts, so that the config loader can refuse a name before a construct
 * or a deployment does.
 *
 * The dashboard rule is enforced by the observability package's `OperationsDashboard`. The role and
 * stack name rules are the CDK's own (`iam.Role` and `Stack` throw on them); they are repeated here so
 * the loader can check the names before any construct exists, and a test in this package holds them
 * to the CDK's checks so the two cannot drift apart.
 */
import { valueRule } from './value-rules';

/** "Length Constraints: Minimum length of 1. Maximum length of 64. Pattern: [\w+=,.@-]+" (IAM API reference, CreateRole, RoleName). */
export const IAM_ROLE_NAME = valueRule<string>(
  'iam.roleName',
  "an IAM role name: 1 to 64 letters, digits and '_+=,.@-'",
  (name) =>
    /^[\w+=,.@-]{1,64}$/.test(name)
      ? undefined
      : `is not a valid IAM role name; use 1 to 64 letters, digits and '_+=,.@-' (it has ${name.length} characters)`,
);

/**
 * "A stack name can contain only alphanumeric characters (case-sensitive) and hyphens. It must start
 * with an alphabetic character and can't be longer than 128 characters" (CloudFormation API
 * reference, CreateStack, StackName).
 */
export const CLOUDFORMATION_STACK_NAME = valueRule<string>(
  'cloudformation.stackName',
  'a stack name: 1 to 128 letters, digits and hyphens, starting with a letter',
  (name) =>
    /^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)
      ? undefined
      : 'is not a valid CloudFormation stack name; use 1 to 128 letters, digits and hyphens, starting with a ' +
        `letter (it has ${name.length} characters)`,
);

/**
 * "The name can contain only alphanumerics, dash (-), and underscore (_). ... maximum length is 255"
 * (CloudWatch API reference, PutDashboard, DashboardName). Names are unique per account across regions.
 */
export const CLOUDWATCH_DASHBOARD_NAME = valueRule<string>(
  'cloudwatch.dashboardName',
  'a dashboard name: 1 to 255 letters, digits, - and _',
  (name) =>
    /^[A-Za-z0-9_-]{1,255}$/.test(name)
      ? undefined
      : 'is not allowed; give 1 to 255 characters of letters, digits, - and _',
);
