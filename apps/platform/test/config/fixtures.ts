import * as fs from 'node:fs';
import { parse } from 'yaml';
import { FIXTURE_CONFIG } from '../support/configs';

/**
 * A config as parsed YAML, before validation. Tests write any value of any type into it (that is
 * the point: a number where a string belongs), so its fields are deliberately untyped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawConfig = Record<string, any>;

/** The fixture config as a plain object, for tests to copy and break one field at a time. */
export function fixtureConfigInput(): RawConfig {
  return parse(fs.readFileSync(FIXTURE_CONFIG, 'utf-8'));
}
