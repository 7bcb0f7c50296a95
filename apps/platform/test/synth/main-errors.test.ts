/**
 * What `npm run synth` prints when the config is wrong: the loader's problems, or, for a value only
 * a construct refuses (a config that reached the constructs without the loader's checks), one line
 * naming the construct path and the config field, no stack trace unless asked for, exit code 2.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/main';
import { parseConfig, PlatformConfig } from '../../src/config';
import { FIXTURE_CONFIG } from '../support/configs';
import { fixtureConfigInput, RawConfig } from '../config/fixtures';

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'main-errors-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** The fixture config, validated, then changed behind the loader's back. */
function configBypassingTheLoader(edit: (c: PlatformConfig) => void): PlatformConfig {
  const config = parseConfig(fixtureConfigInput());
  edit(config);
  return config;
}

/** Runs main with the given config (or the real loader) and returns the exit code and what it printed. */
function run(options: { config?: PlatformConfig; argv?: string[]; env?: NodeJS.ProcessEnv }) {
  const lines: string[] = [];
  const code = main({
    argv: options.argv ?? ['--context', `config=${FIXTURE_CONFIG}`],
    env: { CDK_OUTDIR: outdir, ...options.env },
    loadConfig: options.config ? () => options.config! : undefined,
    log: (text) => lines.push(...text.split('\n')),
  });
  return { code, lines, stackLines: lines.filter((l) => /^\s+at /.test(l)) };
}

const fixtureFile = path.relative(process.cwd(), FIXTURE_CONFIG);

describe('a value only a construct refuses', () => {
  const portInDev = configBypassingTheLoader((c) => (c.stages[0].database.port = 3306));

  test('fails with one line naming the construct path and the config field, no stack trace, exit code 2', () => {
    // WHEN the app is built from a config with the default MySQL port in dev
    const { code, lines, stackLines } = run({ config: portInDev });
    // THEN
    expect(code).toBe(2);
    expect(lines).toEqual([
      `synth FAILED: dev-eu-west-1/Data/Database: port 3306 is not allowed; it must be an integer from 1150 to ` +
        `65535 (the RDS for MySQL range) other than the default 3306 (config ${fixtureFile}: stages[0].database.port)`,
    ]);
    expect(stackLines).toEqual([]);
  });

  test.each([
    ['--verbose', { argv: ['--verbose', '--context', `config=${FIXTURE_CONFIG}`] }],
    ['PLATFORM_VERBOSE=1', { env: { PLATFORM_VERBOSE: '1' } }],
    ['Nx --verbose (NX_VERBOSE_LOGGING=true)', { env: { NX_VERBOSE_LOGGING: 'true' } }],
  ])('prints the stack trace too when %s asks for it', (_how, options) => {
    const { code, lines, stackLines } = run({ config: portInDev, ...options });
    expect(code).toBe(2);
    expect(lines[0]).toMatch(/^synth FAILED: dev-eu-west-1\/Data\/Database: port 3306 is not allowed/);
    expect(stackLines.length).toBeGreaterThan(0);
  });

  test("names the construct path of the CDK's own errors, without a stack trace", () => {
    // GIVEN a stage name that makes an IAM role name longer than 64 characters (iam.Role refuses it)
    const longName = 'd'.repeat(40);
    // (and no recovery region, whose vault name, 2 to 50 characters, our own rule would refuse first)
    const config = configBypassingTheLoader((c) => {
      c.stages[0].name = longName;
      for (const region of c.stages[0].regions) {
        delete region.recoveryRegion;
      }
    });
    // WHEN
    const { code, lines, stackLines } = run({ config });
    // THEN
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^synth FAILED: ${longName}-eu-west-1/Observability/ValidationRole/Resource: Invalid roleName\\. .* \\(config: `,
      ),
    );
    expect(stackLines).toEqual([]);
  });

  test("the stage's own rules name the stage, the value and the config field too", () => {
    // GIVEN a log retention CloudWatch Logs does not accept (the stage maps it to RetentionDays)
    const config = configBypassingTheLoader((c) => (c.stages[0].logs.retentionDays = 10));
    // WHEN
    const { code, lines, stackLines } = run({ config });
    // THEN
    expect(code).toBe(2);
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          '^synth FAILED: dev-eu-west-1: logs\\.retentionDays 10 is not a CloudWatch Logs retention period; give one of 1, 3, .* days ' +
            `\\(config ${fixtureFile.replace(/[.]/g, '\\.')}: stages\\[0\\]\\.logs\\.retentionDays\\)$`,
        ),
      ),
    ]);
    expect(stackLines).toEqual([]);
  });

  test('an error that is not about a value (a bug) keeps its stack: it propagates', () => {
    const broken = configBypassingTheLoader((c) => ((c.stages[0] as RawConfig).regions = undefined));
    expect(() => run({ config: broken })).toThrow(TypeError);
  });
});

describe('a config the loader refuses', () => {
  test('fails before any construct exists, every problem with its field path, exit code 2', () => {
    // GIVEN a config file with the default MySQL port and a free-storage threshold of 100%
    const input = fixtureConfigInput();
    input.stages[0].database.port = 3306;
    input.stages[1].alarms.freeStoragePercent = 100;
    const file = path.join(outdir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify(input));
    // WHEN
    const { code, lines, stackLines } = run({ argv: ['--context', `config=${file}`] });
    // THEN
    expect(code).toBe(2);
    expect(lines).toEqual([
      `${file}: 2 problems in the config:`,
      expect.stringMatching(/^ {2}- stages\[0\]\.database\.port '3306': is not allowed/),
      expect.stringMatching(/^ {2}- stages\[1\]\.alarms\.freeStoragePercent '100': is not allowed/),
    ]);
    expect(stackLines).toEqual([]);
  });
});

describe('the command line', () => {
  test('an unknown argument fails with one line, exit code 2', () => {
    const { code, lines } = run({ argv: ['--frobnicate'] });
    expect(code).toBe(2);
    expect(lines).toEqual([
      "synth FAILED: unknown argument '--frobnicate'; allowed: --context key=value (or -c key=value), or --verbose",
    ]);
  });
});
