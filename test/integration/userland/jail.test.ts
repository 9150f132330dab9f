/**
 * Jails on a lab host (issue #3 point 3, and devfs from point 7): jail.conf parsing with
 * .include, jail -c / -m / -r, service jail start / stop / restart, real nullfs (bind)
 * mounts, jls formats, jexec, SysV IPC and raw sockets, VNET with epair + bridge,
 * kldload / kldstat / sysctl / mount, devfs rulesets. Output shapes are checked against
 * the real FreeBSD outputs in ../shared/freebsd-reference.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHosts, sshRun } from '../../support/lab.js';
import { PROJECT_ROOT } from '../../lab/layout.js';

const REF_DIR = path.resolve(PROJECT_ROOT, '..', 'shared', 'freebsd-reference');
/** A reference file's output lines (after the two header lines). */
const ref = (name: string): string[] =>
  fs
    .readFileSync(path.join(REF_DIR, name), 'utf8')
    .split('\n')
    .slice(2)
    .map((l) => l.replace(/\r$/, ''));

const host = () => labHosts()[0]!;
const sh = (cmd: string) => sshRun(host(), cmd);
const MINI = 'sh /.sys/userland/lib/jail/mini-root.sh';
/** Write FILE on the host with exactly TEXT (no shell quoting involved). */
const put = (file: string, text: string) => sshRun(host(), `cat > ${file}`, { stdin: text });

const JAIL_CONF = `# STARTUP/LOGGING
exec.start = "/bin/sh /etc/rc";
exec.stop = "/bin/sh /etc/rc.shutdown";
exec.consolelog = "/var/log/jail_console_\${name}.log";

# PERMISSIONS
allow.raw_sockets;
exec.clean;
mount.devfs;

# HOSTNAME/PATH
host.hostname = "\${name}";

# NETWORK
#ip4 = inherit;
interface = igc0bridge;

.include "/etc/jail.conf.d/*.conf";
`;

/** seed 002's per-jail VNET conf, shared with the parser's unit tests. */
const DEV_CONF = fs.readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/jail/seed-002-dev.conf'), 'utf8');

const DEV_FSTAB = `/zdata/jails/templates/14.2-RELEASE-base  /zdata/jails/dev-nullfs-base/         nullfs  ro  0 0
/zdata/jails/containers/dev               /zdata/jails/dev-nullfs-base/skeleton nullfs  rw  0 0
`;

/** Seed 002's layout: a template (base) whose etc/tmp/var/root/usr/local point into a per-jail skeleton. */
const SEED002_TREE = `set -e
B=/zdata/jails
rm -rf $B; mkdir -p $B/containers $B/dev-nullfs-base
${MINI} $B/templates/14.2-RELEASE-base 14.2-RELEASE-p3
cd $B/templates/14.2-RELEASE-base
mkdir -p $B/templates/14.2-RELEASE-skeleton/usr skeleton
for d in etc tmp var root; do mv $d $B/templates/14.2-RELEASE-skeleton/$d; ln -s skeleton/$d $d; done
mv usr/local $B/templates/14.2-RELEASE-skeleton/usr/local; ln -s ../skeleton/usr/local usr/local
cp -a $B/templates/14.2-RELEASE-skeleton $B/containers/dev
ifconfig igc0bridge >/dev/null 2>&1 || { ifconfig bridge create >/dev/null; ifconfig bridge0 name igc0bridge >/dev/null; }
ifconfig igc0bridge up
grep -q '^jail_enable=' /etc/rc.conf || printf 'jail_enable="YES"\\njail_parallel_start="YES"\\njail_list="dev"\\njail_reverse_stop="YES"\\n' >> /etc/rc.conf
`;

/** Jails and cloned interfaces are per-host kernel state: start and end with none. */
const RESET = "jail -r '*' >/dev/null 2>&1; for i in $(ifconfig -l); do case $i in em0|lo0) ;; *) ifconfig $i destroy ;; esac; done; true";
/** At the end, also the files: later test files (the jail module's) start from an empty /usr/jails. */
const CLEAN = `${RESET}
rm -rf /usr/jails/* /zdata /etc/jail.conf.d/* /etc/jail.conf
for v in jail_enable jail_parallel_start jail_list jail_reverse_stop; do sysrc -x $v >/dev/null 2>&1; done; true`;
beforeAll(async () => {
  await sh(RESET);
});
afterAll(async () => {
  await sh(CLEAN);
});

describe('jails: seed 002 thin VNET jail (the issue\'s "done when")', () => {
  beforeAll(async () => {
    await sh('/etc/rc.d/jail stop dev >/dev/null 2>&1; true');
    const r = await sh(SEED002_TREE);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await put('/etc/jail.conf', JAIL_CONF);
    await put('/etc/jail.conf.d/dev.conf', DEV_CONF);
    await put('/zdata/jails/dev-nullfs-base.fstab', DEV_FSTAB);
  });

  it('starts with service jail start, like FreeBSD prints it', async () => {
    const r = await sh('/etc/rc.d/jail start dev');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Starting jails: dev.\n');
    // Same shape as the handbook transcript.
    expect(ref('service-jail-start-01.txt')[0]).toMatch(/^Starting jails: \S+\.$/);
  });

  it("shows in jls with the columns of FreeBSD's jls", async () => {
    const r = await sh('jls');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(ref('jls-01.txt')[0]);
    const row = lines.find((l) => l.includes('/zdata/jails/dev-nullfs-base'))!;
    expect(row).toMatch(/^ {3,5}\d+ {18}dev {27}\/zdata\/jails\/dev-nullfs-base$/);
    // Column starts match the reference's (hostname at 24, path at 54).
    const refRow = ref('jls-04.txt')[1]!;
    expect(row.indexOf('dev ')).toBe(refRow.indexOf('occambsd-jail'));
    expect(row.indexOf('/zdata')).toBe(refRow.indexOf('/tmp/occambsd'));
    expect((await sh('jls -j dev path')).stdout).toBe('/zdata/jails/dev-nullfs-base\n');
  });

  it("runs the jail's own freebsd-version with jexec, chrooted, with its hostname", async () => {
    expect((await sh('jexec dev freebsd-version')).stdout).toBe('14.2-RELEASE-p3\n');
    expect((await sh('jexec dev hostname')).stdout).toBe('dev\n');
    expect((await sh('jexec dev ls /skeleton')).stdout.split('\n')).toContain('etc');
    const rc = await sh('cat /var/log/jail_console_dev.log');
    expect(rc.stdout).toContain('Setting hostname: dev.');
    expect(rc.stdout).toContain('add net default: gateway 192.168.7.101');
  });

  it('performed the fstab nullfs mounts for real, read-only where asked, and devfs', async () => {
    const m = await sh('mount | grep dev-nullfs-base');
    expect(m.stdout.split('\n').filter(Boolean)).toEqual([
      '/zdata/jails/templates/14.2-RELEASE-base on /zdata/jails/dev-nullfs-base (nullfs, local, read-only)',
      '/zdata/jails/containers/dev on /zdata/jails/dev-nullfs-base/skeleton (nullfs, local)',
      'devfs on /zdata/jails/dev-nullfs-base/dev (devfs, local, multilabel)',
    ]);
    // Same shape as FreeBSD's thin jail mounts (mount-02.txt).
    for (const l of ref('mount-02.txt').filter(Boolean)) expect(l).toMatch(/^\S+ on \S+ \((nullfs|devfs)(, [a-z-]+)*\)$/);
    const kernel = await sh('grep dev-nullfs-base /proc/self/mountinfo | wc -l');
    expect(Number(kernel.stdout.trim())).toBe(3);
    expect((await sh('touch /zdata/jails/dev-nullfs-base/bin/x')).stderr).toMatch(/Read-only file system/);
    expect((await sh('jexec dev sh -c "echo ok > /etc/probe" && cat /zdata/jails/containers/dev/etc/probe')).stdout).toBe('ok\n');
    // devfs_ruleset=5 (devfsrules_jail_vnet): pf unhidden, mem and disks hidden.
    const dev = (await sh('jexec dev ls /dev')).stdout.split('\n');
    expect(dev).toEqual(expect.arrayContaining(['null', 'zero', 'random', 'urandom', 'pf', 'ptmx', 'stdin']));
    expect(dev).not.toContain('mem');
    expect(dev).not.toContain('ada0');
  });

  it('moved epair253b into the jail and recorded its address and route', async () => {
    expect((await sh('ifconfig -l')).stdout).toBe('em0 lo0 igc0bridge epair253a\n');
    expect((await sh('ifconfig igc0bridge')).stdout).toContain('\tmember: epair253a flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>');
    expect((await sh('ifconfig epair253a')).stdout).toContain('\tdescription: jail:dev');
    const inside = await sh('jexec dev ifconfig epair253b');
    expect(inside.stdout).toContain('\tinet 192.168.7.253 netmask 0xffffff00');
    expect((await sh('jexec dev route get default')).stdout).toContain('gateway: 192.168.7.101');
    expect((await sh('jexec dev sysctl -n security.jail.vnet security.jail.allow_raw_sockets')).stdout).toBe('1\n1\n');
  });

  it('restarts and stops cleanly: hooks run, mounts and interfaces gone', async () => {
    const jid1 = Number((await sh('jls -j dev jid')).stdout);
    const r = await sh('/etc/rc.d/jail restart dev');
    expect(r.stdout).toBe('Stopping jails: dev.\nStarting jails: dev.\n');
    const jid2 = Number((await sh('jls -j dev jid')).stdout);
    expect(jid2).toBeGreaterThan(jid1);
    const s = await sh('/etc/rc.d/jail stop dev');
    expect(s.stdout).toBe('Stopping jails: dev.\n');
    expect(ref('service-jail-stop-01.txt')[0]).toMatch(/^Stopping jails: \S+\.$/);
    expect((await sh('jls')).stdout).toBe(`${ref('jls-01.txt')[0]}\n`);
    expect((await sh('mount | grep -c dev-nullfs-base; grep -c dev-nullfs-base /proc/self/mountinfo')).stdout).toBe('0\n0\n');
    expect((await sh('ifconfig -l')).stdout).toBe('em0 lo0 igc0bridge\n');
    expect((await sh('jexec dev hostname')).stderr).toBe('jexec: jail "dev" not found\n');
    expect((await sh('/etc/rc.d/jail stop dev')).stdout).toBe('Stopping jails:.\n');
  });
});

describe('jails: jail(8) from the command line and jail.conf', () => {
  beforeAll(async () => {
    await sh(`jail -r c1 c2 c3 >/dev/null 2>&1; rm -rf /usr/jails/c1 && ${MINI} /usr/jails/c1`);
  });

  it("jail -c / -m / -r print FreeBSD's notes and exit codes", async () => {
    const c = await sh('jail -c name=c1 path=/usr/jails/c1 host.hostname=c1.example persist ip4.addr=192.168.1.3');
    expect(c).toMatchObject({ code: 0, stdout: 'c1: created\n' });
    expect(ref('jail-c-01.txt')[0]).toMatch(/^\S+: created$/);
    expect((await sh('jls -j c1 host.hostname ip4.addr persist')).stdout).toBe('c1.example 192.168.1.3 true\n');
    expect(await sh('jail -m name=c1 host.hostname=renamed')).toMatchObject({ code: 0, stdout: 'c1: updated\n' });
    expect((await sh('jls -j c1 -h name host.hostname')).stdout).toBe('name host.hostname\nc1 renamed\n');
    expect(await sh('jail -c name=c1 path=/usr/jails/c1 persist')).toMatchObject({ code: 1, stderr: 'jail: c1: already exists\n' });
    expect(await sh('jail -r c1')).toMatchObject({ code: 0, stdout: 'c1: removed\n' });
    expect(await sh('jail -r c1')).toMatchObject({ code: 1, stderr: 'jail: "c1" not found\n' });
  });

  it('rejects parameters FreeBSD rejects, with its messages', async () => {
    expect(await sh('jail -c name=c2 path=/usr/jails/c1 foo=bar')).toMatchObject({ code: 1, stderr: 'jail: unknown parameter: foo\n' });
    expect(await sh('jail -c name=c2 path=/usr/jails/c1 persist=maybe')).toMatchObject({
      code: 1,
      stderr: 'jail: persist: unknown boolean value "maybe"\n',
    });
    expect(await sh('jail -c name=c2 path=/usr/jails/c1 securelevel=high')).toMatchObject({
      code: 1,
      stderr: 'jail: securelevel: non-integer value "high"\n',
    });
    await put('/tmp/bad.conf', 'c2 { path = /usr/jails/c1; persist; allow.bogus; }\n');
    expect(await sh('jail -f /tmp/bad.conf -c c2')).toMatchObject({ code: 1, stderr: 'jail: c2: unknown parameter: allow.bogus\n' });
    await put('/tmp/bad.conf', 'c2 {\n path = /usr/jails/c1\n}\n');
    expect(await sh('jail -f /tmp/bad.conf -c c2')).toMatchObject({ code: 1, stderr: 'jail: /tmp/bad.conf line 3: syntax error\n' });
    expect((await sh('jail')).stderr).toMatch(/^usage: jail /);
    expect((await sh('jls name')).stdout).not.toContain('c2');
  });

  it('runs exec.* hooks in order, exec.start inside the jail, mount lines, and undoes a failed start', async () => {
    await put(
      '/tmp/c3.conf',
      `c3 {
  path = /usr/jails/c1; persist; host.hostname = c3;
  exec.prestart = "echo prestart \${name} >> /tmp/c3.log";
  exec.start = "/bin/sh -c 'echo start $(hostname) > /tmp/in-jail'";
  exec.poststart = "echo poststart >> /tmp/c3.log";
  exec.prestop = "echo prestop >> /tmp/c3.log";
  exec.stop = "/bin/sh -c 'echo stop >> /tmp/in-jail'";
  exec.poststop = "echo poststop >> /tmp/c3.log";
  mount = "/usr/jails/c1/etc /usr/jails/c1/mnt nullfs ro 0 0";
}
bad { path = /usr/jails/c1; persist; mount.fstab = /nonexistent.fstab; }
badcmd { path = /usr/jails/c1; persist; exec.prestart = "jib addm bad igc0"; }
`,
    );
    await sh('rm -f /tmp/c3.log /usr/jails/c1/tmp/in-jail; mkdir -p /usr/jails/c1/mnt');
    expect(await sh('jail -f /tmp/c3.conf -c c3')).toMatchObject({ code: 0, stdout: 'c3: created\n' });
    expect((await sh('cat /usr/jails/c1/tmp/in-jail')).stdout).toBe('start c3\n');
    expect((await sh('mount | grep /usr/jails/c1/mnt')).stdout).toBe('/usr/jails/c1/etc on /usr/jails/c1/mnt (nullfs, local, read-only)\n');
    expect(await sh('jail -f /tmp/c3.conf -r c3')).toMatchObject({ code: 0, stdout: 'c3: removed\n' });
    expect((await sh('cat /tmp/c3.log /usr/jails/c1/tmp/in-jail')).stdout).toBe(
      'prestart c3\npoststart\nprestop\npoststop\nstart c3\nstop\n',
    );
    expect((await sh('mount | grep -c /usr/jails/c1/mnt')).stdout).toBe('0\n');
    // A failing exec.prestart: jail(8)'s two lines, as in jail-c-error-01.txt, and no jail left.
    const bad = await sh('jail -f /tmp/c3.conf -c badcmd');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('jail: badcmd: exec jib: No such file or directory\njail: badcmd: jib addm bad igc0: failed\n');
    const refErr = ref('jail-c-error-01.txt').slice(1, 3);
    expect(refErr[0]).toMatch(/^jail: \S+: exec jib: No such file or directory$/);
    expect(refErr[1]).toMatch(/^jail: \S+: jib addm .*: failed$/);
    expect((await sh('jail -f /tmp/c3.conf -c bad')).stderr).toBe(
      'jail: bad: mount.fstab: /nonexistent.fstab: No such file or directory\n',
    );
    expect((await sh('jls name')).stdout).not.toMatch(/bad/);
  });

  it('service jail start reports a failing jail like rc.d/jail does (parallel start)', async () => {
    await sh('mkdir -p /usr/jails/nodev');
    await put('/etc/jail.conf.d/thinjail.conf', 'thinjail { path = /usr/jails/nodev; mount.devfs; persist; }\n');
    const r = await sh('/etc/rc.d/jail start thinjail');
    const expected = ref('service-jail-start-error-01.txt')
      .filter(Boolean)
      .map((l) => l.replace('/usr/local/jails/containers/thinjail/dev', '/usr/jails/nodev/dev'));
    // rc.d/jail's echo ends the first line with a blank the reference's copy lost.
    expect(r.stdout.split('\n').map((l) => l.trimEnd())).toEqual([...expected, '.', '']);
    expect((await sh('jls name')).stdout).not.toContain('thinjail');
    await sh('rm -f /etc/jail.conf.d/thinjail.conf');
  });

  it("jail -c with no name starts every jail of the config; jail -r '*' stops them all", async () => {
    await put('/tmp/all.conf', `path = /usr/jails/c1; persist;\nall1 { host.hostname = a1; }\nall2 { host.hostname = a2; }\n`);
    await sh("jail -r '*'");
    expect((await sh('jail -f /tmp/all.conf -c')).stdout).toBe('all1: created\nall2: created\n');
    expect((await sh('jls name')).stdout).toBe('all1\nall2\n');
    expect((await sh("jail -r '*'")).stdout).toBe('all2: removed\nall1: removed\n');
  });
});

describe('jails: jls formats and jexec', () => {
  beforeAll(async () => {
    await sh(
      `jail -r '*' >/dev/null 2>&1; rm -rf /usr/jails/www && ${MINI} /usr/jails/www && jail -c name=www path=/usr/jails/www host.hostname=www persist ip4.addr=192.168.1.1 && jail -c name=dns path=/usr/jails/www host.hostname=dns persist ip4.addr=192.168.1.2`,
    );
  });

  it('default: header and rows as jls-05.txt', async () => {
    const lines = (await sh('jls')).stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(ref('jls-05.txt')[0]);
    const refRow = ref('jls-05.txt')[1]!; // "    16  192.168.1.1     www                           /home/jails/www"
    expect(lines[1]!.slice(6)).toBe(refRow.slice(6).replace('/home/jails/www', '/usr/jails/www'));
  });

  it('-v: the four header lines and per-jail blocks of jls-v-01.txt', async () => {
    const lines = (await sh('jls -v')).stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual(ref('jls-v-01.txt').slice(0, 4));
    expect(lines[4]).toMatch(/^ {3,5}\d+  www {27}\/usr\/jails\/www$/);
    expect(lines[5]).toBe('        www                           ACTIVE');
    expect(lines[6]).toMatch(/^        \d+$/);
    expect(lines[7]).toBe('        192.168.1.1');
    const refBlock = ref('jls-v-01.txt').slice(4, 7);
    expect(refBlock[1]).toMatch(/^ {8}\S+ +ACTIVE$/);
    expect(lines[5]!.indexOf('ACTIVE')).toBe(refBlock[1]!.indexOf('ACTIVE'));
  });

  it('-n: name=value pairs in the order of jls-n-01.txt', async () => {
    const ours = (await sh('jls -n -j www')).stdout.trim().split(' ');
    const key = (w: string) =>
      w
        .split('=')[0]!
        .replace(/^(allow\.(mount\.)?)no/, '$1')
        .replace(/^no(dying|persist)$/, '$1');
    const theirs = ref('jls-n-01.txt')[0]!.split(' ').map(key);
    const mine = ours.map(key);
    // Every parameter FreeBSD 13 printed is there, in the same relative order.
    const common = theirs.filter((k) => mine.includes(k));
    expect(common.length).toBeGreaterThan(40);
    expect(mine.filter((k) => theirs.includes(k))).toEqual(common);
    expect(ours).toEqual(
      expect.arrayContaining(['name=www', 'ip4.addr=192.168.1.1', 'host.domainname=""', 'allow.noraw_sockets', 'persist', 'nodying']),
    );
  });

  it('-h with parameters, -N, -j, -q and unknown jails', async () => {
    expect((await sh('jls -h jid name path')).stdout).toMatch(/^jid name path\n\d+ www \/usr\/jails\/www\n\d+ dns \/usr\/jails\/www\n$/);
    expect((await sh('jls -N')).stdout.split('\n')[1]).toBe('www             192.168.1.1     www                           /usr/jails/www');
    expect((await sh('jls -j dns name host.hostname')).stdout).toBe('dns dns\n');
    expect((await sh('jls -j dns -q host.domainname')).stdout).toBe('""\n');
    expect(await sh('jls -j nope')).toMatchObject({ code: 1, stderr: 'jls: jail "nope" not found\n' });
  });

  it("--libxo json has the handbook's structure", async () => {
    const ours = JSON.parse((await sh('jls --libxo json')).stdout);
    const theirs = JSON.parse(ref('jls-libxo-json-01.txt')[0]!);
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(Object.keys(ours['jail-information'].jail[0])).toEqual(Object.keys(theirs['jail-information'].jail[0]));
    expect(ours['jail-information'].jail[0]).toMatchObject({ ipv4: '192.168.1.1', hostname: 'www', path: '/usr/jails/www' });
    expect(typeof ours['jail-information'].jail[0].jid).toBe('number');
    expect((await sh('jls --libxo=json')).stdout).toMatch(
      /^\{"__version": "2", "jail-information": \{"jail": \[\{"jid":\d+,"ipv4":"192\.168\.1\.1",/,
    );
  });

  it("jexec: FreeBSD's errors, exit codes, users, and the jail user's shell by default", async () => {
    expect(await sh('jexec pkg-repo hostname')).toMatchObject({ code: 1, stderr: `${ref('jexec-error-01.txt')[0]}\n` });
    expect(await sh('jexec www nosuchcmd')).toMatchObject({ code: 1, stderr: 'jexec: execvp: nosuchcmd: No such file or directory\n' });
    expect((await sh("echo 'echo $0 $HOME' | jexec -l www")).stdout).toBe('/bin/sh /root\n');
    expect((await sh('jexec www sh -c "exit 7"')).code).toBe(7);
    expect((await sh('jexec -U nobody www id -u')).stdout).toBe('65534\n');
    expect((await sh('jexec www hostname; jexec dns hostname')).stdout).toBe('www\ndns\n');
  });
});

describe('jails: SysV IPC (seed 000 PostgreSQL) and raw sockets (seed 004)', () => {
  beforeAll(async () => {
    await sh(`jail -r pg pgnoipc >/dev/null 2>&1; rm -rf /usr/jails/pg /usr/jails/pg2 && ${MINI} /usr/jails/pg && ${MINI} /usr/jails/pg2`);
  });

  it('a jail without allow.sysvipc fails SysV shared memory; with it, it works', async () => {
    expect((await sh('jail -c name=pgnoipc path=/usr/jails/pg2 persist mount.devfs')).code).toBe(0);
    expect(await sh('jexec pgnoipc sysvipc-probe')).toMatchObject({ code: 1, stderr: 'sysvipc-probe: shmget: Function not implemented\n' });
    expect((await sh('jexec pgnoipc sysctl security.jail.sysvipc_allowed')).stdout).toBe('security.jail.sysvipc_allowed: 0\n');
    expect((await sh('jls -j pgnoipc -n sysvshm allow.sysvipc')).stdout).toBe('sysvshm=disable allow.nosysvipc\n');
    expect((await sh('jail -c name=pg path=/usr/jails/pg persist mount.devfs allow.sysvipc')).code).toBe(0);
    expect(await sh('jexec pg sysvipc-probe')).toMatchObject({ code: 0 });
    expect((await sh('jexec pg sysctl -n security.jail.sysvipc_allowed')).stdout).toBe('1\n');
    expect((await sh('jls -j pg -n sysvshm allow.sysvipc')).stdout).toBe('sysvshm=inherit allow.sysvipc\n');
  });

  it('sysvshm=new gives the jail its own working SysV namespace', async () => {
    await sh('jail -r pg');
    expect((await sh('jail -c name=pg path=/usr/jails/pg persist sysvshm=new sysvsem=new sysvmsg=new')).code).toBe(0);
    expect((await sh('jexec pg sysvipc-probe')).code).toBe(0);
  });

  it('ping needs allow.raw_sockets', async () => {
    const denied = await sh('jexec pgnoipc ping -c1 -W1 127.0.0.1');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/permission denied|Operation not permitted/);
    await sh('jail -r pg; jail -c name=pg path=/usr/jails/pg persist allow.raw_sockets');
    expect((await sh('jexec pg ping -c1 -W1 127.0.0.1')).code).toBe(0);
    await sh('jail -r pg pgnoipc');
  });
});

describe('jails: interfaces and routes (seed 000 lo1 aliases, seed 002 VNET)', () => {
  it("ifconfig epair/bridge create print FreeBSD's names; -l lists them", async () => {
    await sh('for i in $(ifconfig -l); do case $i in epair*a|bridge*|lo1) ifconfig $i destroy;; esac; done');
    expect((await sh('ifconfig epair create')).stdout).toBe(`${ref('ifconfig-epair-create-01.txt')[0]}\n`);
    expect((await sh('ifconfig bridge create')).stdout).toBe(`${ref('ifconfig-bridge-create-01.txt')[0]}\n`);
    expect((await sh('ifconfig epair create; ifconfig lo1 create')).stdout).toBe('epair1a\n');
    expect((await sh('ifconfig -l')).stdout).toMatch(/^em0 lo0 (igc0bridge )?epair0a epair0b bridge0 epair1a epair1b lo1\n$/);
    expect(ref('ifconfig-l-01.txt')[0]).toMatch(/^(\w+ )+\w+$/);
    expect(await sh('ifconfig bridge0 addm epair0a up')).toMatchObject({ code: 0, stdout: '' });
    expect(await sh('ifconfig bridge0 addm epair0a')).toMatchObject({ code: 1, stderr: 'ifconfig: BRDGADD epair0a: File exists\n' });
    expect(await sh('ifconfig bridge0 deletem epair0a')).toMatchObject({ code: 0 });
    expect(await sh('ifconfig epair9a destroy')).toMatchObject({ code: 1, stderr: 'ifconfig: interface epair9a does not exist\n' });
    expect(
      await sh('ifconfig epair0a destroy && ifconfig epair1a destroy && ifconfig bridge0 destroy && ifconfig lo1 destroy'),
    ).toMatchObject({ code: 0 });
    expect((await sh('ifconfig -l')).stdout).not.toMatch(/epair|bridge0|lo1/);
  });

  it('rc.d/netif creates lo1 and expands the alias range inet 192.168.1.0-9', async () => {
    await sh(
      'ifconfig lo1 destroy 2>/dev/null; cp /etc/rc.conf /tmp/rc.conf.bak; printf \'cloned_interfaces="lo1"\\nifconfig_lo1_alias0="inet 192.168.1.0-9"\\n\' >> /etc/rc.conf',
    );
    const r = await sh('/etc/rc.d/netif cloneup && /etc/rc.d/netif start >/dev/null; ifconfig lo1');
    expect(r.stdout).toMatch(/^Created clone interfaces: lo1\.\n/);
    expect(r.stdout.match(/inet 192\.168\.1\.\d+/g)).toHaveLength(10);
    expect(r.stdout).toContain('lo1: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384');
    await sh('ifconfig lo1 destroy; cp /tmp/rc.conf.bak /etc/rc.conf');
  });

  it('a jail on lo1 with ip4.addr gets its alias added and removed (interface parameter)', async () => {
    await sh(
      `jail -r pgq >/dev/null 2>&1; ifconfig lo1 destroy 2>/dev/null; ifconfig lo1 create; rm -rf /usr/jails/pgq && ${MINI} /usr/jails/pgq`,
    );
    expect((await sh('jail -v -c name=pgq path=/usr/jails/pgq persist interface=lo1 ip4.addr=192.168.1.3')).stdout).toBe(
      'pgq: run command: /sbin/ifconfig lo1 inet 192.168.1.3 netmask 255.255.255.255 alias\npgq: created\n',
    );
    // Same verbose shape as service-jail-restart-01.txt.
    expect(ref('service-jail-restart-01.txt')[2]).toMatch(
      /^\S+: run command: \/sbin\/ifconfig \S+ inet [\d.]+ netmask 255\.255\.255\.255 alias$/,
    );
    expect((await sh('ifconfig lo1')).stdout).toContain('inet 192.168.1.3 netmask 0xffffffff');
    await sh('jail -r pgq');
    expect((await sh('ifconfig lo1')).stdout).not.toContain('192.168.1.3');
    await sh('ifconfig lo1 destroy');
  });

  it('route add/delete on the host', async () => {
    await sh('route delete default >/dev/null 2>&1');
    expect((await sh('route add default 10.0.0.1')).stdout).toBe('add net default: gateway 10.0.0.1\n');
    expect(await sh('route add default 10.0.0.1')).toMatchObject({
      code: 1,
      stderr: 'route: writing to routing socket: File exists\nadd net default: gateway 10.0.0.1 fib 0: route already in table\n',
    });
    expect((await sh('route delete default')).stdout).toBe('delete net default\n');
  });
});

describe('jails: kldload, kldstat, sysctl, mount', () => {
  it('kldload linux64 / kldstat, and compat.linux.* appear with it', async () => {
    const before = await sh('kldstat -q -m linux64 && echo loaded');
    if (before.stdout === '') {
      expect((await sh('sysctl compat.linux.osrelease')).stderr).toBe("sysctl: unknown oid 'compat.linux.osrelease'\n");
      expect((await sh('kldload -v linux64')).stdout).toMatch(/^Loaded linux64, id=\d+\n$/);
    }
    expect(await sh('kldload linux64')).toMatchObject({
      code: 1,
      stderr: "kldload: can't load linux64: module already loaded or in kernel\n",
    });
    expect((await sh('kldload -n linux64')).code).toBe(0);
    const st = (await sh('kldstat')).stdout.split('\n');
    expect(st[0]).toBe('Id Refs Address                Size Name');
    expect(st[1]).toMatch(/^ 1 +\d+ 0xffffffff80200000 +[0-9a-f]+ kernel$/);
    expect(st.some((l) => / linux64\.ko$/.test(l))).toBe(true);
    expect((await sh('kldstat -q -m linux64')).code).toBe(0);
    expect(await sh('kldload nosuchmod')).toMatchObject({ code: 1, stderr: "kldload: can't load nosuchmod: No such file or directory\n" });
    expect((await sh('sysctl -n compat.linux.osname')).stdout).toBe('Linux\n');
  });

  it('sysctl reads, sets and rejects like FreeBSD', async () => {
    expect((await sh('sysctl kern.ostype security.jail.jailed')).stdout).toBe('kern.ostype: FreeBSD\nsecurity.jail.jailed: 0\n');
    expect((await sh('sysctl net.inet.ip.forwarding=1')).stdout).toBe('net.inet.ip.forwarding: 0 -> 1\n');
    expect((await sh('sysctl -n net.inet.ip.forwarding')).stdout).toBe('1\n');
    await sh('sysctl net.inet.ip.forwarding=0');
    expect(await sh('sysctl kern.ostype=Linux')).toMatchObject({ code: 1, stderr: "sysctl: oid 'kern.ostype' is read only\n" });
    expect(await sh('sysctl no.such.oid')).toMatchObject({ code: 1, stderr: "sysctl: unknown oid 'no.such.oid'\n" });
  });

  it("mount -t nullfs / devfs / tmpfs, mount_nullfs, umount, and FreeBSD's listing", async () => {
    await sh('mkdir -p /tmp/ms /tmp/md /tmp/md2 /tmp/mdev /tmp/mt; echo x > /tmp/ms/f');
    expect(await sh('mount -t nullfs -o ro /tmp/ms /tmp/md')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await sh('cat /tmp/md/f; touch /tmp/md/g')).stderr).toMatch(/Read-only/);
    expect((await sh('mount_nullfs /tmp/ms /tmp/md2')).code).toBe(0);
    expect((await sh('mount -t devfs devfs /tmp/mdev && ls /tmp/mdev | wc -l')).stdout.trim()).not.toBe('0');
    expect((await sh('mount -t tmpfs tmpfs /tmp/mt')).code).toBe(0);
    const list = (await sh('mount')).stdout.split('\n').filter(Boolean);
    expect(list[0]).toBe('zroot/ROOT/default on / (zfs, local, noatime, nfsv4acls)');
    expect(list).toEqual(
      expect.arrayContaining([
        '/tmp/ms on /tmp/md (nullfs, local, read-only)',
        '/tmp/ms on /tmp/md2 (nullfs, local)',
        'devfs on /tmp/mdev (devfs, local, multilabel)',
        'tmpfs on /tmp/mt (tmpfs, local)',
      ]),
    );
    const shape = /^\S+ on \S+ \([a-z0-9]+(, [a-z0-9-]+)*\)$/;
    for (const l of ref('mount-01.txt').filter(Boolean)) expect(l).toMatch(shape);
    for (const l of list) expect(l).toMatch(shape);
    expect(await sh('mount -t nullfs /tmp/nonexistent /tmp/md')).toMatchObject({
      code: 1,
      stderr: 'mount_nullfs: /tmp/nonexistent: No such file or directory\n',
    });
    expect(await sh('umount /tmp/md /tmp/md2 /tmp/mdev /tmp/mt')).toMatchObject({ code: 0 });
    expect(await sh('umount /tmp/md')).toMatchObject({ code: 1, stderr: 'umount: /tmp/md: not a file system root directory\n' });
    expect((await sh('mount | grep -c /tmp/m; grep -c " /tmp/m" /proc/self/mountinfo')).stdout).toBe('0\n0\n');
  });

  it('seed 004 Linux jail mounts: devfs, fdescfs, linprocfs, linsysfs, nullfs', async () => {
    await sh(
      `jail -r d2l >/dev/null 2>&1; rm -rf /usr/jails/d2l && ${MINI} /usr/jails/d2l && mkdir -p /usr/jails/d2l/compat/debian/dev /usr/jails/d2l/compat/debian/proc /usr/jails/d2l/compat/debian/sys /usr/jails/d2l/compat/debian/tmp /usr/jails/d2l/compat/debian/home`,
    );
    await put(
      '/tmp/d2l.conf',
      `d2l {
  exec.start = "/bin/sh /etc/rc";
  exec.stop = "/bin/sh /etc/rc.shutdown";
  exec.consolelog = "/var/log/jail_console_\${name}.log";
  allow.raw_sockets;
  exec.clean;
  mount.devfs;
  devfs_ruleset = 4;
  host.hostname = "\${name}";
  path = "/usr/jails/\${name}";
  persist;
  mount += "devfs     $path/compat/debian/dev     devfs     rw  0 0";
  mount += "fdescfs   $path/compat/debian/dev/fd  fdescfs   rw,linrdlnk 0 0";
  mount += "linprocfs $path/compat/debian/proc    linprocfs rw  0 0";
  mount += "linsysfs  $path/compat/debian/sys     linsysfs  rw  0 0";
  mount += "/tmp      $path/compat/debian/tmp     nullfs    rw  0 0";
  mount += "/home     $path/compat/debian/home    nullfs    rw  0 0";
}
`,
    );
    expect(await sh('jail -f /tmp/d2l.conf -c d2l')).toMatchObject({ code: 0, stdout: 'd2l: created\n', stderr: '' });
    const m = (await sh('mount | grep /usr/jails/d2l')).stdout;
    expect(m).toContain('devfs on /usr/jails/d2l/compat/debian/dev (devfs, local, multilabel)');
    expect(m).toContain('linprocfs on /usr/jails/d2l/compat/debian/proc (linprocfs, local)');
    expect(m).toContain('linsysfs on /usr/jails/d2l/compat/debian/sys (linsysfs, local)');
    expect(m).toContain('fdescfs on /usr/jails/d2l/compat/debian/dev/fd (fdescfs)');
    expect(m).toContain('/tmp on /usr/jails/d2l/compat/debian/tmp (nullfs, local)');
    expect((await sh('jexec d2l ls /compat/debian/proc/self')).code).toBe(0);
    expect((await sh('jexec d2l sysctl security.jail.allow_raw_sockets')).stdout).toBe('security.jail.allow_raw_sockets: 1\n');
    expect(await sh('jail -f /tmp/d2l.conf -r d2l')).toMatchObject({ code: 0, stdout: 'd2l: removed\n' });
    expect((await sh('mount | grep -c /usr/jails/d2l; grep -c /usr/jails/d2l /proc/self/mountinfo')).stdout).toBe('0\n0\n');
  });
});

describe('jails: devfs rulesets (seed 003)', () => {
  it('service devfs restart loads a custom ruleset that a jail then uses', async () => {
    await put(
      '/etc/devfs.rules',
      `[devfsrules_jailnet=1000]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic
add include $devfsrules_unhide_login
add path zfs unhide
add path mem unhide
add path kmem unhide
add path 'bpf*' unhide
`,
    );
    expect(await sh('/etc/rc.d/devfs restart')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    await sh(`jail -r j01 >/dev/null 2>&1; rm -rf /usr/jails/j01 && ${MINI} /usr/jails/j01`);
    expect((await sh('jail -c name=j01 path=/usr/jails/j01 persist mount.devfs devfs_ruleset=1000')).code).toBe(0);
    const dev = (await sh('jexec j01 ls /dev')).stdout.split('\n');
    expect(dev).toEqual(expect.arrayContaining(['bpf', 'bpf0', 'mem', 'kmem', 'zfs', 'null', 'ptmx']));
    expect(dev).not.toContain('pf');
    expect(dev).not.toContain('fuse');
    expect((await sh('jls -j j01 devfs_ruleset')).stdout).toBe('1000\n');
    await sh('jail -r j01');
  });

  it('reports errors in /etc/devfs.rules', async () => {
    await put('/etc/devfs.rules', "[broken=1001]\nadd path 'bpf*' unhdie\n");
    const r = await sh('/etc/rc.d/devfs restart');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'devfs: unknown argument: unhdie\n/etc/rc.d/devfs: WARNING: devfs_init_rulesets: could not read rules from /etc/devfs.rules\n',
    );
    await sh('rm -f /etc/devfs.rules; /etc/rc.d/devfs restart');
  });

  it('a jail whose ruleset is not loaded fails to start', async () => {
    await sh(`rm -rf /usr/jails/j02 && ${MINI} /usr/jails/j02`);
    const r = await sh('jail -c name=j02 path=/usr/jails/j02 persist mount.devfs devfs_ruleset=4242');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'mount: /usr/jails/j02/dev: No such process\njail: j02: /sbin/mount -t devfs -o ruleset=4242 devfs /usr/jails/j02/dev: failed\n',
    );
    expect((await sh('jls name')).stdout).not.toContain('j02');
  });
});
