/**
 * Pure logic of the lab's release and pkg emulations: package version ordering, the update
 * feed, the generated freebsd-version script, fetch's size/time formats, repo config parsing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const LIB = path.resolve(__dirname, '../../lab/userland/lib');
const { versionCmp } = require(`${LIB}/pkg/version.cjs`) as { versionCmp(a: string, b: string): number };
const { parseRepoConf } = require(`${LIB}/pkg/config.cjs`) as { parseRepoConf(t: string): Record<string, Record<string, unknown>> };
const content = require(`${LIB}/release/content.cjs`) as {
  updateFeed(r: string, p: number): { index: Array<{ path: string; hash: string; old: string[] }>; blobs: Map<string, string> };
  freebsdVersionScript(v: string): string;
  kernelFile(r: string, p: number): string;
  sha256(s: string): string;
};
const { statBytes, statSeconds } = require(`${LIB}/release/fetch.cjs`) as { statBytes(n: number): string; statSeconds(n: number): string };

describe('pkg version ordering', () => {
  it.each([
    ['1.26.2_1,3', '1.26.3,3', -1],
    ['1.26.3,3', '1.26.3,3', 0],
    ['2.0,1', '3.0', 1],
    ['1.0', '1.0.1', -1],
    ['1.0_1', '1.0', 1],
    ['1.0rc1', '1.0', -1],
    ['1.0alpha1', '1.0beta2', -1],
    ['1.0pl1', '1.0', 1],
    ['1.0a', '1.0', 1],
    ['9.1.0905', '9.1.1043', -1],
    ['16.6', '16.10', -1],
  ])('%s vs %s → %d', (a, b, want) => {
    expect(versionCmp(a, b)).toBe(want);
    expect(versionCmp(b, a)).toBe(-want || 0);
  });
});

describe('the update feed', () => {
  it("announces each file's hash at the patch level and the hashes it replaces", () => {
    const { index, blobs } = content.updateFeed('14.2-RELEASE', 3);
    const fv = index.find((e) => e.path === '/bin/freebsd-version')!;
    expect(blobs.get(fv.hash)).toContain('USERLAND_VERSION="14.2-RELEASE-p3"');
    expect(fv.old).toHaveLength(3);
    expect(fv.old).toContain(content.sha256(content.freebsdVersionScript('14.2-RELEASE')));
    expect(fv.old).not.toContain(fv.hash);
  });
});

describe('freebsd-version', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fv-'));
  const script = path.join(dir, 'freebsd-version');
  fs.writeFileSync(script, content.freebsdVersionScript('14.2-RELEASE-p3'), { mode: 0o755 });
  fs.mkdirSync(path.join(dir, 'boot/kernel'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'boot/kernel/kernel'), content.kernelFile('14.2-RELEASE', 1));
  const sh = (args: string[], env: Record<string, string> = {}) =>
    execFileSync('sh', [script, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

  it('prints the userland by default and with -u', () => {
    expect(sh([])).toBe('14.2-RELEASE-p3\n');
    expect(sh(['-u'])).toBe('14.2-RELEASE-p3\n');
  });

  it("reads the installed kernel's version with -k (ROOT relocates it, as FreeBSD's script allows)", () => {
    expect(sh(['-k'], { ROOT: dir })).toBe('14.2-RELEASE-p1\n');
    expect(sh(['-ku'], { ROOT: dir })).toBe('14.2-RELEASE-p1\n14.2-RELEASE-p3\n');
  });
});

describe('fetch progress formats (fetch.c stat_bytes / stat_seconds)', () => {
  it('formats sizes as "%4ju %cB" stepping by 1024 above 9999', () => {
    expect(statBytes(488)).toBe(' 488  B');
    expect(statBytes(9999)).toBe('9999  B');
    expect(statBytes(940272)).toBe(' 918 kB');
    expect(statBytes(200 * 1024 * 1024)).toBe(' 200 MB');
  });
  it('formats times', () => {
    expect(statSeconds(0)).toBe('   00s');
    expect(statSeconds(75)).toBe('01m15s');
  });
});

describe('pkg repository configuration', () => {
  it("reads FreeBSD's UCL repository files", () => {
    const conf = parseRepoConf(
      '# comment\nFreeBSD: {\n  url: "pkg+https://pkg.FreeBSD.org/${ABI}/quarterly",\n  mirror_type: "srv",\n  enabled: yes\n}\nlocal: { url: "file:///repo", enabled: no, priority: 10 }\n',
    );
    expect(conf.FreeBSD).toEqual({ url: 'pkg+https://pkg.FreeBSD.org/${ABI}/quarterly', mirror_type: 'srv', enabled: true });
    expect(conf.local).toEqual({ url: 'file:///repo', enabled: false, priority: 10 });
  });
});
