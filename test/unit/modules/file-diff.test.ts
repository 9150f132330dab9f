import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentDiff, fileDiff } from '../../../src/modules/kit/file-diff.js';
import { hashLocalFile } from '../../../src/modules/kit/local-source.js';
import { sha256Hex } from '../../../src/util/digest.js';
import { ABSENT, textFile } from './support.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-file-diff-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const ON = { diff: true };
const OFF = { diff: false };
const unified = (entries: ReturnType<typeof fileDiff>) => (entries[0] as { unified: string }).unified;

describe('file diffs', () => {
  it('are not computed without --diff, however large the texts', () => {
    const huge = 'x\n'.repeat(5_000_000);
    const started = performance.now();
    expect(fileDiff(OFF, '/f', '', huge)).toEqual([]);
    expect(contentDiff(OFF, '/f', ABSENT, huge)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('a new, a changed and a removed file are unified diffs', () => {
    expect(fileDiff(ON, '/f', null, 'a\n')).toEqual([{ type: 'file', path: '/f', unified: '--- /f\n+++ /f\n@@ -0,0 +1 @@\n+a\n' }]);
    expect(unified(fileDiff(ON, '/f', 'a\nb\n', 'a\nc\n'))).toBe('--- /f\n+++ /f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n');
    expect(unified(contentDiff(ON, '/f', textFile('a'), ''))).toBe('--- /f\n+++ /f\n@@ -1 +0,0 @@\n-a\n\\ No newline at end of file\n');
  });

  it('beyond the limits, or binary, one line says what is known and why', () => {
    const many = 'l\n'.repeat(60_000);
    expect(unified(fileDiff(ON, '/f', 'a\n', many))).toBe(
      `/f: files differ: 1 -> 60000 lines, sha256 ${sha256Hex('a\n')} -> ${sha256Hex(many)} (more than 50000 lines)\n`,
    );
    const big = 'x'.repeat(2 * 1024 * 1024);
    expect(unified(fileDiff(ON, '/f', '', big))).toMatch(/^\/f: files differ: 0 -> 1 lines, sha256 \S+ -> \S+ \(larger than 1 MiB\)\n$/);
    // Every line moved: the search gives up within its budget.
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
    const moved = lines.map((_, i) => lines[(i * 7919) % lines.length]);
    expect(unified(fileDiff(ON, '/f', lines.join('\n'), moved.join('\n')))).toMatch(/ \(too many changes to diff\)\n$/);
    // A host file that is not UTF-8 text (read back with replacement characters): its checksum, not its text.
    const binary = textFile('\uFFFDx', { sha256: 'b'.repeat(64), size: 2 });
    expect(unified(contentDiff(ON, '/f', binary, 'text\n'))).toBe(
      `/f: files differ: 2 -> 5 bytes, sha256 ${'b'.repeat(64)} -> ${sha256Hex('text\n')} (binary)\n`,
    );
  });

  it('a local file is read for its diff only when small enough, and must still be what was hashed', () => {
    const file = path.join(dir, 'conf');
    fs.writeFileSync(file, 'a\nb\n');
    const local = hashLocalFile(file);
    expect(unified(contentDiff(ON, '/etc/conf', textFile('a\n'), local))).toBe('--- /etc/conf\n+++ /etc/conf\n@@ -1 +1,2 @@\n a\n+b\n');
    fs.writeFileSync(file, 'a\nB\n');
    expect(() => contentDiff(ON, '/etc/conf', textFile('a\n'), local)).toThrow(/conf changed on the controller/);
    const bin = path.join(dir, 'bin');
    fs.writeFileSync(bin, Buffer.from([0xff, 0xfe, 0x00]));
    const binFile = hashLocalFile(bin);
    expect(unified(contentDiff(ON, '/b', ABSENT, binFile))).toBe(
      `/b: files differ: 0 -> 3 bytes, sha256 ${sha256Hex('')} -> ${binFile.sha256} (binary)\n`,
    );
  });

  it('hashes a local file by streaming it, once while it is unchanged', () => {
    const file = path.join(dir, 'big');
    const data = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    fs.writeFileSync(file, data);
    const first = hashLocalFile(file);
    expect(first).toEqual({ kind: 'local-file', path: file, size: data.length, sha256: sha256Hex(data) });
    expect(hashLocalFile(file)).toBe(first); // cached
    fs.appendFileSync(file, 'x');
    expect(hashLocalFile(file)).toMatchObject({ size: data.length + 1, sha256: sha256Hex(Buffer.concat([data, Buffer.from('x')])) });
    expect(() => hashLocalFile(dir)).toThrow(/not a regular file/);
  });
});
