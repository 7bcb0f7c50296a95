/**
 * How numbers look in the log and the report. One place, so that the same quantity reads the same
 * everywhere (and the report's tests can pin the format).
 */

export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;

const missing = (x: number | undefined): x is undefined => x === undefined || !Number.isFinite(x);

/** Seconds: two decimals below 10 s, one above (the noise of these runs is larger than that). */
export function sec(s: number | undefined): string {
  if (missing(s)) return 'n/a';
  return `${Math.abs(s) < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
}

export function mib(bytes: number | undefined): string {
  return missing(bytes) ? 'n/a' : `${Math.round(bytes / MiB)} MiB`;
}

export function gib(bytes: number | undefined): string {
  return missing(bytes) ? 'n/a' : `${(bytes / GiB).toFixed(2)} GiB`;
}

/** A ratio such as ours / stock: `0.37 ×`. */
export function times(r: number | undefined): string {
  return missing(r) ? 'n/a' : `${r.toFixed(2)} ×`;
}

/** A duration in units of one full synth: `1.84 synths`, `1.00 synth`. */
export function synths(r: number | undefined): string {
  if (missing(r)) return 'n/a';
  const text = r.toFixed(2);
  return `${text} ${text === '1.00' ? 'synth' : 'synths'}`;
}

/** `4.37 s – 5.08 s` for several runs, `–` for one (a single run has no range). */
export function rangeText(walls: readonly number[]): string {
  return walls.length > 1 ? `${sec(Math.min(...walls))} – ${sec(Math.max(...walls))}` : '–';
}

/** A target's status cell: bold so that a failed target stands out in the rendered table. */
export function status(met: boolean | undefined): string {
  return met === undefined ? 'not measured' : met ? '**met**' : '**not met**';
}

export type Align = 'l' | 'r';

/** A Markdown table with padded columns, so that prettier leaves the committed report alone. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, align: Align[] = []): string {
  const all = [header, ...rows].map((r) => header.map((_, i) => String(r[i] ?? '')));
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => displayWidth(r[i]))));
  const pad = (c: string, i: number) => {
    const fill = ' '.repeat(widths[i] - displayWidth(c));
    return align[i] === 'r' ? fill + c : c + fill;
  };
  const line = (r: string[]) => `| ${r.map(pad).join(' | ')} |`;
  const sep = `| ${widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(all[0]), sep, ...all.slice(1).map(line)].join('\n');
}

/** Characters as prettier counts them for table padding (code points; no wide characters here). */
function displayWidth(s: string): number {
  return [...s].length;
}
