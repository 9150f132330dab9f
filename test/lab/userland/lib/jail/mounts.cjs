'use strict';
/**
 * FreeBSD file systems on the lab's Linux kernel, as real mounts in the host's mount
 * namespace: nullfs = bind mount (ro honoured), devfs = tmpfs filled per devfs ruleset,
 * tmpfs = tmpfs, procfs/linprocfs = proc, linsysfs = sysfs, fdescfs = recorded only.
 * /var/run/lab-mounts.json keeps what FreeBSD's `mount` would report for each mount point
 * (other parts of the lab, e.g. an emulated ZFS, may add entries with "virtual": true).
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const state = require('./state.cjs');
const devfs = require('./devfs.cjs');

const TABLE = path.join(state.RUN, 'lab-mounts.json');
const MOUNT_BIN = '/.sys/bin/mount';
const UMOUNT_BIN = '/.sys/bin/umount';

class MountError extends Error {
  constructor(msg, code = 1) {
    super(msg);
    this.exitCode = code;
  }
}

const readTable = () => state.readJson(TABLE, []);
const writeTable = (t) => state.writeJson(TABLE, t);

/** Linux mounts visible in this root: [{ target, fstype, source, opts }] in mount order. */
function linuxMounts() {
  let text;
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const unesc = (s) => s.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [left, right] = l.split(' - ');
      const f = left.split(' ');
      const r = right.split(' ');
      return { target: unesc(f[4]), opts: f[5], fstype: r[0], source: unesc(r[1]), root: unesc(f[3]) };
    });
}
const isMountPoint = (p) => linuxMounts().some((m) => m.target === p);

const strerr = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  EBUSY: 'Device busy',
  EPERM: 'Operation not permitted',
};

function realDir(p, prog) {
  try {
    const r = fs.realpathSync(p);
    if (!fs.statSync(r).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    return r;
  } catch (e) {
    throw new MountError(`${prog}: ${p.replace(/(.)\/+$/, '$1')}: ${strerr[e.code] || e.message}`);
  }
}

function run(bin, args) {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  return { ok: r.status === 0, err: (r.stderr || '').trim() };
}

function parseOpts(list) {
  const o = {};
  for (const item of list.flatMap((s) => s.split(','))) {
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq < 0) o[item] = true;
    else o[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return o;
}

/**
 * mount(8): FSTYPE SOURCE TARGET with -o OPTS. Records the FreeBSD view; throws MountError
 * with FreeBSD's message.
 */
function mountFs(fstype, source, target, optList = []) {
  const opts = parseOpts(optList);
  const ro = !!(opts.ro || opts.rdonly);
  const flags = ro ? ['read-only'] : [];
  switch (fstype) {
    case 'nullfs': {
      let src;
      try {
        src = fs.realpathSync(source);
      } catch (e) {
        throw new MountError(`mount_nullfs: ${source}: ${strerr[e.code] || e.message}`);
      }
      const dst = realDir(target, 'mount_nullfs');
      // FreeBSD refuses a nullfs whose mount point lies on its own lower layer.
      if (lowerPath(dst) === src) {
        throw new MountError(`mount_nullfs: ${dst}: Resource deadlock avoided`);
      }
      const r = run(MOUNT_BIN, ['--bind', ...(ro ? ['-o', 'ro'] : []), src, dst]);
      if (!r.ok) throw new MountError(`mount_nullfs: ${dst}: ${r.err.includes('ermission') ? 'Operation not permitted' : r.err}`);
      record({ source: src, target: dst, fstype, flags: ['local', ...flags] });
      return dst;
    }
    case 'devfs': {
      const dst = realDir(target, 'mount');
      const ruleset = opts.ruleset !== undefined ? Number(opts.ruleset) : 0;
      if (ruleset && !devfs.kernelRulesets().rulesets[ruleset]) throw new MountError(`mount: ${dst}: No such process`);
      const r = run(MOUNT_BIN, ['-t', 'tmpfs', '-o', 'mode=0755,size=1m', 'devfs', dst]);
      if (!r.ok) throw new MountError(`mount: ${dst}: ${r.err}`);
      try {
        devfs.populate(dst, ruleset);
      } catch (e) {
        run(UMOUNT_BIN, [dst]);
        throw new MountError(`mount: ${dst}: ${e.message}`);
      }
      record({ source: 'devfs', target: dst, fstype, flags: ['local', 'multilabel'], ruleset });
      return dst;
    }
    case 'tmpfs': {
      const dst = realDir(target, 'mount');
      const lo = ['size', 'mode', 'uid', 'gid'].filter((k) => opts[k] !== undefined && opts[k] !== true).map((k) => `${k}=${opts[k]}`);
      if (ro) lo.push('ro');
      const r = run(MOUNT_BIN, ['-t', 'tmpfs', ...(lo.length ? ['-o', lo.join(',')] : []), 'tmpfs', dst]);
      if (!r.ok) throw new MountError(`mount: ${dst}: ${r.err}`);
      record({ source: 'tmpfs', target: dst, fstype, flags: ['local', ...flags] });
      return dst;
    }
    case 'procfs':
    case 'linprocfs':
    case 'linsysfs': {
      const dst = realDir(target, 'mount');
      const r = run(MOUNT_BIN, ['-t', fstype === 'linsysfs' ? 'sysfs' : 'proc', ...(ro ? ['-o', 'ro'] : []), fstype, dst]);
      if (!r.ok) throw new MountError(`mount: ${dst}: ${r.err}`);
      record({ source: fstype, target: dst, fstype, flags: ['local', ...flags] });
      return dst;
    }
    case 'fdescfs': {
      const dst = realDir(target, 'mount');
      record({ source: 'fdescfs', target: dst, fstype, flags: [], virtual: true });
      return dst;
    }
    default:
      throw new MountError(`mount: ${target}: Operation not supported by device`);
  }
}

/** The directory a path really shows through nullfs mounts (FreeBSD's lower vnode). */
function lowerPath(p) {
  const nulls = readTable()
    .filter((m) => m.fstype === 'nullfs')
    .sort((a, b) => b.target.length - a.target.length);
  for (const m of nulls) {
    if (p === m.target || p.startsWith(m.target + '/')) return lowerPath(m.source + p.slice(m.target.length));
  }
  return p;
}

function record(entry) {
  state.withLock(() => writeTable([...readTable().filter((m) => m.target !== entry.target || !stillMounted(m)), entry]));
}

function stillMounted(m) {
  return m.virtual ? true : isMountPoint(m.target);
}

/** umount(8) of a mount point. */
function umountFs(target, { force = false } = {}) {
  let dst;
  try {
    dst = fs.realpathSync(target);
  } catch (e) {
    throw new MountError(`umount: ${target}: statfs: ${strerr[e.code] || e.message}`);
  }
  const table = readTable();
  const rec = [...table].reverse().find((m) => m.target === dst);
  if (rec && rec.virtual) {
    state.withLock(() => writeTable(readTable().filter((m) => m !== rec && !(m.target === dst && m.virtual))));
    return dst;
  }
  if (!isMountPoint(dst)) throw new MountError(`umount: ${dst}: not a file system root directory`);
  const r = run(UMOUNT_BIN, force ? ['-l', dst] : [dst]);
  if (!r.ok) throw new MountError(`umount: unmount of ${dst} failed: ${/busy/i.test(r.err) ? 'Device busy' : r.err}`);
  if (!isMountPoint(dst)) state.withLock(() => writeTable(readTable().filter((m) => m.target !== dst)));
  else
    state.withLock(() => {
      // Only the topmost of stacked mounts went away.
      const t = readTable();
      const k = t.map((m) => m.target).lastIndexOf(dst);
      if (k >= 0) t.splice(k, 1);
      writeTable(t);
    });
  return dst;
}

// Lab plumbing that FreeBSD would not show.
const HIDDEN = /^\/(\.sys|\.lab)(\/|$)|^\/usr\/(lib|lib64|share|libexec)$|^\/proc$|^\/dev\/(shm|pts|mqueue|hugepages)(\/|$)/;

/** What FreeBSD's `mount` lists: [{ source, target, fstype, flags }]. */
function freebsdMounts() {
  const env = state.hostEnv();
  const zfs = env.LAB_ZFS !== 'none';
  const out = [
    zfs
      ? { source: 'zroot/ROOT/default', target: '/', fstype: 'zfs', flags: ['local', 'noatime', 'nfsv4acls'] }
      : { source: '/dev/ada0p2', target: '/', fstype: 'ufs', flags: ['local', 'soft-updates'] },
  ];
  const table = readTable();
  const used = new Set();
  for (const m of linuxMounts()) {
    const k = table.findIndex((t, i) => !used.has(i) && !t.virtual && t.target === m.target);
    if (k >= 0) {
      used.add(k);
      out.push(table[k]);
      continue;
    }
    if (HIDDEN.test(m.target)) continue;
    if (m.target === '/dev') {
      out.push({ source: 'devfs', target: '/dev', fstype: 'devfs', flags: ['local', 'multilabel'] });
      continue;
    }
    if (m.target.startsWith('/dev/')) continue;
    const ro = m.opts.split(',').includes('ro') ? ['read-only'] : [];
    if (/^fuse/.test(m.fstype) && !m.source.startsWith('/')) {
      out.push({ source: m.source, target: m.target, fstype: 'zfs', flags: ['local', 'noatime', 'nfsv4acls', ...ro] });
    } else if (m.fstype === 'tmpfs') out.push({ source: 'tmpfs', target: m.target, fstype: 'tmpfs', flags: ['local', ...ro] });
    else if (m.fstype === 'proc') out.push({ source: 'procfs', target: m.target, fstype: 'procfs', flags: ['local', ...ro] });
    else out.push({ source: m.root !== '/' ? m.root : m.source, target: m.target, fstype: 'nullfs', flags: ['local', ...ro] });
  }
  // Entries that exist only in the table (fdescfs, an emulated ZFS's datasets).
  table.forEach((t) => {
    if (t.virtual) out.push(t);
  });
  return out;
}

const formatMount = (m) => `${m.source} on ${m.target} (${[m.fstype, ...m.flags].join(', ')})`;

module.exports = { mountFs, umountFs, freebsdMounts, formatMount, linuxMounts, isMountPoint, MountError, parseOpts, readTable };
