'use strict';
/**
 * sysctl(8) for the OIDs fleetjail and the seeds touch: kern.*, hw.*, security.jail.*,
 * compat.linux.* (only with linux64 loaded), a few net.* and kern.ipc.* knobs. Values set
 * with name=value persist in the host's /var/run.
 */
const os = require('node:os');
const state = require('./state.cjs');
const kld = require('./kld.cjs');

// name → { value | get(), rw, type: 'int'|'str', desc }
function oids() {
  const release = state.hostRelease();
  const kernRelease = release.replace(/-p\d+$/, '');
  const o = {
    'kern.ostype': { value: 'FreeBSD' },
    'kern.osrelease': { value: kernRelease },
    'kern.osrevision': { value: 199506, type: 'int' },
    'kern.osreldate': { value: state.osreldate(release), type: 'int' },
    'kern.version': { value: `FreeBSD ${kernRelease} releng/${kernRelease.replace(/-.*$/, '')}-n269506-c8918d6c7412 GENERIC\n` },
    'kern.hostname': { get: () => os.hostname(), rw: true },
    'kern.securelevel': { value: -1, type: 'int', rw: true },
    'kern.maxproc': { value: 100000, type: 'int' },
    'kern.hz': { value: 1000, type: 'int' },
    'kern.ipc.shmmax': { value: 4294967296, type: 'int', rw: true },
    'kern.ipc.shmall': { value: 1048576, type: 'int', rw: true },
    'kern.ipc.shmmni': { value: 192, type: 'int' },
    'kern.ipc.semmni': { value: 50, type: 'int' },
    'kern.ipc.msgmni': { value: 40, type: 'int' },
    'kern.ipc.somaxconn': { value: 4096, type: 'int', rw: true },
    'kern.racct.enable': { value: 0, type: 'int' },
    'hw.machine': { value: 'amd64' },
    'hw.machine_arch': { value: 'amd64' },
    'hw.ncpu': { value: os.cpus().length, type: 'int' },
    'hw.physmem': { value: os.totalmem(), type: 'int' },
    'hw.pagesize': { value: 4096, type: 'int' },
    'hw.model': { value: (os.cpus()[0] || { model: 'QEMU Virtual CPU' }).model },
    'security.jail.jailed': { value: 0, type: 'int' },
    'security.jail.vnet': { value: 0, type: 'int' },
    'security.jail.jail_max_af_ips': { value: 255, type: 'int', rw: true },
    'security.jail.mount_allowed': { value: 0, type: 'int', rw: true },
    'security.jail.chflags_allowed': { value: 0, type: 'int', rw: true },
    'security.jail.allow_raw_sockets': { value: 0, type: 'int', rw: true },
    'security.jail.enforce_statfs': { value: 2, type: 'int', rw: true },
    'security.jail.sysvipc_allowed': { value: 0, type: 'int', rw: true },
    'security.jail.socket_unixiproute_only': { value: 1, type: 'int', rw: true },
    'security.jail.set_hostname_allowed': { value: 1, type: 'int', rw: true },
    'net.inet.ip.forwarding': { value: 0, type: 'int', rw: true },
    'net.inet6.ip6.forwarding': { value: 0, type: 'int', rw: true },
    'net.link.bridge.pfil_member': { value: 1, type: 'int', rw: true },
    'net.link.bridge.pfil_bridge': { value: 1, type: 'int', rw: true },
    'net.link.bridge.pfil_onlyip': { value: 1, type: 'int', rw: true },
    'vfs.zfs.arc_max': { value: 0, type: 'int', rw: true },
  };
  if (kld.isLoaded('linux64') || kld.isLoaded('linux')) {
    Object.assign(o, {
      'compat.linux.osname': { value: 'Linux', rw: true },
      'compat.linux.osrelease': { value: '5.15.0', rw: true },
      'compat.linux.oss_version': { value: 198144, type: 'int', rw: true },
      'compat.linux.emul_path': { value: '/compat/linux', rw: true },
    });
  }
  const overrides = state.sysctlOverrides();
  for (const [k, v] of Object.entries(overrides)) if (o[k]) o[k].value = v;
  return o;
}

const val = (o) => (o.get ? o.get() : o.value);

function main(argv) {
  let n = false;
  let q = false;
  let a = false;
  let N = false;
  let ignore = false;
  let e = false;
  const names = [];
  for (const arg of argv) {
    if (/^-[aneNqioWtdhbx]+$/.test(arg)) {
      if (arg.includes('n')) n = true;
      if (arg.includes('q')) q = true;
      if (arg.includes('a')) a = true;
      if (arg.includes('N')) N = true;
      if (arg.includes('i')) ignore = true;
      if (arg.includes('e')) e = true;
      continue;
    }
    if (arg.startsWith('-')) {
      process.stderr.write(
        'usage: sysctl [-bdeFhiJNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n       sysctl [-bdeFhJNnoqTtWx] [ -B <bufsize> ] -a\n',
      );
      return 1;
    }
    names.push(arg);
  }
  const table = oids();
  const sep = e ? '=' : ': ';
  const line = (name) => (N ? name : n ? String(val(table[name])) : `${name}${sep}${val(table[name])}`);
  const out = [];
  let rc = 0;
  if (a || names.length === 0) {
    if (!a) {
      process.stderr.write(
        'usage: sysctl [-bdeFhiJNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n       sysctl [-bdeFhJNnoqTtWx] [ -B <bufsize> ] -a\n',
      );
      return 1;
    }
    for (const k of Object.keys(table).sort()) out.push(line(k));
  }
  const sets = {};
  for (const arg of names) {
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (eq < 0) {
      if (table[name]) {
        out.push(line(name));
        continue;
      }
      const sub = Object.keys(table)
        .filter((k) => k.startsWith(name + '.'))
        .sort();
      if (sub.length) {
        for (const k of sub) out.push(line(k));
        continue;
      }
      if (!ignore) {
        process.stderr.write(`sysctl: unknown oid '${name}'\n`);
        rc = 1;
      }
      continue;
    }
    const value = arg.slice(eq + 1);
    const o = table[name];
    if (!o) {
      if (!ignore) {
        process.stderr.write(`sysctl: unknown oid '${name}'\n`);
        rc = 1;
      }
      continue;
    }
    if (!o.rw) {
      process.stderr.write(`sysctl: oid '${name}' is read only\n`);
      rc = 1;
      continue;
    }
    if (o.type === 'int' && !/^-?\d+$/.test(value)) {
      process.stderr.write(`sysctl: invalid integer '${value}'\n`);
      rc = 1;
      continue;
    }
    if (process.getuid && process.getuid() !== 0) {
      process.stderr.write(`sysctl: ${name}=${value}: Operation not permitted\n`);
      rc = 1;
      continue;
    }
    const old = val(o);
    const nv = o.type === 'int' ? Number(value) : value;
    sets[name] = nv;
    if (!q) out.push(n ? String(nv) : `${name}: ${old} -> ${nv}`);
  }
  if (Object.keys(sets).length) state.withLock(() => state.saveSysctl({ ...state.sysctlOverrides(), ...sets }));
  if (!q && out.length) process.stdout.write(out.join('\n') + '\n');
  return rc;
}

module.exports = { main, oids };
