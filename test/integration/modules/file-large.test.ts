/**
 * Large files with the file module on every lab host: an 8 MB binary file given by `src:` is
 * streamed from the controller's disk (never held in memory, far beyond what travels inline)
 * and lands byte for byte (the host's own sha256 agrees); a re-run compares checksums only
 * and changes nothing. Diffs are bounded and only with --diff: a changed 2 MB text file gets
 * a "files differ" line at once, a changed 600 KB one a real unified diff, fast; without
 * --diff the report carries no diff at all.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { expectChangedOnAll, onAllHosts as onAll, runWithReport as run, scratchDir, writeFile } from '../../support/playbook.js';
import { labHosts } from '../../support/lab.js';

const dir = scratchDir();
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

const BIN = '/var/tmp/fj-large.bin';
const BIG_TEXT = '/var/tmp/fj-large-2m.txt';
const MID_TEXT = '/var/tmp/fj-large-600k.txt';

// 8 MB of random bytes: NULs, invalid UTF-8, no line structure.
const binary = randomBytes(8 * 1024 * 1024);
const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} line ${i}: ${'text '.repeat(5)}`).join('\n') + '\n';
const bigText = lines(60_000, 'big'); // ~2.2 MB
const midText = lines(18_000, 'mid'); // ~650 KB, under the 1 MiB diff limit
writeFile(dir, 'files/large.bin', '');
fs.writeFileSync(`${dir}/files/large.bin`, binary);
writeFile(dir, 'files/big.txt', bigText);
writeFile(dir, 'files/mid.txt', midText);

const playbook = writeFile(
  dir,
  'large.yaml',
  `
name: large files
hosts: all
steps:
  - name: binary
    file: { path: ${BIN}, src: files/large.bin, mode: '0600' }
  - name: big text
    file: { path: ${BIG_TEXT}, src: files/big.txt }
  - name: mid text
    file: { path: ${MID_TEXT}, src: files/mid.txt }
`,
);

afterAll(async () => {
  await onAll(`rm -f ${BIN} ${BIG_TEXT} ${MID_TEXT}`);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('large files on the lab fleet', () => {
  it('an 8 MB binary src lands byte for byte on every host (sha256 on the host); no diff without --diff', async () => {
    await onAll(`rm -f ${BIN} ${BIG_TEXT} ${MID_TEXT}`);
    const { cli, report } = await run(playbook);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expectChangedOnAll(report, 3);
    for (const r of await onAll(`sha256 -q ${BIN} ${BIG_TEXT} ${MID_TEXT}; stat -f '%z %Lp' ${BIN}`)) {
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${sha256(binary)}\n${sha256(bigText)}\n${sha256(midText)}\n${binary.length} 600\n`);
    }
    for (const h of labHosts()) {
      const steps = report.hosts[h.name]?.steps ?? [];
      expect(steps.map((s) => s.changes)).toEqual([
        [`create ${BIN} (${binary.length} bytes)`],
        [`create ${BIG_TEXT} (${bigText.length} bytes)`],
        [`create ${MID_TEXT} (${midText.length} bytes)`],
      ]);
      expect(steps.map((s) => s.diff)).toEqual([null, null, null]);
    }
  });

  it('a re-run compares checksums and changes nothing, in one round trip', async () => {
    const { cli, report } = await run(playbook);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expectChangedOnAll(report, 0);
    for (const h of labHosts()) expect(report.hosts[h.name]?.roundTrips, h.name).toBe(1);
  });

  it('--diff: a changed 2 MB text gets a "files differ" line, a changed 600 KB text a unified diff; both fast', async () => {
    await onAll(`printf 'hand edit\\n' >> ${BIG_TEXT} && sed -i '' -e 's/^mid line 9000: /mid line 9000 (edited): /' ${MID_TEXT}`);
    const started = performance.now();
    const { cli, report } = await run(playbook, '--diff');
    const elapsed = performance.now() - started;
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expectChangedOnAll(report, 2);
    const edited = `${bigText}hand edit\n`;
    for (const h of labHosts()) {
      const steps = new Map((report.hosts[h.name]?.steps ?? []).map((s) => [s.name, s]));
      expect(steps.get('big text')?.diff).toEqual([
        {
          type: 'file',
          path: BIG_TEXT,
          unified: `${BIG_TEXT}: files differ: ${edited.length} -> ${bigText.length} bytes, sha256 ${sha256(edited)} -> ${sha256(bigText)} (larger than 1 MiB)\n`,
        },
      ]);
      const unified = (steps.get('mid text')?.diff?.[0] as { unified: string } | undefined)?.unified ?? '';
      expect(unified.split('\n').filter((l) => /^[-+@]/.test(l))).toEqual([
        `--- ${MID_TEXT}`,
        `+++ ${MID_TEXT}`,
        '@@ -8998,7 +8998,7 @@',
        `-mid line 9000 (edited): ${'text '.repeat(5)}`,
        `+mid line 9000: ${'text '.repeat(5)}`,
      ]);
    }
    // Four hosts, 2 MB + 600 KB each: the diffs themselves cost next to nothing.
    expect(elapsed).toBeLessThan(30_000);
    for (const r of await onAll(`sha256 -q ${BIG_TEXT} ${MID_TEXT}`)) expect(r.stdout).toBe(`${sha256(bigText)}\n${sha256(midText)}\n`);
  });
});
