/**
 * The shell commands of the pipeline's synth step, written into its buildspec as they are here.
 *
 * They stay visible in the buildspec (no wrapper script): what a reviewer reads in the console is
 * what runs, and `tools/rehearse` runs exactly these lines from the synthesized template.
 * A line that exits non-zero fails the build. The base lookup and its use are one line, so they
 * share a shell whatever the build host does with variables between lines.
 */

/** Where the app's cloud assembly is written, relative to the repository root. */
export const CLOUD_ASSEMBLY_DIR = 'apps/platform/cdk.out';

/** Where the pipeline's own scripts live, relative to the repository root. */
export const PIPELINE_SCRIPTS_DIR = 'apps/platform/src/pipeline/scripts';

/** Nx's task cache, outside the clone so that CodeBuild's local cache can keep it between builds. */
export const NX_CACHE_DIRECTORY = '/root/.cache/nx';

/** npm's download cache (npm's default for root, the CodeBuild user). */
export const NPM_CACHE_DIRECTORY = '/root/.npm';

/** `npm ci`: the lockfile, exactly. */
export function synthInstallCommands(): string[] {
  return ['npm ci'];
}

/**
 * Lint and test what changed since the commit production runs, then synthesize.
 *
 * BASE is the commit of the last pipeline run that went all the way through (the final step writes
 * it to `parameterName`). When there is none (first run), it cannot be read (no credentials, as in a
 * rehearsal), or the commit is not in this clone's history (a force-push rewrote it), every project
 * is linted and tested: the fallback is the strictest choice, never a skip.
 */
export function synthBuildCommands(parameterName: string): string[] {
  return [
    `BASE="$(aws ssm get-parameter --name '${parameterName}' --query Parameter.Value --output text 2>/dev/null || true)"; ` +
      'if [ -n "$BASE" ] && git cat-file -e "$BASE^{commit}" 2>/dev/null; then ' +
      'echo "Linting and testing what changed since $BASE, the last successful pipeline run"; ' +
      'npx nx affected -t lint typecheck test --base="$BASE" --head=HEAD; ' +
      'else ' +
      'echo "No last successful commit in this clone (BASE=\'$BASE\'): linting and testing every project"; ' +
      'npx nx run-many -t lint typecheck test; ' +
      'fi',
    'npm run synth',
  ];
}
