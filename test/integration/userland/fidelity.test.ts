/**
 * Fidelity (#3 point 8): the lab's commands print the shapes of the real FreeBSD outputs in
 * ../shared/freebsd-reference that the other userland tests do not already check: headers,
 * tab-separated scripted forms, version strings, and error messages. Values differ (sizes,
 * names); the shape is what fleetjail's parsers depend on.
 */
import { describe, expect, it } from 'vitest';
import { labHosts, shRun, sshRun } from '../../support/lab.js';
import { referenceLines } from './reference.js';

const host = () => labHosts()[0]!;
async function out(command: string): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const r = await sshRun(host(), command);
  const lines = (t: string) => t.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  return { code: r.code, stdout: lines(r.stdout), stderr: lines(r.stderr) };
}
/** Tabs in a line: scripted (-H) forms separate columns with exactly one. */
const tabCount = (line: string) => line.split('\t').length - 1;

describe('versions', () => {
  it('freebsd-version [-k|-u] and uname -r print one RELEASE[-pN] line, like freebsd-version-*.txt / uname-r-01', async () => {
    const version = /^\d+\.\d+-(RELEASE|RC\d+|BETA\d+|STABLE|CURRENT)(-p\d+)?$/;
    for (const f of ['freebsd-version-01.txt', 'freebsd-version-k-01.txt', 'freebsd-version-u-01.txt', 'uname-r-01.txt']) {
      expect(referenceLines(f), f).toHaveLength(1);
      expect(referenceLines(f)[0], f).toMatch(version);
    }
    for (const cmd of ['freebsd-version', 'freebsd-version -k', 'freebsd-version -u', 'uname -r']) {
      const r = await out(cmd);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toHaveLength(1);
      expect(r.stdout[0], cmd).toMatch(version);
    }
  });

  it('uname -a: "FreeBSD HOST RELEASE FreeBSD RELEASE ... GENERIC ARCH" like uname-a-0*.txt', async () => {
    const shape = /^FreeBSD (\S+) (\S+) FreeBSD \2 .*GENERIC\s+amd64$/;
    for (const f of ['uname-a-01.txt', 'uname-a-02.txt']) expect(referenceLines(f)[0], f).toMatch(shape);
    const r = await out('uname -a');
    expect(r.stdout[0]).toMatch(shape);
    expect(r.stdout[0]!.split(' ')[1]).toBe(host().name);
  });
});

describe('zfs and zpool', () => {
  it('zpool status -x says "all pools are healthy" (zpool-status-x-01)', async () => {
    expect((await out('zpool status -x')).stdout).toEqual(referenceLines('zpool-status-x-01.txt'));
  });

  it('zpool status: pool/state/config/errors blocks with a tab-indented config table (zpool-status-0*)', async () => {
    const r = await out('zpool status zroot');
    expect(r.stdout[0]).toMatch(/^ {2}pool: zroot$/);
    expect(r.stdout[1]).toMatch(/^ state: ONLINE$/);
    const ref = referenceLines('zpool-status-01.txt');
    const refHeader = ref.find((l) => /NAME +STATE +READ WRITE CKSUM/.test(l))!;
    const header = r.stdout.find((l) => /NAME +STATE +READ WRITE CKSUM/.test(l));
    expect(header).toMatch(/^\tNAME +STATE +READ WRITE CKSUM$/);
    // Same column layout after the name column.
    expect(header!.replace(/^\tNAME +/, '')).toBe(refHeader.trim().replace(/^NAME +/, ''));
    expect(r.stdout).toContain('config:');
    expect(r.stdout[r.stdout.length - 1]).toBe('errors: No known data errors');
  });

  it('zpool list -Hp -o ...: tab-separated, raw bytes, like zpool-list-Hp-02', async () => {
    const fields = 'name,health,size,alloc,free';
    const ref = referenceLines('zpool-list-Hp-02.txt');
    const r = await out(`zpool list -Hp -o ${fields}`);
    expect(r.code).toBe(0);
    for (const line of [ref[0]!.split('\t').slice(0, 5).join('\t'), ...r.stdout]) {
      expect(line.split('\t')).toHaveLength(5);
      expect(line).toMatch(/^[\w-]+\tONLINE\t\d+\t\d+\t\d+$/);
    }
  });

  it('zfs list -H -o ... and -Hp: one tab between columns, "-" for no value (zfs-list-H-01, zfs-list-Hp-02)', async () => {
    const refH = referenceLines('zfs-list-H-01.txt');
    expect(refH.every((l) => tabCount(l) === 6) || refH.every((l) => /\s{2,}/.test(l))).toBe(true); // the publisher may have expanded tabs
    const refHp = referenceLines('zfs-list-Hp-02.txt');
    expect(refHp.every((l) => tabCount(l) === 4)).toBe(true);
    const r = await out('zfs list -H -o name,used,avail,refer,mountpoint -r zroot/ROOT');
    expect(r.code).toBe(0);
    for (const l of r.stdout) {
      expect(tabCount(l), l).toBe(4);
      expect(l).toMatch(/^zroot\/ROOT\S*\t[\d.]+[BKMGT]?\t[\d.]+[BKMGT]?\t[\d.]+[BKMGT]?\t(\/\S*|none|-|legacy)$/);
    }
  });

  it('zfs get -H: name, property, value, source separated by tabs (zfs-get-H-01, zfs-get-01)', async () => {
    const r = await out('zfs get -H quota,refquota zroot');
    expect(r.stdout).toEqual(['zroot\tquota\tnone\tdefault', 'zroot\trefquota\tnone\tdefault']);
    for (const l of referenceLines('zfs-get-H-01.txt')) expect(l.split(/\s+/)).toHaveLength(4);
  });

  it('zfs list -rt all / -t snapshot: the default header and snapshots with "-" for AVAIL and MOUNTPOINT', async () => {
    const refHeader = referenceLines('zfs-list-rt-all-01.txt')[0]!;
    await sshRun(
      host(),
      'zfs destroy -r zroot/fidelity >/dev/null 2>&1; zfs create -o mountpoint=none zroot/fidelity && zfs snapshot zroot/fidelity@one',
    );
    try {
      for (const cmd of ['zfs list -rt all zroot/fidelity', 'zfs list -t snapshot zroot/fidelity']) {
        const r = await out(cmd);
        expect(r.code, cmd).toBe(0);
        expect(r.stdout[0]!.split(/ +/), cmd).toEqual(refHeader.split(/ +/));
        const snap = r.stdout.find((l) => l.startsWith('zroot/fidelity@one'));
        expect(snap, cmd).toMatch(/^zroot\/fidelity@one +\S+ +- +\S+ +-$/);
      }
      for (const f of [
        'zfs-list-t-snapshot-01.txt',
        'zfs-list-t-snapshot-02.txt',
        'zfs-list-t-snapshot-04.txt',
        'zfs-list-t-all-01.txt',
        'zfs-list-r-01.txt',
      ]) {
        expect(referenceLines(f)[0]!.trim().split(/ +/), f).toEqual(refHeader.split(/ +/));
      }
    } finally {
      await sshRun(host(), 'zfs destroy -r zroot/fidelity');
    }
  });
});

describe('errors', () => {
  it('jexec on a missing jail: jexec: jail "NAME" not found (jexec-error-0*)', async () => {
    const shape = /^jexec: jail "[^"]+" not found$/;
    expect(referenceLines('jexec-error-02.txt')[0]).toMatch(shape);
    const r = await out('jexec no-such-jail /bin/sh -c true');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toEqual(['jexec: jail "no-such-jail" not found']);
  });

  it('pfctl without the pf module loaded: pfctl: /dev/pf: No such file or directory (pfctl-e-error-01)', async () => {
    // Other test files load pf: unload it first (kldunload takes pf's state with it).
    const unload = await shRun(
      host(),
      'if kldstat -q -m pf; then pfctl -d >/dev/null 2>&1; kldunload pf; fi; kldstat -q -m pf || echo unloaded',
    );
    expect(unload.stdout).toBe('unloaded\n');
    const r = await sshRun(host(), 'pfctl -e');
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual(referenceLines('pfctl-e-error-01.txt'));
    const again = await sshRun(host(), 'kldunload pf');
    expect(again).toMatchObject({ code: 1, stderr: "kldunload: can't find file pf\n" });
  });
});
