import * as fs from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { configSchema, PlatformConfig } from './schema';
import { todayUtc } from '@baseline/rules';
import { constructRuleProblems } from './construct-rules';
import { ConfigProblem, crossFieldProblems } from './validate';

/** The config file could not be used; `problems` lists every reason, each with its field path. */
export class ConfigError extends Error {
  constructor(
    public readonly source: string,
    public readonly problems: ConfigProblem[],
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the config:\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** `stages[1].regions[0].vpcCidr '10.0.0.0/8': overlaps ...` */
export function formatProblem(p: ConfigProblem): string {
  if (p.path === '') {
    // A problem of the file as a whole (unreadable, not YAML).
    return p.message;
  }
  const value =
    p.value === undefined ? '(missing)' : `'${typeof p.value === 'string' ? p.value : JSON.stringify(p.value)}'`;
  return `${p.path} ${value}: ${p.message}`;
}

/** Reads, parses and validates a YAML config file. Throws `ConfigError` listing every problem. */
export function loadConfig(file: string, options: LoadOptions = {}): PlatformConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf-8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '', value: undefined, message: `cannot be read: ${(e as Error).message}` }]);
  }
  let input: unknown;
  try {
    input = parseYaml(text, { uniqueKeys: true, strict: true });
  } catch (e) {
    const message = e instanceof YAMLParseError ? e.message : String(e);
    throw new ConfigError(file, [{ path: '', value: undefined, message: `is not valid YAML: ${message}` }]);
  }
  return parseConfig(input, file, options);
}

/** Options of {@link parseConfig} and {@link loadConfig}. */
export interface LoadOptions {
  /** The day (YYYY-MM-DD) the engine lifecycle rules are checked against. @default today (UTC) */
  readonly today?: string;
}

/** Validates an already parsed config object. Throws `ConfigError` listing every problem. */
export function parseConfig(input: unknown, source = 'config', options: LoadOptions = {}): PlatformConfig {
  const result = configSchema.safeParse(input);
  const problems: ConfigProblem[] = result.success ? [] : result.error.issues.flatMap((i) => fromZodIssue(i, input));
  // A field the schema already refused is reported once: the construct rule of the same field (the
  // schema's bounds of a threshold, a name a derived name is built from) would say it again.
  const refused = new Set(problems.map((p) => p.path));
  problems.push(...crossFieldProblems(input));
  problems.push(
    ...constructRuleProblems({
      input: input as Record<string, unknown>,
      today: options.today ?? todayUtc(),
    }).filter((p) => !refused.has(p.path)),
  );
  if (problems.length > 0 || !result.success) {
    throw new ConfigError(source, problems);
  }
  return result.data;
}

function fromZodIssue(issue: z.core.$ZodIssue, input: unknown): ConfigProblem[] {
  const base = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(issue.path);
    return issue.keys.map((key) => ({
      path: base ? `${base}.${key}` : key,
      value: valueAt(input, [...issue.path, key]),
      message: `is not a known field${allowed ? `; allowed here: ${allowed.join(', ')}` : ''}`,
    }));
  }
  if (issue.code === 'invalid_key') {
    // A record key (a tag key): the path ends with the key itself.
    const key = issue.path[issue.path.length - 1];
    return [
      { path: base, value: key, message: `is not an allowed key: ${issue.issues.map((i) => i.message).join('; ')}` },
    ];
  }
  return [{ path: base, value: valueAt(input, issue.path), message: issue.message }];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) {
      return undefined;
    }
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** The field names the schema accepts at a path, for "did you mean" style messages. */
function allowedKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  let schema: z.core.$ZodType = configSchema;
  for (const key of path) {
    schema = unwrap(schema);
    const def = schema._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType };
    if (def.type === 'object' && def.shape && typeof key === 'string' && def.shape[key]) {
      schema = def.shape[key];
    } else if (def.type === 'array' && def.element && typeof key === 'number') {
      schema = def.element;
    } else {
      return undefined;
    }
  }
  const def = unwrap(schema)._zod.def as { type: string; shape?: Record<string, unknown> };
  return def.type === 'object' && def.shape ? Object.keys(def.shape).filter((k) => k !== '$schema') : undefined;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: z.core.$ZodType };
    if (!def.innerType || !['default', 'prefault', 'optional', 'nullable'].includes(def.type)) {
      return s;
    }
    s = def.innerType;
  }
}
