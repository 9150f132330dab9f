import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../src/modules/unified-diff.js';

/** GNU diff -u's hunks (its --- / +++ lines carry file names and dates: dropped). */
function gnuDiff(a: string, b: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-diff-'));
  fs.writeFileSync(path.join(dir, 'a'), a);
  fs.writeFileSync(path.join(dir, 'b'), b);
  const out = spawnSync('diff', ['-u', 'a', 'b'], { cwd: dir, encoding: 'utf8' }).stdout;
  return out.split('\n').slice(2).join('\n');
}

const hunks = (a: string, b: string) => unifiedDiff(a, b).split('\n').slice(2).join('\n');

describe('unifiedDiff', () => {
  it('is empty for equal texts and names the path', () => {
    expect(unifiedDiff('a\n', 'a\n')).toBe('');
    expect(unifiedDiff('a\n', 'b\n', { path: '/etc/rc.conf' })).toBe('--- /etc/rc.conf\n+++ /etc/rc.conf\n@@ -1 +1 @@\n-a\n+b\n');
  });

  const cases: Array<[string, string, string]> = [
    ['one change in the middle', 'a\nb\nc\nd\ne\nf\ng\nh\ni\n', 'a\nb\nc\nd\nX\nf\ng\nh\ni\n'],
    ['additions at both ends', 'm\nn\n', 'first\nm\nn\nlast\n'],
    ['from and to nothing', '', 'a\nb\n'],
    ['to nothing', 'a\nb\n', ''],
    ['two distant changes: two hunks', Array.from({ length: 30 }, (_, i) => `l${i}`).join('\n') + '\n', Array.from({ length: 30 }, (_, i) => (i === 3 || i === 25 ? `L${i}` : `l${i}`)).join('\n') + '\n'],
    ['no newline at the end', 'a\nb', 'a\nc'],
    ['newline added at the end', 'a\nb', 'a\nb\n'],
    ['moved and repeated lines', 'x\ny\nz\nx\ny\nz\n', 'y\nz\nx\nq\nz\nx\n'],
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
      expect(applyPatch(left, unifiedDiff(left, right))).toBe(right);
    }
  });
});

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
