/**
 * Releases and updates on lab hosts (issue #3 point 4) and the host's FreeBSD identity:
 * the lab mirror's release sets and MANIFEST, fetch(1), base.txz's layout, freebsd-update
 * -b / -j against the lab's update feed, uname(1) and freebsd-version(1), compared with the
 * shapes of real FreeBSD output in ../shared/freebsd-reference.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lab/layout.js';
import { setUpdatePatchLevel } from '../../lab/mirror/server.js';
import { labHosts, labLayout, sshRun } from '../../support/lab.js';

const REF = path.join(PROJECT_ROOT, '..', 'shared', 'freebsd-reference');
/** A reference file's output lines (after its two header lines). */
const reference = (name: string) =>
  fs
    .readFileSync(path.join(REF, name), 'utf8')
    .split('\n')
    .slice(2)
    .filter((l) => l !== '');

const REL = 'http://mirror.lab/pub/FreeBSD/releases/amd64/amd64';
const FU = 'freebsd-update --not-running-from-cron';
const host = () => labHosts()[0]!;
/** Runs CMD with sh on the host (some lab hosts log in with tcsh). */
const run = (cmd: string) => sshRun(host(), `sh -c '${cmd.replace(/'/g, `'\\''`)}'`);
/** sha256 of a file on the host, as FreeBSD computes it. */
const sha256Of = (file: string) => `sha256 -q ${file}`;

/** Extracts a fresh 14.2-RELEASE base into DIR on the host. */
async function freshRoot(dir: string, release = '14.2-RELEASE', sets = ['base.txz']): Promise<void> {
  const cmds = [`rm -rf ${dir}`, `mkdir -p ${dir}`, 'mkdir -p /var/cache/lab-rel', 'cd /var/cache/lab-rel'];
  for (const s of sets) cmds.push(`fetch -q -o ${release}-${s} ${REL}/${release}/${s}`, `tar -xf ${release}-${s} --unlink -C ${dir}`);
  const r = await run(cmds.join(' && '));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

afterAll(() => {
  setUpdatePatchLevel(labLayout, '14.2-RELEASE', undefined);
});

describe('the lab mirror', () => {
  it("serves MANIFEST in FreeBSD's format with true sha256 sums, verifiable with fetch + sha256 on a host", async () => {
    const r = await run(
      `cd /tmp && rm -f MANIFEST base.txz && fetch -q ${REL}/14.2-RELEASE/MANIFEST && fetch -q ${REL}/14.2-RELEASE/base.txz && cat MANIFEST && echo SUM && ${sha256Of('base.txz')}`,
    );
    expect(r.code).toBe(0);
    const [manifest, sum] = r.stdout.split('SUM\n') as [string, string];
    const lines = manifest.trim().split('\n');
    expect(lines.map((l) => l.split('\t')[0])).toEqual(['base.txz', 'kernel.txz', 'lib32.txz']);
    for (const l of lines) {
      // file, sha256, number of entries, set name, "description", install by default
      expect(l).toMatch(/^[a-z0-9]+\.txz\t[0-9a-f]{64}\t\d+\t[a-z0-9_]+\t"[^"\t]+"\t(on|off)$/);
    }
    expect(lines[0]).toMatch(/\tbase\t"Base system \(MANDATORY\)"\ton$/);
    expect(lines[0]!.split('\t')[1]).toBe(sum.trim());
  });

  it('serves a second release, 14.3-RELEASE, whose base says so', async () => {
    const dir = '/usr/jails/lab-rel-143';
    await freshRoot(dir, '14.3-RELEASE');
    const r = await run(`chroot ${dir} /bin/freebsd-version`);
    expect(r.stdout).toBe('14.3-RELEASE\n');
  });
});

describe('fetch(1)', () => {
  it("downloads with FreeBSD's one-line report when stderr is not a terminal, and quietly with -q", async () => {
    const r = await run(`cd /tmp && fetch ${REL}/14.2-RELEASE/kernel.txz; echo rc=$?`);
    expect(r.stdout).toBe('rc=0\n');
    // fetch.c stat_end(): "%-46s" local name, 8 spaces, "%4ju %cB", rate "%4ju %cBps", "   %02lds"
    expect(r.stderr).toMatch(/^kernel\.txz {36} {8}[ \d]{4} [ kMG]B [ \d]{4} [ kMG]Bps {4}\d\ds\n$/);
    const q = await run(`fetch -q -o /tmp/k.txz ${REL}/14.2-RELEASE/kernel.txz; echo rc=$?; cmp /tmp/k.txz /tmp/kernel.txz && echo same`);
    expect(q.stderr).toBe('');
    expect(q.stdout).toBe('rc=0\nsame\n');
  });

  it("fails like FreeBSD's on a 404, and on FreeBSD's own mirror (unreachable from the lab)", async () => {
    const url = `${REL}/14.2-RELEASE/nosuch.txz`;
    const r = await run(`cd /tmp && fetch ${url}; echo rc=$?; ls nosuch.txz 2>/dev/null`);
    expect(r.stderr).toBe(`fetch: ${url}: Not Found\n`);
    expect(r.stdout).toBe('rc=1\n');
    const real = 'https://download.freebsd.org/releases/amd64/amd64/14.2-RELEASE/base.txz';
    const d = await run(`fetch -o /tmp/x.txz ${real}; echo rc=$?`);
    expect(d.stderr).toMatch(
      new RegExp(`^fetch: ${real.replace(/[./]/g, '\\$&')}: (No address record|Transient resolver failure|Connection refused)\n$`),
    );
    expect(d.stdout).toBe('rc=1\n');
  });

  it('writes into a directory given with -o, to stdout with -o -, and prints sizes with -s', async () => {
    const r = await run(
      `mkdir -p /tmp/fdir && fetch -q -o /tmp/fdir ${REL}/14.2-RELEASE/MANIFEST && ls /tmp/fdir && fetch -q -o - ${REL}/14.2-RELEASE/MANIFEST | head -c 9 && echo && fetch -s ${REL}/14.2-RELEASE/MANIFEST`,
    );
    expect(r.code).toBe(0);
    const [ls, head, size] = r.stdout.trim().split('\n');
    expect(ls).toBe('MANIFEST');
    expect(head).toBe('base.txz\t');
    expect(Number(size)).toBeGreaterThan(100);
  });
});

describe('base.txz', () => {
  const dir = '/usr/jails/lab-rel-layout';
  it("is laid out like FreeBSD's base with a runnable static shell", async () => {
    await freshRoot(dir);
    const r = await run(
      `cd ${dir} && ls -d bin sbin etc lib libexec usr/bin usr/sbin usr/lib usr/share var root tmp dev boot && chroot ${dir} /bin/sh -c 'echo hello | sed s/hello/ok/; test -x /usr/sbin/pkg && echo pkg-bootstrap'`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').slice(-2)).toEqual(['ok', 'pkg-bootstrap']);
  });

  it("has a freebsd-version that behaves like FreeBSD's for -u, -k, -r", async () => {
    const r = await run(
      `chroot ${dir} /bin/freebsd-version; chroot ${dir} /bin/freebsd-version -u; chroot ${dir} /bin/freebsd-version -k; echo rc=$?; chroot ${dir} /bin/freebsd-version -x; echo rc=$?`,
    );
    expect(r.stdout).toBe('14.2-RELEASE\n14.2-RELEASE\nrc=1\nrc=1\n');
    // base.txz has no kernel (kernel.txz does): FreeBSD's script says so
    expect(r.stderr).toContain('freebsd-version: unable to locate kernel\n');
    expect(r.stderr).toContain('usage: freebsd-version [-kru] [-j jail]\n');
    await freshRoot(dir, '14.2-RELEASE', ['base.txz', 'kernel.txz']);
    const k = await run(`chroot ${dir} /bin/freebsd-version -ku`);
    expect(k.stdout).toBe('14.2-RELEASE\n14.2-RELEASE\n');
  });
});

describe('freebsd-update', () => {
  const dir = '/usr/jails/lab-rel-update';

  it('refuses to fetch without a terminal unless --not-running-from-cron is given', async () => {
    await freshRoot(dir);
    const r = await run(`freebsd-update -b ${dir} fetch; echo rc=$?`);
    expect(r.stdout).toBe('freebsd-update fetch should not be run non-interactively.\nRun freebsd-update cron instead.\nrc=1\n');
  });

  it("moves an extracted root from -RELEASE to the feed's patch level, then has nothing to do", async () => {
    const first = await run(`${FU} -b ${dir} fetch install; echo rc=$?; chroot ${dir} /bin/freebsd-version -u`);
    const lines = first.stdout.split('\n');
    // shapes of freebsd-update-fetch-install-01.txt / freebsd-update-b-01.txt
    const ref = reference('freebsd-update-fetch-install-01.txt');
    expect(lines[0]).toBe(ref[0]); // src component not installed, skipped
    expect(lines[1]).toMatch(/^Looking up update\.FreeBSD\.org mirrors\.\.\. \d+ mirrors found\.$/);
    expect(ref[1]).toMatch(/^Looking up update\.FreeBSD\.org mirrors\.\.\. \d+ mirrors found\.$/);
    expect(lines[2]).toMatch(/^Fetching metadata signature for 14\.2-RELEASE from update\d\.freebsd\.org\.\.\. done\.$/);
    expect(ref[2]).toMatch(/^Fetching metadata signature for \S+ from update\d\.freebsd\.org\.\.\. done\.$/);
    expect(lines).toContain('Fetching metadata index... done.');
    expect(lines).toContain('Inspecting system... done.');
    expect(lines).toContain('Preparing to download files... done.');
    const at = lines.indexOf('The following files will be updated as part of updating to');
    expect(at).toBeGreaterThan(0);
    expect(reference('freebsd-update-b-01.txt')).toContain('The following files will be updated as part of updating to');
    expect(lines[at + 1]).toBe('14.2-RELEASE-p3:');
    expect(lines[at + 2]).toBe('/bin/freebsd-version');
    expect(lines).toContain('Installing updates... done.');
    expect(lines.slice(-3)).toEqual(['rc=0', '14.2-RELEASE-p3', '']);

    const second = await run(`${FU} -b ${dir} fetch install; echo rc=$?`);
    const tail = second.stdout.trim().split('\n').slice(-4);
    expect(tail).toEqual(['', 'No updates needed to update system to 14.2-RELEASE-p3.', 'No updates are available to install.', 'rc=0']);
    expect(reference('freebsd-update-fetch-install-01.txt').slice(-3, -1)).toEqual([
      'No updates needed to update system to 13.1-RELEASE-p1.',
      'No updates are available to install.',
    ]);
  });

  it('picks up a new patch level when the feed announces one, and can roll it back', async () => {
    setUpdatePatchLevel(labLayout, '14.2-RELEASE', 4);
    try {
      const r = await run(
        `${FU} -b ${dir} fetch install >/dev/null; chroot ${dir} /bin/freebsd-version; ${FU} -b ${dir} rollback; chroot ${dir} /bin/freebsd-version`,
      );
      expect(r.stdout).toBe('14.2-RELEASE-p4\nUninstalling updates... done.\n14.2-RELEASE-p3\n');
    } finally {
      setUpdatePatchLevel(labLayout, '14.2-RELEASE', undefined);
    }
  });

  it('updates a root of another release with --currently-running, and a kernel when one is installed', async () => {
    const d143 = '/usr/jails/lab-rel-143k';
    await freshRoot(d143, '14.3-RELEASE', ['base.txz', 'kernel.txz']);
    const r = await run(
      `${FU} -b ${d143} --currently-running 14.3-RELEASE fetch install | grep -A3 'The following'; chroot ${d143} /bin/freebsd-version -ku`,
    );
    expect(r.stdout).toBe(
      'The following files will be updated as part of updating to\n14.3-RELEASE-p1:\n/bin/freebsd-version\n/boot/kernel/kernel\n14.3-RELEASE-p1\n14.3-RELEASE-p1\n',
    );
  });

  it("install without fetch, updatesready, and -j on a missing jail fail like FreeBSD's", async () => {
    const r = await run(
      `freebsd-update -b ${dir} install; echo rc=$?; freebsd-update -b ${dir} updatesready; echo rc=$?; freebsd-update -j nosuchjail fetch; echo rc=$?`,
    );
    expect(r.stdout).toBe(
      [
        'No updates are available to install.',
        "Run '/usr/sbin/freebsd-update fetch' first.",
        'rc=1',
        'No updates are available to install.',
        'rc=2',
        "The specified jail either doesn't exist or does not have freebsd-version.",
        'rc=1',
        '',
      ].join('\n'),
    );
  });
});

describe('uname and freebsd-version on the host', () => {
  it("uname prints FreeBSD's fields in FreeBSD's order", async () => {
    const h = host();
    const r = await run('uname; uname -a; uname -sr; uname -m; uname -p; uname -n; uname -i; uname -K; uname -U; uname -rs');
    const [s, a, sr, m, p, n, i, K, U, rs] = r.stdout.trim().split('\n');
    expect(s).toBe('FreeBSD');
    // uname-a-01.txt: sysname nodename release version(…GENERIC) machine
    const shape = /^FreeBSD (\S+) (\d+\.\d+-RELEASE(?:-p\d+)?) FreeBSD \2 (?:\S+ )?GENERIC amd64$/;
    expect(reference('uname-a-01.txt')[0]).toMatch(shape);
    expect(a).toMatch(shape);
    expect(a!.split(' ')[1]).toBe(h.name);
    expect(sr).toMatch(/^FreeBSD \d+\.\d+-RELEASE(-p\d+)?$/);
    expect(rs).toBe(sr);
    expect([m, p, n, i]).toEqual(['amd64', 'amd64', h.name, 'GENERIC']);
    expect(K).toMatch(/^\d{7}$/);
    expect(U).toMatch(/^\d{7}$/);
  });

  it("uname rejects unknown options as FreeBSD's does", async () => {
    const r = await run('uname -z; echo rc=$?');
    expect(r.stderr).toBe('uname: illegal option -- z\nusage: uname [-abiKmnoprsUv]\n');
    expect(r.stdout).toBe('rc=1\n');
  });

  it('freebsd-version -kru prints kernel, running kernel and userland, agreeing with uname -r', async () => {
    const r = await run('freebsd-version -kru; uname -r');
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(l).toMatch(/^\d+\.\d+-RELEASE(-p\d+)?$/);
    for (const l of reference('freebsd-version-kru-01.txt')) expect(l).toMatch(/^\d+\.\d+-RELEASE(-p\d+)?$/);
    expect(lines[1]).toBe(lines[3]);
  });
});
