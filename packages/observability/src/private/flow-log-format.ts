/** One field of a VPC flow log format string, e.g. `${log-status}`. */
export interface FlowLogField {
  /** The flow log field name as AWS spells it, e.g. `log-status`. */
  readonly name: string;
  /** The column name used in the space-delimited filter pattern, e.g. `log_status`. */
  readonly column: string;
}

const FIELD = /^\$\{([a-z][a-z0-9-]*)\}$/;

/**
 * Splits a VPC flow log format string into its fields, in record order.
 *
 * Flow log records are the values of these fields, in this order, separated by single spaces, with `-`
 * for a value that does not apply; no value contains a space. So a pattern with one column per field
 * reads every record of this format and no record of a format with a different field count.
 *
 * Throws (with the reason, but without the construct path, which the caller adds) when the string is
 * not a sequence of `${field}` separated by single spaces, repeats a field, or lacks `${action}`.
 */
export function parseFlowLogFormat(format: string): FlowLogField[] {
  if (format.trim() === '') {
    throw new Error('is empty; give the format string the flow log was created with');
  }
  const tokens = format.split(' ');
  const fields: FlowLogField[] = [];
  const seen = new Set<string>();
  for (const token of tokens) {
    const match = FIELD.exec(token);
    if (!match) {
      throw new Error(
        `has ${token === '' ? 'an empty field (two spaces in a row, or a leading or trailing space)' : `'${token}'`}; ` +
          'a flow log format is ${field} names separated by single spaces',
      );
    }
    const name = match[1];
    if (seen.has(name)) {
      throw new Error(`repeats the field \${${name}}`);
    }
    seen.add(name);
    fields.push({ name, column: name.replace(/-/g, '_') });
  }
  if (!seen.has('action')) {
    throw new Error('has no ${action} field, so REJECT records cannot be told from ACCEPT records');
  }
  return fields;
}
