/**
 * ps(1) inside a lab jail (issue #3, lab fidelity): jails are chroots without /proc, so the
 * jail's holder lists, from outside, the processes whose root is the jail (ps-serve.sh) and
 * the jail-side ps lays them out as FreeBSD's does. What it buys: rc.subr's check_pidfile
 * (`ps -o args= -p PID`) finds a daemon started in a jail, so `service -j J nginx status`
 * agrees with `onestart`, while the jail still sees none of the host's processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHosts, shRun } from '../../support/lab.js';

/** The last host: jail.test.ts and service.test.ts use the first. */
const host = () => labHosts()[labHosts().length - 1]!;
/** Runs CMD with sh on the host (even-numbered hosts log in with tcsh). */
const run = (cmd: string) => shRun(host(), cmd);

const J = 'psj';
const JPATH = '/var/tmp/psj-test';
const MINI = '/var/tmp/psj-mini';
const BASE = 'http://mirror.lab/pub/FreeBSD/releases/amd64/amd64/14.2-RELEASE/base.txz';
let hostSleep = '';

/** Host-side truth: the pids whose root directory is PATH (what jail -r kills). */
async function pidsRootedAt(path: string): Promise<number[]> {
  const r = await run(`for p in /proc/[0-9]*; do [ "$(readlink $p/root 2>/dev/null)" = ${path} ] && echo \${p#/proc/}; done`);
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

beforeAll(async () => {
  const r = await run(`set -e
jail -r ${J} >/dev/null 2>&1 || true
rm -rf ${JPATH}; mkdir -p ${JPATH}
fetch -q -o /tmp/psj-base.txz ${BASE}
tar -xf /tmp/psj-base.txz -C ${JPATH}
jail -c name=${J} path=${JPATH} host.hostname=${J} persist mount.devfs >/dev/null
pkg -j ${J} install -y nginx >/dev/null
(exec sleep 4242 </dev/null >/dev/null 2>&1 &)
sleep 0.2; pgrep -x -f "sleep 4242" | head -1`);
  expect(r.code, r.stderr).toBe(0);
  hostSleep = r.stdout.trim();
  expect(hostSleep).toMatch(/^\d+$/);
}, 60_000);

afterAll(async () => {
  await run(
    `jail -r ${J} >/dev/null 2>&1; jail -r psjmini >/dev/null 2>&1; kill ${hostSleep || 0} 2>/dev/null; rm -rf ${JPATH} ${MINI} /tmp/psj-base.txz /tmp/psj-secret; true`,
  );
});

describe('ps inside a jail', () => {
  it('service -j onestart, then status finds the daemon by its pid file (check_pidfile)', async () => {
    const r = await run(`service -j ${J} nginx onestart; service -j ${J} nginx onestatus; echo rc=$?; cat ${JPATH}/var/run/nginx.pid`);
    const [start, status, rc, pid = ''] = r.stdout.split('\n');
    expect(start).toBe('Starting nginx.');
    expect(pid).toMatch(/^\d+$/);
    expect(status).toBe(`nginx is running as pid ${pid}.`);
    expect(rc).toBe('rc=0');
    // Starting again is refused as rc.subr does for a running daemon.
    const again = await run(`service -j ${J} nginx onestart; echo rc=$?`);
    expect(again.stderr).toContain(`nginx already running? (pid=${pid}).`);
    // rc.subr's own forms.
    const forms = await run(`jexec ${J} ps -o args= -p ${pid}; jexec ${J} ps -ax -o pid= -o args=`);
    const lines = forms.stdout.split('\n');
    expect(lines[0]).toBe('/bin/sh /usr/local/sbin/nginx --lab-daemon');
    expect(lines.slice(1)).toContain(`${pid.padStart(5)} /bin/sh /usr/local/sbin/nginx --lab-daemon`);
  });

  it("ps ax lists exactly the jail's processes in FreeBSD's columns, none of the host's", async () => {
    const pid = (await run(`cat ${JPATH}/var/run/nginx.pid`)).stdout.trim();
    const r = await run(`jexec ${J} ps ax`);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ *PID TT  STAT +TIME COMMAND$/);
    expect(header!.indexOf('PID') + 3).toBe(Math.max(5, ...rows.map((l) => l.match(/^ *\d+/)![0].length)));
    for (const row of rows) expect(row).toMatch(/^ *\d+ +- +[DRSTZIW][<NLs+]* +\d+:\d\d\.\d\d \S/);
    const listed = rows.map((l) => Number(l.trim().split(/\s+/)[0]));
    const command = (p: number) =>
      rows
        .find((l) => Number(l.trim().split(/\s+/)[0]) === p)!
        .trim()
        .replace(/^(\S+\s+){4}/, '');
    expect(command(Number(pid))).toBe('/bin/sh /usr/local/sbin/nginx --lab-daemon');
    expect(rows.some((l) => l.endsWith(' ps ax'))).toBe(true);
    expect(listed).not.toContain(Number(hostSleep));
    expect(r.stdout).not.toMatch(/sshd|ps-serve|sleep 4242|boot-host/);
    // Every listed process is, seen from the host, rooted at the jail (ps itself has exited).
    const rooted = await pidsRootedAt(JPATH);
    for (const p of listed.filter((p) => !command(p).startsWith('ps '))) expect(rooted).toContain(p);
  });

  it("ps aux: FreeBSD's u format with the jail's user names; -U and non-root users work", async () => {
    // Without a terminal FreeBSD's ps cuts lines at 79 columns; -ww lifts that.
    const pid = (await run(`cat ${JPATH}/var/run/nginx.pid`)).stdout.trim();
    const cut = await run(`jexec ${J} ps aux; jexec ${J} ps auxww`);
    const long = cut.stdout.split('\n').filter((l) => l.split(/ +/)[1] === pid);
    expect(long[0]!.length).toBe(79);
    expect(long[1]!.startsWith(long[0]!)).toBe(true);
    expect(long[1]!.length).toBeGreaterThan(79);
    const r = await run(`jexec ${J} ps auxww; jexec -U nobody ${J} ps aux; jexec -U nobody ${J} ps -U nobody -o user= -o args=`);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.split('\n');
    expect(header).toMatch(/^USER +PID %CPU %MEM +VSZ +RSS TT  STAT STARTED +TIME COMMAND$/);
    const nginx = rows.find((l) => l.includes('/usr/local/sbin/nginx'))!;
    expect(nginx).toMatch(
      /^root +\d+ +\d+\.\d +\d+\.\d +\d+ +\d+ +- +\S+ +[ \d]\d:\d\d[AP]M +\d+:\d\d\.\d\d \/bin\/sh \/usr\/local\/sbin\/nginx --lab-daemon$/,
    );
    expect(rows.some((l) => /^nobody +\d+ .* ps aux$/.test(l))).toBe(true);
    expect(rows).toContain('nobody ps -U nobody -o user= -o args=');
    expect(r.stdout).not.toContain('sleep 4242');
  });

  it('host processes are invisible: -p of a host pid selects nothing (exit 1), pid 1 too', async () => {
    const r = await run(`jexec ${J} ps -p ${hostSleep}; echo rc=$?; jexec ${J} ps -o pid= -p 1; echo rc=$?; jexec ${J} ls /proc | wc -l`);
    expect(r.stdout).toBe('  PID TT  STAT TIME COMMAND\nrc=1\nrc=1\n0\n');
  });

  it('the reply FIFO cannot be turned into a write to a host file or FIFO', async () => {
    const r = await run(`echo secret > /tmp/psj-secret; rm -f /tmp/psj-fifo /tmp/psj-out; mkfifo -m 666 /tmp/psj-fifo
cat /tmp/psj-fifo > /tmp/psj-out & c=$!
jexec ${J} sh -c "ln -s /tmp/psj-secret /dev/.lab/ps/901; ln -s /tmp/psj-fifo /dev/.lab/ps/902; echo 901 > /dev/.lab/ps/req; echo 902 > /dev/.lab/ps/req"
jexec ${J} sh -c "exec ps -o args= -p \\$\\$"
: > /tmp/psj-fifo; wait $c; echo "fifo=[$(cat /tmp/psj-out)]"; cat /tmp/psj-secret; rm -f /tmp/psj-fifo /tmp/psj-out`);
    // ps answered after the two requests; nothing was written to the host FIFO; the file is intact.
    expect(r.stdout).toMatch(/^ps -o args= -p \d+\nfifo=\[\]\nsecret\n$/);
  });

  it("onestop: status says not running, ps ax no longer lists it; the host's ps still sees everything", async () => {
    const pid = (await run(`cat ${JPATH}/var/run/nginx.pid`)).stdout.trim();
    const host = await run(`ps -ax -o pid= -o args=`);
    expect(host.stdout).toMatch(new RegExp(`^ *${pid} /bin/sh /usr/local/sbin/nginx --lab-daemon$`, 'm'));
    expect(host.stdout).toMatch(new RegExp(`^ *${hostSleep} sleep 4242$`, 'm'));
    expect(host.stdout).toMatch(/sshd/);
    const r = await run(`service -j ${J} nginx onestop; service -j ${J} nginx onestatus; echo rc=$?; jexec ${J} ps ax`);
    expect(r.stdout).toMatch(/nginx is not running\.\nrc=1\n {2}PID TT  STAT +TIME COMMAND\n *\d+ +- +\S+ +\d+:\d\d\.\d\d ps ax\n$/);
  });

  it("jail -r ends the holder and unmounts the jail's devfs", async () => {
    const r = await run(
      `jail -r ${J}; ps -ax -o args= | grep -c "ps-serve.sh ${JPATH}$"; mount | grep -c "${JPATH}/dev"; ls ${JPATH}/dev | wc -l`,
    );
    expect(r.stdout).toBe(`${J}: removed\n0\n0\n0\n`);
  });

  it('a mini-root jail gets the same ps; without devfs ps says why it cannot list', async () => {
    const r = await run(`rm -rf ${MINI}; sh /.sys/userland/lib/jail/mini-root.sh ${MINI} >/dev/null
jail -c name=psjmini path=${MINI} persist mount.devfs >/dev/null
jexec psjmini sh -c "sleep 30 & ps -o args= -p \\$!; ps ax"; jail -r psjmini >/dev/null
jail -c name=psjmini path=${MINI} persist >/dev/null; jexec psjmini ps ax; echo rc=$?; jail -r psjmini >/dev/null`);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('sleep 30');
    expect(lines[1]).toMatch(/^ *PID TT  STAT +TIME COMMAND$/);
    // sh -c runs its last command with exec: ps ax has the shell's pid, below sleep's.
    expect(lines.slice(2, -2).map((l) => l.trim().replace(/^(\S+\s+){4}/, ''))).toEqual(['ps ax', 'sleep 30']);
    expect(lines.slice(-2)).toEqual(['rc=1', '']);
    expect(r.stderr).toContain('ps: kvm_openfiles: /dev/null: No such file or directory');
  });
});
