/**
 * Unified diffs (diff -u format) of two texts, for --diff, in bounded time and memory.
 *
 * Lines become numbers (equal lines, equal numbers), the common head and tail are trimmed,
 * and the rest goes through Myers' linear-space algorithm: find the middle snake of an
 * optimal path, then solve both halves the same way. That is O((N+M)·D) time for D changed
 * lines and O(N+M) memory; the result is a shortest edit script, as diff(1)'s.
 *
 * Bounds: texts over `maxBytes` or `maxLines`, or whose diff needs more than `maxWork`
 * comparisons (many changes in big files), get no diff: unifiedDiff returns null and the
 * caller says "files differ" instead (see file-diff.ts).
 */

export interface DiffLimits {
  /** Per side, in bytes (UTF-16 code units, close enough for a bound). */
  maxBytes: number;
  /** Per side. */
  maxLines: number;
  /** Line comparisons and diagonal steps of the search, in all. */
  maxWork: number;
}

/** As large as a host file whose content fleetjail reads (MAX_CONTENT_BYTES); a few hundred ms at most. */
export const DIFF_LIMITS: DiffLimits = { maxBytes: 1024 * 1024, maxLines: 50_000, maxWork: 10_000_000 };

export interface UnifiedDiffOptions {
  path?: string;
  context?: number;
  limits?: DiffLimits;
}

/** The unified diff of BEFORE and AFTER ('' when equal), or null when it is beyond the limits. */
export function unifiedDiff(before: string, after: string, opts: UnifiedDiffOptions = {}): string | null {
  if (before === after) return '';
  const limits = opts.limits ?? DIFF_LIMITS;
  if (before.length > limits.maxBytes || after.length > limits.maxBytes) return null;
  const a = splitLines(before);
  const b = splitLines(after);
  if (a.length > limits.maxLines || b.length > limits.maxLines) return null;
  const script = editScript(a, b, limits.maxWork);
  if (script === null) return null;
  const label = opts.path ?? 'file';
  return `--- ${label}\n+++ ${label}\n${renderHunks(a, b, script, opts.context ?? 3)}`;
}

/**
 * Lines without their newline. A last line without one keeps a '\n' as a mark (no line
 * contains one otherwise), so "b" at the end of file differs from "b\n", as for diff(1).
 */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  const last = lines.pop() as string;
  if (last !== '') lines.push(`${last}\n`);
  return lines;
}

/** Which lines of A are deleted and which lines of B are inserted (1 = yes). */
export interface EditScript {
  deleted: Uint8Array;
  inserted: Uint8Array;
}

class OverBudget extends Error {}

/** A shortest edit script from A to B, or null when finding it takes more than MAXWORK steps. */
export function editScript(a: string[], b: string[], maxWork = Infinity): EditScript | null {
  const ids = new Map<string, number>();
  const intern = (lines: string[]) =>
    Int32Array.from(lines, (l) => {
      let id = ids.get(l);
      if (id === undefined) ids.set(l, (id = ids.size));
      return id;
    });
  const [aIds, bIds] = [intern(a), intern(b)];
  // A line that the other side does not have at all is a deletion (or an insertion) in every
  // shortest script; only the others need the search, which spares it the rewritten parts.
  const inA = new Uint8Array(ids.size);
  const inB = new Uint8Array(ids.size);
  for (const id of aIds) inA[id] = 1;
  for (const id of bIds) inB[id] = 1;
  const aKept = keptIndexes(aIds, inB);
  const bKept = keptIndexes(bIds, inA);
  const search = new MiddleSnake(
    aKept.map((i) => aIds[i] as number),
    bKept.map((i) => bIds[i] as number),
    maxWork,
  );
  try {
    search.compare(0, aKept.length, 0, bKept.length);
  } catch (e) {
    if (e instanceof OverBudget) return null;
    throw e;
  }
  const deleted = Uint8Array.from(aIds, (id) => 1 - (inB[id] as number));
  const inserted = Uint8Array.from(bIds, (id) => 1 - (inA[id] as number));
  search.deleted.forEach((d, k) => {
    if (d) deleted[aKept[k] as number] = 1;
  });
  search.inserted.forEach((d, k) => {
    if (d) inserted[bKept[k] as number] = 1;
  });
  return { deleted, inserted };
}

/** The positions of LINES whose id is marked in PRESENT. */
function keptIndexes(lines: Int32Array, present: Uint8Array): Int32Array {
  const out = new Int32Array(lines.length);
  let n = 0;
  lines.forEach((id, i) => {
    if (present[id]) out[n++] = i;
  });
  return out.slice(0, n);
}

/**
 * Myers' divide and conquer ("An O(ND) Difference Algorithm and Its Variations", 1986, §4b),
 * with the diagonal bounds of Neil Fraser's diff-match-patch so that no path leaves the grid.
 * The frontier arrays are allocated once, for the whole problem.
 */
class MiddleSnake {
  readonly deleted: Uint8Array;
  readonly inserted: Uint8Array;
  private readonly forward: Int32Array;
  private readonly backward: Int32Array;
  private work = 0;

  constructor(
    private readonly a: Int32Array,
    private readonly b: Int32Array,
    private readonly maxWork: number,
  ) {
    this.deleted = new Uint8Array(a.length);
    this.inserted = new Uint8Array(b.length);
    const size = a.length + b.length + 4;
    this.forward = new Int32Array(size);
    this.backward = new Int32Array(size);
  }

  /** Marks the edits that turn a[aLo, aHi) into b[bLo, bHi). */
  compare(aLo: number, aHi: number, bLo: number, bHi: number): void {
    const { a, b } = this;
    while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
      aLo++;
      bLo++;
    }
    while (aLo < aHi && bLo < bHi && a[aHi - 1] === b[bHi - 1]) {
      aHi--;
      bHi--;
    }
    this.spend(aHi - aLo + bHi - bLo);
    if (aLo === aHi) {
      this.inserted.fill(1, bLo, bHi);
    } else if (bLo === bHi) {
      this.deleted.fill(1, aLo, aHi);
    } else {
      const at = this.split(aLo, aHi, bLo, bHi);
      if (at === null) {
        this.deleted.fill(1, aLo, aHi);
        this.inserted.fill(1, bLo, bHi);
      } else {
        // After the trims both ends differ, so D >= 2 and the split is strictly inside.
        this.compare(aLo, at[0], bLo, at[1]);
        this.compare(at[0], aHi, at[1], bHi);
      }
    }
  }

  /**
   * A point on a shortest path from (aLo, bLo) to (aHi, bHi), halfway through its edits;
   * null when the two ranges have no line in common (the paths never meet).
   */
  private split(aLo: number, aHi: number, bLo: number, bHi: number): [number, number] | null {
    const { a, b, forward: vf, backward: vb } = this;
    const n = aHi - aLo;
    const m = bHi - bLo;
    const maxD = Math.ceil((n + m) / 2);
    const off = maxD;
    const length = 2 * maxD;
    vf.fill(-1, 0, length + 2);
    vb.fill(-1, 0, length + 2);
    vf[off + 1] = 0;
    vb[off + 1] = 0;
    const delta = n - m;
    // With an odd delta the paths meet while extending the forward one, else the backward one.
    const front = (delta & 1) !== 0;
    let k1start = 0;
    let k1end = 0;
    let k2start = 0;
    let k2end = 0;
    for (let d = 0; d < maxD; d++) {
      for (let k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
        const i = off + k1;
        let x1 =
          k1 === -d || (k1 !== d && (vf[i - 1] as number) < (vf[i + 1] as number)) ? (vf[i + 1] as number) : (vf[i - 1] as number) + 1;
        let y1 = x1 - k1;
        const x0 = x1;
        while (x1 < n && y1 < m && a[aLo + x1] === b[bLo + y1]) {
          x1++;
          y1++;
        }
        this.spend(x1 - x0 + 1);
        vf[i] = x1;
        if (x1 > n)
          k1end += 2; // off the right edge
        else if (y1 > m)
          k1start += 2; // off the bottom edge
        else if (front) {
          const j = off + delta - k1;
          if (j >= 0 && j < length && (vb[j] as number) !== -1 && x1 >= n - (vb[j] as number)) return [aLo + x1, bLo + y1];
        }
      }
      for (let k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
        const i = off + k2;
        let x2 =
          k2 === -d || (k2 !== d && (vb[i - 1] as number) < (vb[i + 1] as number)) ? (vb[i + 1] as number) : (vb[i - 1] as number) + 1;
        let y2 = x2 - k2;
        const x0 = x2;
        while (x2 < n && y2 < m && a[aHi - 1 - x2] === b[bHi - 1 - y2]) {
          x2++;
          y2++;
        }
        this.spend(x2 - x0 + 1);
        vb[i] = x2;
        if (x2 > n) k2end += 2;
        else if (y2 > m) k2start += 2;
        else if (!front) {
          const j = off + delta - k2;
          if (j >= 0 && j < length && (vf[j] as number) !== -1) {
            const x1 = vf[j] as number;
            if (x1 >= n - x2) return [aLo + x1, bLo + x1 - (j - off)];
          }
        }
      }
    }
    return null;
  }

  private spend(units: number): void {
    this.work += units;
    if (this.work > this.maxWork) throw new OverBudget();
  }
}

/** The hunks of a unified diff, diff(1)'s way: deletions before insertions, CONTEXT lines around. */
function renderHunks(a: string[], b: string[], script: EditScript, context: number): string {
  const runs = changeRuns(a.length, b.length, script);
  const out: string[] = [];
  let r = 0;
  while (r < runs.length) {
    // One hunk: the runs whose gaps of unchanged lines are at most 2 * CONTEXT.
    let last = r;
    while (last + 1 < runs.length && (runs[last + 1] as Run).a0 - (runs[last] as Run).a1 <= 2 * context) last++;
    const first = runs[r] as Run;
    const end = runs[last] as Run;
    // Unchanged lines pair up one to one, so B's bounds follow from A's.
    const lead = Math.min(context, first.a0);
    const trail = Math.min(context, a.length - end.a1);
    const [aStart, bStart] = [first.a0 - lead, first.b0 - lead];
    const [aEnd, bEnd] = [end.a1 + trail, end.b1 + trail];
    out.push(`@@ -${range(aStart + 1, aEnd - aStart)} +${range(bStart + 1, bEnd - bStart)} @@\n`);
    let ai = aStart;
    for (let k = r; k <= last; k++) {
      const run = runs[k] as Run;
      while (ai < run.a0) out.push(hunkLine(' ', a[ai++] as string));
      for (; ai < run.a1; ai++) out.push(hunkLine('-', a[ai] as string));
      for (let bi = run.b0; bi < run.b1; bi++) out.push(hunkLine('+', b[bi] as string));
    }
    while (ai < aEnd) out.push(hunkLine(' ', a[ai++] as string));
    r = last + 1;
  }
  return out.join('');
}

/** A run of changes: a[a0, a1) replaced by b[b0, b1). */
interface Run {
  a0: number;
  a1: number;
  b0: number;
  b1: number;
}

function changeRuns(n: number, m: number, script: EditScript): Run[] {
  const runs: Run[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (script.deleted[i] || script.inserted[j]) {
      const [a0, b0] = [i, j];
      while (i < n && script.deleted[i]) i++;
      while (j < m && script.inserted[j]) j++;
      runs.push({ a0, a1: i, b0, b1: j });
    } else {
      i++;
      j++;
    }
  }
  return runs;
}

function hunkLine(kind: string, text: string): string {
  return text.endsWith('\n') ? `${kind}${text}\\ No newline at end of file\n` : `${kind}${text}\n`;
}

function range(start: number, count: number): string {
  return count === 0 ? `${start - 1},0` : count === 1 ? `${start}` : `${start},${count}`;
}
