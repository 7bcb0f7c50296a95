import { App, Stack, Stage, aws_iam as iam, aws_kms as kms, aws_rds as rds, aws_s3 as s3 } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ApplicationRole, EncryptionKey } from '../src';

const env = { account: '123456789012', region: 'eu-west-1' };

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };

function actionsOf(statement: Statement): string[] {
  return ([] as string[]).concat(statement.Action);
}

// GIVEN the app's layout: the data key in the Security stack, the bucket and the role in the Data stack
const app = new App();
const stage = new Stage(app, 'Dev', { env });
const security = new Stack(stage, 'Security');
const data = new Stack(stage, 'Data');
const dataKey = new EncryptionKey(security, 'DataKey', {
  aliasName: 'baseline/dev/data',
  description: 'data',
  viaServices: ['s3', 'rds', 'secretsmanager'],
});
const bucket = new s3.Bucket(data, 'Bucket', { encryptionKey: dataKey.key });
// WHEN
const appRole = new ApplicationRole(data, 'AppRole', {
  assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
  bucket,
  encryptionKey: dataKey.key,
  description: 'Application of dev',
});
const template = Template.fromStack(data);
const securityTemplate = Template.fromStack(security);

const bucketLogicalId = data.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketLogicalId, 'Arn'] }, '/*']] };
const keyArn = { 'Fn::ImportValue': expect.stringMatching(/^Dev-Security:ExportsOutputFnGetAttDataKey/) };

function policyStatements(): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}
const statements = policyStatements();

// THEN
describe('ApplicationRole', () => {
  test('trusts only the principal given in props', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' } }],
      },
      Description: 'Application of dev',
    });
  });

  test('exposes the role and its ARN', () => {
    expect(appRole.role.node.path).toBe('Dev/Data/AppRole/Resource');
    expect(data.resolve(appRole.roleArn)).toEqual({
      'Fn::GetAtt': [data.getLogicalId(appRole.role.node.defaultChild as iam.CfnRole), 'Arn'],
    });
  });

  test('attaches its permissions as one customer managed policy, not inline', () => {
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: data.getLogicalId(appRole.role.node.defaultChild as iam.CfnRole) }],
    });
    template.hasResourceProperties('AWS::IAM::Role', { Policies: Match.absent() });
  });

  test('grants exactly object read, object write (multipart abort included) and key use through S3', () => {
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:PutObject',
    ]);
  });

  test('reads objects and versions of the bucket without any condition', () => {
    // A condition on s3:x-amz-server-side-encryption here would deny every read: GET requests carry no such header.
    expect(statements.find((s) => s.Sid === 'ReadObjects')).toEqual({
      Sid: 'ReadObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: objects,
    });
  });

  test('writes objects with SSE-KMS under the data key or with no SSE header (multipart parts, default encryption)', () => {
    // ...IfExists: a request that names an encryption must name aws:kms with the data key; a request
    // without the headers (each part of a multipart upload) is allowed and encrypted by the bucket default.
    expect(statements.find((s) => s.Sid === 'WriteObjectsWithDataKey')).toEqual({
      Sid: 'WriteObjectsWithDataKey',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: objects,
      Condition: {
        StringEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' },
        ArnEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn },
      },
    });
  });

  test('puts the encryption condition on writes only', () => {
    const withSseCondition = statements.filter((s) => JSON.stringify(s.Condition ?? {}).includes('s3:x-amz-server'));
    expect(withSseCondition.map((s) => s.Action)).toEqual([['s3:PutObject', 's3:AbortMultipartUpload']]);
    const reads = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:Get')));
    expect(reads).toHaveLength(1);
    expect(reads[0].Condition).toBeUndefined();
  });

  test('never grants delete, an s3 wildcard action or a * resource', () => {
    for (const s of statements) {
      for (const action of actionsOf(s)) {
        expect(action).not.toMatch(/^s3:Delete/);
        expect(action).not.toMatch(/^(\*|s3:\*|kms:\*)$/);
      }
      expect(([] as unknown[]).concat(s.Resource)).not.toContain('*');
    }
  });

  test('uses the data key only through S3 in the same region', () => {
    expect(statements.find((s) => s.Sid === 'UseDataKeyThroughS3')).toEqual({
      Sid: 'UseDataKeyThroughS3',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: keyArn,
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
  });
});

describe('ApplicationRole across stacks', () => {
  test('makes Data depend on Security and not the reverse, without a cycle', () => {
    expect(() => app.synth()).not.toThrow();
    expect(data.dependencies).toEqual([security]);
    expect(security.dependencies).toEqual([]);
  });

  test('adds no statement about the role or the bucket to the key policy', () => {
    const keys = Object.values(securityTemplate.findResources('AWS::KMS::Key'));
    const keyStatements: Statement[] = keys[0].Properties.KeyPolicy.Statement;
    expect(keyStatements.map((s) => s.Sid)).toEqual([
      'AccountRootAdministration',
      'DenyGrantsExceptForAwsResources',
      'AllowUseThroughServicesOfThisAccount',
      'AllowGrantsForAwsResourcesThroughServices',
    ]);
    expect(JSON.stringify(securityTemplate.toJSON())).not.toMatch(/Fn::ImportValue|AppRole|Bucket/);
  });
});

describe('ApplicationRole validation', () => {
  function newRole(assumedBy: iam.IPrincipal): () => ApplicationRole {
    return () => {
      const stack = new Stack(new Stage(new App(), 'Dev', { env }), 'Data');
      const b = new s3.Bucket(stack, 'Bucket');
      const k = new EncryptionKey(stack, 'Key', { aliasName: 'baseline/dev/data', description: 'data' });
      return new ApplicationRole(stack, 'AppRole', { assumedBy, bucket: b, encryptionKey: k.key });
    };
  }

  test('fails when assumedBy is AnyPrincipal', () => {
    expect(newRole(new iam.AnyPrincipal())).toThrow(
      /Dev\/Data\/AppRole: assumedBy .*\{"AWS":\["\*"\]\}.* is a wildcard principal/,
    );
  });

  test('fails when assumedBy is StarPrincipal', () => {
    expect(newRole(new iam.StarPrincipal())).toThrow(/Dev\/Data\/AppRole: assumedBy .* is a wildcard principal/);
  });

  test('fails when assumedBy is an ARN principal of *', () => {
    expect(newRole(new iam.ArnPrincipal('*'))).toThrow(/assumedBy .* is a wildcard principal/);
  });

  test('fails when a wildcard principal is wrapped in conditions', () => {
    const wrapped = new iam.AnyPrincipal().withConditions({ StringEquals: { 'aws:PrincipalAccount': '123456789012' } });
    expect(newRole(wrapped)).toThrow(/assumedBy .* is a wildcard principal/);
  });

  test('fails when a wildcard principal is part of a composite principal', () => {
    const composite = new iam.CompositePrincipal(
      new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      new iam.AnyPrincipal(),
    );
    expect(newRole(composite)).toThrow(/assumedBy .* is a wildcard principal/);
  });

  test('accepts the account root principal, which is not a wildcard', () => {
    expect(newRole(new iam.AccountRootPrincipal())).not.toThrow();
  });
});

describe('ApplicationRole.allowDatabaseConnect', () => {
  test('lets the role connect to the one database as the one user, with IAM authentication', () => {
    // GIVEN the role and a database instance in the same stack
    const stack = new Stack(new App(), 'Data', { env });
    const role = new ApplicationRole(stack, 'AppRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'data'),
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/k'),
    });
    const instance = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Db', {
      instanceIdentifier: 'dev-mysql',
      instanceEndpointAddress: 'dev-mysql.example',
      instanceResourceId: 'db-ABCDEFGHIJKLMNOP',
      port: 3307,
      securityGroups: [],
    });
    // WHEN
    role.allowDatabaseConnect(instance, 'app');
    // THEN
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(
      (policy.Properties.PolicyDocument.Statement as Statement[]).find(
        (s) => s.Sid === 'ConnectToDatabaseAsApplicationUser',
      ),
    ).toEqual({
      Sid: 'ConnectToDatabaseAsApplicationUser',
      Effect: 'Allow',
      Action: 'rds-db:connect',
      Resource: {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':rds-db:eu-west-1:123456789012:dbuser:db-ABCDEFGHIJKLMNOP/app'],
        ],
      },
    });
  });

  test('fails when the user name is not a MySQL user name', () => {
    const stack = new Stack(new App(), 'Data', { env });
    const role = new ApplicationRole(stack, 'AppRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'data'),
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/k'),
    });
    const instance = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Db', {
      instanceIdentifier: 'dev-mysql',
      instanceEndpointAddress: 'dev-mysql.example',
      instanceResourceId: 'db-ABCDEFGHIJKLMNOP',
      port: 3307,
      securityGroups: [],
    });
    expect(() => role.allowDatabaseConnect(instance, 'app-user')).toThrow(
      /Data\/AppRole: userName 'app-user' is not allowed; it must be 1 to 32 letters, digits or '_'/,
    );
  });
});
