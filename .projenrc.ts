import { CdkApp, CdkLibrary, NxMonorepo, VERSIONS } from './tools/projen';

const root = new NxMonorepo({ name: 'aws-secure-baseline', defaultBranch: 'main' });

// What more than one package needs and that is not a construct: CIDR math, the rules config
// values must follow (shared by the constructs and the config loader), IAM condition builders, the
// validation-report reader. It depends on nothing of ours.
const rules = new CdkLibrary({
  parent: root,
  name: 'rules',
  deps: [`@cdklabs/cdk-validator-cfnguard@${VERSIONS.cdkValidatorCfnguard}`],
  description:
    'Rules and helpers shared by the construct libraries and the app: CIDR math, value rules, IAM conditions',
});
root.addMember(rules);

const library = (name: string, description: string) => {
  const lib = new CdkLibrary({ parent: root, name, description, workspaceDeps: [rules] });
  root.addMember(lib);
  return lib;
};
const libraries = [
  library('network', 'VPC with three subnet tiers, explicit availability zones, endpoints and encrypted flow logs'),
  library('security', 'KMS keys with explicit key policies and least-privilege IAM roles'),
  library('data', 'Deny-by-default S3 data bucket and a Multi-AZ MySQL RDS instance with an AWS-managed password'),
  library('observability', 'Encrypted alarm topic, the alarms an operator needs, and a dashboard per stage-region'),
];

const app = new CdkApp({
  parent: root,
  name: 'platform',
  description: 'The CDK app: a self-mutating pipeline that deploys the baseline to every stage and region in config',
  libraries: [rules, ...libraries],
  deps: [
    `cdk-nag@${VERSIONS.cdkNag}`,
    `zod@${VERSIONS.zod}`,
    `yaml@${VERSIONS.yaml}`,
    `@aws-cdk/cloudformation-diff@${VERSIONS.cloudformationDiff}`,
  ],
  // The access matrix's IAM policy simulator: AGPL-3.0, so for tests only, never shipped.
  devDeps: [`@cloud-copilot/iam-simulate@${VERSIONS.iamSimulate}`],
  contextOverrides: {
    // Strong references (CloudFormation exports) stop the Security stack's key or the Network stack's
    // VPC from being deleted or changed while the Data stack still uses them. `cdk init` recommends
    // "weak" (Fn::GetStackOutput), which lets a producer stack be deleted under a live database.
    '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  },
  // Two kinds of tests. `product`: the app's behaviour, with fixture configs of its own under
  // test/fixtures (never the deploy config). `deploy`: what must hold for whatever config is
  // deployed (PLATFORM_CONFIG, default config/platform.yaml), every expectation derived from it.
  // Each synthesizes its config once, in its global setup, for all of its test files.
  testProjects: [
    { name: 'product', root: 'test', exclude: ['deploy'], globalSetup: 'test/global-setup.ts' },
    {
      name: 'deploy',
      root: 'test/deploy',
      globalSetup: 'test/deploy/global-setup.ts',
      target: {
        name: 'verify',
        description:
          'The deploy-config checks alone, for the config PLATFORM_CONFIG names (default config/platform.yaml)',
      },
    },
  ],
  // Config schema and reference, compliance report and diagrams; CI fails when they are stale.
  docsCommand: 'node -r ../../tools/source/register.cjs src/docs/main.ts',
  // The validation engines set up while the app's modules load (src/synth/start-validation.ts).
  synthPreload: ['./src/synth/start-validation.ts'],
});
root.addMember(app);

root.synth();
