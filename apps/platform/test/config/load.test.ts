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
    /stages\[0\]\.regions\[0\]\.availabilityZones .*: contains 'us-east-1b', which is not a zone of the stack's region 'eu-west-1'/,
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
    /stages\[0\]\.regions\[0\]\.availabilityZones .*: lists 'eu-west-1a' more than once/,
  ],
  [
    'a malformed CIDR',
    (c) => (c.stages[0].regions[0].vpcCidr = '10.10.0/16'),
    /stages\[0\]\.regions\[0\]\.vpcCidr '10\.10\.0\/16': is not an IPv4 CIDR block of the form a\.b\.c\.d\/n/,
  ],
  [
    'a CIDR with host bits set',
    (c) => (c.stages[0].regions[0].vpcCidr = '10.10.0.1/16'),
    /stages\[0\]\.regions\[0\]\.vpcCidr '10\.10\.0\.1\/16': has host bits set; the network is 10\.10\.0\.0\/16/,
  ],
  [
    'a VPC too small for three tiers',
    (c) => (c.stages[0].regions[0].vpcCidr = '10.10.0.0/24'),
    /stages\[0\]\.regions\[0\]\.vpcCidr '10\.10\.0\.0\/24': has 256 addresses; 2 zone\(s\) .* need 3584, a \/20 or larger/,
  ],
  [
    'a VPC larger than /16',
    (c) => (c.stages[0].regions[0].vpcCidr = '10.0.0.0/8'),
    /stages\[0\]\.regions\[0\]\.vpcCidr '10\.0\.0\.0\/8': is larger than \/16, the largest CIDR block AWS allows for a VPC/,
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
    /stages\[0\]\.network\.natGateways '3': gives stages\[0\]\.regions\[0\] \(2 availability zones\) 3 NAT gateways, which is not allowed; use a whole number from 1 to 2/,
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
    'the default MySQL port 3306',
    (c) => (c.stages[0].database.port = 3306),
    /stages\[0\]\.database\.port '3306': is not allowed; it must be an integer from 1150 to 65535 \(the RDS for MySQL range\) other than the default 3306/,
  ],
  [
    'a /20 VPC for three zones (a /20 holds two)',
    (c) => (c.stages[1].regions[0].vpcCidr = '10.20.0.0/20'),
    /stages\[1\]\.regions\[0\]\.vpcCidr '10\.20\.0\.0\/20': has 4096 addresses; 3 zone\(s\) .* need 4864, a \/19 or larger/,
  ],
  [
    'a VPC outside the private ranges',
    (c) => (c.stages[0].regions[0].vpcCidr = '11.10.0.0/16'),
    /stages\[0\]\.regions\[0\]\.vpcCidr '11\.10\.0\.0\/16': is not inside the private ranges 10\.0\.0\.0\/8, 172\.16\.0\.0\/12 or 192\.168\.0\.0\/16/,
  ],
  [
    'a free-storage threshold of 100%',
    (c) => (c.stages[1].alarms.freeStoragePercent = 100),
    /stages\[1\]\.alarms\.freeStoragePercent '100': is not allowed; give a percentage above 0 and below 100/,
  ],
  [
    'an alarm e-mail listed twice (in another case)',
    (c) => (c.stages[0].alarms.emails = ['ops@example.com', 'OPS@example.com']),
    /stages\[0\]\.alarms\.emails .*: contains 'OPS@example\.com' twice; list each address once/,
  ],
  [
    'a pipeline e-mail listed twice',
    (c) => (c.pipeline.notificationEmails = ['ops@example.com', 'ops@example.com']),
    /pipeline\.notificationEmails .*: contains 'ops@example\.com' twice/,
  ],
  [
    'a maintenance window overlapping the backup window',
    (c) => {
      c.stages[0].database.backupWindow = '03:00-04:00';
      c.stages[0].database.maintenanceWindow = 'wed:03:30-wed:04:30';
    },
    /stages\[0\]\.database\.maintenanceWindow 'wed:03:30-wed:04:30': overlaps the backup window '03:00-04:00'/,
  ],
  [
    'storage whose autoscaling ceiling passes 65536 GiB',
    (c) => (c.stages[1].database.allocatedStorageGiB = 40000),
    /stages\[1\]\.database\.allocatedStorageGiB '40000': gives a storage autoscaling ceiling of 80000 GiB/,
  ],
  [
    'a stage name that makes an invalid DB instance identifier',
    (c) => (c.stages[0].name = 'a--b'),
    /stages\[0\]\.name 'a--b': with project\.name 'baseline' gives the DB instance identifier 'baseline-a--b-mysql', which is not allowed/,
  ],
  [
    'a log retention CloudWatch Logs does not accept',
    (c) => (c.stages[0].logs.retentionDays = 10),
    /stages\[0\]\.logs\.retentionDays '10': must be a CloudWatch Logs retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653$/,
  ],
  [
    'the database port outside 1150-65535',
    (c) => (c.stages[0].database.port = 80),
    /stages\[0\]\.database\.port '80': is not allowed; it must be an integer from 1150 to 65535/,
  ],
  [
    'a recovery region equal to its own region',
    (c) => (c.stages[1].regions[0].recoveryRegion = c.stages[1].regions[0].region),
    /stages\[1\]\.regions\[0\]\.recoveryRegion 'eu-west-1': is the region itself; a copy in eu-west-1 does not survive the loss of eu-west-1/,
  ],
  [
    'an unknown recovery region',
    (c) => (c.stages[0].regions[0].recoveryRegion = 'eu-middle-7'),
    /stages\[0\]\.regions\[0\]\.recoveryRegion 'eu-middle-7': must be one of the known AWS regions/,
  ],
  [
    'a protected stage region without a recovery region',
    (c) => delete c.stages[1].regions[1].recoveryRegion,
    /stages\[1\]\.regions\[1\]\.recoveryRegion \(missing\): is required in a protected stage/,
  ],
  [
    'a protected stage keeping backups fewer than 30 days',
    (c) => (c.stages[1].recovery = { backupRetentionDays: 7 }),
    /stages\[1\]\.recovery\.backupRetentionDays '7': must be at least 30 in a protected stage/,
  ],
];

describe('a bad config', () => {
  test.each(badConfigs)('fails when it has %s, naming the field', (_name, edit, expected) => {
    const problems = problemsAfter(edit);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  test('reports every construct rule the config breaks in one run, with the other problems, each with its path', () => {
    // GIVEN a config that breaks seven construct rules (the port first) and has two schema problems
    const problems = problemsAfter((c) => {
      c.stages[0].database.port = 3306; // MysqlDatabase: mysql.port
      c.stages[0].network.natGateways = 3; // PlatformVpc: network.natGateways (dev has 2 zones)
      c.stages[0].alarms.emails = ['ops@example.com', 'Ops@example.com']; // AlarmTopic: sns.emailAddressesDistinct
      c.stages[1].regions[0].vpcCidr = '10.20.0.0/20'; // PlatformVpc: network.vpcCidrSize (prod has 3 zones)
      c.stages[1].alarms.freeStoragePercent = 100; // DatabaseAlarms: alarms.percentBelowHundred
      c.stages[1].database.maintenanceWindow = 'sun:03:30-sun:04:30'; // MysqlDatabase: mysql.windowsApart
      c.stages[1].regions[1].availabilityZones[2] = 'eu-west-1c'; // PlatformVpc: network.availabilityZones
      c.stages[0].account = 'x'; // schema
      c.stages[1].typo = 1; // schema
    });
    // THEN one ConfigError names every one of them
    const expected = [
      /^ {2}- stages\[0\]\.database\.port '3306': is not allowed; it must be an integer from 1150 to 65535/,
      /^ {2}- stages\[0\]\.network\.natGateways '3': gives stages\[0\]\.regions\[0\] \(2 availability zones\) 3 NAT gateways, which is not allowed/,
      /^ {2}- stages\[0\]\.network\.natGateways '3': gives stages\[0\]\.regions\[1\] \(2 availability zones\) 3 NAT gateways, which is not allowed/,
      /^ {2}- stages\[0\]\.alarms\.emails .*: contains 'Ops@example\.com' twice/,
      /^ {2}- stages\[1\]\.regions\[0\]\.vpcCidr '10\.20\.0\.0\/20': has 4096 addresses; 3 zone\(s\)/,
      /^ {2}- stages\[1\]\.alarms\.freeStoragePercent '100': is not allowed; give a percentage above 0 and below 100/,
      /^ {2}- stages\[1\]\.database\.maintenanceWindow 'sun:03:30-sun:04:30': overlaps the backup window '03:00-04:00'/,
      /^ {2}- stages\[1\]\.regions\[1\]\.availabilityZones .*: contains 'eu-west-1c', which is not a zone of the stack's region 'eu-central-1'/,
      /^ {2}- stages\[0\]\.account 'x': must be a 12-digit AWS account id/,
      /^ {2}- stages\[1\]\.typo '1': is not a known field/,
    ];
    for (const pattern of expected) {
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
    }
    expect(problems).toHaveLength(expected.length);
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
