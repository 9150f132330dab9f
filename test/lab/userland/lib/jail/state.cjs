'use strict';
/**
 * Per-host kernel-ish state of the emulation, kept under /var/run (cleared at host boot,
 * as FreeBSD's /var/run is): running jails (/var/run/lab-jails/NAME.json), the JID counter,
 * loaded modules, sysctl overrides. All writers take one lock so parallel `jail -c` (rc.d's
 * jail_parallel_start) cannot hand out the same JID or lose an update.
 */
const fs = require('node:fs');
const path = require('node:path');

const RUN = process.env.LAB_JAIL_RUN_DIR || '/var/run';
const JAILS_DIR = path.join(RUN, 'lab-jails');
const LOCK = path.join(RUN, 'lab-kernel.lock');

const sleepMs = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function withLock(fn) {
  fs.mkdirSync(RUN, { recursive: true });
  const deadline = Date.now() + 30000;
  for (;;) {
    try {
      fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock left by a process that died is taken over.
      try {
        const owner = Number(fs.readFileSync(LOCK, 'utf8'));
        if (owner && !alive(owner)) {
          fs.rmSync(LOCK, { force: true });
          continue;
        }
      } catch {
        /* raced with its removal */
      }
      if (Date.now() > deadline) throw new Error('lab: kernel state lock timed out', { cause: e });
      sleepMs(20);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(LOCK, { force: true });
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function readJson(file, dflt) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return dflt;
  }
}
function writeJson(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

const jailFile = (name) => path.join(JAILS_DIR, `${name}.json`);

/** Running jails, sorted by JID. */
function listJails() {
  let names = [];
  try {
    names = fs.readdirSync(JAILS_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    /* none */
  }
  return names
    .map((f) => readJson(path.join(JAILS_DIR, f), null))
    .filter(Boolean)
    .sort((a, b) => a.jid - b.jid);
}

/** A jail by name or JID (as jexec / jls -j take it). */
function findJail(key) {
  const s = String(key);
  return listJails().find((j) => j.name === s || String(j.jid) === s) || null;
}

function saveJail(j) {
  writeJson(jailFile(j.name), j);
}
function removeJail(j) {
  fs.rmSync(jailFile(j.name), { force: true });
}

/** Next JID: one above the last handed out, like FreeBSD's lastprid (not reused until wrap). */
function allocJid(wanted) {
  const counter = path.join(JAILS_DIR, '.lastjid');
  const used = new Set(listJails().map((j) => j.jid));
  if (wanted) {
    if (used.has(wanted)) return null;
    return wanted;
  }
  let jid = Number(readJson(counter, 0)) || 0;
  do {
    jid = jid >= 999999 ? 1 : jid + 1;
  } while (used.has(jid));
  writeJson(counter, jid);
  return jid;
}

/** Kernel modules loaded with kldload (the lab's kernel starts with kernel, zfs, nullfs...). */
const MODS_FILE = path.join(RUN, 'lab-kld.json');
function loadedModules() {
  return readJson(MODS_FILE, []);
}
function saveModules(list) {
  writeJson(MODS_FILE, list);
}
function linuxLoaded() {
  return loadedModules().some((m) => m.name === 'linux64.ko' || m.name === 'linux.ko');
}

/** sysctl values set with `sysctl name=value`. */
const SYSCTL_FILE = path.join(RUN, 'lab-sysctl.json');
function sysctlOverrides() {
  return readJson(SYSCTL_FILE, {});
}
function saveSysctl(o) {
  writeJson(SYSCTL_FILE, o);
}

/** The host's FreeBSD release as its `uname -r` / freebsd-version report it (default 14.2-RELEASE). */
function hostRelease() {
  const env = hostEnv();
  if (env.LAB_OSRELEASE) return env.LAB_OSRELEASE;
  try {
    const out = require('node:child_process')
      .execFileSync('/bin/freebsd-version', ['-k'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 3000 })
      .trim();
    if (/^\d+\.\d+-/.test(out)) return out;
  } catch {
    /* not there */
  }
  return '14.2-RELEASE';
}
/** 14.2-RELEASE-p3 → 1402000 (__FreeBSD_version of the release). */
function osreldate(release) {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? Number(m[1]) * 100000 + Number(m[2]) * 1000 : 1402000;
}

let envCache;
function hostEnv() {
  if (envCache) return envCache;
  envCache = {};
  try {
    for (const line of fs.readFileSync('/.lab/host.env', 'utf8').split('\n')) {
      const m = /^([A-Z_0-9]+)=(.*)$/.exec(line);
      if (m) envCache[m[1]] = m[2];
    }
  } catch {
    /* not in a lab host */
  }
  return envCache;
}

module.exports = {
  RUN,
  JAILS_DIR,
  withLock,
  alive,
  readJson,
  writeJson,
  listJails,
  findJail,
  saveJail,
  removeJail,
  allocJid,
  loadedModules,
  saveModules,
  linuxLoaded,
  sysctlOverrides,
  saveSysctl,
  hostRelease,
  osreldate,
  hostEnv,
  sleepMs,
};
