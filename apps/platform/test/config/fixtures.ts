import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/**
 * A config as parsed YAML, before validation. Tests write any value of any type into it (that is
 * the point: a number where a string belongs), so its fields are deliberately untyped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawConfig = Record<string, any>;

/** The shipped default config as a plain object, for tests to copy and break one field at a time. */
export function defaultConfigInput(): RawConfig {
  return parse(fs.readFileSync(path.join(__dirname, '..', '..', 'config', 'platform.yaml'), 'utf-8'));
}
