'use strict';
/**
 * A jail's processes. Each running jail has a "holder" process that owns the jail's own
 * UTS namespace (its host.hostname) and, unless the jail shares the host's SysV IPC, its own
 * IPC namespace; with SysV IPC disabled that namespace's limits are 0, so shmget/semget/msgget
 * fail for real. Processes enter the jail with nsenter into those namespaces, lose
 * CAP_NET_RAW unless allow.raw_sockets, and chroot into the jail's path.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const state = require('./state.cjs');

const BIN = {
  unshare: '/.sys/bin/unshare',
  nsenter: '/.sys/bin/nsenter',
  setpriv: '/.sys/bin/setpriv',
  chroot: '/.sys/sbin/chroot',
  sh: '/.sys/bin/sh',
  sleep: '/.sys/bin/sleep',
  hostname: '/.sys/bin/hostname',
};

/** IPC setup of a jail from its sysv* parameters: 'host' (share), or a new namespace with limits. */
function ipcMode(kp) {
  const modes = ['sysvmsg', 'sysvsem', 'sysvshm'].map((k) => kp[k]);
  if (modes.some((m) => m === 'inherit')) return { share: true };
  return { share: false, msg: kp.sysvmsg !== 'disable', sem: kp.sysvsem !== 'disable', shm: kp.sysvshm !== 'disable' };
}

const PS_SERVE = path.join(__dirname, 'ps-serve.sh');

/** Start the holder; returns its PID once the namespaces are set up. */
function startHolder(jid, hostname, kp, jailPath) {
  const ipc = ipcMode(kp);
  const ready = path.join(state.JAILS_DIR, `.ready-${jid}-${process.pid}`);
  fs.mkdirSync(state.JAILS_DIR, { recursive: true });
  fs.rmSync(ready, { force: true });
  const limits = [];
  if (!ipc.share) {
    if (!ipc.shm) limits.push('echo 0 > /proc/sys/kernel/shmmni', 'echo 0 > /proc/sys/kernel/shmall', 'echo 0 > /proc/sys/kernel/shmmax');
    if (!ipc.sem) limits.push("echo '0 0 0 0' > /proc/sys/kernel/sem");
    if (!ipc.msg) limits.push('echo 0 > /proc/sys/kernel/msgmni');
  }
  // An empty host.hostname leaves the host's name in the jail's UTS namespace (FreeBSD copies the parent's).
  // Written to the kernel directly: Debian's hostname(1) refuses names FreeBSD accepts (jail_01).
  // The holder then answers the jail's ps(1) (ps-serve.sh: the jail's own processes only).
  const serve = jailPath ? `exec ${BIN.sh} ${PS_SERVE} "$3"` : `exec ${BIN.sleep} infinity`;
  const script = ['{ [ -z "$1" ] || printf %s "$1" > /proc/sys/kernel/hostname; }', ...limits, ': > "$2"', serve].join(' && ');
  const args = [
    '--uts',
    ...(ipc.share ? [] : ['--ipc']),
    '--',
    BIN.sh,
    '-c',
    script,
    `lab-jail-${jid}`,
    hostname || '',
    ready,
    jailPath || '',
  ];
  const child = spawn(BIN.unshare, args, { detached: true, stdio: 'ignore' });
  child.unref();
  const deadline = Date.now() + 5000;
  while (!fs.existsSync(ready)) {
    if (Date.now() > deadline || !state.alive(child.pid) || isZombie(child.pid)) throw new Error('jail holder did not start');
    state.sleepMs(5);
  }
  fs.rmSync(ready, { force: true });
  return child.pid;
}

/** Users from a passwd file inside the jail (or the host). */
function passwdEntry(root, user) {
  let text = '';
  try {
    text = fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8');
  } catch {
    /* none */
  }
  try {
    if (!text) text = fs.readFileSync(path.join(root, 'etc/master.passwd'), 'utf8');
  } catch {
    /* none */
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === user || (/^\d+$/.test(user) && f[2] === user)) {
      // master.passwd has class/change/expire between gid and gecos.
      const shell = f[f.length - 1];
      const home = f[f.length - 2];
      return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), home, shell };
    }
  }
  if (user === 'root' || user === '0') return { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' };
  return null;
}

const LOGIN_PATH = '/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin';

/** Environment like FreeBSD's login class for `user` (jexec -l, exec.clean). */
function cleanEnv(pw) {
  const env = {
    HOME: pw.home || '/',
    SHELL: pw.shell || '/bin/sh',
    USER: pw.name,
    LOGNAME: pw.name,
    PATH: LOGIN_PATH,
    BLOCKSIZE: 'K',
    MAIL: `/var/mail/${pw.name}`,
  };
  if (process.env.TERM) env.TERM = process.env.TERM;
  return env;
}

/** Does COMMAND resolve to an executable inside the jail (PATH lookup relative to its root)? */
function resolveInJail(root, command, envPath) {
  const exists = (p) => {
    // Follow symlinks inside the jail root (absolute targets are relative to it).
    let cur = p;
    for (let n = 0; n < 20; n++) {
      let st;
      try {
        st = fs.lstatSync(path.join(root, cur));
      } catch {
        return false;
      }
      if (!st.isSymbolicLink()) return st.isFile() && (st.mode & 0o111) !== 0;
      const t = fs.readlinkSync(path.join(root, cur));
      cur = t.startsWith('/') ? t : path.join(path.dirname(cur), t);
    }
    return false;
  };
  if (command.includes('/')) return exists(command.startsWith('/') ? command : '/' + command) ? command : null;
  for (const dir of (envPath || LOGIN_PATH).split(':')) if (dir && exists(path.join(dir, command))) return path.join(dir, command);
  return null;
}

/** argv (for spawn) that runs ARGV inside jail J as user PW. */
function jailArgv(j, argv, pw) {
  const ns = ['-t', String(j.holder), '--uts', ...(j.ipcShared ? [] : ['--ipc'])];
  const caps = j.params['allow.raw_sockets'] ? [] : [BIN.setpriv, '--bounding-set', '-net_raw', '--inh-caps', '-net_raw', '--'];
  const user = pw && pw.uid !== 0 ? [`--userspec=${pw.uid}:${pw.gid}`, '--groups='] : [];
  return [BIN.nsenter, [...ns, '--', ...caps, BIN.chroot, ...user, j.path, ...argv]];
}

/** Run ARGV in the jail and wait. stdio as for spawnSync. */
function runInJail(j, argv, { env, stdio, pw, cwd } = {}) {
  let [bin, args] = jailArgv(j, argv, pw);
  if (cwd && cwd !== '/') {
    // chroot(1) starts in the new root; hop to cwd with the jail's own sh.
    [bin, args] = jailArgv(j, ['/bin/sh', '-c', 'cd "$0" && exec "$@"', cwd, ...argv], pw);
  }
  const r = spawnSync(bin, args, { env: env || process.env, stdio: stdio || 'inherit' });
  return r.status === null ? 128 + (r.signal ? require('node:os').constants.signals[r.signal] || 1 : 1) : r.status;
}

/** PIDs (host view) of processes whose root directory is the jail's path, except the holder. */
function jailPids(j) {
  const out = [];
  let real;
  try {
    real = fs.realpathSync(j.path);
  } catch {
    real = j.path;
  }
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const root = fs.readlinkSync(`/proc/${d}/root`);
      if (root === real && Number(d) !== process.pid) out.push(Number(d));
    } catch {
      /* gone or not ours */
    }
  }
  return out;
}

/** End every process of the jail (SIGTERM, then SIGKILL after `timeout` seconds) and its holder. */
function killJail(j, timeoutSec = 2) {
  let pids = jailPids(j);
  for (const p of pids) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  const deadline = Date.now() + timeoutSec * 1000;
  while (pids.length && Date.now() < deadline) {
    state.sleepMs(20);
    pids = pids.filter((p) => state.alive(p) && !isZombie(p));
  }
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (j.holder) {
    try {
      process.kill(j.holder, 'SIGKILL');
    } catch {
      /* gone */
    }
    // It holds the ps FIFO in the jail's devfs, which jail -r unmounts next.
    const until = Date.now() + 1000;
    while (state.alive(j.holder) && !isZombie(j.holder) && Date.now() < until) state.sleepMs(5);
  }
}

function isZombie(pid) {
  try {
    return / Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^\d+ \(.*\) /, ' '));
  } catch {
    return true;
  }
}

module.exports = { startHolder, ipcMode, passwdEntry, cleanEnv, resolveInJail, jailArgv, runInJail, jailPids, killJail, LOGIN_PATH, BIN };
