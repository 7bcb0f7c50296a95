/**
 * The command behind `npm run configure`: points the platform at your accounts, regions, repository and connection.
 *
 *   npm run configure -- --tooling-account 123456789012 --account dev=234567890123 \
 *     --account prod=345678901234 --repository my-org/my-platform \
 *     --connection-arn arn:aws:codeconnections:eu-west-1:123456789012:connection/<uuid>
 *   npm run configure                 # after editing the config by hand: check it, regenerate
 *
 * Writes the values into the config (comments kept), validates it, synthesizes it with every check
 * on, regenerates what is generated from it (the committed docs, for the default config; the
 * stateful-resource lock next to the config), and prints the bootstrap commands for the accounts and
 * regions it names. Run in a terminal without flags on a config that still names the example
 * accounts, it asks for each value (--interactive asks in any case).
 *
 * Nothing is written unless everything succeeds. Exit 0: written. Exit 2: a bad flag or a config
 * the loader refuses (every problem listed). Exit 1: the config does not synthesize cleanly, or the
 * lock would drop locked resources without --accept-replacements.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { DEFAULT_CONFIG } from '../app';
import { ConfigError, parseConfig } from '../config';
import { parse as parseYaml } from 'yaml';
import { bootstrapCommands } from './bootstrap';
import { applyRequest, ConfigureError, ConfigureRequest } from './edit';
import { describesCommittedDocs, regenerate, writeFiles } from './regenerate';

/** The documented example account ids the shipped config uses until `npm run configure` replaces them. */
export const EXAMPLE_ACCOUNTS = ['111111111111', '222222222222', '333333333333'];

const USAGE = `usage: npm run configure -- [options]
  --config <file>                the config to edit (default apps/platform/config/platform.yaml)
  --project <name>               project name (part of every stack and resource name)
  --tooling-account <id>         the account that runs the pipeline
  --home-region <region>         the pipeline's region
  --repository <owner>/<name>    the source repository
  --branch <name>                the branch whose pushes start the pipeline
  --connection-arn <arn>         the CodeConnections connection to the repository host
  --notification-email <addr>    who hears of pipeline failures and approvals (repeat for more)
  --account <stage>=<id>         a stage's account (repeat per stage)
  --regions <stage>=<r1>,<r2>    a stage's regions; new ones get a free /16 and zones a, b (c)
  --alarm-email <stage>=<addr>   a stage's alarm recipients (repeat for more)
  --accept-replacements          rewrite the stateful-resource lock even when locked ids disappear
  --interactive                  ask for the values (the default in a terminal without flags)`;

interface Options {
  readonly configFile: string;
  readonly request: ConfigureRequest;
  readonly acceptReplacements: boolean;
  readonly interactive: boolean;
  readonly help: boolean;
}

export function parseArgs(argv: string[], cwd: string): Options {
  const request: Record<string, unknown> = {};
  const perStage = (key: string, flag: string, value: string, list: boolean) => {
    const eq = value.indexOf('=');
    if (eq <= 0) {
      throw new ConfigureError(`${flag} '${value}' must be <stage>=<value>, e.g. ${flag} dev=...`);
    }
    const map = (request[key] ?? {}) as Record<string, unknown>;
    const [stage, v] = [value.slice(0, eq), value.slice(eq + 1)];
    map[stage] = list ? [...((map[stage] as string[] | undefined) ?? []), ...v.split(',').filter(Boolean)] : v;
    request[key] = map;
  };
  let configFile = DEFAULT_CONFIG;
  let acceptReplacements = false;
  let interactive = false;
  let help = false;
  const single: Record<string, keyof ConfigureRequest> = {
    '--project': 'project',
    '--tooling-account': 'toolingAccount',
    '--home-region': 'homeRegion',
    '--repository': 'repository',
    '--branch': 'branch',
    '--connection-arn': 'connectionArn',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') && argv[i].startsWith('--') ? splitOnce(argv[i]) : [argv[i]];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') {
        throw new ConfigureError(`${flag} needs a value\n${USAGE}`);
      }
      return v;
    };
    if (flag === '--config') configFile = path.resolve(cwd, value());
    else if (flag in single) request[single[flag]] = value();
    else if (flag === '--notification-email')
      request.notificationEmails = [...((request.notificationEmails as string[]) ?? []), value()];
    else if (flag === '--account') perStage('accounts', flag, value(), false);
    else if (flag === '--regions') perStage('regions', flag, value(), true);
    else if (flag === '--alarm-email') perStage('alarmEmails', flag, value(), true);
    else if (flag === '--accept-replacements') acceptReplacements = true;
    else if (flag === '--interactive') interactive = true;
    else if (flag === '--help' || flag === '-h') help = true;
    else throw new ConfigureError(`unknown option '${argv[i]}'\n${USAGE}`);
  }
  return { configFile, request: request as ConfigureRequest, acceptReplacements, interactive, help };
}

function splitOnce(arg: string): [string, string] {
  const eq = arg.indexOf('=');
  return [arg.slice(0, eq), arg.slice(eq + 1)];
}

/** Asks for each value, the current one as the default (an empty answer keeps it). */
async function prompt(text: string, io: ConfigureIo): Promise<ConfigureRequest> {
  const current = parseYaml(text) as {
    pipeline?: Record<string, unknown> & { repository?: Record<string, unknown> };
    stages?: Array<{ name: string; account: string; regions: Array<{ region: string }> }>;
  };
  const rl = readline.createInterface({ input: io.input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (question: string, fallback: unknown): Promise<string | undefined> => {
    io.err(`${question} [${String(fallback ?? '')}]:`);
    const next = await lines.next();
    const answer = next.done ? '' : String(next.value).trim();
    return answer === '' ? undefined : answer;
  };
  const request: Record<string, unknown> = {};
  const p = current.pipeline ?? {};
  request.toolingAccount = await ask('Tooling account (runs the pipeline)', p.account);
  request.homeRegion = await ask('Home region of the pipeline', p.region);
  const repo = p.repository ?? {};
  request.repository = await ask('Repository <owner>/<name>', `${repo.owner}/${repo.name}`);
  request.branch = await ask('Branch', repo.branch);
  request.connectionArn = await ask('CodeConnections connection ARN', p.connectionArn);
  const emails = await ask(
    'Pipeline notification e-mails (comma-separated)',
    (p.notificationEmails as string[])?.join(','),
  );
  request.notificationEmails = emails?.split(',').map((e) => e.trim());
  const accounts: Record<string, string> = {};
  const regions: Record<string, string[]> = {};
  for (const stage of current.stages ?? []) {
    const account = await ask(`Account of stage ${stage.name}`, stage.account);
    if (account) accounts[stage.name] = account;
    const r = await ask(
      `Regions of stage ${stage.name} (comma-separated)`,
      stage.regions.map((x) => x.region).join(','),
    );
    if (r) regions[stage.name] = r.split(',').map((x) => x.trim());
  }
  rl.close();
  request.accounts = accounts;
  request.regions = regions;
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as ConfigureRequest;
}

/** Where `runConfigure` reads and writes; the command passes the process's own. */
export interface ConfigureIo {
  /** Relative paths are relative to it (npm sets INIT_CWD to where the command was run). */
  readonly cwd: string;
  /** Whether a person can answer questions (stdin is a terminal). */
  readonly isTerminal: boolean;
  /** The answers to the questions, one per line. */
  readonly input: NodeJS.ReadableStream;
  /** The bootstrap commands (stdout). */
  readonly out: (line: string) => void;
  /** Progress and problems (stderr). */
  readonly err: (line: string) => void;
}

/** The command itself; returns the exit code. */
export async function runConfigure(argv: string[], io: ConfigureIo): Promise<number> {
  const { cwd } = io;
  const console = { log: io.out, error: io.err };
  let options: Options;
  try {
    options = parseArgs(argv, cwd);
  } catch (e) {
    console.error(`configure: ${(e as Error).message}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const { configFile } = options;
  const relative = path.relative(cwd, configFile);
  if (!fs.existsSync(configFile)) {
    console.error(`configure: ${relative} does not exist`);
    return 2;
  }
  const before = fs.readFileSync(configFile, 'utf-8');
  // In a terminal, without flags, on a config that still names the example accounts: the first run
  // of a new user, who is asked. After a hand edit (accounts already yours) it only regenerates.
  const unconfigured = EXAMPLE_ACCOUNTS.some((id) => before.includes(`'${id}'`));
  const asks = options.interactive || (io.isTerminal && Object.keys(options.request).length === 0 && unconfigured);
  const request = asks ? await prompt(before, io) : options.request;

  let edited;
  try {
    edited = applyRequest(before, request);
  } catch (e) {
    if (e instanceof ConfigureError) {
      console.error(`configure: ${e.message}\nnothing was written`);
      return 2;
    }
    throw e;
  }
  let config;
  try {
    config = parseConfig(parseYaml(edited.text), relative);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`${e.message}\nnothing was written`);
      return 2;
    }
    throw e;
  }
  for (const change of edited.changes) {
    console.error(`set ${change}`);
  }

  const out = regenerate(config, configFile, { docs: describesCommittedDocs(configFile), lock: true });
  if ('problems' in out) {
    console.error(
      `the config does not synthesize cleanly:\n${out.problems.map((p) => `  - ${p}`).join('\n')}\n` +
        `run 'npm run synth -- --context config=${relative}' to see the details; nothing was written`,
    );
    return 1;
  }
  const dropped = out.lockChanges.filter((c) => c.kind !== 'added');
  if (dropped.length > 0 && !edited.retargeted && !options.acceptReplacements) {
    console.error(
      [
        `These locked stateful resources would be replaced or removed (${path.relative(cwd, out.lockFile)}):`,
        ...dropped.map((c) => `  ${c.text}`),
        'If any of them is deployed, the deploy would replace or delete it and its data. When that is intended',
        '(nothing is deployed yet, or the migration is planned), run again with --accept-replacements.',
        'nothing was written',
      ].join('\n'),
    );
    return 1;
  }
  for (const change of out.lockChanges) {
    console.error(`lock: ${change.text}`);
  }
  writeFiles({ [configFile]: edited.text, ...out.files }, io.err);
  console.log(
    [
      '',
      'Before the first deploy, prepare the accounts (with credentials of each account in turn):',
      '',
      ...bootstrapCommands(config).map((l) => `  ${l}`),
      '',
      'Then: npm test, commit, and deploy the pipeline once (README, Deploy).',
    ].join('\n'),
  );
  return 0;
}
