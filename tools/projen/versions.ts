/**
 * Every third-party version the workspace uses, in one place.
 *
 * Exact pins: a platform repository must synthesize the same templates tomorrow as today, and
 * `npm ci` only guarantees that when package.json and the lockfile agree on exact versions.
 */
export const VERSIONS = {
  awsCdkLib: '2.276.0',
  awsCdkCli: '2.1148.1',
  constructs: '10.8.1',
  cdkNag: '3.0.2',
  nx: '24.0.6',
  projen: '0.103.25',
  // ts-jest and typescript-eslint need TypeScript < 6.1; 6.0 trips projen's app tsconfig.
  typescript: '5.9.3',
  // The native compiler (TypeScript 7, no JS API): the `typecheck` and `build` targets run it through
  // the npm alias `typescript7` (node_modules/typescript7/bin/tsc), 4-5x faster than 5.9 here. projen's
  // ts-node and typescript-eslint keep using 5.9 above. Both read the same tsconfig files.
  typescriptNative: '7.0.2',
  tsNode: '10.9.2',
  jest: '30.5.2',
  // Runs the test files in plain Node.js (worker threads, or Jest's own thread in band), not a vm context per file
  // (tools/testing/runner.mjs says why and what it changes). 0.7, not 0.8: 0.8 declares Node.js >= 22
  // (its engines field; this repository supports 20.6 and later), and both run tests the same way.
  jestLightRunner: '0.7.13',
  swcJest: '0.2.39',
  swcCore: '1.16.22',
  typesJest: '30.0.0',
  typesNode: '20.19.43',
  eslint: '9.39.5',
  typescriptEslint: '8.74.0',
  prettier: '3.10.1',
  zod: '4.6.7',
  // The CDK CLI's template diff library (the CLI 2.1148 bundles 2.187.7, which is not on the
  // registry; 2.187.5 is the newest published): it knows which property changes replace a resource.
  cloudformationDiff: '2.187.5',
  // AWS Control Tower's proactive controls as Guard rules; only its rule files are used (run by the
  // CDK's own CloudFormation validation engine), not its native cfn-guard binary.
  cdkValidatorCfnguard: '0.0.62',
  // Test-only (AGPL-3.0): evaluates the synthesized IAM, bucket, key and topic policies with IAM's
  // semantics for the access matrix. A devDependency of the app, never bundled or shipped.
  iamSimulate: '0.1.173',
  yaml: '2.9.1',
} as const;

/** The npm scope of every workspace package. */
export const SCOPE = '@baseline';
