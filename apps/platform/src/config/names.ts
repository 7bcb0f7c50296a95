/**
 * Every name the app builds from config values, in one place: the stages and the pipeline use these
 * functions, and the loader checks what they produce against the construct rules (construct-rules.ts),
 * so a project or stage name that would make an invalid identifier is refused with its field path.
 */

/** `<project>-<stage>-<tier>`, e.g. `baseline-dev-data`: the stack names of a stage (the same in every region). */
export function stackNameOf(project: string, stage: string, tier: string): string {
  return `${project}-${stage}-${tier}`;
}

/** The DB instance identifier of a stage (per region; identifiers are regional). */
export function instanceIdentifierOf(project: string, stage: string): string {
  return `${project}-${stage}-mysql`;
}

/** The flow log group of a stage's VPC (per region). */
export function flowLogGroupNameOf(project: string, stage: string): string {
  return `/aws/vpc/flowlogs/${project}-${stage}`;
}

/** The prefix of a stage's KMS key aliases: `<project>/<stage>`, then `/data`, `/logs`. */
export function keyAliasPrefixOf(project: string, stage: string): string {
  return `${project}/${stage}`;
}

/** The operations dashboard of a stage-region (dashboards are global names per account). */
export function dashboardNameOf(project: string, stage: string, region: string): string {
  return `${project}-${stage}-${region}`;
}

/**
 * The role in a stage account that the post-deployment check of one stage-region assumes (IAM role
 * names are global per account, so the region is part of it).
 */
export function validationRoleNameOf(project: string, stage: string, region: string): string {
  return `${project}-${stage}-${region}-validation`;
}

/** The role of that check's CodeBuild step in the tooling account, the only principal the role above trusts. */
export function validationStepRoleNameOf(project: string, stage: string, region: string): string {
  return `${project}-${stage}-${region}-validate-step`;
}

/** The AWS Backup vault of a stage-region (vault names are regional). */
export function backupVaultNameOf(project: string, stage: string): string {
  return `${project}-${stage}`;
}

/** The stack, in the recovery region, that keeps the copies of one stage-region's data. */
export function recoveryStackNameOf(project: string, stage: string, sourceRegion: string): string {
  return stackNameOf(project, stage, `${sourceRegion}-recovery`);
}

/** The vault, in the recovery region, that receives the backup copies of one stage-region. */
export function recoveryVaultNameOf(project: string, stage: string, sourceRegion: string): string {
  return `${project}-${stage}-${sourceRegion}-copies`;
}

/** The role, in the stage account, that restores one stage-region's data in its recovery region. */
export function restoreRoleNameOf(project: string, stage: string, sourceRegion: string): string {
  return `${project}-${stage}-${sourceRegion}-restore`;
}

/** The alias of the key that encrypts one stage-region's copies in its recovery region (after `alias/`). */
export function recoveryKeyAliasOf(project: string, stage: string, sourceRegion: string): string {
  return `${keyAliasPrefixOf(project, stage)}/recovery-${sourceRegion}`;
}

/** The role, in the stage account, that AWS Backup restores one stage-region's database copies as. */
export function databaseRestoreRoleNameOf(project: string, stage: string, sourceRegion: string): string {
  return `${restoreRoleNameOf(project, stage, sourceRegion)}-db`;
}
