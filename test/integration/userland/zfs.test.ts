/**
 * ZFS on lab hosts (#3 point 1): real zfs-fuse per host, the emulation, a differential test
 * between them, and the shapes of FreeBSD's outputs (../shared/freebsd-reference).
 *
 * The emulated side runs on a host booted with LAB_ZFS=emulated when the lab has one (e.g.
 * `lab up --zfs mixed`); otherwise in a mount namespace of its own on a real host, with its
 * state in a scratch directory (LAB_ZFS_MODE / LAB_ZFS_EMUL_DIR, see lib/zfs/main.cjs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHosts, sshRun, type ShellResult } from '../../support/lab.js';
import { PROJECT_ROOT } from '../../lab/layout.js';
import type { LabHost } from '../../lab/fleet.js';

const REF = path.join(PROJECT_ROOT, '..', 'shared', 'freebsd-reference');
/** A reference output without its two header lines. */
const ref = (name: string) => fs.readFileSync(path.join(REF, name), 'utf8').split('\n').slice(2).join('\n');

interface Side {
  name: string;
  host: LabHost;
  sandbox: boolean;
}
let real: Side;
let emul: Side;
let scriptNo = 0;
const SANDBOX_DIR = '/var/tmp/lab-zfs-emul-test';

async function modeOf(h: LabHost): Promise<string> {
  return (await sshRun(h, 'cat /.lab/zfs/mode')).stdout.trim();
}

/** Run a sh script on a side; the emulated sandbox boots its pools first (mounts live for this run). */
async function run(side: Side, script: string): Promise<ShellResult> {
  const file = `/tmp/zfs-test-${process.pid}-${scriptNo++}.sh`;
  await sshRun(side.host, `cat > ${file}`, { stdin: script });
  const cmd = side.sandbox
    ? `/.sys/bin/unshare --mount --propagation unchanged /.sys/bin/env LAB_ZFS_MODE=emulated LAB_ZFS_EMUL_DIR=${SANDBOX_DIR} /bin/sh -c '/.sys/bin/node /.sys/userland/lib/zfs/emul-boot.cjs zroot && /bin/sh ${file}'`
    : `/bin/sh ${file}`;
  const r = await sshRun(side.host, cmd);
  await sshRun(side.host, `rm -f ${file}`);
  return r;
}

beforeAll(async () => {
  const hosts = labHosts();
  const modes = await Promise.all(hosts.map(modeOf));
  const r = hosts.find((_, i) => modes[i] === 'real');
  if (!r) throw new Error('the lab has no host with real ZFS (LAB_ZFS=real is the default)');
  real = { name: 'real', host: r, sandbox: false };
  const e = hosts.find((_, i) => modes[i] === 'emulated');
  emul = e ? { name: 'emulated', host: e, sandbox: false } : { name: 'emulated', host: r, sandbox: true };
  if (emul.sandbox) await sshRun(r, `rm -rf ${SANDBOX_DIR}`);
  for (const s of [real, emul])
    await run(
      s,
      'zfs destroy -R zroot/dt >/dev/null 2>&1; zfs destroy -R zroot/fid >/dev/null 2>&1; zfs destroy -R zroot/dtj >/dev/null 2>&1; rm -rf /srv/dtc; true',
    );
});

afterAll(async () => {
  if (emul?.sandbox) await sshRun(emul.host, `rm -rf ${SANDBOX_DIR}`);
});

describe('real ZFS: a zfs-fuse daemon per host', () => {
  it('creates datasets with -p and reports them with the portable get form (the issue\'s "done when")', async () => {
    // Its own names (zroot/jails is the seed playbooks'), destroyed afterwards.
    const r = await run(
      real,
      'zfs create -p zroot/dtj/templates && zfs get -Hp -o name,property,value,source mountpoint zroot/dtj && ls -d /zroot/dtj/templates && grep -c " /zroot/dtj/templates fuse" /proc/mounts; zfs destroy -r zroot/dtj',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('zroot/dtj\tmountpoint\t/zroot/dtj\tinherited from zroot\n/zroot/dtj/templates\n1\n');
    expect(r.code).toBe(0);
  });

  it("runs one daemon per host, chrooted in the host, on the host's own socket, small in memory", async () => {
    const hosts = [];
    for (const h of labHosts()) if ((await modeOf(h)) === 'real') hosts.push(h);
    for (const h of hosts) {
      const r = await sshRun(h, 'sh -s', {
        stdin:
          'p=$(cat /var/run/zfs/zfs-fuse.pid) && test -S /var/run/zfs/zfs_socket && readlink /proc/$p/root && grep VmRSS /proc/$p/status',
      });
      expect(r.code, `${h.name}: ${r.stderr}`).toBe(0);
      const [root, rss] = r.stdout.trim().split('\n');
      expect(root).toBe('/');
      expect(Number(/(\d+)/.exec(rss!)![1])).toBeLessThan(40_000); // kB
    }
    if (hosts.length >= 2) {
      const name = `zroot/only${hosts[0]!.name}`;
      expect((await sshRun(hosts[0]!, `zfs create ${name}`)).code).toBe(0);
      const other = await sshRun(hosts[1]!, `zfs list ${name}`);
      expect(other.code).toBe(1);
      expect(other.stderr).toBe(`cannot open '${name}': dataset does not exist\n`);
      await sshRun(hosts[0]!, `zfs destroy ${name}`);
    }
  });

  it('gives zroot the layout of a FreeBSD install and mounts datasets at their FreeBSD paths', async () => {
    const r = await run(
      real,
      'zfs list -H -o name,mountpoint,canmount -r zroot/ROOT; zfs list -H -o name,mountpoint,canmount zroot/usr zroot/var; rm -rf /usr/fidtest; zfs create -o mountpoint=/usr/fidtest zroot/fid; ls -d /usr/fidtest; mount | grep " on /usr/fidtest "; zfs destroy zroot/fid; rmdir /usr/fidtest',
    );
    expect(r.stdout).toBe(
      [
        'zroot/ROOT\tnone\ton',
        'zroot/ROOT/default\t/\tnoauto',
        'zroot/usr\t/usr\toff',
        'zroot/var\t/var\toff',
        '/usr/fidtest',
        'zroot/fid on /usr/fidtest (zfs, local, noatime, nfsv4acls)',
        '',
      ].join('\n'),
    );
  });

  it('fails like FreeBSD on unknown flags, and on the OpenZFS flags zfs-fuse lacks (use the portable forms)', async () => {
    for (const cmd of ['zfs list -Z', 'zfs get -Z all zroot', 'zpool list -Z']) {
      const r = await run(real, cmd);
      expect(r.code, cmd).toBe(2);
      expect(r.stderr.split('\n').slice(0, 2), cmd).toEqual(["invalid option 'Z'", 'usage:']);
    }
    const p = await run(real, 'zfs list -p');
    expect(p.code).toBe(2);
    expect(p.stderr.split('\n')[0]).toBe("invalid option 'p'");
  });
});

describe('emulated ZFS', () => {
  it('keeps datasets as real directories, snapshots, clones and rollbacks with their content', async () => {
    const r = await run(
      emul,
      `
zfs create -p zroot/fid/t && echo one > /zroot/fid/t/f && zfs snapshot zroot/fid/t@base
echo two > /zroot/fid/t/f; echo x > /zroot/fid/t/g
zfs clone zroot/fid/t@base zroot/fid/c && cat /zroot/fid/c/f && ls /zroot/fid/c
zfs rollback zroot/fid/t@base && cat /zroot/fid/t/f && ls /zroot/fid/t
zfs set mountpoint=/zroot/moved zroot/fid/t && cat /zroot/moved/f && ls /zroot/fid
zfs umount zroot/fid/t && ls /zroot/moved | wc -l && zfs get -H -o value mounted zroot/fid/t
zfs mount zroot/fid/t && cat /zroot/moved/f
zfs destroy -R zroot/fid && zfs list zroot/fid; ls -d /zroot/fid`,
    );
    expect(r.stdout).toBe(['one', 'f', 'one', 'f', 'one', 'c', '0', 'no', 'one', ''].join('\n'));
    expect(r.stderr).toBe("cannot open 'zroot/fid': dataset does not exist\nls: cannot access '/zroot/fid': No such file or directory\n");
  });

  it('persists its state in one JSON file per host, written atomically', async () => {
    const r = await run(
      emul,
      `zfs create zroot/fid && /.sys/bin/node -e '
const s = JSON.parse(require("fs").readFileSync((process.env.LAB_ZFS_EMUL_DIR || "/.lab/zfs") + "/emulated.json", "utf8"));
console.log(Object.keys(s.pools).join(","), !!s.datasets["zroot/fid"]);'; zfs destroy zroot/fid`,
    );
    expect(r.stdout).toBe('zroot true\n');
  });

  it('reports sizes exactly with -p (which FreeBSD accepts)', async () => {
    const r = await run(emul, 'zfs list -Hp -o name,used,avail,refer zroot; zpool list -Hp -o name,size');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^zroot\t\d+\t\d+\t\d+\nzroot\t\d+\n$/);
  });
});

/**
 * The same commands against both; outputs compared after normalising what must differ
 * (sizes, which the emulation does not measure) and the usage text after "usage:" (zfs-fuse's
 * lists its own, older flags and properties).
 */
const SEQUENCE = [
  'zfs create zroot/dt/a/b',
  'zfs create -p zroot/dt/a/b',
  'zfs create -p zroot/dt/a/b',
  'zfs create zroot/dt/a',
  'zfs create nopool/x',
  'zfs create zroot/dt/bad@name',
  'zfs create zroot/dt/bad%name',
  'zfs create -o bogus=1 zroot/dt/c',
  'zfs create -o atime=maybe zroot/dt/c',
  'zfs create -o mountpoint=/srv/dtc -o atime=off -o org.fleetjail:role=tpl zroot/dt/c',
  'zfs get -Hp -o name,property,value,source mountpoint,atime,org.fleetjail:role zroot/dt/c',
  'zfs get mountpoint,atime,canmount,snapdir zroot/dt/c',
  'zfs get -H -o property,value -s local all zroot/dt/c',
  'zfs set quota=10M zroot/dt/c',
  'zfs get -Hp -o value quota zroot/dt/c',
  'zfs get -H -o value quota,reservation zroot/dt/c',
  'zfs set quota=abc zroot/dt/c',
  'zfs set bogus=1 zroot/dt/c',
  'zfs set org.fleetjail:role=jail zroot/dt/c',
  'zfs get -H org.fleetjail:role zroot/dt/c',
  'zfs get -H -o name,value,source org.fleetjail:role zroot/dt',
  'zfs get bogus zroot/dt/c',
  'zfs get mountpoint zroot/dt/nope',
  // FreeBSD's getopt stops at the first operand: the flags become dataset names (zfs-get-01.txt).
  'zfs get mountpoint -H zroot/dt/c',
  'zfs snapshot zroot/dt/a@s1',
  'zfs snapshot zroot/dt/a@s1',
  'zfs snapshot -r zroot/dt/a@s2',
  'zfs snapshot zroot/dt/nope@x',
  'zfs list -H -t snapshot -o name -r zroot/dt',
  'zfs list -t snapshot zroot/dt/a',
  'zfs list -H -o name,mountpoint -r zroot/dt',
  'zfs list -t all -r -o name,type zroot/dt/a',
  'zfs list -H -d 1 -o name zroot/dt',
  'zfs list zroot/dt/nope',
  'zfs clone zroot/dt/a@s1 zroot/dt/cl',
  'zfs clone zroot/dt/a@nosnap zroot/dt/cl2',
  'zfs clone zroot/dt/a zroot/dt/cl3',
  'zfs get -H -o value origin zroot/dt/cl',
  'zfs destroy zroot/dt/a',
  'zfs destroy zroot/dt/a@s1',
  'zfs destroy -r zroot/dt/a',
  'zfs destroy zroot/dt/nope',
  'zfs destroy zroot/dt/a@nosuch',
  'zfs destroy zroot/dt/nope@x',
  'zfs rollback zroot/dt/a@s1',
  'zfs rollback zroot/dt/a@none',
  'zfs rename zroot/dt/c zroot/dt/d',
  'zfs list -H -o name,quota,mountpoint zroot/dt/d',
  'zfs inherit mountpoint zroot/dt/d',
  'zfs get -H -o value,source mountpoint zroot/dt/d',
  'zfs set jailed=on zroot/dt/d',
  'zfs get -H -o property,value,source jailed zroot/dt/d',
  'zfs list -Z',
  'zfs frob',
  'zfs destroy -R zroot/dt/a',
  'zfs list -H -o name -r zroot/dt',
  'zfs destroy -r zroot/dt',
  'zfs list -H -o name -r zroot/dt',
  'zpool list -H -o name,health',
  'zpool list -o name,cap,health,altroot',
];

interface Step {
  cmd: string;
  code: number;
  stdout: string;
  stderr: string;
}

function sequenceScript(cmds: string[]): string {
  return (
    cmds
      .map(
        (c) => `${c} >/tmp/zfs-seq.out 2>/tmp/zfs-seq.err; rc=$?
printf '@@@CMD %s\\n' '${c}'; cat /tmp/zfs-seq.out; printf '@@@ERR\\n'; cat /tmp/zfs-seq.err; printf '@@@RC %s\\n' "$rc"`,
      )
      .join('\n') + '\nrm -f /tmp/zfs-seq.out /tmp/zfs-seq.err; rm -rf /srv/dtc\n'
  );
}

function parseSteps(out: string): Step[] {
  return out
    .split('@@@CMD ')
    .slice(1)
    .map((block) => {
      const cmd = block.slice(0, block.indexOf('\n'));
      const stdout = block.slice(cmd.length + 1, block.indexOf('@@@ERR\n'));
      const stderr = block.slice(block.indexOf('@@@ERR\n') + 7, block.indexOf('@@@RC '));
      const code = Number(/@@@RC (\d+)/.exec(block)![1]);
      return { cmd, code, stdout, stderr };
    });
}

/** What may differ between zfs-fuse and the emulation: sizes (and the spacing they cause), usage bodies. */
function normalise(s: Step): Step {
  const sizes = (t: string) => t.replace(/(^|[\s\t])\d+(\.\d+)?[BKMGTPE](?=$|[\s\t])/gm, '$1SIZE').replace(/ +/g, ' ');
  const usage = (t: string) => (t.includes('usage:') ? t.slice(0, t.indexOf('usage:') + 6) : t);
  return { ...s, stdout: sizes(s.stdout), stderr: usage(s.stderr) };
}

describe('differential: the same commands on real zfs-fuse and on the emulation', () => {
  let realSteps: Step[] = [];
  let emulSteps: Step[] = [];
  beforeAll(async () => {
    const script = sequenceScript(SEQUENCE);
    [realSteps, emulSteps] = [parseSteps((await run(real, script)).stdout), parseSteps((await run(emul, script)).stdout)];
  });

  it('ran every step on both sides', () => {
    expect(realSteps.map((s) => s.cmd)).toEqual(SEQUENCE);
    expect(emulSteps.map((s) => s.cmd)).toEqual(SEQUENCE);
  });

  it.each(SEQUENCE.map((c, i) => [i, c] as const))('step %i: %s', (i) => {
    const r = normalise(realSteps[i]!);
    const e = normalise(emulSteps[i]!);
    expect({ code: e.code, stdout: e.stdout, stderr: e.stderr }).toEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr });
  });

  it('differs only where documented: `zfs list -p` is OpenZFS-only', async () => {
    const [r, e] = [await run(real, 'zfs list -Hp -o name zroot'), await run(emul, 'zfs list -Hp -o name zroot')];
    expect([r.code, e.code]).toEqual([2, 0]);
    expect(e.stdout).toBe('zroot\n');
  });
});

describe.each([['real'], ['emulated']])('fidelity to FreeBSD outputs (%s)', (which) => {
  const side = () => (which === 'real' ? real : emul);

  it('zfs list: header and right-aligned size columns as FreeBSD prints them', async () => {
    const r = await run(
      side(),
      'zfs create -p zroot/fid/x && zfs list -r zroot/fid; zfs list -H -o name,used,avail,refer,mountpoint -r zroot/fid; zfs destroy -r zroot/fid',
    );
    const lines = r.stdout.split('\n');
    const header = /^NAME +USED  AVAIL  REFER  MOUNTPOINT$/;
    expect(ref('zfs-list-01.txt').split('\n')[0]).toMatch(header);
    expect(lines[0]).toMatch(header);
    expect(lines[1]).toMatch(/^zroot\/fid   +[ \d.]{4}[BKMG]  [ \d.]{4}[KMGT]  [ \d.]{4}[BKMG]  \/zroot\/fid$/);
    // -H: no header, tab-separated (telegraf's fixtures carry real tabs)
    expect(ref('zfs-list-Hp-01.txt').split('\n')[0]!.split('\t')).toHaveLength(5);
    expect(lines[3]!.split('\t')).toEqual(['zroot/fid', expect.any(String), expect.any(String), expect.any(String), '/zroot/fid']);
    expect(lines[4]!.split('\t')[0]).toBe('zroot/fid/x');
  });

  it("zfs get: NAME PROPERTY VALUE SOURCE laid out exactly like the handbook's", async () => {
    // Same name length as the handbook's mypool/var/tmp, so the whole output must match.
    const r = await run(side(), 'zfs create -p zroot/fid/tmp1 && zfs get snapdir zroot/fid/tmp1; zfs destroy -r zroot/fid');
    expect(r.stdout).toBe(ref('zfs-get-02.txt').replace(/mypool\/var\/tmp/g, 'zroot/fid/tmp1'));
    const h = await run(side(), 'zfs get -H mountpoint zroot');
    expect(h.stdout).toBe('zroot\tmountpoint\t/zroot\tlocal\n');
  });

  it('zfs get: flags after the operands are dataset names, as zfs-get-01 shows', async () => {
    const r = await run(
      side(),
      'zfs create zroot/fid; zfs get mountpoint -s local,received -H -o value zroot/fid; echo "rc=$?"; zfs destroy zroot/fid',
    );
    const refText = ref('zfs-get-01.txt').split('\n');
    expect(r.stderr.split('\n').slice(0, 5)).toEqual(refText.slice(0, 5));
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      'NAME       PROPERTY    VALUE       SOURCE',
      'zroot/fid  mountpoint  /zroot/fid  inherited from zroot',
      'rc=1',
    ]);
  });

  it('zfs get -r over several properties: columns sized like zfs-get-03', async () => {
    const r = await run(
      side(),
      'zfs create -p zroot/fid/usr/jail/bhyve/vm && zfs get -r canmount,mounted,mountpoint zroot/fid/usr/jail/bhyve; zfs destroy -r zroot/fid',
    );
    const refLines = ref('zfs-get-03.txt')
      .split('\n')
      .filter((l) => !/jailed/.test(l));
    const got = r.stdout.split('\n');
    expect(got[0]).toBe('NAME                         PROPERTY    VALUE                         SOURCE');
    expect(refLines[0]).toMatch(/^NAME +PROPERTY    VALUE +SOURCE$/);
    expect(got[1]).toBe('zroot/fid/usr/jail/bhyve     canmount    on                            default');
    expect(got[3]).toBe('zroot/fid/usr/jail/bhyve     mountpoint  /zroot/fid/usr/jail/bhyve     inherited from zroot');
  });

  it('zfs list -t snapshot and the rollback refusal as FreeBSD prints them', async () => {
    const r = await run(
      side(),
      `zfs create -p zroot/fid/t && zfs snapshot zroot/fid/t@p2 && zfs snapshot zroot/fid/t@p3
zfs list -t snapshot zroot/fid/t; zfs rollback zroot/fid/t@p2; echo "rc=$?"; zfs destroy -r zroot/fid`,
    );
    const [header, first] = r.stdout.split('\n');
    expect(ref('zfs-list-t-snapshot-03.txt').split('\n')[0]).toMatch(/^NAME +USED  AVAIL  REFER  MOUNTPOINT$/);
    expect(header).toMatch(/^NAME +USED  AVAIL  REFER  MOUNTPOINT$/);
    expect(first).toMatch(/^zroot\/fid\/t@p2 +0B      -  [ \d.]{4}[KM]  -$/);
    expect(r.stderr).toBe(
      ref('zfs-rollback-error-01.txt')
        .replace(/mypool\/var\/tmp@my_recursive_snapshot/, 'zroot/fid/t@p2')
        .replace(/mypool\/var\/tmp@after_cp\nmypool\/var\/tmp@diff_snapshot\n/, 'zroot/fid/t@p3\n'),
    );
    expect(r.stdout).toContain('rc=1');
  });

  it("zpool list: OpenZFS 2.2's columns, -H tabs, -p numbers", async () => {
    const r = await run(side(), 'zpool list; zpool list -Hp -o name,health,size,alloc,free,fragmentation,capacity,dedupratio');
    const [header, row, hp] = r.stdout.split('\n');
    const words = (s: string) => s.trim().split(/\s+/);
    expect(words(header!)).toEqual(words(ref('zpool-list-01.txt').split('\n')[0]!));
    expect(header).toBe('NAME    SIZE  ALLOC   FREE  CKPOINT  EXPANDSZ   FRAG    CAP  DEDUP    HEALTH  ALTROOT');
    expect(row).toMatch(/^zroot  [ \d.]{4}[KMGT]  [ \d.]{4}[KMGT]  [ \d.]{4}[KMGT]        -         -     0%     0%  1\.00x    ONLINE  -$/);
    const refHp = ref('zpool-list-Hp-01.txt').split('\n')[0]!.split('\t');
    expect(hp!.split('\t')).toHaveLength(refHp.length);
    expect(hp).toMatch(/^zroot\tONLINE\t\d+\t\d+\t\d+\t\d+\t\d+\t1\.00$/);
  });

  it("zpool status: the layout of FreeBSD's (no scan line for a pool never scrubbed)", async () => {
    const r = await run(side(), 'zpool status zroot; zpool status -x');
    const lines = r.stdout.split('\n');
    const refLines = ref('zpool-status-02.txt').split('\n');
    expect(lines.slice(0, 4)).toEqual(['  pool: zroot', ' state: ONLINE', 'config:', '']);
    expect(refLines.slice(1, 4)).toEqual([' state: ONLINE', 'config:', '']);
    expect(lines[4]).toMatch(/^\tNAME +STATE     READ WRITE CKSUM$/);
    expect(lines[5]).toMatch(/^\tzroot +ONLINE       0     0     0$/);
    expect(lines[6]).toMatch(/^\t  \/\.lab\/zfs\/zroot\.img +ONLINE       0     0     0$/);
    expect(lines.slice(7, 10)).toEqual(['', 'errors: No known data errors', 'all pools are healthy']);
  });
});
