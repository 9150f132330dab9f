'use strict';
/**
 * Where the emulated ZFS keeps things on the host (run inside the host's root):
 *   /.lab/zfs/emulated.json   pools, datasets, properties (written atomically, under a lock)
 *   /.lab/zfs/data/GUID/      a file system's files, bind-mounted at its mountpoint while mounted
 *   /.lab/zfs/snap/GUID/      a snapshot: a full copy of its file system's files when taken
 * Mounts are real bind mounts in the host's mount namespace; they are recorded in the jail
 * emulation's mount table (/var/run/lab-mounts.json) so `mount` shows them as zfs.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const BASE = process.env.LAB_ZFS_EMUL_DIR || '/.lab/zfs';
const STATE = path.join(BASE, 'emulated.json');
const LOCK = path.join(BASE, 'emulated.lock');
const dataDir = (guid) => path.join(BASE, 'data', guid);
const snapDir = (guid) => path.join(BASE, 'snap', guid);

const sleepMs = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};

function withLock(fn) {
  fs.mkdirSync(BASE, { recursive: true });
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      try {
        const owner = Number(fs.readFileSync(LOCK, 'utf8'));
        if (owner && !alive(owner)) {
          fs.rmSync(LOCK, { force: true });
          continue;
        }
      } catch {
        /* released meanwhile */
      }
      if (Date.now() > deadline) throw new Error('lab: zfs state lock timed out', { cause: e });
      sleepMs(15);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(LOCK, { force: true });
  }
}

function load() {
  try {
    return JSON.parse(fs.readFileSync(STATE, 'utf8'));
  } catch {
    return null;
  }
}
function save(st) {
  fs.mkdirSync(BASE, { recursive: true });
  const tmp = `${STATE}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(st) + '\n');
  fs.renameSync(tmp, STATE);
}

const run = (bin, args) => spawnSync(bin, args, { encoding: 'utf8' });

function isMountPoint(p) {
  try {
    return fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[4] === p.replace(/ /g, '\\040'));
  } catch {
    return false;
  }
}

/** Empty a directory, keeping entries that are mount points (other datasets' mountpoints). */
function emptyDir(dir) {
  for (const e of fs.readdirSync(dir)) {
    try {
      fs.rmSync(path.join(dir, e), { recursive: true, force: true });
    } catch {
      /* busy: a mount point */
    }
  }
}
const copyInto = (src, dst) => {
  fs.mkdirSync(dst, { recursive: true });
  const r = run('/.sys/bin/cp', ['-a', `${src}/.`, dst]);
  if (r.status !== 0) throw new Error(`lab: copying ${src} failed: ${r.stderr}`);
};

/** Carry out the model's ops. st is the state after the operation (for guids of new datasets). */
function apply(st, ops, warn) {
  for (const o of ops) {
    const ds = o.name ? st.datasets[o.name] : null;
    switch (o.op) {
      case 'mkdata':
        fs.mkdirSync(dataDir(ds.guid), { recursive: true });
        break;
      case 'clonedata':
        copyInto(snapDir(o.snapGuid), dataDir(ds.guid));
        break;
      case 'snap':
        copyInto(dataDir(st.datasets[o.fs].guid), snapDir(ds.guid));
        break;
      case 'rollback': {
        const d = dataDir(st.datasets[o.name].guid);
        emptyDir(d);
        copyInto(snapDir(o.guid), d);
        break;
      }
      case 'rmdata':
        fs.rmSync(dataDir(o.guid), { recursive: true, force: true });
        break;
      case 'rmsnap':
        fs.rmSync(snapDir(o.guid), { recursive: true, force: true });
        break;
      case 'rename':
        break; // data is keyed by guid
      case 'mount': {
        try {
          fs.mkdirSync(o.mountpoint, { recursive: true });
        } catch (e) {
          warn(`cannot mount '${o.mountpoint}': failed to create mountpoint: ${e.code === 'EEXIST' ? 'File exists' : e.message}`);
          ds.mounted = false;
          break;
        }
        const r = run('/.sys/bin/mount', ['--bind', dataDir(ds.guid), o.mountpoint]);
        if (r.status !== 0) {
          warn(`cannot mount '${o.name}': ${r.stderr.trim()}`);
          ds.mounted = false;
          break;
        }
        ds.mountedAt = o.mountpoint;
        break;
      }
      case 'umount': {
        const at = o.mountedAt;
        if (at && isMountPoint(at)) {
          const r = run('/.sys/bin/umount', [at]);
          if (r.status !== 0) run('/.sys/bin/umount', ['-l', at]);
          if (o.removeDir)
            try {
              fs.rmdirSync(at);
            } catch {
              /* not empty or in use */
            }
        }
        if (ds) delete ds.mountedAt;
        break;
      }
      default:
        throw new Error(`lab: unknown zfs op ${o.op}`);
    }
  }
}

const JAIL_MOUNTS = '/var/run/lab-mounts.json';
/** Record mounted datasets in the jail emulation's mount table (its `mount` prints them). */
function syncMountTable(st) {
  if (process.env.LAB_ZFS_EMUL_DIR) return; // a test sandbox, not the host's ZFS
  let jailState;
  try {
    jailState = require('/.sys/userland/lib/jail/state.cjs');
  } catch {
    return;
  }
  const ours = Object.entries(st.datasets)
    .filter(([, d]) => d.mounted && d.mountedAt)
    .map(([name, d]) => ({ source: name, target: d.mountedAt, fstype: 'zfs', flags: ['local', 'noatime', 'nfsv4acls'], labZfs: true }));
  jailState.withLock(() => {
    const table = jailState.readJson(JAIL_MOUNTS, []).filter((m) => !m.labZfs);
    jailState.writeJson(JAIL_MOUNTS, [...table, ...ours]);
  });
}

module.exports = { withLock, load, save, apply, syncMountTable, isMountPoint, BASE };
