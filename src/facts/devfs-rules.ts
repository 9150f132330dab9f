/**
 * devfs.rules(5) text: `[name=number]` section headers, each followed by its rule lines
 * (`add path 'bpf*' unhide`, `add include $devfsrules_hide_all`), comments and blank lines.
 * Sections are found and edited by line, so everything outside the edited section (other
 * sections, comments, blank lines) stays byte for byte as it was.
 *
 * A section's extent is its header and the lines after it up to its last non-blank,
 * non-comment line before the next header: comments and blank lines that end a section
 * usually introduce the next one, so they stay where they are.
 */

export interface DevfsSection {
  name: string;
  number: number;
  /** 0-based index of the header line. */
  start: number;
  /** 0-based index one past the section's last line. */
  end: number;
}

/** rc.subr reads a header as `[NAME=NUMBER]`, optionally followed by a comment. */
const HEADER = /^\s*\[([^=\]\s]+)\s*=\s*(\d+)\s*\]\s*(#.*)?$/;

export function devfsLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const isRule = (line: string) => line.trim() !== '' && !line.trim().startsWith('#');

export function parseDevfsSections(text: string): DevfsSection[] {
  const lines = devfsLines(text);
  const out: DevfsSection[] = [];
  lines.forEach((line, i) => {
    const m = HEADER.exec(line);
    if (!m) return;
    const prev = out[out.length - 1];
    if (prev) prev.end = extentEnd(lines, prev.start, i);
    out.push({ name: m[1] as string, number: Number(m[2]), start: i, end: lines.length });
  });
  const last = out[out.length - 1];
  if (last) last.end = extentEnd(lines, last.start, lines.length);
  return out;
}

function extentEnd(lines: string[], start: number, limit: number): number {
  let end = start + 1;
  for (let i = start + 1; i < limit; i++) if (isRule(lines[i] as string)) end = i + 1;
  return end;
}

/** The section's text as the module writes it: the header, then the rules as given. */
export function renderDevfsSection(name: string, number: number, rules: readonly string[]): string[] {
  return [`[${name}=${number}]`, ...rules];
}

const join = (lines: string[]) => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);

/**
 * TEXT with section NAME set to LINES: replaced in place when it exists, else appended after
 * a blank line (when the file has content and does not already end with one).
 */
export function withDevfsSection(text: string, name: string, lines: string[]): string {
  const all = devfsLines(text);
  const found = parseDevfsSections(text).find((s) => s.name === name);
  if (found) return join([...all.slice(0, found.start), ...lines, ...all.slice(found.end)]);
  const gap = all.length > 0 && (all[all.length - 1] as string).trim() !== '' ? [''] : [];
  return join([...all, ...gap, ...lines]);
}

/** TEXT without section NAME; the blank line that separated it goes too when it would leave two in a row (undoes an append). */
export function withoutDevfsSection(text: string, name: string): string {
  const all = devfsLines(text);
  const found = parseDevfsSections(text).find((s) => s.name === name);
  if (!found) return text;
  let start = found.start;
  const before = all[start - 1];
  const after = all[found.end];
  if (before !== undefined && before.trim() === '' && (after === undefined || after.trim() === '')) start--;
  return join([...all.slice(0, start), ...all.slice(found.end)]);
}
