import { Aws, Stage, StageProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  backupVaultNameOf,
  dashboardNameOf,
  databaseRestoreRoleNameOf,
  flowLogGroupNameOf,
  instanceIdentifierOf,
  keyAliasPrefixOf,
  PlatformConfig,
  recoveryKeyAliasOf,
  recoveryStackNameOf,
  recoveryVaultNameOf,
  RegionConfig,
  restoreRoleNameOf,
  stackNameOf,
  StageConfig,
  validationRoleNameOf,
  validationStepRoleNameOf,
} from '../config';
import { DataStack } from './data-stack';
import { NetworkStack } from './network-stack';
import { ObservabilityStack } from './observability-stack';
import { RecoveryStack } from './recovery-stack';
import { SecurityStack } from './security-stack';
import { acknowledgeConfiguredRetention, logRetention } from './retention';

/** The tiers of a stage-region, as in its stack names `<project>-<stage>-<tier>`, in deployment order. */
export const TIERS_OF_A_STAGE = ['security', 'network', 'data', 'observability'] as const;

export interface PlatformStageProps extends StageProps {
  readonly config: PlatformConfig;
  readonly stage: StageConfig;
  readonly region: RegionConfig;
}

/**
 * One stage in one region: Security → Network → Data → Observability.
 *
 * Stacks reference each other by passing constructs (keys, the VPC, the database), so the CDK
 * creates the exports, imports and stack dependencies; there is no explicit dependency because
 * every edge has a reference. Stack names and construct ids come from config names (project,
 * stage), never from list positions, so reordering regions in the config changes nothing.
 */
export class PlatformStage extends Stage {
  /** The construct id of the stage of `stage` in `region`, e.g. `dev-eu-west-1`. */
  public static idOf(stage: StageConfig, region: RegionConfig): string {
    return `${stage.name}-${region.region}`;
  }

  public readonly stageConfig: StageConfig;
  public readonly regionConfig: RegionConfig;
  public readonly security: SecurityStack;
  public readonly network: NetworkStack;
  public readonly data: DataStack;
  public readonly observability: ObservabilityStack;
  /** The copies of this region's data in its recovery region, when the config names one. */
  public readonly recovery?: RecoveryStack;

  constructor(scope: Construct, props: PlatformStageProps) {
    const { config, stage, region } = props;
    super(scope, PlatformStage.idOf(stage, region), {
      ...props,
      env: { account: stage.account, region: region.region },
    });
    this.stageConfig = stage;
    this.regionConfig = region;
    const project = config.project.name;
    const name = (tier: string) => stackNameOf(project, stage.name, tier);
    const retention = logRetention(this, stage.logs.retentionDays);

    this.security = new SecurityStack(this, 'Security', {
      stackName: name('security'),
      description: `${project} ${stage.name} ${region.region}: KMS keys`,
      aliasPrefix: keyAliasPrefixOf(project, stage.name),
    });
    this.network = new NetworkStack(this, 'Network', {
      stackName: name('network'),
      description: `${project} ${stage.name} ${region.region}: VPC and flow logs`,
      vpcCidr: region.vpcCidr,
      availabilityZones: region.availabilityZones,
      natGateways: stage.network.natGateways,
      interfaceEndpoints: stage.network.interfaceEndpoints,
      logsKey: this.security.logsKey,
      flowLogGroupName: flowLogGroupNameOf(project, stage.name),
      logRetention: retention,
    });
    // The copies of this region's data, in its recovery region, deployed before the Data stack that
    // replicates and copies into it (the weak references below make it a dependency).
    if (region.recoveryRegion) {
      this.recovery = new RecoveryStack(this, 'Recovery', {
        env: { account: stage.account, region: region.recoveryRegion },
        stackName: recoveryStackNameOf(project, stage.name, region.region),
        description: `${project} ${stage.name}: copies of ${region.region}'s data in ${region.recoveryRegion}`,
        sourceRegion: region.region,
        keyAlias: recoveryKeyAliasOf(project, stage.name, region.region),
        vaultName: recoveryVaultNameOf(project, stage.name, region.region),
        restoreRoleName: restoreRoleNameOf(project, stage.name, region.region),
        databaseRestoreRoleName: databaseRestoreRoleNameOf(project, stage.name, region.region),
        lockDays: stage.protected ? stage.recovery.backupRetentionDays : undefined,
      });
    }
    this.data = new DataStack(this, 'Data', {
      stackName: name('data'),
      description: `${project} ${stage.name} ${region.region}: data bucket and MySQL database`,
      stageName: stage.name,
      protectedStage: stage.protected,
      database: stage.database,
      applicationPrincipal: stage.applicationPrincipal,
      instanceIdentifier: instanceIdentifierOf(project, stage.name),
      vpc: this.network.vpc,
      isolatedSubnets: this.network.isolatedSubnets,
      applicationSubnetCidrs: this.network.applicationSubnetCidrs,
      dataKey: this.security.dataKey,
      logsKey: this.security.logsKey,
      logRetention: retention,
      backup: { vaultName: backupVaultNameOf(project, stage.name), retentionDays: stage.recovery.backupRetentionDays },
      recovery: this.recovery && {
        region: this.recovery.region,
        replicaBucketArn: this.recovery.replicaBucketArn,
        keyArn: this.recovery.keyArn,
        vaultArn: this.recovery.vaultArn,
      },
    });
    this.observability = new ObservabilityStack(this, 'Observability', {
      stackName: name('observability'),
      description: `${project} ${stage.name} ${region.region}: alarms, dashboard and drift detection`,
      alarms: stage.alarms,
      dashboardName: dashboardNameOf(project, stage.name, region.region),
      logsKey: this.security.logsKey,
      database: this.data.database.instance,
      allocatedStorageGiB: stage.database.allocatedStorageGiB,
      flowLogGroup: this.network.flowLogGroup,
      flowLogFormat: this.network.flowLogFormat,
      validation: {
        roleName: validationRoleNameOf(project, stage.name, region.region),
        trustedRoleArn: `arn:${Aws.PARTITION}:iam::${config.pipeline.account}:role/${validationStepRoleNameOf(
          project,
          stage.name,
          region.region,
        )}`,
        stackNames: TIERS_OF_A_STAGE.map(name),
      },
      driftChecked: [this.security, this.network, this.data],
    });

    // Log groups kept shorter than Control Tower's year: the config's decision for an unprotected
    // stage (the loader refuses it in a protected one).
    if (!stage.protected) {
      for (const logGroup of [this.network.flowLogGroup, ...Object.values(this.data.database.logGroups)]) {
        acknowledgeConfiguredRetention(logGroup, stage.name, stage.logs.retentionDays);
      }
    }

    const tags: Record<string, string> = {
      ...config.project.tags,
      Project: project,
      Stage: stage.name,
      Region: region.region,
      Owner: config.project.owner,
      CostCentre: config.project.costCentre,
      ManagedBy: 'aws-cdk',
    };
    for (const [key, value] of Object.entries(tags)) {
      Tags.of(this).add(key, value);
    }
  }
}
