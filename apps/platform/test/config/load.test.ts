import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../src/config';
import { FIXTURE_CONFIG } from '../support/configs';
import { fixtureConfigInput, RawConfig } from './fixtures';

/** Runs `parseConfig` on the fixture config after `edit`, returning the formatted problems. */
function problemsAfter(edit: (c: RawConfig) => void): string[] {
  const input = fixtureConfigInput();
  edit(input);
  try {
    parseConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) {
      return e.message.split('\n').slice(1);
    }
    throw e;
  }
  throw new Error('expected a ConfigError, the config was accepted');
}

describe('the fixture config', () => {
  test('is valid and gives dev and prod with two regions each', () => {
    const config = loadConfig(FIXTURE_CONFIG);
    expect(config.stages.map((s) => [s.name, s.regions.map((r) => r.region)])).toEqual([
      ['dev', ['eu-west-1', 'eu-central-1']],
      ['prod', ['eu-west-1', 'eu-central-1']],
    ]);
  });

  test('applies documented defaults for omitted fields', () => {
    const input = fixtureConfigInput();
    delete input.stages[1].database;
    delete input.stages[1].alarms.cpuUtilizationPercent;
    const prod = parseConfig(input).stages[1];
    expect(prod.database).toEqual({
      instanceType: 't4g.medium',
      engineVersion: '8.4',
      allocatedStorageGiB: 20,
      multiAz: true,
      backupRetentionDays: 30,
      backupWindow: '03:00-04:00',
      maintenanceWindow: 'sun:04:30-sun:05:30',
      deletionProtection: true,
      port: 3307,
      masterUsername: 'dbadmin',
      applicationUser: 'app',
    });
    expect(prod.alarms.cpuUtilizationPercent).toBe(80);
  });
});

// Each case breaks one field of the default config; the message must name the field path.
const badConfigs: Array<[string, (c: RawConfig) => void, RegExp]> = [
  [
    'an account id with 11 digits',
    (c) => (c.stages[0].account = '22222222222'),
    /^ {2}- stages\[0\]\.account '22222222222': must be a 12-digit AWS account id/,
  ],
  [
    'an unquoted account id (a YAML number)',
    (c) => (c.pipeline.account = 111111111111),
    /pipeline\.account '111111111111': must be a 12-digit AWS account id in quotes/,
  ],
  [
    'an unknown region',
    (c) => (c.stages[0].regions[0].region = 'eu-west-9'),
    /stages\[0\]\.regions\[0\]\.region 'eu-west-9': must be one of the known AWS regions/,
  ],
  [
    'an unknown pipeline region',
    (c) => (c.pipeline.region = 'mars-1'),
    /pipeline\.region 'mars-1': must be one of the known AWS regions/,
  ],
  [
    'two stages with the same name',
    (c) => (c.stages[1].name = 'dev'),
    /stages\[1\]\.name 'dev': duplicates stages\[0\]\.name/,
  ],
  [
    'the same region twice in a stage',
    (c) => (c.stages[0].regions[1].region = 'eu-west-1'),
    /stages\[0\]\.regions\[1\]\.region 'eu-west-1': duplicates stages\[0\]\.regions\[0\]\.region/,
  ],
  [
    'a zone of another region',
    (c) => (c.stages[0].regions[0].availabilityZones[1] = 'us-east-1b'),
    /stages\[0\]\.regions\[0\]\.availabilityZones\[1\] 'us-east-1b': is not an availability zone of eu-west-1/,
  ],
  [
    'one availability zone',
    (c) => (c.stages[0].regions[0].availabilityZones = ['eu-west-1a']),
    /stages\[0\]\.regions\[0\]\.availabilityZones '\["eu-west-1a"\]': must list at least 2 availability zones/,
  ],
  [
    'two zones in a protected stage',
    (c) => c.stages[1].regions[0].availabilityZones.pop(),
    /stages\[1\]\.regions\[0\]\.availabilityZones .*: has 2 zones; a protected stage needs at least 3/,
  ],
  [
    'a zone listed twice',
    (c) => (c.stages[0].regions[0].availabilityZones = ['eu-west-1a', 'eu-west-1a']),
    /stages\[0\]\.regions\[0\]\.availabilityZones\[1\] 'eu-west-1a': is listed twice/,
  ],
  [
    'a malformed CIDR',
    (c) => (c.stages[0].regions[0].vpcCidr = '10.10.0/16'),
    /stages\[0\]\.regions\[0\]\.vpcCidr '10\.10\.0\/16': must be an IPv4 network in CIDR notation/,
  ],
  [
    'a CIDR with host bits set',
    (c) => (c.stages[0].regions[0].vpcCidr = '10.10.0.1/16'),
    /stages\[0\]\.regions\[0\]\.vpcCidr '10\.10\.0\.1\/16': must be an IPv4 network in CIDR notation with no host bits set/,
  ],
  [
    'a VPC too small for three tiers',
    (c) => (c.stages[0].regions[0].vpcCidr = '10.10.0.0/24'),
    /stages\[0\]\.regions\[0\]\.vpcCidr '10\.10\.0\.0\/24': must be a \/16 to \/20 network/,
  ],
  [
    'a VPC larger than /16',
    (c) => (c.stages[0].regions[0].vpcCidr = '10.0.0.0/8'),
    /stages\[0\]\.regions\[0\]\.vpcCidr '10\.0\.0\.0\/8': must be a \/16 to \/20 network/,
  ],
  [
    'two VPCs overlapping across stages',
    (c) => (c.stages[1].regions[1].vpcCidr = '10.10.16.0/20'),
    /stages\[1\]\.regions\[1\]\.vpcCidr '10\.10\.16\.0\/20': overlaps stages\[0\]\.regions\[0\]\.vpcCidr '10\.10\.0\.0\/16'/,
  ],
  [
    'prod without Multi-AZ',
    (c) => (c.stages[1].database.multiAz = false),
    /stages\[1\]\.database\.multiAz 'false': must be true in a protected stage/,
  ],
  [
    'prod without deletion protection',
    (c) => (c.stages[1].database.deletionProtection = false),
    /stages\[1\]\.database\.deletionProtection 'false': must be true in a protected stage/,
  ],
  [
    'prod with 7-day backups',
    (c) => (c.stages[1].database.backupRetentionDays = 7),
    /stages\[1\]\.database\.backupRetentionDays '7': must be at least 30 in a protected stage/,
  ],
  [
    'backups beyond 35 days',
    (c) => (c.stages[0].database.backupRetentionDays = 36),
    /stages\[0\]\.database\.backupRetentionDays '36': is not allowed; it must be a whole number of days from 1 to 35/,
  ],
  [
    'an invalid alarm e-mail',
    (c) => (c.stages[0].alarms.emails = ['ops-at-example.com']),
    /stages\[0\]\.alarms\.emails\[0\] 'ops-at-example\.com': must be an e-mail address/,
  ],
  [
    'an invalid pipeline e-mail',
    (c) => (c.pipeline.notificationEmails = ['x@y']),
    /pipeline\.notificationEmails\[0\] 'x@y': must be an e-mail address/,
  ],
  [
    'a malformed connection ARN',
    (c) => (c.pipeline.connectionArn = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/abc'),
    /pipeline\.connectionArn 'arn:aws:codeconnections:eu-west-1:111111111111:connection\/abc': must be a CodeConnections connection ARN/,
  ],
  [
    'a tag key starting with aws:',
    (c) => (c.project.tags = { 'aws:owner': 'x' }),
    /project\.tags\.aws:owner 'aws:owner': is not an allowed key: must not start with 'aws:'/,
  ],
  [
    'a tag key over 128 characters',
    (c) => (c.project.tags = { ['k'.repeat(129)]: 'x' }),
    /project\.tags\.k{129} 'k{129}': is not an allowed key: must be at most 128 characters/,
  ],
  [
    'a tag value over 256 characters',
    (c) => (c.project.tags = { Team: 'v'.repeat(257) }),
    /project\.tags\.Team 'v{257}': must be at most 256 characters/,
  ],
  [
    'a tag value with a forbidden character',
    (c) => (c.project.owner = 'team#1'),
    /project\.owner 'team#1': may contain only letters, digits, spaces/,
  ],
  [
    'an unknown key (a typo)',
    (c) => (c.stages[0].database.multiAZ = true),
    /stages\[0\]\.database\.multiAZ 'true': is not a known field; allowed here: instanceType, engineVersion, allocatedStorageGiB, multiAz/,
  ],
  [
    'an unknown top-level key',
    (c) => (c.stage = []),
    /^ {2}- stage '\[\]': is not a known field; allowed here: project, pipeline, stages/,
  ],
  [
    'more NAT gateways than zones',
    (c) => (c.stages[0].network.natGateways = 3),
    /stages\[0\]\.network\.natGateways '3': exceeds the 2 availability zones of stages\[0\]\.regions\[0\]/,
  ],
  [
    'a CPU threshold above 100%',
    (c) => (c.stages[1].alarms.cpuUtilizationPercent = 120),
    /stages\[1\]\.alarms\.cpuUtilizationPercent '120': must be at most 100/,
  ],
  [
    'a stage name with capitals',
    (c) => (c.stages[0].name = 'Dev'),
    /stages\[0\]\.name 'Dev': must be 2-16 characters of a-z/,
  ],
  [
    'a missing alarms section',
    (c) => delete c.stages[0].alarms,
    /stages\[0\]\.alarms \(missing\): Invalid input: expected object, received undefined/,
  ],
  [
    'the database port outside 1150-65535',
    (c) => (c.stages[0].database.port = 80),
    /stages\[0\]\.database\.port '80': is not allowed; it must be an integer from 1150 to 65535/,
  ],
];

describe('a bad config', () => {
  test.each(badConfigs)('fails when it has %s, naming the field', (_name, edit, expected) => {
    const problems = problemsAfter(edit);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  test('reports every problem at once', () => {
    const problems = problemsAfter((c) => {
      c.stages[0].account = 'x';
      c.stages[1].database.multiAz = false;
      c.stages[1].regions[1].vpcCidr = '10.20.0.0/16';
      c.stages[0].typo = 1;
    });
    expect(problems).toHaveLength(4);
  });
});

describe('loadConfig', () => {
  const write = (text: string) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'config-')), 'c.yaml');
    fs.writeFileSync(file, text);
    return file;
  };

  test('fails when the file does not exist, naming it', () => {
    expect(() => loadConfig('/nonexistent/platform.yaml')).toThrow(
      /^\/nonexistent\/platform\.yaml: 1 problem in the config:\n {2}- cannot be read: ENOENT/,
    );
  });

  test('fails when the YAML is malformed', () => {
    expect(() => loadConfig(write('project: [unclosed\n'))).toThrow(/is not valid YAML/);
  });

  test('fails when a key is duplicated (YAML would silently keep the last one)', () => {
    expect(() => loadConfig(write('project: {}\nproject: {}\n'))).toThrow(/is not valid YAML: Map keys must be unique/);
  });
});
