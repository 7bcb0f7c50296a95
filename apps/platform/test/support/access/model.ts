/**
 * The access model of one stage-region: every principal and resource of the access matrix
 * (src/access/matrix.ts) as the simulator needs them, read from the synthesized templates through the
 * resolver (concrete ARNs, identity policies of each role, the bucket, key, topic and trust policies).
 *
 * Resources are found by construct path, the stable contract of the constructs (a renamed construct id
 * would replace the resource anyway, and the stateful lock would say so), not by logical id.
 */
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { PrincipalId, ResourceId } from '../../../src/access/matrix';
import { validationStepRoleNameOf } from '../../../src/config';
import { PlatformAssembly, StackView, StageRegionView } from '../assembly';
import { everyStack, StackLike } from '../template-helpers';
import { Resolver } from './resolve';

/** A policy document as the simulator takes it. */
export type PolicyDocument = { Version?: string; Statement: unknown[] };

/** A named policy: where it is, for failure messages. */
export interface NamedPolicy {
  /** `<stack path> <logical id>` (and the inline policy's name). */
  readonly name: string;
  readonly document: PolicyDocument;
}

/** Who makes a request. */
export interface ModelPrincipal {
  /** An IAM ARN, a service principal (`logs.eu-west-1.amazonaws.com`), or `anonymous`. */
  readonly id: string;
  readonly kind: 'role' | 'service' | 'anonymous';
  /** The account of a role. */
  readonly account?: string;
  readonly identityPolicies: NamedPolicy[];
}

/** What a request is made on. */
export interface ModelResource {
  readonly arn: string;
  /** The account that owns it. */
  readonly account: string;
  /** Its resource policy (bucket, key, topic or trust policy), if it has one. */
  readonly policy?: NamedPolicy;
}

/** Every policy of AdministratorAccess (the AWS managed policy): everything. */
const ADMINISTRATOR_ACCESS: NamedPolicy = {
  name: 'AdministratorAccess (AWS managed policy)',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/** The access model of one stage-region of an assembly. */
export class StageRegionModel {
  public readonly account: string;
  public readonly region: string;
  public readonly partition: string;
  public readonly otherAccount: string;
  private readonly resolver: Resolver;
  private readonly stacks: StackLike[];

  constructor(
    private readonly a: PlatformAssembly,
    private readonly sr: StageRegionView,
  ) {
    this.stacks = everyStack(a);
    this.resolver = new Resolver(this.stacks);
    this.account = sr.stage.account;
    this.region = sr.region.region;
    this.partition = Resolver.partitionOf(this.region);
    const used = new Set([a.config.pipeline.account, ...a.config.stages.map((s) => s.account)]);
    let other = 999999999999;
    while (used.has(String(other))) {
      other--;
    }
    this.otherAccount = String(other);
  }

  /** Placeholder values of the matrix: `{account}`, `{region}`, `{dataKey}` ... */
  public placeholders(): Record<string, string> {
    const p = this.a.config.pipeline;
    return {
      account: this.account,
      region: this.region,
      partition: this.partition,
      urlSuffix: this.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
      otherAccount: this.otherAccount,
      toolingAccount: p.account,
      toolingRegion: p.region,
      dataKey: this.resource('dataKey').arn,
      logsKey: this.resource('logsKey').arn,
      flowLogGroup: this.logGroupArn('Network', 'Vpc/FlowLogGroup/Resource'),
      ...(this.sr.recovery
        ? {
            recoveryRegion: this.sr.recovery.region,
            replicaBucket: this.arnAt('recovery', 'Replica/Resource/Resource'),
            dataBucket: this.arnAt('data', 'Bucket/Resource/Resource'),
          }
        : {}),
      driftRule: this.resolver.string(this.sr.stacks.observability, {
        'Fn::GetAtt': [this.logicalIdAt(this.sr.stacks.observability, 'DriftDetection/Drifted/Resource'), 'Arn'],
      }),
    };
  }

  /** The principal `id` of the matrix. */
  public principal(id: PrincipalId): ModelPrincipal {
    const role = (tier: Tier | 'recovery', path: string): ModelPrincipal => {
      const stack = this.stackOf(tier);
      return this.roleIn(stack, this.logicalIdAt(stack, path));
    };
    const synthetic = (account: string, name: string): ModelPrincipal => ({
      id: `arn:${this.partition}:iam::${account}:role/${name}`,
      kind: 'role',
      account,
      identityPolicies: [ADMINISTRATOR_ACCESS],
    });
    const service = (name: string): ModelPrincipal => ({ id: name, kind: 'service', identityPolicies: [] });
    switch (id) {
      case 'applicationRole':
        return role('data', 'ApplicationRole/Resource/Resource');
      case 'flowLogRole':
        return role('network', 'FlowLogRole/Resource/Resource');
      case 'monitoringRole':
        return role('data', 'MonitoringRole/Resource/Resource');
      case 'validationRole':
        return role('observability', 'ValidationRole/Resource/Resource');
      case 'driftRole':
        return role('observability', 'DriftDetection/Role/Resource');
      case 'replicationRole':
        return role('data', 'Bucket/ReplicationRole/Resource');
      case 'restoreRole':
        return role('recovery', 'RestoreRole/Resource');
      case 'administrator':
        return synthetic(this.account, 'Administrator');
      case 'deployRole':
        return synthetic(this.account, `cdk-hnb659fds-cfn-exec-role-${this.account}-${this.region}`);
      case 'otherAccount':
        return synthetic(this.otherAccount, 'Administrator');
      case 'toolingAdministrator':
        return synthetic(this.a.config.pipeline.account, 'Administrator');
      case 'buildRole':
        return this.pipelineRole('Pipeline/Pipeline/Build/Synth/CdkBuildProject/Role/Resource');
      case 'selfMutationRole':
        return this.pipelineRole('Pipeline/UpdatePipeline/SelfMutation/Role/Resource');
      case 'validationStepRole': {
        const pipeline = this.a.pipeline;
        const logicalId = this.logicalIdAt(pipeline, `Pipeline/ValidateRole-${this.sr.id}/Resource`);
        const step = this.roleIn(pipeline, logicalId);
        const expected = validationStepRoleNameOf(this.a.config.project.name, this.sr.stage.name, this.region);
        if (!step.id.endsWith(`:role/${expected}`)) {
          throw new Error(
            `${pipeline.path} ${logicalId}: the step role is ${step.id}, expected the fixed name ${expected}`,
          );
        }
        return step;
      }
      case 'anonymous':
        return { id: 'anonymous', kind: 'anonymous', identityPolicies: [] };
      case 'applicationService':
        return service(this.sr.stage.applicationPrincipal);
      case 'otherService':
        // Any service but the stage's own application principal.
        return service(
          ['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'].find((x) => x !== this.sr.stage.applicationPrincipal)!,
        );
      case 'cloudWatchLogs':
        return service(`logs.${this.region}.${this.placeholders().urlSuffix}`);
      case 'cloudWatchAlarms':
        return service('cloudwatch.amazonaws.com');
      case 'vpcFlowLogs':
        return service('vpc-flow-logs.amazonaws.com');
      case 'rdsMonitoring':
        return service('monitoring.rds.amazonaws.com');
      case 'codestarNotifications':
        return service('codestar-notifications.amazonaws.com');
      case 'eventBridge':
        return service('events.amazonaws.com');
      case 'awsBackup':
        return service('backup.amazonaws.com');
    }
  }

  /** The resource `id` of the matrix. */
  public resource(id: ResourceId): ModelResource {
    const a = this.account;
    const r = this.region;
    const p = this.partition;
    switch (id) {
      case 'dataObject': {
        const bucket = this.arnAt('data', 'Bucket/Resource/Resource');
        return {
          arn: `${bucket}/reports/2026/11/summary.csv`,
          account: a,
          policy: this.bucketPolicy('data', 'Bucket/Resource/Policy/Resource'),
        };
      }
      case 'dataKey':
        return this.key('Security/DataKey/Resource/Resource');
      case 'recoveryKey':
        return this.key('Key/Resource/Resource', 'recovery');
      case 'replicaObject': {
        const bucket = this.arnAt('recovery', 'Replica/Resource/Resource');
        return {
          arn: `${bucket}/reports/2026/11/summary.csv`,
          account: a,
          policy: this.bucketPolicy('recovery', 'Replica/Resource/Policy/Resource'),
        };
      }
      case 'restoreRole':
        return this.roleAsResource('recovery', 'RestoreRole/Resource');
      case 'databaseRestoreRole':
        return this.roleAsResource('recovery', 'DatabaseRestoreRole/Resource');
      case 'backupRole':
        return this.roleAsResource('data', 'DatabaseBackup/Plan/Database/Role/Resource');
      case 'logsKey':
        return this.key('Security/LogsKey/Resource/Resource');
      case 'alarmTopic': {
        const stack = this.sr.stacks.observability;
        const topic = this.logicalIdAt(stack, 'AlarmTopic/Resource/Resource');
        return {
          arn: this.resolver.string(stack, { Ref: topic }),
          account: a,
          policy: this.topicPolicy(stack, 'AlarmTopic/Resource/Policy/Resource'),
        };
      }
      case 'flowLogGroup':
        return { arn: this.logGroupArn('Network', 'Vpc/FlowLogGroup/Resource'), account: a };
      case 'flowLogStream':
        return {
          arn: `${this.logGroupArn('Network', 'Vpc/FlowLogGroup/Resource')}:log-stream:eni-0123456789abcdef0-all`,
          account: a,
        };
      case 'rdsOsMetricsGroup':
        return { arn: `arn:${p}:logs:${r}:${a}:log-group:RDSOSMetrics`, account: a };
      case 'rdsOsMetricsGroupWildcard':
        return { arn: `arn:${p}:logs:${r}:${a}:log-group:RDSOSMetrics:*`, account: a };
      case 'rdsOsMetricsStream':
        return { arn: `arn:${p}:logs:${r}:${a}:log-group:RDSOSMetrics:log-stream:db-0123456789`, account: a };
      case 'otherLogStream':
        return { arn: `arn:${p}:logs:${r}:${a}:log-group:/aws/lambda/someone-else:log-stream:2026/11/30`, account: a };
      case 'databaseAsApplicationUser':
        return { arn: this.dbUserArn(this.sr.stage.database.applicationUser), account: a };
      case 'databaseAsMaster':
        return { arn: this.dbUserArn(this.sr.stage.database.masterUsername), account: a };
      case 'masterSecret': {
        const stack = this.sr.stacks.data;
        const db = this.logicalIdAt(stack, 'Database/Resource/Resource');
        return { arn: this.resolver.string(stack, { 'Fn::GetAtt': [db, 'MasterUserSecret.SecretArn'] }), account: a };
      }
      case 'applicationRole':
        return this.roleAsResource('data', 'ApplicationRole/Resource/Resource');
      case 'flowLogRole':
        return this.roleAsResource('network', 'FlowLogRole/Resource/Resource');
      case 'monitoringRole':
        return this.roleAsResource('data', 'MonitoringRole/Resource/Resource');
      case 'validationRole':
        return this.roleAsResource('observability', 'ValidationRole/Resource/Resource');
      case 'stageStack':
        return {
          arn: `arn:${p}:cloudformation:${r}:${a}:stack/${this.sr.stacks.data.stackName}/11111111-2222-3333-4444-555555555555`,
          account: a,
        };
      case 'otherStack':
        return {
          arn: `arn:${p}:cloudformation:${r}:${a}:stack/someone-elses-stack/11111111-2222-3333-4444-555555555555`,
          account: a,
        };
      case 'alarms':
        return {
          arn: `arn:${p}:cloudwatch:${r}:${a}:alarm:${this.sr.stacks.observability.stackName}-DatabaseAlarmsCpu-ABC123`,
          account: a,
        };
      case 'pipelineTopic': {
        const stack = this.a.pipeline;
        const topic = this.logicalIdAt(stack, 'Notifications/Resource/Resource');
        return {
          arn: this.resolver.string(stack, { Ref: topic }),
          account: stack.account,
          policy: this.topicPolicy(stack, 'Notifications/Resource/Policy/Resource'),
        };
      }
      case 'reviewObject': {
        const stack = this.a.pipeline;
        const bucket = this.logicalIdAt(stack, 'Artifacts/Resource/Resource');
        const arn = this.resolver.string(stack, { 'Fn::GetAtt': [bucket, 'Arn'] });
        return {
          arn: `${arn}/reviews/0123456789abcdef0123456789abcdef01234567/review.md`,
          account: stack.account,
          policy: this.policyOf(stack, this.logicalIdAt(stack, 'Artifacts/Resource/Policy/Resource'), 'PolicyDocument'),
        };
      }
      case 'pipelineKey': {
        const stack = this.a.pipeline;
        const key = this.logicalIdAt(stack, 'PipelineKey/Resource');
        return {
          arn: this.resolver.string(stack, { 'Fn::GetAtt': [key, 'Arn'] }),
          account: stack.account,
          policy: this.policyOf(stack, key, 'KeyPolicy'),
        };
      }
    }
  }

  /** A role of the pipeline stack (tooling account), with its identity policies. */
  private pipelineRole(path: string): ModelPrincipal {
    return this.roleIn(this.a.pipeline, this.logicalIdAt(this.a.pipeline, path));
  }

  /** The role `logicalId` of `stack` as a principal: its resolved ARN, account and identity policies. */
  private roleIn(stack: StackLike, logicalId: string): ModelPrincipal {
    return {
      id: this.resolver.string(stack, { 'Fn::GetAtt': [logicalId, 'Arn'] }),
      kind: 'role',
      account: stack.account,
      identityPolicies: this.identityPolicies(stack, logicalId),
    };
  }

  /** A stack of the stage-region; `recovery` fails when the config names no recovery region. */
  private stackOf(tier: Tier | 'recovery'): StackView {
    if (tier !== 'recovery') {
      return this.sr.stacks[tier];
    }
    if (!this.sr.recovery) {
      throw new Error(`${this.sr.id} has no Recovery stack (no recoveryRegion): the row does not apply here`);
    }
    return this.sr.recovery;
  }

  private key(path: string, tier: Tier | 'recovery' = 'security'): ModelResource {
    const stack = this.stackOf(tier);
    const logicalId = this.logicalIdAt(stack, path.replace(/^Security\//, ''));
    return {
      arn: this.resolver.string(stack, { 'Fn::GetAtt': [logicalId, 'Arn'] }),
      account: this.account,
      policy: this.policyOf(stack, logicalId, 'KeyPolicy'),
    };
  }

  private roleAsResource(tier: Tier | 'recovery', path: string): ModelResource {
    const stack = this.stackOf(tier);
    const logicalId = this.logicalIdAt(stack, path);
    return {
      arn: this.resolver.string(stack, { 'Fn::GetAtt': [logicalId, 'Arn'] }),
      account: stack.account,
      policy: this.policyOf(stack, logicalId, 'AssumeRolePolicyDocument'),
    };
  }

  private bucketPolicy(tier: Tier | 'recovery', path: string): NamedPolicy {
    const stack = this.stackOf(tier);
    return this.policyOf(stack, this.logicalIdAt(stack, path), 'PolicyDocument');
  }

  private topicPolicy(stack: StackLike, path: string): NamedPolicy {
    return this.policyOf(stack, this.logicalIdAt(stack, path), 'PolicyDocument');
  }

  /** The policy document in `property` of a resource, resolved, named after where it is. */
  private policyOf(stack: StackLike, logicalId: string, property: string): NamedPolicy {
    return {
      name: `${stack.path} ${logicalId} ${property}`,
      document: this.resolver.resolve(
        stack,
        stack.template.Resources[logicalId].Properties?.[property],
      ) as PolicyDocument,
    };
  }

  private arnAt(tier: Tier | 'recovery', path: string): string {
    const stack = this.stackOf(tier);
    return this.resolver.string(stack, { 'Fn::GetAtt': [this.logicalIdAt(stack, path), 'Arn'] });
  }

  /** A log group's ARN as CloudWatch Logs names it in an encryption context (no `:*`). */
  private logGroupArn(tier: 'Network' | 'Data', path: string): string {
    const stack = this.sr.stacks[tier === 'Network' ? 'network' : 'data'];
    const name = this.resolver.string(stack, { Ref: this.logicalIdAt(stack, path) });
    return `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:${name}`;
  }

  private dbUserArn(user: string): string {
    const stack = this.sr.stacks.data;
    const db = this.logicalIdAt(stack, 'Database/Resource/Resource');
    const resourceId = this.resolver.string(stack, { 'Fn::GetAtt': [db, 'DbiResourceId'] });
    return `arn:${this.partition}:rds-db:${this.region}:${this.account}:dbuser:${resourceId}/${user}`;
  }

  /**
   * Every identity policy attached to the role: its inline policies, the AWS::IAM::Policy and
   * AWS::IAM::ManagedPolicy resources of its stack that list it, and the AWS managed policies it names.
   */
  private identityPolicies(stack: StackLike, roleId: string): NamedPolicy[] {
    const policies: NamedPolicy[] = [];
    const role = stack.template.Resources[roleId];
    for (const [i, inline] of (
      (role.Properties?.Policies as Array<{ PolicyName: unknown; PolicyDocument: unknown }>) ?? []
    ).entries()) {
      policies.push({
        name: `${stack.path} ${roleId} Policies[${i}]`,
        document: this.resolver.resolve(stack, inline.PolicyDocument) as PolicyDocument,
      });
    }
    for (const arn of (role.Properties?.ManagedPolicyArns as unknown[]) ?? []) {
      const ref = (arn as { Ref?: string }).Ref;
      if (ref) {
        // A managed policy of this stack, attached from the role's side (it may also list the role below).
        const managed = stack.template.Resources[ref];
        if (!((managed.Properties?.Roles as unknown[]) ?? []).some((x) => (x as { Ref?: string }).Ref === roleId)) {
          policies.push({
            name: `${stack.path} ${ref}`,
            document: this.resolver.resolve(stack, managed.Properties?.PolicyDocument) as PolicyDocument,
          });
        }
        continue;
      }
      const name = this.resolver.string(stack, arn);
      if (name.endsWith(':policy/AdministratorAccess')) {
        policies.push(ADMINISTRATOR_ACCESS);
      } else {
        throw new Error(`${stack.path} ${roleId}: the access model does not know the managed policy ${name}`);
      }
    }
    for (const [id, r] of Object.entries(stack.template.Resources)) {
      if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') {
        continue;
      }
      const roles = ((r.Properties?.Roles as unknown[]) ?? []).map((x) => (x as { Ref?: string }).Ref);
      if (roles.includes(roleId)) {
        policies.push({
          name: `${stack.path} ${id}`,
          document: this.resolver.resolve(stack, r.Properties?.PolicyDocument) as PolicyDocument,
        });
      }
    }
    return policies;
  }

  /** The logical id of the resource at `<stack path>/<path>`; throws naming both when there is none. */
  public logicalIdAt(stack: StackLike, path: string): string {
    const full = `/${stack.path}/${path}`;
    const entry = stack.artifact
      .findMetadataByType(cxschema.ArtifactMetadataEntryType.LOGICAL_ID)
      .find((m) => m.path === full);
    if (!entry) {
      throw new Error(`${stack.path}: no resource at construct path ${full}`);
    }
    return String(entry.data);
  }
}

type Tier = keyof StageRegionView['stacks'];
