'use strict';
/** The lab kernel's module list (kldload / kldstat), with FreeBSD's dependencies and auto-loading. */
const state = require('./state.cjs');

// Modules a FreeBSD 14 amd64 install has in /boot/kernel, with the modules they pull in.
const AVAILABLE = {
  'linux64.ko': ['linux_common.ko'],
  'linux.ko': ['linux_common.ko'],
  'linux_common.ko': [],
  'linprocfs.ko': ['linux_common.ko'],
  'linsysfs.ko': ['linux_common.ko'],
  'nullfs.ko': [],
  'fdescfs.ko': [],
  'tmpfs.ko': [],
  'pf.ko': [],
  'pflog.ko': ['pf.ko'],
  'pfsync.ko': ['pf.ko'],
  'if_bridge.ko': ['bridgestp.ko'],
  'bridgestp.ko': [],
  'if_epair.ko': [],
  'if_wg.ko': [],
  'if_tuntap.ko': [],
  'vmm.ko': [],
  'nmdm.ko': [],
  'ipfw.ko': [],
  'dummynet.ko': ['ipfw.ko'],
  'ipdivert.ko': [],
  'fusefs.ko': [],
  'mac_portacl.ko': [],
  'carp.ko': [],
  'accf_http.ko': [],
  'accf_data.ko': [],
  'aesni.ko': [],
  'coretemp.ko': [],
  'cpuctl.ko': [],
  'geom_eli.ko': ['crypto.ko'],
  'crypto.ko': [],
  'zfs.ko': [],
  'cryptodev.ko': [],
  'racct.ko': [],
  'sem.ko': [],
  'acl_nfs4.ko': [],
  'opensolaris.ko': [],
};
const SIZES = {
  kernel: 0x1f3e2d0,
  'zfs.ko': 0x5d4ec8,
  'cryptodev.ko': 0x7718,
  'linux64.ko': 0x3d5a8,
  'linux_common.ko': 0x4250,
  'nullfs.ko': 0x6cb8,
  'if_bridge.ko': 0x7a10,
  'bridgestp.ko': 0x8168,
  'if_epair.ko': 0x35c8,
  'pf.ko': 0x5b0d0,
};

function initial() {
  return [
    { id: 1, name: 'kernel', refs: 0, address: 0xffffffff80200000 },
    { id: 2, name: 'zfs.ko', refs: 1, address: 0xffffffff82a20000 },
    { id: 3, name: 'cryptodev.ko', refs: 1, address: 0xffffffff82ff5000 },
  ];
}

function modules() {
  const m = state.loadedModules();
  return m.length ? m : initial();
}

const fileName = (name) => (name.endsWith('.ko') || name === 'kernel' ? name.replace(/^.*\//, '') : `${name.replace(/^.*\//, '')}.ko`);

/** Load NAME (and its dependencies). Returns { loaded: mod, already: bool } or null if unknown. */
function load(name) {
  return state.withLock(() => {
    const mods = modules();
    const file = fileName(name);
    if (mods.some((m) => m.name === file)) return { already: true, mod: mods.find((m) => m.name === file) };
    if (!AVAILABLE[file]) return null;
    const add = (f) => {
      const have = mods.find((m) => m.name === f);
      if (have) {
        have.refs++;
        return have;
      }
      for (const dep of AVAILABLE[f] || []) add(dep);
      const last = mods[mods.length - 1];
      const mod = {
        id: Math.max(...mods.map((m) => m.id)) + 1,
        name: f,
        refs: 1,
        address: last.address + (SIZES[last.name] || 0x10000) + 0x1000,
      };
      mods.push(mod);
      return mod;
    };
    const mod = add(file);
    mods[0].refs = mods.length - 1 + 30;
    state.saveModules(mods);
    return { already: false, mod };
  });
}

const isLoaded = (name) => modules().some((m) => m.name === fileName(name));
/** Auto-loading, as mount(8) / ifconfig(8) do for file systems and cloned interfaces. */
const ensure = (name) => {
  if (!isLoaded(name)) load(name);
};

function unload(name) {
  return state.withLock(() => {
    const mods = modules();
    const file = fileName(name);
    const m = mods.find((x) => x.name === file);
    if (!m || m.name === 'kernel') return false;
    state.saveModules(mods.filter((x) => x !== m));
    return true;
  });
}

function format(m) {
  const size = (SIZES[m.name] || 0x8000).toString(16);
  return `${String(m.id).padStart(2)} ${String(m.refs || 1).padStart(4)} 0x${m.address.toString(16)} ${size.padStart(8)} ${m.name}`;
}

module.exports = { modules, load, unload, isLoaded, ensure, format, fileName };
