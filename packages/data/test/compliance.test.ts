/**
 * The package's constructs composed as the app composes them, inside a Stage, under every check the
 * platform runs: cdk-nag AwsSolutions and NIST 800-53 rev 5, and the CDK's CloudFormation validation.
 */
import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import {
  Acknowledgement,
  ValidationResult,
  checkedApp,
  describeFindings,
  validate,
} from '../../../tools/testing/compliance';
import { DataBucket, MysqlDatabase } from '../src';
import { Fixture, fixture } from './fixtures';

/** The database as the app's Data stack builds it, in the fixture's Data stack. */
function addDatabase(f: Fixture): MysqlDatabase {
  return new MysqlDatabase(f.data, 'Database', {
    vpc: f.vpc,
    subnets: { subnetGroupName: 'Database' },
    clientCidrs: f.applicationCidrs,
    encryptionKey: f.dataKey,
    monitoringRole: f.monitoringRole,
    instanceIdentifier: 'dev-mysql',
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
    allocatedStorageGiB: 100,
    port: 3307,
    logsKey: f.logsKey,
  });
}

describe('compliance of the Data stack', () => {
  let result: ValidationResult;

  beforeAll(() => {
    // GIVEN the app's stacks in a Stage, with the rule packs registered on the App
    const app = checkedApp();
    const f = fixture(app);
    new DataBucket(f.data, 'DataBucket', { encryptionKey: f.dataKey });
    addDatabase(f);
    // WHEN synthesized with the checks
    result = validate(app);
  });

  test('no unacknowledged finding from any plugin', () => {
    expect(describeFindings(result.findings)).toEqual([]);
  });

  test('the Data stack carries exactly the deliberate acknowledgements, placed on the narrowest construct', () => {
    // Acknowledgements inside Dev/Data also prove the packs reached resources inside the Stage.
    const inData = (a: Acknowledgement) => a.at.startsWith('Dev/Data/');
    expect(
      result.acknowledged
        .filter(inData)
        .map((a) => `${a.id} @ ${a.at}`)
        .sort(),
    ).toEqual(
      [
        'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:RDSOSMetrics:log-stream:*] @ Dev/Data/Database/MonitoringPolicy',
        'NIST.800.53.R5::NIST.800.53.R5-RDSInBackupPlan @ Dev/Data/Database/Resource/Resource',
        'NIST.800.53.R5::NIST.800.53.R5-RDSLoggingEnabled[LogExport::general] @ Dev/Data/Database/Resource/Resource',
        'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled @ Dev/Data/DataBucket/AccessLogs/Resource',
        'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled @ Dev/Data/DataBucket/Resource/Resource',
        'NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS @ Dev/Data/DataBucket/AccessLogs/Resource',
      ].sort(),
    );
  });

  test('every acknowledgement has a reason and a plugin prefix', () => {
    for (const a of result.acknowledged) {
      expect(a.id).toMatch(/^(AwsSolutions|NIST\.800\.53\.R5|CloudFormation-Validate)::/);
      expect(a.reason.length).toBeGreaterThan(40);
    }
  });

  test('outside the Data stack only the test stand-ins and the CDK itself acknowledge anything', () => {
    const outside = result.acknowledged.filter((a) => !a.at.startsWith('Dev/Data/'));
    for (const a of outside) {
      expect(a.at).toMatch(/^Dev\/Network(\/Vpc\/Resource)?$/);
    }
  });
});

describe('the enhanced monitoring acknowledgement under the app feature flags', () => {
  test('matches the finding when partition literals are on (the ARN then reads arn:aws:...)', () => {
    // GIVEN the flag `cdk init` turns on: ARNs of stacks in a known region get a literal partition
    const app = checkedApp({ context: { '@aws-cdk/core:enablePartitionLiterals': true } });
    const f = fixture(app);
    addDatabase(f);
    // WHEN
    const result = validate(app);
    // THEN the acknowledgement names the literal partition, and nothing is left unacknowledged
    expect(describeFindings(result.findings)).toEqual([]);
    expect(result.acknowledged.map((a) => a.id)).toContain(
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:logs:eu-west-1:123456789012:log-group:RDSOSMetrics:log-stream:*]',
    );
  });
});
