/**
 * Unified diffs (diff -u format) of two texts, for --diff. Myers' O((N+M)·D) algorithm on
 * lines, after trimming the common head and tail, which is where config files agree.
 */

type Op = { kind: ' ' | '-' | '+'; line: string };

export function unifiedDiff(before: string, after: string, opts: { path?: string; context?: number } = {}): string {
  if (before === after) return '';
  const context = opts.context ?? 3;
  const ops = diffLines(splitLines(before), splitLines(after));
  const label = opts.path ?? 'file';
  const header = `--- ${label}\n+++ ${label}\n`;
  return header + toHunks(ops, context).map((h) => renderHunk(h, ops)).join('');
}

/**
 * Lines without their newline. A last line without one keeps a '\n' as a mark (no line
 * contains one otherwise), so "b" at the end of file differs from "b\n", as for diff(1).
 */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  const last = lines.pop() as string;
  if (last !== '') lines.push(`${last}\n`);
  return lines;
}

export function diffLines(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const middle = myers(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  const same = (lines: string[]): Op[] => lines.map((line) => ({ kind: ' ', line }));
  return [...same(a.slice(0, head)), ...middle, ...same(a.slice(a.length - tail))];
}

function myers(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number));
      let x = down ? (v[offset + k + 1] as number) : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
    v = next;
  }
  trace.push(v);
  // Walk back from the end through the saved frontiers.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d > 0; d--) {
    const prev = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (prev[offset + k - 1] as number) < (prev[offset + k + 1] as number));
    const prevK = down ? k + 1 : k - 1;
    const prevX = prev[offset + prevK] as number;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', line: a[--x] as string });
      y--;
    }
    if (down) ops.push({ kind: '+', line: b[--y] as string });
    else ops.push({ kind: '-', line: a[--x] as string });
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: ' ', line: a[--x] as string });
    y--;
  }
  return ops.reverse();
}

interface Hunk {
  start: number;
  end: number;
}

function toHunks(ops: Op[], context: number): Hunk[] {
  const hunks: Hunk[] = [];
  ops.forEach((op, i) => {
    if (op.kind === ' ') return;
    const start = Math.max(0, i - context);
    const end = Math.min(ops.length, i + context + 1);
    const last = hunks[hunks.length - 1];
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else hunks.push({ start, end });
  });
  return hunks;
}

function renderHunk(h: Hunk, ops: Op[]): string {
  let aLine = 1;
  let bLine = 1;
  for (let i = 0; i < h.start; i++) {
    if ((ops[i] as Op).kind !== '+') aLine++;
    if ((ops[i] as Op).kind !== '-') bLine++;
  }
  const slice = ops.slice(h.start, h.end);
  const aCount = slice.filter((o) => o.kind !== '+').length;
  const bCount = slice.filter((o) => o.kind !== '-').length;
  const range = (start: number, count: number) => (count === 0 ? `${start - 1},0` : count === 1 ? `${start}` : `${start},${count}`);
  let out = `@@ -${range(aLine, aCount)} +${range(bLine, bCount)} @@\n`;
  for (const op of slice) {
    out += op.line.endsWith('\n') ? `${op.kind}${op.line}\\ No newline at end of file\n` : `${op.kind}${op.line}\n`;
  }
  return out;
}
