/**
 * Stages the tree of a release's base.txz / kernel.txz / lib32.txz in a directory: a small
 * FreeBSD-shaped base whose shell is Debian's static busybox (so jails can run commands
 * chrooted into it) and whose /bin/freebsd-version prints the release.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { USERLAND_DIR } from '../layout.js';

const require = createRequire(import.meta.url);
const content = require('../userland/lib/release/content.cjs') as {
  freebsdVersionScript(v: string): string;
  kernelFile(release: string, patch: number): string;
};

export const BUSYBOX = '/bin/busybox';

/** busybox applets linked into the base, at FreeBSD's locations. */
const APPLETS: Record<string, string[]> = {
  bin: [
    'cat',
    'chmod',
    'cp',
    'date',
    'dd',
    'df',
    'echo',
    'expr',
    'hostname',
    'kill',
    'ln',
    'ls',
    'mkdir',
    'mv',
    'ps',
    'pwd',
    'rm',
    'rmdir',
    'sleep',
    'sync',
    'test',
    '[',
  ],
  'usr/bin': [
    'awk',
    'basename',
    'cmp',
    'cut',
    'diff',
    'dirname',
    'env',
    'find',
    'grep',
    'egrep',
    'fgrep',
    'head',
    'id',
    'less',
    'logger',
    'mktemp',
    'more',
    'nohup',
    'od',
    'printf',
    'readlink',
    'sed',
    'sort',
    'su',
    'tail',
    'tee',
    'touch',
    'tr',
    'true',
    'false',
    'uniq',
    'wc',
    'which',
    'whoami',
    'xargs',
    'yes',
    'xz',
    'unxz',
    'xzcat',
    'gzip',
    'gunzip',
    'zcat',
    'tar',
    'vi',
    'uptime',
  ],
  'usr/sbin': ['chown', 'chroot', 'nologin'],
};

const DIRS = [
  'bin',
  'sbin',
  'boot/defaults',
  'dev',
  'etc/defaults',
  'etc/pkg',
  'etc/rc.d',
  'etc/ssh',
  'lib',
  'libexec',
  'media',
  'mnt',
  'net',
  'proc',
  'rescue',
  'root',
  'tmp',
  'usr/bin',
  'usr/include',
  'usr/lib',
  'usr/libexec',
  'usr/sbin',
  'usr/share/misc',
  'usr/share/zoneinfo',
  'usr/src',
  'var/cache',
  'var/cron/tabs',
  'var/db/freebsd-update',
  'var/db/pkg',
  'var/empty',
  'var/log',
  'var/mail',
  'var/run',
  'var/spool',
  'var/tmp',
];

export interface StageOptions {
  release: string;
  /** Address of the lab mirror, named mirror.lab in the release's /etc/hosts. */
  mirrorAddress: string;
}

/** Writes FILE under ROOT with MODE, creating parents. */
function put(root: string, rel: string, data: string | Buffer, mode = 0o644): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  fs.chmodSync(p, mode);
}

export function stageBase(root: string, opts: StageOptions): void {
  for (const d of DIRS) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.chmodSync(path.join(root, 'var/tmp'), 0o1777);
  fs.chmodSync(path.join(root, 'root'), 0o700);

  // The shell, and the other applets as hard links to it (stored once in the tarball).
  put(root, 'bin/sh', fs.readFileSync(BUSYBOX), 0o555);
  for (const [dir, names] of Object.entries(APPLETS)) {
    for (const n of names) fs.linkSync(path.join(root, 'bin/sh'), path.join(root, dir, n));
  }
  put(root, 'bin/freebsd-version', content.freebsdVersionScript(opts.release), 0o555);
  put(root, 'libexec/ld-elf.so.1', '# lab placeholder for the run-time link-editor\n', 0o555);
  put(root, 'lib/libc.so.7', '# lab placeholder\n', 0o444);
  put(root, 'usr/share/zoneinfo/UTC', fs.readFileSync('/usr/share/zoneinfo/UTC'));
  put(root, 'COPYRIGHT', "# $FreeBSD$\n\nCopyright (c) 1992-2024 The FreeBSD Project.\n\n(lab release built by fleetjail's test lab)\n");
  put(root, 'boot/defaults/loader.conf', 'kernel="kernel"\nbootfile="kernel"\n');

  writeEtc(root, opts);
  const scripts = [...copyOverlayScripts(root, opts.release), ...copyJailSideTools(root)];
  hideApplets(
    path.join(root, 'bin/sh'),
    scripts.map((rel) => path.basename(rel)),
  );
}

/**
 * Debian's busybox prefers its applets to PATH (sh runs `uname` as its own applet even when
 * /usr/bin/uname exists). For each lab script that replaces an applet, the base's busybox
 * gets that applet's name changed in its sorted name table (last letter → '~', or the highest
 * letter that keeps the table sorted), so sh finds the script in PATH, as FreeBSD's sh would.
 */
function hideApplets(busybox: string, names: string[]): void {
  const data = fs.readFileSync(busybox);
  const start = data.indexOf(Buffer.from('[\0[[\0', 'binary'));
  if (start < 0) return;
  let end = start;
  while (end < data.length && !(data[end] === 0 && data[end + 1] === 0)) end++;
  const table = () => data.subarray(start, end).toString('latin1').split('\0');
  let changed = false;
  for (const name of names) {
    const at = data.indexOf(Buffer.from(`\0${name}\0`, 'latin1'), start - 1);
    if (at < 0 || at > end) continue;
    const last = at + name.length;
    const saved = data[last]!;
    // '~' first; a name whose neighbour forbids it (ps before pwd) takes another letter.
    for (let c = 0x7e; c > 0x20; c--) {
      if (c === saved) continue;
      data[last] = c;
      const t = table();
      if (t.every((n, k) => k === 0 || t[k - 1]! < n)) {
        changed = true;
        break;
      }
      data[last] = saved;
    }
  }
  if (changed) fs.writeFileSync(busybox, data);
}

function writeEtc(root: string, opts: StageOptions): void {
  const etc = (rel: string, data: string, mode = 0o644) => put(root, `etc/${rel}`, data, mode);
  etc(
    'hosts',
    [
      '# $FreeBSD$',
      '::1\t\t\tlocalhost localhost.my.domain',
      '127.0.0.1\t\tlocalhost localhost.my.domain',
      `${opts.mirrorAddress}\t\tmirror.lab\t# the lab's FreeBSD mirror`,
      '',
    ].join('\n'),
  );
  etc(
    'passwd',
    [
      'root:*:0:0:Charlie &:/root:/bin/sh',
      'toor:*:0:0:Bourne-again Superuser:/root:',
      'daemon:*:1:1:Owner of many system processes:/root:/usr/sbin/nologin',
      'operator:*:2:5:System &:/:/usr/sbin/nologin',
      'bin:*:3:7:Binaries Commands and Source:/:/usr/sbin/nologin',
      'tty:*:4:65533:Tty Sandbox:/:/usr/sbin/nologin',
      'kmem:*:5:65533:KMem Sandbox:/:/usr/sbin/nologin',
      'sshd:*:22:22:Secure Shell Daemon:/var/empty:/usr/sbin/nologin',
      'nobody:*:65534:65534:Unprivileged user:/nonexistent:/usr/sbin/nologin',
      '',
    ].join('\n'),
  );
  etc(
    'master.passwd',
    fs
      .readFileSync(path.join(root, 'etc/passwd'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const f = l.split(':');
        return [f[0], f[1], f[2], f[3], '', '0', '0', f[4], f[5], f[6]].join(':');
      })
      .join('\n') + '\n',
    0o600,
  );
  etc(
    'group',
    [
      'wheel:*:0:root',
      'daemon:*:1:',
      'kmem:*:2:',
      'sys:*:3:',
      'tty:*:4:',
      'operator:*:5:root',
      'bin:*:7:',
      'sshd:*:22:',
      'nogroup:*:65533:',
      'nobody:*:65534:',
      '',
    ].join('\n'),
  );
  etc('shells', '# $FreeBSD$\n/bin/sh\n/bin/csh\n/bin/tcsh\n');
  etc('rc', ETC_RC, 0o644);
  etc('rc.shutdown', ETC_RC_SHUTDOWN, 0o644);
  etc('sysctl.conf', '# $FreeBSD$\n');
  if (!fs.existsSync(path.join(root, 'etc/defaults/rc.conf'))) etc('defaults/rc.conf', DEFAULT_RC_CONF);
  put(
    root,
    'root/.profile',
    'PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:~/bin\nexport PATH\nHOME=/root\nexport HOME\nTERM=${TERM:-xterm}\nexport TERM\n',
  );
  put(root, 'root/.shrc', '# $FreeBSD$\nPS1="\\u@\\h:\\w \\\\$ "\n');
}

/**
 * The lab's FreeBSD commands that are plain sh scripts (sysrc, service, uname, pkg's
 * bootstrap, ...) and its /etc files (freebsd-update.conf, pkg/FreeBSD.conf, rc.subr, ...)
 * belong to the base too, so jails have them. Node
 * emulations (they need /.sys, which only hosts have) stay out.
 */
function copyOverlayScripts(root: string, release: string): string[] {
  const overlay = path.join(USERLAND_DIR, 'overlay');
  const copied: string[] = [];
  for (const rel of overlayFiles(overlay)) {
    if (rel.startsWith('usr/local/')) continue;
    const src = path.join(overlay, rel);
    const data = fs.readFileSync(src);
    if (data.includes('/.sys/')) continue;
    const isEtc = rel.startsWith('etc/');
    if (!isEtc && !data.subarray(0, 10).toString().startsWith('#!/bin/sh')) continue;
    const target = path.join(root, rel);
    fs.rmSync(target, { force: true });
    put(root, rel, rel === 'usr/bin/uname' ? withReleaseKernel(data.toString(), release) : data, fs.statSync(src).mode & 0o7777);
    if (!isEtc) copied.push(rel);
  }
  return copied;
}

/** uname's fallback kernel identity (no /.lab/kernel, no jail facts) becomes the release's own. */
function withReleaseKernel(script: string, release: string): string {
  const k = content.kernelFile(release, 0);
  return script.replace(/^(KERN_[A-Z]+)=.*$/gm, (line, key: string) => {
    const m = new RegExp(`^${key}=(.*)$`, 'm').exec(k);
    return m ? `${key}=${m[1]}` : line;
  });
}

/** Where the jail emulation keeps the tools a jail's own root needs (sysctl, ifconfig, ...). */
export const JAIL_SIDE_DIR = path.join(USERLAND_DIR, 'lib/jail/jail-side');
const JAIL_SIDE: Record<string, string> = {
  ifconfig: 'sbin',
  route: 'sbin',
  sysctl: 'sbin',
  'sysvipc-probe': 'usr/bin',
  ps: 'bin',
  nohup: 'usr/bin',
};

function copyJailSideTools(root: string): string[] {
  const copied: string[] = [];
  for (const [name, dir] of Object.entries(JAIL_SIDE)) {
    const src = path.join(JAIL_SIDE_DIR, name);
    if (!fs.existsSync(src)) continue;
    const rel = `${dir}/${name}`;
    fs.rmSync(path.join(root, rel), { force: true });
    put(root, rel, fs.readFileSync(src), 0o555);
    copied.push(rel);
  }
  return copied;
}

/** Overlay files that go into the base (their content is part of the build's cache key). */
export function overlayFiles(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix + e.name;
    if (e.name === '.keep') return [];
    if (e.isDirectory()) return overlayFiles(path.join(dir, e.name), rel + '/');
    return e.isFile() ? [rel] : [];
  });
}

export function stageKernel(root: string, release: string): void {
  put(root, 'boot/kernel/kernel', content.kernelFile(release, 0), 0o555);
  put(root, 'boot/kernel/linker.hints', '# lab placeholder\n', 0o444);
}

export function stageLib32(root: string): void {
  for (const lib of ['libc.so.7', 'libm.so.5', 'libthr.so.3']) put(root, `usr/lib32/${lib}`, '# lab placeholder (32-bit library)\n', 0o444);
  put(root, 'libexec/ld-elf32.so.1', '# lab placeholder\n', 0o555);
}

/** A minimal /etc/rc, what `exec.start = "/bin/sh /etc/rc"` runs in a jail. */
const ETC_RC = `#!/bin/sh
# System startup script run by init on autoboot or after single-user, and by
# jail(8) as exec.start (lab version: runs the enabled rc.d scripts in name order;
# FreeBSD orders them with rcorder(8)).

stty status '^T' 2> /dev/null
trap : 2
trap "echo 'Boot interrupted'; exit 1" 3

HOME=/
PATH=/sbin:/bin:/usr/sbin:/usr/bin
export HOME PATH

if [ "$1" = autoboot ]; then
	autoboot=yes
	_boot="faststart"
else
	autoboot=no
	_boot="quietstart"
fi

if [ -r /etc/rc.subr ]; then
	. /etc/rc.subr
	load_rc_config
	for _rc_elem in /etc/rc.d/* \${local_startup:-/usr/local/etc/rc.d}/*; do
		[ -x "$_rc_elem" ] || continue
		if grep -q '^# KEYWORD:.*nojail' "$_rc_elem" 2>/dev/null; then continue; fi
		run_rc_script "$_rc_elem" "$_boot"
	done
fi

echo ''
date
exit 0
`;

const ETC_RC_SHUTDOWN = `#!/bin/sh
# Site-specific shutdown (lab version: stops the rc.d scripts with KEYWORD: shutdown).

HOME=/
PATH=/sbin:/bin:/usr/sbin:/usr/bin
export HOME PATH

if [ -r /etc/rc.subr ]; then
	. /etc/rc.subr
	load_rc_config
	for _rc_elem in \${local_startup:-/usr/local/etc/rc.d}/* /etc/rc.d/*; do
		[ -x "$_rc_elem" ] || continue
		grep -q '^# KEYWORD:.*shutdown' "$_rc_elem" 2>/dev/null || continue
		run_rc_script "$_rc_elem" faststop
	done
fi
exit 0
`;

/** The defaults the lab's releases ship when the lab has no fuller /etc/defaults/rc.conf. */
const DEFAULT_RC_CONF = `#!/bin/sh
# This is rc.conf - a file full of useful variables that you can set
# to change the default startup behavior of your system.  You should
# not edit this file!  Put any overrides into one of the \${rc_conf_files}.

rc_debug="NO"
rc_info="NO"
rc_startmsgs="YES"
local_startup="/usr/local/etc/rc.d"
hostname=""
ifconfig_lo0="inet 127.0.0.1"
sshd_enable="NO"
syslogd_enable="YES"
cron_enable="YES"
sendmail_enable="NONE"
jail_enable="NO"
pf_enable="NO"
zfs_enable="NO"
linux_enable="NO"

if [ -z "\${source_rc_confs_defined}" ]; then
	source_rc_confs_defined=yes
	source_rc_confs() {
		local i sourced_files
		for i in \${rc_conf_files}; do
			case \${sourced_files} in
			*:$i:*) ;;
			*)
				sourced_files="\${sourced_files}:$i:"
				if [ -r $i ]; then
					. $i
				fi
				;;
			esac
		done
	}
fi
rc_conf_files="/etc/rc.conf /etc/rc.conf.local"
`;
