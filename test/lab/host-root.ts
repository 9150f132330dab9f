/**
 * Builds one lab host's root directory: a FreeBSD-shaped tree whose /etc, /var, /tmp,
 * /root, /home, /usr/local and /usr/jails belong to this host alone. The machine's
 * libraries and binaries are mounted read-only at boot (boot-host.sh); here we only
 * create files and the symlinks that make up the host's PATH.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { USERLAND_DIR } from './layout.js';
import { C_LINKS, HOST_C_DIR } from './c-commands.js';

export interface HostSpec {
  name: string;
  address: string;
  /** Login shell of root and of the `ops` user: FreeBSD 14 defaults to /bin/sh, older releases to csh. */
  loginShell: '/bin/sh' | '/bin/tcsh';
  /** Public key (OpenSSH one-line format) allowed to log in as root and ops. */
  authorizedKey: string;
  /** Lab options for this host's boot hooks (e.g. zfs: 'real' | 'emulated'), written to /.lab/host.env as LAB_<KEY>=value. */
  features: Record<string, string>;
}

export const OPS_USER = { name: 'ops', uid: 1001, gid: 1001 };

/** FreeBSD's default PATH for login sessions (login.conf), which sshd sessions get on FreeBSD. */
export const FREEBSD_PATH = '/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin';

const DIRS = [
  'bin',
  'sbin',
  'usr/bin',
  'usr/sbin',
  'usr/local/bin',
  'usr/local/sbin',
  'usr/local/etc',
  'usr/jails',
  'etc/ssh',
  'etc/jail.conf.d',
  'etc/rc.conf.d',
  'etc/defaults',
  'var/log',
  'var/run',
  'var/empty',
  'var/db',
  'var/tmp',
  'tmp',
  'root/.ssh',
  'home',
  'dev',
  'proc',
  'boot',
  'mnt',
  'run/sshd',
  'etc/pam.d',
  '.sys',
  '.lab',
];

export function buildHostRoot(root: string, spec: HostSpec): void {
  for (const d of DIRS) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.chmodSync(path.join(root, 'var/tmp'), 0o1777);
  fs.chmodSync(path.join(root, 'var/empty'), 0o755);
  fs.chmodSync(path.join(root, 'root'), 0o700);
  for (const link of ['lib', 'lib64']) {
    const p = path.join(root, link);
    if (!fs.existsSync(p)) fs.symlinkSync(`usr/${link}`, p);
  }
  linkBaseCommands(root);
  installOverlay(root);
  linkCCommands(root);
  writeEtc(root, spec);
  writeSshd(root, spec);
  writeUsers(root, spec);
  writeHostEnv(root, spec);
}

/** Facts about the host for the boot/stop hooks (sourced by sh, so values are simple words). */
function writeHostEnv(root: string, spec: HostSpec): void {
  const vars: Record<string, string> = { HOST_NAME: spec.name, HOST_ADDRESS: spec.address };
  for (const [k, v] of Object.entries(spec.features)) vars[`LAB_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(vars)) {
    if (!/^[A-Za-z0-9_.:/-]*$/.test(v)) throw new Error(`lab: ${k}=${v} is not a plain word`);
  }
  fs.writeFileSync(
    path.join(root, '.lab/host.env'),
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
}

/** Symlink each allowed command into the host's PATH, pointing at the machine's real binary under /.sys. */
function linkBaseCommands(root: string): void {
  const list = fs.readFileSync(path.join(USERLAND_DIR, 'base-commands.txt'), 'utf8');
  for (const raw of list.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [dest, machineName] = line.split(/\s+/) as [string, string | undefined];
    const source = machineBinary(machineName ?? path.basename(dest));
    const target = path.join(root, dest);
    fs.rmSync(target, { force: true });
    fs.symlinkSync(source, target);
  }
}

/** Directories whose overlay files are symlinked (read-only, shared code); the rest is copied (host-owned config). */
const LINKED_DIRS = ['bin/', 'sbin/', 'usr/bin/', 'usr/sbin/', 'usr/libexec/', 'usr/local/bin/', 'usr/local/sbin/'];

/**
 * The lab's FreeBSD userland (test/lab/userland/overlay) laid over the host root: commands
 * become symlinks into /.sys/userland (so they replace machine binaries of the same name),
 * configuration files (etc/...) are copied so the host can change them.
 */
function installOverlay(root: string): void {
  const overlay = path.join(USERLAND_DIR, 'overlay');
  for (const rel of walkFiles(overlay)) {
    const target = path.join(root, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.rmSync(target, { force: true });
    if (LINKED_DIRS.some((d) => rel.startsWith(d))) {
      fs.symlinkSync(`/.sys/userland/overlay/${rel}`, target);
    } else {
      fs.copyFileSync(path.join(overlay, rel), target);
      fs.chmodSync(target, fs.statSync(path.join(overlay, rel)).mode & 0o7777);
    }
  }
}

/** The lab's compiled commands (c-commands.ts), from LABDIR/bin mounted at /.sys/lab-bin. */
function linkCCommands(root: string): void {
  for (const [rel, name] of Object.entries(C_LINKS)) {
    const target = path.join(root, rel);
    fs.rmSync(target, { force: true });
    fs.symlinkSync(`${HOST_C_DIR}/${name}`, target);
  }
}

function walkFiles(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix + e.name;
    if (e.name === '.keep') return [];
    return e.isDirectory() ? walkFiles(path.join(dir, e.name), rel + '/') : [rel];
  });
}

const binaryCache = new Map<string, string>();
/** Machine command name → its real path seen from inside a host (/.sys/bin/... or /.sys/sbin/...). */
function machineBinary(name: string): string {
  let found = binaryCache.get(name);
  if (!found) {
    for (const dir of ['/usr/bin', '/usr/sbin']) {
      const p = path.join(dir, name);
      if (fs.existsSync(p)) {
        found = fs.realpathSync(p);
        break;
      }
    }
    if (!found) throw new Error(`lab: the machine has no command '${name}' (did test/lab/setup.sh run?)`);
    binaryCache.set(name, found);
  }
  const rel = found.replace(/^\/usr\/(s?bin)\//, '$1/');
  if (rel === found) throw new Error(`lab: ${name} resolves to ${found}, outside /usr/bin and /usr/sbin`);
  return `/.sys/${rel}`;
}

function writeEtc(root: string, spec: HostSpec): void {
  const etc = (p: string, content: string, mode = 0o644) => {
    fs.writeFileSync(path.join(root, 'etc', p), content, { mode });
    fs.chmodSync(path.join(root, 'etc', p), mode);
  };
  etc('hosts', `127.0.0.1\tlocalhost\n${spec.address}\t${spec.name}\n`);
  etc('resolv.conf', 'nameserver 127.0.0.1\n');
  etc('nsswitch.conf', 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n');
  etc('shells', '/bin/sh\n/bin/csh\n/bin/tcsh\n');
  etc('rc.conf', `hostname="${spec.name}"\nsshd_enable="YES"\n`);
  etc('doas.conf', `permit nopass ${OPS_USER.name} as root\n`, 0o600);
  // Debian's doas opens a PAM session even with nopass; FreeBSD's doas does not use PAM.
  fs.mkdirSync(path.join(root, 'etc/pam.d'), { recursive: true });
  etc('pam.d/doas', ['auth', 'account', 'session'].map((t) => `${t} required pam_permit.so`).join('\n') + '\n');
  if (!fs.existsSync(path.join(root, 'etc/localtime'))) {
    fs.copyFileSync('/usr/share/zoneinfo/UTC', path.join(root, 'etc/localtime'));
  }
}

function writeUsers(root: string, spec: HostSpec): void {
  const shell = spec.loginShell;
  fs.writeFileSync(
    path.join(root, 'etc/passwd'),
    [
      `root:x:0:0:Charlie &:/root:${shell}`,
      'sshd:x:22:22:Secure Shell Daemon:/var/empty:/usr/sbin/nologin',
      'nobody:x:65534:65534:Unprivileged user:/nonexistent:/usr/sbin/nologin',
      `${OPS_USER.name}:x:${OPS_USER.uid}:${OPS_USER.gid}:Fleet operator:/home/${OPS_USER.name}:${shell}`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(root, 'etc/group'),
    ['wheel:x:0:root', 'sshd:x:22:', 'nogroup:x:65533:', 'nobody:x:65534:', `${OPS_USER.name}:x:${OPS_USER.gid}:`, ''].join('\n'),
  );
  // '*' = no password, but not locked: sshd (UsePAM no) still allows key logins.
  fs.writeFileSync(
    path.join(root, 'etc/shadow'),
    ['root', 'sshd', 'nobody', OPS_USER.name].map((u) => `${u}:*:19000:0:99999:7:::`).join('\n') + '\n',
    { mode: 0o640 },
  );

  for (const [home, uid, gid] of [
    ['root', 0, 0],
    [`home/${OPS_USER.name}`, OPS_USER.uid, OPS_USER.gid],
  ] as const) {
    const sshDir = path.join(root, home, '.ssh');
    fs.mkdirSync(sshDir, { recursive: true });
    fs.writeFileSync(path.join(sshDir, 'authorized_keys'), spec.authorizedKey.trim() + '\n', { mode: 0o600 });
    fs.chmodSync(path.join(root, home), 0o700);
    fs.chmodSync(sshDir, 0o700);
    for (const p of [path.join(root, home), sshDir, path.join(sshDir, 'authorized_keys')]) fs.chownSync(p, uid, gid);
  }
}

function writeSshd(root: string, spec: HostSpec): void {
  const keyFile = path.join(root, 'etc/ssh/ssh_host_ed25519_key');
  if (!fs.existsSync(keyFile)) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${spec.name}`, '-f', keyFile]);
  }
  fs.writeFileSync(
    path.join(root, 'etc/ssh/sshd_config'),
    [
      `ListenAddress ${spec.address}:22`,
      'HostKey /etc/ssh/ssh_host_ed25519_key',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'UseDNS no',
      'PrintMotd no',
      'PrintLastLog no',
      'PidFile /var/run/sshd.pid',
      'MaxSessions 100',
      'MaxStartups 200:30:400',
      'LoginGraceTime 30',
      'ClientAliveInterval 0',
      `SetEnv PATH=${FREEBSD_PATH}`,
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
}

/** The host's public key line, for known_hosts. */
export function hostPublicKey(root: string): string {
  return fs.readFileSync(path.join(root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8').trim();
}
