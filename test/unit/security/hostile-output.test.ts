/**
 * Issue #11, second hostile pass: what a host prints could hurt the controller. Every test
 * here FAILED on the code it was written against; each comment gives the finding (fixed).
 * The lab half: test/integration/security/hostile-output.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS, PrefixedLineWriter } from '../../../src/cli/host-output.js';
import { BoundedOutput, tooLargeMessage } from '../../../src/transport/bounded-output.js';
import { buildBatchScript, splitBatchOutput } from '../../../src/engine/batch-script.js';
import { escapeControls } from '../../../src/util/terminal-text.js';
import { aFileType } from '../../../src/facts/file-state.js';

describe('hostile pass 2: output that could hurt the controller', () => {
  // Finding (fixed): `fleetjail exec` streamed a host's output through PrefixedLineWriter,
  // which concatenated and re-split the whole pending partial line on every chunk. A host
  // that printed one long line without a newline made this quadratic: 16 MiB in 32 KiB
  // chunks took ~20 s of blocked event loop (every other host's stream, timers, SIGINT
  // handling stalled with it); 64 MiB took minutes. Now linear, and a line longer than
  // MAX_LINE_CHARS is printed in pieces as it comes instead of being held.
  // Severity: a malicious host stalled the controller (denial of service for the fleet).
  it('a host printing 16 MiB without a newline does not freeze the exec stream (linear, not quadratic)', () => {
    let written = 0;
    let lines = 0;
    let longest = 0;
    const w = new PrefixedLineWriter('h | ', (t) => {
      written += t.length;
      for (const l of t.split('\n').slice(0, -1)) {
        lines++;
        longest = Math.max(longest, l.length);
      }
    });
    const chunk = 'a'.repeat(32 * 1024);
    const started = performance.now();
    for (let i = 0; i < 512; i++) w.push(chunk);
    w.flush();
    const ms = performance.now() - started;
    // Every byte printed, in lines of at most MAX_LINE_CHARS (plus one chunk), each prefixed.
    expect(written - lines * 'h | \n'.length).toBe(16 * 1024 * 1024);
    expect(lines).toBe((16 * 1024 * 1024) / MAX_LINE_CHARS);
    expect(longest).toBeLessThanOrEqual('h | '.length + MAX_LINE_CHARS + chunk.length);
    expect(ms).toBeLessThan(10_000); // a blowup guard, not a speed target: the quadratic writer took ~20 s
  }, 120_000);

  it('lines split across chunks still come out whole, in order, escaped', () => {
    const out: string[] = [];
    const w = new PrefixedLineWriter('h | ', (t) => out.push(t));
    for (const c of ['fir', 'st\nsec', 'ond\n\x1b[2Jthi', 'rd']) w.push(c);
    w.flush();
    expect(out.join('')).toBe('h | first\nh | second\nh | \\x1b[2Jthird\n');
  });

  // Finding (fixed): a host's stdout was held whole in memory and decoded to one string; 700 MB
  // exceeded V8's maximum string length, the exception killed the controller (no recap, no
  // --report). Now each stream keeps a head and a tail and counts what it drops.
  it('the bounded collector keeps the head and the tail and counts the rest', () => {
    const b = new BoundedOutput({ headBytes: 10, tailBytes: 6 });
    for (const c of ['0123456', '789abc', 'defghij', 'klmnop', 'qrstuv']) b.push(Buffer.from(c));
    const { text, elided } = b.text();
    expect(text).toBe('0123456789qrstuv');
    expect(elided).toEqual({ at: 10, bytes: 16, total: 32, limit: 16 });
    expect(tooLargeMessage(elided!)).toBe('output too large: 32 bytes (limit 16)');
  });

  it('output within head and tail is kept whole, however it was chunked', () => {
    const b = new BoundedOutput({ headBytes: 4, tailBytes: 8 });
    for (const c of ['ab', 'cdef', 'gh', 'ijkl']) b.push(Buffer.from(c));
    expect(b.text()).toEqual({ text: 'abcdefghijkl' });
  });

  it('holds 1 GB sent in 64 KiB chunks in a few MiB', () => {
    const b = new BoundedOutput({ headBytes: 1024 * 1024, tailBytes: 1024 * 1024 });
    const chunk = Buffer.alloc(64 * 1024, 0x79);
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 16 * 1024; i++) b.push(chunk);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    expect(b.text().elided?.total).toBe(1024 * 1024 * 1024);
  });

  it('a batch: the step whose frame reaches into the part not kept fails as too large; the others keep their output', () => {
    const nonce = '00ff00ff00ff00ff';
    const frame = (i: number, out: string, status: number) =>
      `@@fj:${nonce}:out:${i}\n${out}\n@@fj:${nonce}:err:${i}\n\n${status}\n@@fj:${nonce}:end:${i}\n`;
    const flood = 'y\n'.repeat(5000);
    const whole = frame(0, 'first', 0) + frame(1, flood, 0) + frame(2, 'third', 0);
    const b = new BoundedOutput({ headBytes: 200, tailBytes: 200 });
    for (let i = 0; i < whole.length; i += 97) b.push(Buffer.from(whole.slice(i, i + 97)));
    const { text, elided } = b.text();
    const parts = splitBatchOutput(text, 3, nonce, elided);
    expect(parts[0]).toEqual({ stdout: 'first', stderr: '', exitCode: 0 });
    expect(parts[1]).toEqual({ tooLarge: `output too large: ${flood.length} bytes (limit 400)` });
    expect(parts[2]).toEqual({ stdout: 'third', stderr: '', exitCode: 0 });
    // Without a gap, the same text splits as before.
    expect(splitBatchOutput(whole, 3, nonce)[1]).toEqual({ stdout: flood, stderr: '', exitCode: 0 });
    expect(buildBatchScript([{ script: 'true' }], nonce)).toContain(`@@fj:${nonce}:out:0`);
  });

  it('a batch whose later frames were all lost in the gap: each of them is too large, none "did not run"', () => {
    const nonce = 'abcdefabcdefabcd';
    const b = new BoundedOutput({ headBytes: 64, tailBytes: 16 });
    b.push(
      Buffer.from(
        `@@fj:${nonce}:out:0\n${'z'.repeat(1000)}\n@@fj:${nonce}:err:0\n\n0\n@@fj:${nonce}:end:0\n@@fj:${nonce}:out:1\n${'z'.repeat(1000)}`,
      ),
    );
    const { text, elided } = b.text();
    expect(splitBatchOutput(text, 2, nonce, elided).map((p) => p && 'tooLarge' in p)).toEqual([true, true]);
  });

  // Finding (fixed): terminal escaping left the bidi marks (LRM, RLM, ALM) and the line and
  // paragraph separators alone: a host could reorder or break the operator's lines.
  it('bidi marks and the line and paragraph separators are shown escaped', () => {
    expect(escapeControls('a\u200eb\u200fc\u061cd\u2028e\u2029f')).toBe('a\\u200eb\\u200fc\\u061cd\\u2028e\\u2029f');
  });

  // Finding (fixed, cosmetic): a message read "PATH is a other, not a file".
  it('file types are named with their article: a special file, not "a other"', () => {
    expect(['file', 'directory', 'link', 'other'].map((t) => aFileType(t as 'file'))).toEqual([
      'a file',
      'a directory',
      'a symbolic link',
      'a special file (a device, FIFO or socket)',
    ]);
  });
});
