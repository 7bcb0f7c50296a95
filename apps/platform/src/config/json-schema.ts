import { z } from 'zod';
import { configSchema } from './schema';

/**
 * The JSON Schema of the config file, generated from the zod schema.
 *
 * `io: 'input'` describes what a person writes: fields with defaults are optional. The YAML file
 * references the committed copy (`config/config.schema.json`) so editors complete and check it; a
 * test fails when that copy is stale.
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'throw' }),
    title: 'aws-secure-baseline platform config',
  };
}
