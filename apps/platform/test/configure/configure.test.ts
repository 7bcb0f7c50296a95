/**
 * `npm run configure` on a copy of a config: the values land in the YAML (comments kept), the config
 * is checked before anything is written, the stateful-resource lock is written next to it, and the
 * bootstrap commands name the new accounts and every region the stages deploy to.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig } from '../../src/config';
import { lockFileOf } from '../../src/review';
import { runConfigure } from '../../src/configure/cli';
import { FIXTURE_CONFIG } from '../support/configs';

async function configure(configFile: string, ...flags: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runConfigure(['--config', configFile, ...flags], {
    cwd: path.dirname(configFile),
    isTerminal: false,
    input: Readable.from([]),
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function copyOfFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'configure-'));
  const file = path.join(dir, 'platform.yaml');
  fs.copyFileSync(FIXTURE_CONFIG, file);
  return file;
}

const NEW = {
  tooling: '123456789012',
  dev: '234567890123',
  prod: '345678901234',
  connection: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/11111111-2222-4333-8444-555555555555',
};

test('writes the accounts, repository and connection, locks the stateful ids, prints the bootstrap commands', async () => {
  const file = copyOfFixture();
  const comments = fs
    .readFileSync(file, 'utf-8')
    .split('\n')
    .filter((l) => l.trim().startsWith('#'));
  const { code, out, err } = await configure(
    file,
    '--tooling-account',
    NEW.tooling,
    '--account',
    `dev=${NEW.dev}`,
    '--account',
    `prod=${NEW.prod}`,
    '--repository',
    'my-org/my-platform',
    '--connection-arn',
    NEW.connection,
  );
  expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
  const config = loadConfig(file);
  expect(config.pipeline.account).toBe(NEW.tooling);
  expect(config.stages.map((s) => s.account)).toEqual([NEW.dev, NEW.prod]);
  expect(config.pipeline.repository).toMatchObject({ owner: 'my-org', name: 'my-platform' });
  expect(config.pipeline.connectionArn).toBe(NEW.connection);
  // the comments a user reads stay
  const after = fs.readFileSync(file, 'utf-8');
  expect(comments.every((c) => after.includes(c))).toBe(true);
  // the lock next to the config, covering every stack of the new accounts' stages
  const lock = JSON.parse(fs.readFileSync(lockFileOf(file), 'utf-8')) as Record<string, unknown>;
  expect(Object.keys(lock)).toEqual(expect.arrayContaining(['dev-eu-west-1/Data', 'prod-eu-central-1/Security']));
  // bootstrap: every stage account in every region it deploys to (recovery regions included), trusting the new tooling account
  for (const stage of config.stages) {
    const regions = [
      ...new Set([...stage.regions.map((r) => r.region), ...stage.regions.flatMap((r) => r.recoveryRegion ?? [])]),
    ];
    expect(out).toContain(`npx cdk bootstrap ${regions.map((r) => `aws://${stage.account}/${r}`).join(' ')} \\`);
  }
  expect(out).toContain(`  --trust ${NEW.tooling} \\`);
  // no trust for lookups: the app makes none, and the lookup role can read everything of the account
  expect(out).not.toContain('--trust-for-lookup');
  expect(out).not.toContain('111111111111');
});

test('a bad value is refused with its field, and nothing is written', async () => {
  const file = copyOfFixture();
  const before = fs.readFileSync(file, 'utf-8');
  const { code, err } = await configure(file, '--account', 'dev=12345');
  expect(code).toBe(2);
  expect(err).toMatch(/stages\[0\]\.account '12345': must be a 12-digit AWS account id/);
  expect(err).toContain('nothing was written');
  expect(fs.readFileSync(file, 'utf-8')).toBe(before);
  expect(fs.existsSync(lockFileOf(file))).toBe(false);
});

test('an unknown stage is refused, naming the stages there are', async () => {
  const file = copyOfFixture();
  const { code, err } = await configure(file, '--account', 'staging=234567890123');
  expect(code).toBe(2);
  expect(err).toMatch(/staging/);
  expect(err).toMatch(/dev.*prod|prod.*dev/);
});

test('--regions: a new region gets the first free /16 and two zones, the bootstrap commands name it', async () => {
  const file = copyOfFixture();
  const before = loadConfig(file);
  const { code, out, err } = await configure(file, '--regions', 'dev=eu-west-1,us-east-1');
  expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
  const dev = loadConfig(file).stages[0];
  expect(dev.regions.map((r) => r.region)).toEqual(['eu-west-1', 'us-east-1']);
  // eu-west-1 kept as it was; us-east-1 in a /16 no other VPC of the file uses
  expect(dev.regions[0]).toEqual(before.stages[0].regions[0]);
  const taken = before.stages.flatMap((s) => s.regions.map((r) => r.vpcCidr));
  expect(taken).not.toContain(dev.regions[1].vpcCidr);
  expect(dev.regions[1].vpcCidr).toMatch(/^10\.\d+\.0\.0\/16$/);
  expect(dev.regions[1].availabilityZones).toHaveLength(2);
  expect(dev.regions[1].availabilityZones.every((z) => z.startsWith('us-east-1'))).toBe(true);
  expect(err).toContain('stages[0].regions: added us-east-1 with vpcCidr');
  expect(out).toContain(`aws://${dev.account}/us-east-1`);
});

test('--regions for a protected stage without a recovery region is refused by the loader, nothing written', async () => {
  const file = copyOfFixture();
  const before = fs.readFileSync(file, 'utf-8');
  const { code, err } = await configure(file, '--regions', 'prod=eu-west-1,eu-central-1,eu-north-1');
  expect(code).toBe(2);
  expect(err).toMatch(/stages\[1\]\.regions\[2\]\.recoveryRegion \(missing\): is required in a protected stage/);
  expect(err).toContain('nothing was written');
  expect(fs.readFileSync(file, 'utf-8')).toBe(before);
});

test('in a terminal, without flags, on the example accounts: asks for each value, an empty answer keeps it', async () => {
  const file = copyOfFixture();
  const before = loadConfig(file);
  const answers = [
    NEW.tooling, // tooling account
    '', // home region: kept
    'my-org/my-platform', // repository
    '', // branch: kept
    NEW.connection, // connection
    '', // notification e-mails: kept
    NEW.dev, // dev account
    '', // dev regions: kept
    NEW.prod, // prod account
    '', // prod regions: kept
  ];
  const out: string[] = [];
  const err: string[] = [];
  const code = await runConfigure(['--config', file], {
    cwd: path.dirname(file),
    isTerminal: true,
    input: Readable.from(answers.map((a) => `${a}\n`)),
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  expect({ code, err: code === 0 ? '' : err.join('\n') }).toEqual({ code: 0, err: '' });
  expect(err.filter((l) => l.endsWith(':'))).toEqual([
    `Tooling account (runs the pipeline) [${before.pipeline.account}]:`,
    `Home region of the pipeline [${before.pipeline.region}]:`,
    `Repository <owner>/<name> [${before.pipeline.repository.owner}/${before.pipeline.repository.name}]:`,
    `Branch [${before.pipeline.repository.branch}]:`,
    `CodeConnections connection ARN [${before.pipeline.connectionArn}]:`,
    `Pipeline notification e-mails (comma-separated) [${before.pipeline.notificationEmails.join(',')}]:`,
    ...before.stages.flatMap((s) => [
      `Account of stage ${s.name} [${s.account}]:`,
      `Regions of stage ${s.name} (comma-separated) [${s.regions.map((r) => r.region).join(',')}]:`,
    ]),
  ]);
  const after = loadConfig(file);
  expect(after.pipeline).toMatchObject({
    account: NEW.tooling,
    region: before.pipeline.region,
    connectionArn: NEW.connection,
    notificationEmails: before.pipeline.notificationEmails,
    repository: { owner: 'my-org', name: 'my-platform', branch: before.pipeline.repository.branch },
  });
  expect(after.stages.map((s) => [s.account, s.regions])).toEqual([
    [NEW.dev, before.stages[0].regions],
    [NEW.prod, before.stages[1].regions],
  ]);
});
