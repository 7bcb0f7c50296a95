/**
 * The little of mermaid's flowchart syntax the generated diagrams use, written so that any text
 * from the config or a template is safe in it.
 *
 * Node ids are built from letters, digits and underscores only and always from two or more parts,
 * so none is a flowchart keyword (`end`, `graph`, `style`...). Every label is quoted (`["..."]`):
 * in a quoted label mermaid accepts parentheses, `@`, `/` and `:`; the few characters that still
 * matter (`"`, `#`, `<`, `>`, `&`) are written as mermaid entity codes.
 */

/**
 * A mermaid node id: `kind` and `parts` joined with `_`, anything but [A-Za-z0-9_] replaced by `_`.
 *
 * Fails when the id would not start with a letter (mermaid reads a leading digit as something else).
 */
export function nodeId(kind: string, ...parts: string[]): string {
  const id = [kind, ...parts].join('_').replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z]/.test(id) || parts.length === 0) {
    throw new Error(`mermaid node id '${id}': must start with a letter and have a kind and at least one part`);
  }
  return id;
}

/** A quoted mermaid label: each line escaped, the lines joined by `<br/>`. */
export function label(lines: readonly string[]): string {
  return `"${lines.map(escapeLine).join('<br/>')}"`;
}

/** One line of label text with the characters mermaid interprets written as entity codes. */
function escapeLine(text: string): string {
  // '#' first: the replacements below introduce '#' of their own.
  return text
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/&/g, '#amp;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/[\r\n]+/g, ' ');
}

/** `text` wrapped in a ```mermaid fence, with a trailing newline. */
export function fenced(lines: readonly string[]): string {
  return ['```mermaid', ...lines, '```'].join('\n') + '\n';
}

/** `n` and `noun`, the noun in the plural unless `n` is 1 (`3 NAT gateways`). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
