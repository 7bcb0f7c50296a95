import { CfnElement, Duration, aws_ec2 as ec2, aws_logs as logs } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MysqlDatabase, MysqlDatabaseProps } from '../src';
import { Fixture, VPC_CIDR, fixture } from './fixtures';

function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  const element = construct.node.defaultChild as CfnElement;
  return element.stack.getLogicalId(element);
}

/** Props as the app passes them for prod: every optional prop left to its default. */
function prodProps(f: Fixture): MysqlDatabaseProps {
  return {
    vpc: f.vpc,
    subnets: { subnetGroupName: 'Database' },
    clientCidrs: f.applicationCidrs,
    encryptionKey: f.dataKey,
    monitoringRole: f.monitoringRole,
    instanceIdentifier: 'prod-mysql',
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
    allocatedStorageGiB: 100,
    port: 3307,
    logsKey: f.logsKey,
  };
}

const dataKeyImport = { 'Fn::ImportValue': Match.stringLikeRegexp('^Dev-Security:ExportsOutputFnGetAttDataKey') };
const logsKeyImport = { 'Fn::ImportValue': Match.stringLikeRegexp('^Dev-Security:ExportsOutputFnGetAttLogsKey') };

describe('MysqlDatabase with the prod defaults', () => {
  let f: Fixture;
  let db: MysqlDatabase;
  let template: Template;
  let instance: { Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string };

  beforeAll(() => {
    // GIVEN the app's stacks WHEN the database is added to the Data stack with defaults
    f = fixture();
    db = new MysqlDatabase(f.data, 'Database', prodProps(f));
    template = Template.fromStack(f.data);
    instance = Object.values(template.findResources('AWS::RDS::DBInstance'))[0] as typeof instance;
  });

  test('the main child is the DB instance', () => {
    expect(db.node.defaultChild).toBe(db.instance);
    template.resourceCountIs('AWS::RDS::DBInstance', 1);
  });

  test('RDS manages the master password, encrypted with the stage key: no password, no hand-made secret', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      ManageMasterUserPassword: true,
      MasterUserSecret: { KmsKeyId: dataKeyImport },
      MasterUserPassword: Match.absent(),
    });
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::SecretsManager::SecretTargetAttachment', 0);
    for (const stack of [f.security, f.network, f.data]) {
      // As a JSON key: "ManageMasterUserPassword" contains the bare word.
      expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/"MasterUserPassword"/);
    }
  });

  test('the secret attribute is the RDS-managed secret', () => {
    expect(f.data.resolve(db.secret.secretArn)).toEqual({
      'Fn::GetAtt': [logicalId(db.instance), 'MasterUserSecret.SecretArn'],
    });
  });

  test('seed item 10: Multi-AZ, 30-day backups, copy tags, deletion protection', () => {
    expect(instance.Properties).toMatchObject({
      MultiAZ: true,
      BackupRetentionPeriod: 30,
      CopyTagsToSnapshot: true,
      DeletionProtection: true,
      DeleteAutomatedBackups: false,
      PreferredBackupWindow: '03:00-04:00',
      PreferredMaintenanceWindow: 'sun:04:30-sun:05:30',
    });
  });

  test('MaxAllocatedStorage is twice AllocatedStorage', () => {
    expect(Number(instance.Properties.AllocatedStorage)).toBe(100);
    expect(instance.Properties.MaxAllocatedStorage).toBe(2 * Number(instance.Properties.AllocatedStorage));
  });

  test('storage is gp3, encrypted with the stage key, and snapshotted on removal', () => {
    template.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ StorageType: 'gp3', StorageEncrypted: true, KmsKeyId: dataKeyImport }),
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
  });

  test('the engine is MySQL 8.4 by its major version only, minor upgrades by RDS, never paid Extended Support', () => {
    expect(instance.Properties).toMatchObject({
      Engine: 'mysql',
      EngineVersion: '8.4',
      AutoMinorVersionUpgrade: true,
      AllowMajorVersionUpgrade: false,
      EngineLifecycleSupport: 'open-source-rds-extended-support-disabled',
    });
  });

  test('the master user is not a default name (CT.RDS.PR.22)', () => {
    expect(instance.Properties.MasterUsername).toBe('dbadmin');
  });

  test('the instance is private, on the configured port, with IAM auth and a current CA', () => {
    expect(instance.Properties).toMatchObject({
      DBInstanceIdentifier: 'prod-mysql',
      DBInstanceClass: 'db.m7g.large',
      PubliclyAccessible: false,
      Port: '3307',
      EnableIAMDatabaseAuthentication: true,
      CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    });
    expect(db.port).toBe(3307);
  });

  test('the DB subnet group holds exactly the isolated Database subnets', () => {
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: [
        { 'Fn::ImportValue': Match.stringLikeRegexp('VpcDatabaseSubnet1') },
        { 'Fn::ImportValue': Match.stringLikeRegexp('VpcDatabaseSubnet2') },
      ],
    });
    const subnetGroupId = Object.keys(template.findResources('AWS::RDS::DBSubnetGroup'))[0];
    expect(instance.Properties.DBSubnetGroupName).toEqual({ Ref: subnetGroupId });
  });

  test('the security group admits the port from each application subnet and nothing else', () => {
    expect(instance.Properties.VPCSecurityGroups).toEqual([{ 'Fn::GetAtt': [logicalId(db.securityGroup), 'GroupId'] }]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: f.applicationCidrs.map((cidr) => ({
        CidrIp: cidr,
        IpProtocol: 'tcp',
        FromPort: 3307,
        ToPort: 3307,
        Description: `MySQL from application subnet ${cidr}`,
      })),
      // The CDK's placeholder for "no egress": it matches no real packet and removes EC2's allow-all.
      SecurityGroupEgress: [
        {
          CidrIp: '255.255.255.255/32',
          Description: 'Disallow all traffic',
          IpProtocol: 'icmp',
          FromPort: 252,
          ToPort: 86,
        },
      ],
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });

  test('seed item 4: no ingress rule anywhere opens 10.0.0.0/8, 0.0.0.0/0 or the VPC range', () => {
    const json = JSON.stringify(template.toJSON());
    const ingress = [
      ...Object.values(template.findResources('AWS::EC2::SecurityGroup')).flatMap(
        (sg) => (sg.Properties.SecurityGroupIngress ?? []) as Array<{ CidrIp?: string }>,
      ),
      ...Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map(
        (r) => r.Properties as { CidrIp?: string },
      ),
    ];
    expect(ingress.length).toBe(f.applicationCidrs.length);
    for (const rule of ingress) {
      expect(['10.0.0.0/8', '0.0.0.0/0', VPC_CIDR]).not.toContain(rule.CidrIp);
      expect(f.applicationCidrs).toContain(rule.CidrIp);
    }
    expect(json).not.toContain('10.0.0.0/8');
    expect(json).not.toContain(VPC_CIDR);
  });

  test('the parameter group matches the engine and requires TLS', () => {
    expect(instance.Properties.DBParameterGroupName).toEqual({ Ref: expect.any(String) });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'mysql8.4',
      Parameters: { require_secure_transport: '1', slow_query_log: '1', log_output: 'FILE', long_query_time: '2' },
    });
  });

  test('the option group turns on the audit plugin for connections, DDL and DCL', () => {
    template.hasResourceProperties('AWS::RDS::OptionGroup', {
      EngineName: 'mysql',
      MajorEngineVersion: '8.4',
      OptionConfigurations: [
        {
          OptionName: 'MARIADB_AUDIT_PLUGIN',
          OptionSettings: [{ Name: 'SERVER_AUDIT_EVENTS', Value: 'CONNECT,QUERY_DDL,QUERY_DCL' }],
        },
      ],
    });
    expect(instance.Properties.OptionGroupName).toEqual({ Ref: expect.any(String) });
  });

  test('audit, error and slow query logs go to pre-created, encrypted log groups the instance waits for, retained except when their creation fails', () => {
    expect(instance.Properties.EnableCloudwatchLogsExports).toEqual(['audit', 'error', 'slowquery']);
    expect(Object.keys(db.logGroups).sort()).toEqual(['audit', 'error', 'slowquery']);
    for (const logType of ['audit', 'error', 'slowquery']) {
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: {
          LogGroupName: `/aws/rds/instance/prod-mysql/${logType}`,
          RetentionInDays: 365,
          KmsKeyId: logsKeyImport,
        },
        // Named groups: plain Retain would keep a group of a failed first create, and the retry would
        // fail with "already exists".
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
      });
      expect(instance.DependsOn).toContain(logicalId(db.logGroups[logType] as logs.LogGroup));
    }
    // No Lambda-backed log retention (what `cloudwatchLogsRetention` would add).
    template.resourceCountIs('Custom::LogRetention', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('enhanced monitoring every 60 s with the given role, which gets only the RDSOSMetrics permissions', () => {
    expect(instance.Properties).toMatchObject({
      MonitoringInterval: 60,
      MonitoringRoleArn: { 'Fn::GetAtt': [logicalId(f.monitoringRole), 'Arn'] },
    });
    const group = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:RDSOSMetrics']],
    };
    const streams = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:RDSOSMetrics:log-stream:*'],
      ],
    };
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: logicalId(f.monitoringRole) }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'CreateRdsOsMetricsLogGroup',
            Effect: 'Allow',
            Action: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy'],
            // Both ARN forms CloudWatch Logs evaluates for a group: with and without ':*'.
            Resource: [
              group,
              {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:RDSOSMetrics:*'],
                ],
              },
            ],
          },
          {
            Sid: 'WriteRdsOsMetricsLogStreams',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:GetLogEvents'],
            Resource: streams,
          },
        ],
      },
    });
    // The AWS managed AmazonRDSEnhancedMonitoringRole (every RDS* group) is not attached.
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    // The permissions exist before the instance starts publishing.
    const policyId = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(instance.DependsOn).toContain(policyId);
  });

  test('Performance Insights is on for m7g.large, encrypted with the stage key', () => {
    expect(db.performanceInsightsEnabled).toBe(true);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: dataKeyImport,
      PerformanceInsightsRetentionPeriod: 7,
    });
  });

  test('the Data stack depends on Security and Network, which depend on nothing: no cycle', () => {
    expect(f.data.dependencies).toEqual(expect.arrayContaining([f.security, f.network]));
    expect(f.security.dependencies).toEqual([]);
    expect(f.network.dependencies).toEqual([]);
  });
});

describe('MysqlDatabase relaxed for dev on a small burstable class', () => {
  let template: Template;
  let db: MysqlDatabase;

  beforeAll(() => {
    // GIVEN the relaxations the dev config may choose
    const f = fixture();
    db = new MysqlDatabase(f.data, 'Database', {
      ...prodProps(f),
      instanceIdentifier: 'dev-mysql',
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 30,
      multiAz: false,
      backupRetention: Duration.days(7),
      deletionProtection: false,
      preferredBackupWindow: '22:00-22:30',
      preferredMaintenanceWindow: 'sat:23:00-sun:00:00',
      logRetention: logs.RetentionDays.ONE_MONTH,
      databaseName: 'app_db',
    });
    template = Template.fromStack(f.data);
  });

  test('renders the relaxed values', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      MultiAZ: false,
      BackupRetentionPeriod: 7,
      DeletionProtection: false,
      AllocatedStorage: '20',
      MaxAllocatedStorage: 30,
      PreferredBackupWindow: '22:00-22:30',
      PreferredMaintenanceWindow: 'sat:23:00-sun:00:00',
      DBName: 'app_db',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('Performance Insights is off where RDS for MySQL does not support it', () => {
    expect(db.performanceInsightsEnabled).toBe(false);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      EnablePerformanceInsights: false,
      PerformanceInsightsKMSKeyId: Match.absent(),
      PerformanceInsightsRetentionPeriod: Match.absent(),
    });
  });

  test('the master password stays RDS-managed', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      ManageMasterUserPassword: true,
      MasterUserPassword: Match.absent(),
    });
  });
});

describe('MysqlDatabase props validation', () => {
  const build = (override: Partial<MysqlDatabaseProps>) => {
    const f = fixture();
    return () => new MysqlDatabase(f.data, 'Database', { ...prodProps(f), ...override });
  };

  test('fails when maxAllocatedStorageGiB is below allocatedStorageGiB', () => {
    expect(build({ allocatedStorageGiB: 100, maxAllocatedStorageGiB: 50 })).toThrow(
      /Dev\/Data\/Database: maxAllocatedStorageGiB 50 is not allowed with 100 GiB allocated; RDS requires a ceiling of at least 10% above the allocated storage \(110 or more\)/,
    );
  });

  test('fails when maxAllocatedStorageGiB is less than 10% above allocatedStorageGiB', () => {
    expect(build({ allocatedStorageGiB: 100, maxAllocatedStorageGiB: 105 })).toThrow(
      /maxAllocatedStorageGiB 105 .*\(110 or more\)/,
    );
  });

  test('fails when allocatedStorageGiB is below the gp3 minimum', () => {
    expect(build({ allocatedStorageGiB: 10 })).toThrow(
      /Dev\/Data\/Database: allocatedStorageGiB 10 is not allowed; gp3 storage for MySQL must be an integer from 20 to 65536 GiB/,
    );
  });

  test('fails when backupRetention is zero days', () => {
    expect(build({ backupRetention: Duration.days(0) })).toThrow(
      /Dev\/Data\/Database: backupRetention '0 days' is not allowed; it must be a whole number of days from 1 to 35/,
    );
  });

  test('fails when backupRetention is above 35 days', () => {
    expect(build({ backupRetention: Duration.days(36) })).toThrow(
      /backupRetention '36 days' is not allowed; .*from 1 to 35/,
    );
  });

  test('fails when a client CIDR is 10.0.0.0/8', () => {
    expect(build({ clientCidrs: ['10.0.0.0/8'] })).toThrow(
      /Dev\/Data\/Database: clientCidrs entry '10\.0\.0\.0\/8' is broader than \/16/,
    );
  });

  test('fails when a client CIDR is 0.0.0.0/0', () => {
    expect(build({ clientCidrs: ['10.20.0.0/20', '0.0.0.0/0'] })).toThrow(
      /clientCidrs entry '0\.0\.0\.0\/0' is broader than \/16/,
    );
  });

  test('fails when a client CIDR is the VPC range', () => {
    expect(build({ clientCidrs: [VPC_CIDR] })).toThrow(
      /Dev\/Data\/Database: clientCidrs entry '10\.20\.0\.0\/16' covers the whole VPC range 10\.20\.0\.0\/16/,
    );
  });

  test('fails when a client CIDR is not a network address', () => {
    expect(build({ clientCidrs: ['10.20.1.5/20'] })).toThrow(
      /clientCidrs entry '10\.20\.1\.5\/20' has host bits set; the network is 10\.20\.0\.0\/20/,
    );
  });

  test('fails when clientCidrs is empty', () => {
    expect(build({ clientCidrs: [] })).toThrow(/Dev\/Data\/Database: clientCidrs is empty/);
  });

  test.each(['Prod-MySQL', '1db', 'db-', 'db--one', 'db_one', 'a'.repeat(64)])(
    'fails when instanceIdentifier is %s',
    (identifier) => {
      expect(build({ instanceIdentifier: identifier })).toThrow(
        new RegExp(
          `Dev/Data/Database: instanceIdentifier '${identifier}' is not allowed; it must be 1 to 63 lower-case`,
        ),
      );
    },
  );

  test.each([3306, 1149, 65536, 3307.5])('fails when port is %s', (port) => {
    expect(build({ port })).toThrow(
      new RegExp(
        `Dev/Data/Database: port ${port} is not allowed; it must be an integer from 1150 to 65535 .* other than the default 3306`,
      ),
    );
  });

  test('fails when the maintenance window overlaps the daily backup window', () => {
    expect(build({ preferredBackupWindow: '03:00-04:00', preferredMaintenanceWindow: 'wed:03:30-wed:04:30' })).toThrow(
      /Dev\/Data\/Database: preferredMaintenanceWindow 'wed:03:30-wed:04:30' overlaps the backup window '03:00-04:00'/,
    );
  });

  test('fails when the backup window is malformed', () => {
    expect(build({ preferredBackupWindow: '3:00-4:00' })).toThrow(
      /preferredBackupWindow '3:00-4:00' is not in the format 'hh24:mi-hh24:mi'/,
    );
  });

  test('fails when the maintenance window is shorter than 30 minutes', () => {
    expect(build({ preferredMaintenanceWindow: 'sun:06:00-sun:06:15' })).toThrow(
      /preferredMaintenanceWindow 'sun:06:00-sun:06:15' lasts 15 minutes; RDS requires at least 30/,
    );
  });

  test('fails when databaseName breaks the MySQL rules', () => {
    expect(build({ databaseName: 'app-db' })).toThrow(/Dev\/Data\/Database: databaseName 'app-db' is not allowed/);
  });

  test('fails when engineMajorVersion is not a major RDS supports', () => {
    expect(build({ engineMajorVersion: '5.7' })).toThrow(
      /Dev\/Data\/Database: engineMajorVersion '5\.7' is not allowed; it must be one of 8\.0, 8\.4/,
    );
  });

  test('fails when engineMajorVersion is past its end of standard support (8.0: 2026-07-31)', () => {
    expect(build({ engineMajorVersion: '8.0' })).toThrow(
      /Dev\/Data\/Database: engineMajorVersion '8\.0' is past its RDS end of standard support \(2026-07-31\)/,
    );
  });

  test('fails when logRetention is INFINITE (log groups need a retention period)', () => {
    expect(build({ logRetention: logs.RetentionDays.INFINITE })).toThrow(
      /Dev\/Data\/Database: logRetention 9999 is not a CloudWatch Logs retention period/,
    );
  });

  test.each(['admin', 'postgres', 'Admin', '1dba', 'db-admin'])('fails when masterUsername is %s', (name) => {
    expect(build({ masterUsername: name })).toThrow(
      new RegExp(`Dev/Data/Database: masterUsername '${name}' is not allowed`),
    );
  });
});
