import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIFF_LIMITS, editScript, unifiedDiff } from '../../../src/modules/kit/unified-diff.js';

/** GNU diff -u's hunks (its --- / +++ lines carry file names and dates: dropped). */
function gnuDiff(a: string, b: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-diff-'));
  fs.writeFileSync(path.join(dir, 'a'), a);
  fs.writeFileSync(path.join(dir, 'b'), b);
  const out = spawnSync('diff', ['-u', 'a', 'b'], { cwd: dir, encoding: 'utf8' }).stdout;
  return out.split('\n').slice(2).join('\n');
}

const diff = (a: string, b: string) => unifiedDiff(a, b) ?? 'over the limits';
const hunks = (a: string, b: string) => diff(a, b).split('\n').slice(2).join('\n');

describe('unifiedDiff', () => {
  it('is empty for equal texts and names the path', () => {
    expect(unifiedDiff('a\n', 'a\n')).toBe('');
    expect(unifiedDiff('', '')).toBe('');
    expect(unifiedDiff('a\n', 'b\n', { path: '/etc/rc.conf' })).toBe('--- /etc/rc.conf\n+++ /etc/rc.conf\n@@ -1 +1 @@\n-a\n+b\n');
  });

  const cases: Array<[string, string, string]> = [
    ['one change in the middle', 'a\nb\nc\nd\ne\nf\ng\nh\ni\n', 'a\nb\nc\nd\nX\nf\ng\nh\ni\n'],
    ['additions at both ends', 'm\nn\n', 'first\nm\nn\nlast\n'],
    ['from and to nothing', '', 'a\nb\n'],
    ['to nothing', 'a\nb\n', ''],
    [
      'two distant changes: two hunks',
      Array.from({ length: 30 }, (_, i) => `l${i}`).join('\n') + '\n',
      Array.from({ length: 30 }, (_, i) => (i === 3 || i === 25 ? `L${i}` : `l${i}`)).join('\n') + '\n',
    ],
    ['no newline at the end', 'a\nb', 'a\nc'],
    ['newline added at the end', 'a\nb', 'a\nb\n'],
    ['moved and repeated lines', 'x\ny\nz\nx\ny\nz\n', 'y\nz\nx\nq\nz\nx\n'],
    ['from nothing to a line without newline', '', 'a'],
    ['a line without newline to nothing', 'a', ''],
    ['only the newline removed', 'a\n', 'a'],
    ['blank lines', '\n\n\n', '\n\nx\n\n'],
    ['every line different', 'a\nb\nc\n', 'x\ny\n'],
    ['a change at each end and context that overlaps', 'a\nb\nc\nd\ne\nf\ng\nh\n', 'A\nb\nc\nd\ne\nf\ng\nH\n'],
  ];
  for (const [name, a, b] of cases) {
    it(`matches diff -u: ${name}`, () => {
      expect(hunks(a, b)).toBe(gnuDiff(a, b));
    });
  }

  it('matches diff -u on random edits', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 40; round++) {
      const a = Array.from({ length: 5 + rand(30) }, () => `w${rand(6)}`);
      const b = a.flatMap((l) => (rand(5) === 0 ? [] : rand(6) === 0 ? [l, `n${rand(4)}`] : [rand(7) === 0 ? `c${rand(3)}` : l]));
      const left = a.join('\n') + '\n';
      const right = b.join('\n') + '\n';
      // Both are minimal diffs; where several minimal diffs exist they may differ in
      // which lines they pair up, so compare sizes, and the result when applied.
      const ours = hunks(left, right);
      const count = (d: string, c: string) => d.split('\n').filter((l) => l.startsWith(c) && !l.startsWith('@@')).length;
      expect([count(ours, '-'), count(ours, '+')]).toEqual([count(gnuDiff(left, right), '-'), count(gnuDiff(left, right), '+')]);
      expect(applyPatch(left, diff(left, right))).toBe(right);
    }
  });
});

describe('unifiedDiff at scale', () => {
  const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n') + '\n';
  const noLimits = { maxBytes: Infinity, maxLines: Infinity, maxWork: Infinity };

  it('is a shortest script on bigger random edits, as diff -u', () => {
    let seed = 11;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 5; round++) {
      const a = Array.from({ length: 2000 }, () => `w${rand(50)}`);
      const b = a.flatMap((l) => (rand(8) === 0 ? [] : rand(8) === 0 ? [l, `n${rand(40)}`] : [rand(9) === 0 ? `w${rand(50)}` : l]));
      const [left, right] = [a.join('\n') + '\n', b.join('\n') + '\n'];
      const count = (d: string, c: string) => d.split('\n').filter((l) => l.startsWith(c) && !l.startsWith(c.repeat(3))).length;
      const ours = diff(left, right);
      // diff --minimal: GNU diff's heuristics may give a longer script on large inputs.
      const gnu = spawnGnu(left, right, ['--minimal']);
      expect(count(ours, '-') + count(ours, '+')).toBe(count(gnu, '-') + count(gnu, '+'));
      expect(applyPatch(left, ours)).toBe(right);
    }
  });

  it('a 10 MB, 200,000-line file with scattered changes diffs in well under a second (limits lifted)', () => {
    const a = lines(200_000, (i) => `line ${i} of a big file, with some text to make it longer ${i * 7}`);
    const b = lines(200_000, (i) =>
      i % 2000 === 1000 ? `changed ${i}` : `line ${i} of a big file, with some text to make it longer ${i * 7}`,
    );
    expect(a.length).toBeGreaterThan(10_000_000);
    const started = performance.now();
    const out = unifiedDiff(a, b, { limits: noLimits }) as string;
    expect(performance.now() - started).toBeLessThan(3000); // ~0.3 s here; generous for a loaded CI machine
    expect(out.split('\n').filter((l) => l.startsWith('@@'))).toHaveLength(100);
    expect(applyPatch(a, out)).toBe(b);
  });

  it('a new 200,000-line file is one hunk, computed in linear time', () => {
    const b = lines(200_000, (i) => `l${i}`);
    const started = performance.now();
    const out = unifiedDiff('', b, { limits: noLimits }) as string;
    expect(performance.now() - started).toBeLessThan(3000);
    expect(out.startsWith('--- file\n+++ file\n@@ -0,0 +1,200000 @@\n+l0\n+l1\n')).toBe(true);
  });

  it('beyond the limits there is no diff (null): size, lines, or work', () => {
    const started = performance.now();
    const tenMB = 'x'.repeat(100) + '\n';
    expect(unifiedDiff('', tenMB.repeat(100_000))).toBeNull(); // 10 MB > maxBytes
    expect(unifiedDiff('a\n', '\n'.repeat(DIFF_LIMITS.maxLines + 1))).toBeNull(); // lines
    // Work: two permutations of the same 20,000 lines (every line moves): the search gives up.
    const same = Array.from({ length: 20_000 }, (_, i) => `l${i}`);
    const shuffled = same.map((_, i) => same[(i * 7919) % same.length] as string);
    expect(unifiedDiff(same.join('\n'), shuffled.join('\n'))).toBeNull();
    expect(performance.now() - started).toBeLessThan(3000);
    expect(editScript(same, shuffled, 1000)).toBeNull();
  });

  it('edit scripts mark exactly the lines that differ when the other side lacks them', () => {
    const s = editScript(['a', 'b', 'c'], ['a', 'x', 'c', 'd']);
    expect(s && [...s.deleted]).toEqual([0, 1, 0]);
    expect(s && [...s.inserted]).toEqual([0, 1, 0, 1]);
  });
});

function spawnGnu(a: string, b: string, flags: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-diff-'));
  fs.writeFileSync(path.join(dir, 'a'), a);
  fs.writeFileSync(path.join(dir, 'b'), b);
  const out = spawnSync('diff', ['-u', ...flags, 'a', 'b'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
  fs.rmSync(dir, { recursive: true, force: true });
  return out.split('\n').slice(2).join('\n');
}

/** Apply a unified diff to TEXT (as patch(1) would), to check hunks are consistent. */
function applyPatch(text: string, diff: string): string {
  const src = text.split('\n');
  src.pop();
  const out: string[] = [];
  let at = 0;
  for (const block of diff.split(/^(?=@@ )/m).slice(1)) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+/.exec(block) as RegExpExecArray;
    const start = Number(m[1]) - (m[2] === '0' ? 0 : 1);
    while (at < start) out.push(src[at++] as string);
    for (const l of block.split('\n').slice(1)) {
      if (l.startsWith(' ')) out.push(src[at++] as string);
      else if (l.startsWith('-')) at++;
      else if (l.startsWith('+')) out.push(l.slice(1));
    }
  }
  while (at < src.length) out.push(src[at++] as string);
  return out.join('\n') + '\n';
}
