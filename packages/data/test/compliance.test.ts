/**
 * The package's constructs composed as the app composes them, inside a Stage, under every check the
 * platform runs: cdk-nag AwsSolutions and NIST 800-53 rev 5, and the CDK's CloudFormation validation.
 */
import { CfnResource } from 'aws-cdk-lib';
import {
  Acknowledgement,
  ValidationResult,
  checkedApp,
  describeFindings,
  validate,
} from '../../../tools/testing/compliance';
import { DataBucket } from '../src';
import { addDatabase, fixture } from './fixtures';

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
    const inData = (a: Acknowledgement) => a.at === 'Dev/Data' || a.at.startsWith('Dev/Data/');
    expect(
      result.acknowledged
        .filter(inData)
        .map((a) => `${a.id} @ ${a.at}`)
        .sort(),
    ).toEqual(
      [
        'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:RDSOSMetrics:*] @ Dev/Data/Database/MonitoringPolicy',
        'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:RDSOSMetrics:log-stream:*] @ Dev/Data/Database/MonitoringPolicy',
        'CloudFormation-Validate::E9006 @ Dev/Data/Database/Resource/Resource',
        // Control Tower: the keys are the Security stack's, imported (the controls cannot resolve that at synth)
        ...['Audit', 'Error', 'SlowQuery'].map(
          (t) =>
            `CloudFormation-Validate::cloudwatch_log_group_encrypted_check @ Dev/Data/Database/${t}LogGroup/Resource`,
        ),
        'CloudFormation-Validate::rds_storage_encrypted_kms_key_check @ Dev/Data/Database/Resource/Resource',
        // Control Tower: the general query log is deliberately not exported (the finding sits on the stack)
        'CloudFormation-Validate::rds_instance_logging_enabled_check @ Dev/Data',
        // Control Tower: the access-log bucket cannot log into itself nor use SSE-KMS; no Object Lock
        'CloudFormation-Validate::s3_bucket_default_encryption_kms_check @ Dev/Data/DataBucket/AccessLogs/Resource',
        'CloudFormation-Validate::s3_bucket_logging_enabled_check @ Dev/Data/DataBucket/AccessLogs/Resource',
        'CloudFormation-Validate::s3_bucket_object_lock_enabled_check @ Dev/Data/DataBucket/AccessLogs/Resource',
        'CloudFormation-Validate::s3_bucket_object_lock_enabled_check @ Dev/Data/DataBucket/Resource/Resource',
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
    const outside = result.acknowledged.filter((a) => a.at !== 'Dev/Data' && !a.at.startsWith('Dev/Data/'));
    for (const a of outside) {
      expect(a.at).toMatch(/^Dev\/Network(\/Vpc\/Resource)?$/);
    }
  });
});

describe('the acknowledgement of the major-only engine version', () => {
  test('hides nothing else: with a full version in its place the instance has no finding of the built-in rules', () => {
    // GIVEN the database, its EngineVersion overridden with a full version the validator lists
    const app = checkedApp();
    const f = fixture(app);
    const db = addDatabase(f);
    (db.instance.node.defaultChild as CfnResource).addPropertyOverride('EngineVersion', '8.4.7');
    // WHEN
    const result = validate(app);
    // THEN no CloudFormation validation finding is left on the instance, acknowledged or not
    const onInstance = (paths: string[]) => paths.some((p) => p.startsWith('Dev/Data/Database/Resource/'));
    expect(
      [...result.findings, ...result.acknowledged]
        // The built-in rules have ids like E9006 and W3010; the Control Tower controls have Guard rule names.
        .filter((x) => x.plugin.startsWith('CloudFormation') && /^[EW]\d+$/.test(x.rule) && onInstance(x.paths))
        .map((x) => x.rule),
    ).toEqual([]);
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
