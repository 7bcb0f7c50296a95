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

/** Where the build step keeps the base it tested against, for the change review two lines later. */
export const REVIEW_BASE_FILE = '.review-base';

/** Where the review writes the per-stage counts as shell assignments, for the step's exported variables. */
export const REVIEW_ENV_FILE = '.review.env';

/** The prefix of the change reviews in the artifact bucket: `reviews/<commit>/review.md`. */
export const REVIEW_PREFIX = 'reviews';

/**
 * Lint and test what changed since the commit production runs, synthesize, then review the change.
 *
 * BASE is the commit of the last pipeline run that went all the way through (the final step writes
 * it to `parameterName`). When there is none (first run), it cannot be read (no credentials, as in a
 * rehearsal), or the commit is not in this clone's history (a force-push rewrote it), every project
 * is linted and tested: the fallback is the strictest choice, never a skip.
 *
 * The review (`npm run diff`) compares the synthesized assembly with BASE's (with none, everything is
 * new) and fails the build when a change would lose data or change an export in use. Its per-stage
 * counts become the step's exported variables (`REVIEW_<STAGE>`, CodeBuild `exported-variables`),
 * which the approvals quote, and its Markdown report is uploaded to the artifact bucket
 * (`REVIEW_BUCKET`) under the commit, where the approvals link to it. The upload runs only inside
 * CodeBuild: a rehearsal has no AWS, and keeps the report in the cloud assembly.
 */
export function synthBuildCommands(parameterName: string): string[] {
  return [
    `BASE="$(aws ssm get-parameter --name '${parameterName}' --query Parameter.Value --output text 2>/dev/null || true)"; ` +
      'if [ -n "$BASE" ] && git cat-file -e "$BASE^{commit}" 2>/dev/null; then ' +
      `echo "$BASE" > ${REVIEW_BASE_FILE}; ` +
      'echo "Linting and testing what changed since $BASE, the last successful pipeline run"; ' +
      'npx nx affected -t lint typecheck test --base="$BASE" --head=HEAD; ' +
      'else ' +
      `echo none > ${REVIEW_BASE_FILE}; ` +
      'echo "No last successful commit in this clone (BASE=\'$BASE\'): linting and testing every project"; ' +
      'npx nx run-many -t lint typecheck test; ' +
      'fi',
    'npm run synth',
    `npm run diff -- --base-file ${REVIEW_BASE_FILE} --head-assembly ${CLOUD_ASSEMBLY_DIR} --env-file ${REVIEW_ENV_FILE} && ` +
      `set -a && . ./${REVIEW_ENV_FILE} && set +a`,
    'if [ -n "$CODEBUILD_BUILD_ID" ]; then ' +
      `aws s3 cp ${CLOUD_ASSEMBLY_DIR}/review.md "s3://$REVIEW_BUCKET/${REVIEW_PREFIX}/$(git rev-parse HEAD)/review.md" ` +
      "--content-type 'text/markdown; charset=utf-8' --only-show-errors; " +
      `else echo "Not in CodeBuild: the review stays in ${CLOUD_ASSEMBLY_DIR}/review.md"; fi`,
  ];
}
