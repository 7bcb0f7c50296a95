import { Project } from 'projen';
import { VERSIONS } from './versions';
import { jestRunner, TESTING_DIR, WorkspaceProject } from './workspace-project';

/** Options for a construct library under `packages/`. */
export interface CdkLibraryOptions {
  readonly parent: Project;
  /** Folder and Nx project name, e.g. `network`. */
  readonly name: string;
  readonly description: string;
  /**
   * Workspace libraries this one depends on. Only the shared helpers package: construct libraries
   * talk to each other through aws-cdk-lib interfaces, never by importing each other.
   * @default []
   */
  readonly workspaceDeps?: WorkspaceProject[];
  /** Third-party runtime dependencies (`name@version`). @default [] */
  readonly deps?: string[];
}

/**
 * A library of CDK constructs under `packages/<name>`.
 *
 * aws-cdk-lib and constructs are peer dependencies so that the app and every library share one
 * copy: two copies of aws-cdk-lib make `instanceof` checks fail across packages. Construct
 * libraries depend on no other construct library: they talk to each other only through aws-cdk-lib
 * interfaces, which keeps the Nx graph flat and `nx affected` sharp. The one workspace dependency
 * they may have is the shared helpers package (`rules`), which itself depends on nothing of ours.
 */
export class CdkLibrary extends WorkspaceProject {
  constructor(options: CdkLibraryOptions) {
    super({
      parent: options.parent,
      name: options.name,
      kind: 'packages',
      description: options.description,
      peerDeps: [`aws-cdk-lib@^${VERSIONS.awsCdkLib}`, `constructs@^${VERSIONS.constructs}`],
      workspaceDeps: options.workspaceDeps,
      deps: options.deps,
      tags: ['type:lib'],
    });
    // Library tests run the same rule packs as the app (tools/testing/compliance.ts).
    this.addDevDeps(`cdk-nag@${VERSIONS.cdkNag}`);
    // Template assertions do not need the CDK's built-in CloudFormation validation, which costs
    // ~1.5 s of engine set-up per worker and ~85 ms per template. The compliance tests, which assert
    // findings, register it explicitly (checkedApp), and the app's tests keep it on everywhere.
    this.jestConfig.addOverride('setupFiles', jestRunner(TESTING_DIR, `${TESTING_DIR}/unit-test-setup.ts`).setupFiles);
  }
}
