/**
 * zfs(8) script output: `zfs get -Hp -o name,property,value,source ...` and
 * `zfs list -H -o COL,...`. -H separates columns by one tab and prints no header; values
 * may contain spaces (a source reads "inherited from zroot/usr"), never tabs.
 *
 * Pasted outputs (bug reports, docs) often have their tabs expanded to spaces: a line with
 * no tab where several columns are expected is split on spaces instead (splitPasted). Only
 * references and hand-made text need this; zfs itself always prints the tabs.
 */

export interface ZfsGetRow {
  name: string;
  property: string;
  value: string;
  /** local, default, -, inherited from NAME, received, temporary. */
  source: string;
}

/** Rows of `zfs get -H[p] -o name,property,value,source`. */
export function parseZfsGet(output: string): ZfsGetRow[] {
  return parseZfsList(output, ['name', 'property', 'value', 'source'] as const);
}

/** Rows of `zfs list -H -o C1,C2,...` as objects keyed by the column names given. */
export function parseZfsList<C extends string>(output: string, columns: readonly C[]): Array<Record<C, string>> {
  return splitRows(output, columns.length).map((cells) => Object.fromEntries(columns.map((c, i) => [c, cells[i]])) as Record<C, string>);
}

function splitRows(output: string, width: number): string[][] {
  const rows: string[][] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const cells = line.includes('\t') || width === 1 ? line.split('\t') : splitPasted(line, width);
    if (cells.length !== width) throw new Error(`unexpected zfs output line (${width} columns expected): '${line}'`);
    rows.push(cells);
  }
  return rows;
}

/**
 * A line whose tabs were expanded: columns are usually two or more spaces apart, but a tab
 * after a cell whose width is 7 mod 8 became one space. When two-space splitting gives too
 * few cells, split on any space and let the last column (a source such as "inherited from
 * zroot") take the rest.
 */
function splitPasted(line: string, width: number): string[] {
  const wide = line.trim().split(/ {2,}/);
  if (wide.length >= width) return wide.length === width ? wide : [...wide.slice(0, width - 1), wide.slice(width - 1).join('  ')];
  const words = line.trim().split(/\s+/);
  return words.length <= width ? words : [...words.slice(0, width - 1), words.slice(width - 1).join(' ')];
}

/** zfs's message for a dataset (or snapshot) that does not exist, on OpenZFS and zfs-fuse. */
export function isDatasetMissing(stderr: string): boolean {
  return /dataset does not exist/.test(stderr);
}

/** The dataset part of a snapshot name: zroot/a@s -> zroot/a. */
export function snapshotDataset(snapshot: string): string {
  const at = snapshot.indexOf('@');
  return at < 0 ? snapshot : snapshot.slice(0, at);
}

/** The pool of a dataset or snapshot name. */
export function poolOf(name: string): string {
  return snapshotDataset(name).split('/')[0] as string;
}

/** zroot/a/b/c -> [zroot, zroot/a, zroot/a/b]. */
export function ancestorsOf(dataset: string): string[] {
  const parts = snapshotDataset(dataset).split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** Whether NAME is DATASET itself, a descendant file system, or a snapshot of either. */
export function isWithin(name: string, dataset: string): boolean {
  return name === dataset || name.startsWith(`${dataset}/`) || name.startsWith(`${dataset}@`);
}
