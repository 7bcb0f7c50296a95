/**
 * Template values as the deployed strings, for the access matrix: the one module that turns `Ref`,
 * `Fn::GetAtt`, `Fn::ImportValue` (across the stacks of the assembly), `Fn::Join`, `Fn::Sub` and the
 * pseudo parameters into concrete ARNs and names.
 *
 * A physical name the template does not set (CloudFormation generates it) is replaced by a stable
 * stand-in derived from the logical id, the same wherever the resource is referenced, so that a
 * bucket policy naming a role and the role itself agree exactly as they will in AWS.
 */
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Template } from '../assembly';
import { pseudoParameter, StackLike } from '../template-helpers';

/** A resource of a template, and the stack it lives in. */
export interface Located {
  readonly stack: StackLike;
  readonly logicalId: string;
  readonly resource: Template['Resources'][string];
}

/** Resolves values of the templates of `stacks` (a whole assembly: exports are looked up in it). */
export class Resolver {
  constructor(private readonly stacks: StackLike[]) {}

  /** The partition of a region (`aws`, `aws-cn`, `aws-us-gov`). */
  public static partitionOf(region: string): string {
    return RegionInfo.get(region).partition ?? 'aws';
  }

  /** `value` (a template fragment of `stack`) with every intrinsic replaced by its deployed string. */
  public resolve(stack: StackLike, value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((v) => this.resolve(stack, v));
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(stack, keys[0], o[keys[0]]);
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(stack, o[k])]));
  }

  /** `value` resolved to a string; throws naming the stack when it is not one. */
  public string(stack: StackLike, value: unknown): string {
    const resolved = this.resolve(stack, value);
    if (typeof resolved !== 'string') {
      throw new Error(
        `${stack.path}: ${JSON.stringify(value)} does not resolve to a string (${JSON.stringify(resolved)})`,
      );
    }
    return resolved;
  }

  private intrinsic(stack: StackLike, fn: string, arg: unknown): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(stack, String(arg));
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.*)/);
        return this.attribute(stack, id, attribute);
      }
      case 'Fn::Join': {
        const [delimiter, items] = arg as [string, unknown[]];
        return (items as unknown[]).map((i) => this.string(stack, i)).join(delimiter);
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
        return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
          if (name in vars) {
            return this.string(stack, vars[name]);
          }
          const [id, attribute] = name.split(/\.(.*)/);
          return attribute ? String(this.attribute(stack, id, attribute)) : String(this.ref(stack, id));
        });
      }
      case 'Fn::ImportValue':
        return this.importValue(stack, this.string(stack, arg));
      case 'Fn::GetStackOutput': {
        // A weak reference: the output of a named stack of the same account, in the region named.
        const { StackName, OutputName, Region } = arg as { StackName: string; OutputName: string; Region?: string };
        const region = Region ?? stack.region;
        const producer = this.stacks.find(
          (s) => s.account === stack.account && s.region === region && s.artifact.stackName === StackName,
        );
        const output = producer?.template.Outputs?.[OutputName];
        if (!producer || !output) {
          throw new Error(`${stack.path}: no stack ${StackName} in ${stack.account}/${region} outputs '${OutputName}'`);
        }
        return this.resolve(producer, output.Value);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number, unknown];
        return (this.resolve(stack, list) as unknown[])[Number(index)];
      }
      default:
        throw new Error(`${stack.path}: ${fn} is not resolved by the access model`);
    }
  }

  private ref(stack: StackLike, name: string): string {
    const pseudo = pseudoParameter(stack, name);
    if (pseudo !== undefined) {
      return pseudo;
    }
    const r = this.located(stack, name).resource;
    const partition = Resolver.partitionOf(stack.region);
    const props = r.Properties ?? {};
    const named = (property: string) =>
      props[property] !== undefined ? this.string(stack, props[property]) : standIn(name);
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return named('BucketName');
      case 'AWS::IAM::Role':
        return named('RoleName');
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${partition}:iam::${stack.account}:policy/${named('ManagedPolicyName')}`;
      case 'AWS::KMS::Key':
        return keyId(name);
      case 'AWS::SNS::Topic':
        return `arn:${partition}:sns:${stack.region}:${stack.account}:${named('TopicName')}`;
      case 'AWS::Logs::LogGroup':
        return named('LogGroupName');
      case 'AWS::RDS::DBInstance':
        return named('DBInstanceIdentifier');
      case 'AWS::Backup::BackupVault':
        return named('BackupVaultName');
      default:
        return standIn(name);
    }
  }

  private attribute(stack: StackLike, id: string, attribute: string): string {
    const r = this.located(stack, id).resource;
    const partition = Resolver.partitionOf(stack.region);
    const name = this.ref(stack, id);
    switch (`${r.Type}.${attribute}`) {
      case 'AWS::S3::Bucket.Arn':
        return `arn:${partition}:s3:::${name}`;
      case 'AWS::IAM::Role.Arn':
        return `arn:${partition}:iam::${stack.account}:role/${name}`;
      case 'AWS::KMS::Key.Arn':
        return `arn:${partition}:kms:${stack.region}:${stack.account}:key/${name}`;
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:${partition}:logs:${stack.region}:${stack.account}:log-group:${name}:*`;
      case 'AWS::SNS::Topic.TopicArn':
        return name;
      case 'AWS::Backup::BackupVault.BackupVaultArn':
        return `arn:${partition}:backup:${stack.region}:${stack.account}:backup-vault:${name}`;
      case 'AWS::Events::Rule.Arn':
        return `arn:${partition}:events:${stack.region}:${stack.account}:rule/${name}`;
      case 'AWS::RDS::DBInstance.DbiResourceId':
        return `db-${id
          .toUpperCase()
          .replace(/[^A-Z0-9]/g, '')
          .slice(0, 26)}`;
      case 'AWS::RDS::DBInstance.Endpoint.Address':
        return `${name}.example.${stack.region}.rds.amazonaws.com`;
      case 'AWS::RDS::DBInstance.Endpoint.Port':
        return String(r.Properties?.Port ?? '3306');
      case 'AWS::RDS::DBInstance.MasterUserSecret.SecretArn':
        return `arn:${partition}:secretsmanager:${stack.region}:${stack.account}:secret:rds!${name}-AbCdEf`;
      default:
        return `${standIn(id)}.${attribute}`;
    }
  }

  private importValue(consumer: StackLike, exportName: string): unknown {
    for (const stack of this.stacks) {
      if (stack.account !== consumer.account || stack.region !== consumer.region) {
        continue;
      }
      for (const output of Object.values(stack.template.Outputs ?? {})) {
        if (output.Export && this.resolve(stack, output.Export.Name) === exportName) {
          return this.resolve(stack, output.Value);
        }
      }
    }
    throw new Error(`${consumer.path}: no stack of ${consumer.account}/${consumer.region} exports '${exportName}'`);
  }

  /** The resource `logicalId` of `stack`; throws naming both when there is none. */
  public located(stack: StackLike, logicalId: string): Located {
    const resource = stack.template.Resources[logicalId];
    if (!resource) {
      throw new Error(`${stack.path} has no resource ${logicalId}`);
    }
    return { stack, logicalId, resource };
  }
}

/** The stand-in for a name CloudFormation generates: lower-case, from the logical id. */
function standIn(logicalId: string): string {
  return `${logicalId.toLowerCase()}-generated`;
}

/** The stand-in key id of a key (a key ARN ends in its id). */
function keyId(logicalId: string): string {
  return `key-${logicalId.toLowerCase()}`;
}
