import { Project } from 'projen';
import { VERSIONS } from './versions';
import { WorkspaceProject } from './workspace-project';

/** Options for a construct library under `packages/`. */
export interface CdkLibraryOptions {
  readonly parent: Project;
  /** Folder and Nx project name, e.g. `network`. */
  readonly name: string;
  readonly description: string;
}

/**
 * A library of CDK constructs under `packages/<name>`.
 *
 * aws-cdk-lib and constructs are peer dependencies so that the app and every library share one
 * copy: two copies of aws-cdk-lib make `instanceof` checks fail across packages. Libraries get no
 * workspace dependencies: they talk to each other only through aws-cdk-lib interfaces, which keeps
 * the Nx graph flat and `nx affected` sharp.
 */
export class CdkLibrary extends WorkspaceProject {
  constructor(options: CdkLibraryOptions) {
    super({
      parent: options.parent,
      name: options.name,
      kind: 'packages',
      description: options.description,
      peerDeps: [`aws-cdk-lib@^${VERSIONS.awsCdkLib}`, `constructs@^${VERSIONS.constructs}`],
      tags: ['type:lib'],
    });
    // Library tests run the same rule packs as the app (tools/testing/compliance.ts).
    this.addDevDeps(`cdk-nag@${VERSIONS.cdkNag}`);
    // Template assertions do not need the CDK's built-in CloudFormation validation, which costs
    // ~1.5 s of engine set-up per worker and ~85 ms per template. The compliance tests, which assert
    // findings, register it explicitly (checkedApp), and the app's tests keep it on everywhere.
    this.jestConfig.addOverride('setupFiles', ['<rootDir>/../../tools/testing/unit-test-setup.ts']);
  }
}
