'use strict';
/**
 * The jail parameters FreeBSD 14 knows: kernel parameters (what `jls -n` prints, in its
 * order) and jail(8)'s internal ones (exec.*, mount.*, interface, ...). Validates values
 * like jail(8) / libjail and computes a jail's full kernel parameter set with defaults.
 */
const { boolParam, baseName } = require('./conf-resolve.cjs');

// jail(8)'s own parameters (config.c intparams); never passed to the kernel.
const INTERNAL = {
  'allow.dying': 'bool',
  command: 'str',
  depend: 'list',
  'exec.clean': 'bool',
  'exec.consolelog': 'str',
  'exec.fib': 'int',
  'exec.jail_user': 'str',
  'exec.poststart': 'list',
  'exec.poststop': 'list',
  'exec.prepare': 'list',
  'exec.prestart': 'list',
  'exec.prestop': 'list',
  'exec.release': 'list',
  'exec.created': 'list',
  'exec.start': 'list',
  'exec.stop': 'list',
  'exec.system_jail_user': 'bool',
  'exec.system_user': 'str',
  'exec.timeout': 'int',
  interface: 'str',
  ip_hostname: 'bool',
  mount: 'list',
  'mount.devfs': 'bool',
  'mount.fdescfs': 'bool',
  'mount.procfs': 'bool',
  'mount.fstab': 'str',
  'stop.timeout': 'int',
  'vnet.interface': 'list',
};

// Kernel parameters in `jls -n` order. ro = read-only (set by the kernel).
const TOP = [
  ['devfs_ruleset', 'int'],
  ['dying', 'bool', 'ro'],
  ['enforce_statfs', 'int'],
  ['host', 'jailsys'],
  ['ip4', 'jailsys'],
  ['ip6', 'jailsys'],
  ['jid', 'int'],
  ['name', 'str'],
  ['osreldate', 'int'],
  ['osrelease', 'str'],
  ['parent', 'int', 'ro'],
  ['path', 'str'],
  ['persist', 'bool'],
  ['securelevel', 'int'],
  ['sysvmsg', 'jailsys'],
  ['sysvsem', 'jailsys'],
  ['sysvshm', 'jailsys'],
  ['vnet', 'jailsys'],
];
const ALLOW = [
  'adjtime',
  'chflags',
  'extattr',
  'mlock',
  'mount',
  'mount.devfs',
  'mount.fdescfs',
  'mount.fusefs',
  'mount.linprocfs',
  'mount.linsysfs',
  'mount.nullfs',
  'mount.procfs',
  'mount.tmpfs',
  'mount.zfs',
  'nfsd',
  'quotas',
  'raw_sockets',
  'read_msgbuf',
  'reserved_ports',
  'set_hostname',
  'settime',
  'socket_af',
  'suser',
  'sysvipc',
  'unprivileged_proc_debug',
];
const SUB = [
  ['children.cur', 'int', 'ro'],
  ['children.max', 'int'],
  ['cpuset.id', 'int', 'ro'],
  ['host.domainname', 'str'],
  ['host.hostid', 'int'],
  ['host.hostname', 'str'],
  ['host.hostuuid', 'str'],
  ['ip4.addr', 'ip4'],
  ['ip4.saddrsel', 'bool'],
  ['ip6.addr', 'ip6'],
  ['ip6.saddrsel', 'bool'],
];
// Present only while the linux64 module is loaded (kldload linux64), as on FreeBSD.
const LINUX = [
  ['linux', 'jailsys'],
  ['linux.osname', 'str'],
  ['linux.osrelease', 'str'],
  ['linux.oss_version', 'int'],
];

function kernelParams(linuxLoaded) {
  const list = [...TOP, ...ALLOW.map((a) => ['allow.' + a, 'bool']), ...SUB];
  if (linuxLoaded) list.push(...LINUX);
  return list.map(([name, type, ro]) => ({ name, type, ro: ro === 'ro' }));
}

// jail_default_allow in kern_jail.c.
const DEFAULT_ALLOW = new Set(['set_hostname', 'reserved_ports', 'unprivileged_proc_debug', 'suser']);

class ParamError extends Error {}

function lookup(name, linuxLoaded) {
  const base = baseName(name);
  if (INTERNAL[name] || INTERNAL[base])
    return { name: INTERNAL[name] ? name : base, type: INTERNAL[name] || INTERNAL[base], internal: true };
  const all = kernelParams(linuxLoaded);
  return all.find((p) => p.name === name) || all.find((p) => p.name === base && (p.type === 'bool' || p.type === 'jailsys')) || null;
}

const last = (p) => p.values[p.values.length - 1];
const isInt = (v) => /^-?\d+$/.test(v);

/**
 * Check a resolved parameter list. Returns { kernel: {name: value}, internal: {name: values[]} }
 * or throws ParamError with jail(8)'s message (without the "jail: " prefix).
 */
function validate(params, opts = {}) {
  const kernel = {};
  const internal = {};
  for (const p of params) {
    const def = lookup(p.name, opts.linuxLoaded);
    if (!def) throw new ParamError(`unknown parameter: ${p.name}`);
    if (def.internal) {
      if (def.type === 'bool' || def.type === 'int') {
        const v = last(p);
        if (v !== undefined && def.type === 'bool' && !/^(true|false)$/i.test(v) && !isInt(v)) {
          throw new ParamError(`${p.name}: unknown boolean value "${v}"`);
        }
        if (v !== undefined && def.type === 'int' && !isInt(v)) throw new ParamError(`${p.name}: non-integer value "${v}"`);
        internal[def.name] = def.type === 'bool' ? boolParam(p) : p.values;
      } else internal[def.name] = p.values;
      continue;
    }
    if (def.ro) throw new ParamError(`${p.name}: parameter is read-only`);
    const v = last(p);
    switch (def.type) {
      case 'bool':
        if (v !== undefined && !/^(true|false)$/i.test(v) && !isInt(v)) throw new ParamError(`${p.name}: unknown boolean value "${v}"`);
        kernel[def.name] = boolParam(p);
        break;
      case 'jailsys': {
        let val;
        if (v === undefined) val = p.name === def.name ? 'new' : 'inherit';
        else if (/^(disable|inherit|new)$/.test(v)) val = v;
        else if (/^true$/i.test(v)) val = 'new';
        else if (/^false$/i.test(v)) val = 'inherit';
        else if (isInt(v) && Number(v) >= 0 && Number(v) <= 2) val = ['disable', 'new', 'inherit'][Number(v)];
        else throw new ParamError(`${p.name}: invalid value "${v}"`);
        if (p.name !== def.name && v !== undefined) val = val === 'new' ? 'inherit' : val; // novnet=true
        kernel[def.name] = val;
        break;
      }
      case 'int':
        if (v === undefined || !isInt(v)) throw new ParamError(`${p.name}: non-integer value "${v ?? ''}"`);
        kernel[def.name] = Number(v);
        break;
      case 'ip4': {
        const addrs = p.values
          .flatMap((s) => s.split(','))
          .map((s) => s.trim())
          .filter(Boolean);
        for (const a of addrs) {
          const bare = a
            .replace(/^[A-Za-z0-9_.]+\|/, '')
            .replace(/\/\d+$/, '')
            .replace(/ netmask .*$/, '');
          if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(bare) || bare.split('.').some((o) => Number(o) > 255)) {
            throw new ParamError(`ip4.addr: not an IPv4 address: ${bare}`);
          }
        }
        kernel[def.name] = addrs;
        break;
      }
      case 'ip6':
        kernel[def.name] = p.values
          .flatMap((s) => s.split(','))
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      default:
        kernel[def.name] = v ?? '';
    }
  }
  if (kernel.enforce_statfs !== undefined && (kernel.enforce_statfs < 0 || kernel.enforce_statfs > 2)) {
    throw new ParamError('enforce_statfs: Invalid argument');
  }
  return { kernel, internal };
}

/** Interface-qualified address `em0|10.0.0.1/24` → { iface, addr, prefix }. */
function splitIfAddr(spec, defIface) {
  let iface = defIface;
  let s = spec;
  const bar = s.indexOf('|');
  if (bar >= 0) {
    iface = s.slice(0, bar);
    s = s.slice(bar + 1);
  }
  const m = /^([^/ ]+)(?:\/(\d+))?(?: netmask (\S+))?/.exec(s);
  return { iface, addr: m ? m[1] : s, prefix: m && m[2] ? Number(m[2]) : undefined };
}

/** Full kernel view of a jail (what `jls -n` prints), from the validated params. */
function fullParams(kernel, internal, ctx) {
  const get = (n, d) => (kernel[n] !== undefined ? kernel[n] : d);
  const ip4addr = (kernel['ip4.addr'] || []).map((a) => splitIfAddr(a).addr);
  const ip6addr = (kernel['ip6.addr'] || []).map((a) => splitIfAddr(a).addr);
  const vnet = get('vnet', 'inherit');
  const sysvDefault = kernel['allow.sysvipc'] ? 'inherit' : 'disable';
  const out = {};
  for (const def of kernelParams(ctx.linuxLoaded)) {
    const n = def.name;
    let v;
    switch (n) {
      case 'devfs_ruleset':
        v = get(n, internal['mount.devfs'] ? 4 : 0);
        break;
      case 'dying':
        v = false;
        break;
      case 'enforce_statfs':
        v = get(n, 2);
        break;
      case 'host':
        v = get(n, 'new');
        break;
      case 'ip4':
        v = get(n, ip4addr.length ? 'new' : vnet === 'new' ? 'new' : 'disable');
        break;
      case 'ip6':
        v = get(n, ip6addr.length ? 'new' : vnet === 'new' ? 'new' : 'disable');
        break;
      case 'jid':
        v = ctx.jid;
        break;
      case 'name':
        v = ctx.name;
        break;
      case 'osreldate':
        v = get(n, ctx.osreldate);
        break;
      case 'osrelease':
        v = get(n, ctx.osrelease);
        break;
      case 'parent':
        v = 0;
        break;
      case 'path':
        v = ctx.path;
        break;
      case 'persist':
        v = get(n, false);
        break;
      case 'securelevel':
        v = get(n, -1);
        break;
      case 'sysvmsg':
      case 'sysvsem':
      case 'sysvshm':
        v = get(n, sysvDefault);
        break;
      case 'vnet':
        v = vnet;
        break;
      case 'children.cur':
        v = 0;
        break;
      case 'children.max':
        v = get(n, 0);
        break;
      case 'cpuset.id':
        v = ctx.cpusetId;
        break;
      case 'host.domainname':
        v = get(n, '');
        break;
      case 'host.hostid':
        v = get(n, 0);
        break;
      case 'host.hostname':
        v = get(n, '');
        break;
      case 'host.hostuuid':
        v = get(n, '00000000-0000-0000-0000-000000000000');
        break;
      case 'ip4.addr':
        v = ip4addr;
        break;
      case 'ip6.addr':
        v = ip6addr;
        break;
      case 'ip4.saddrsel':
      case 'ip6.saddrsel':
        v = get(n, true);
        break;
      case 'linux':
        v = get(n, 'new');
        break;
      case 'linux.osname':
        v = get(n, 'Linux');
        break;
      case 'linux.osrelease':
        v = get(n, ctx.linuxOsrelease || '5.15.0');
        break;
      case 'linux.oss_version':
        v = get(n, 198144);
        break;
      default:
        if (n.startsWith('allow.')) {
          const a = n.slice(6);
          v = kernel[n] !== undefined ? kernel[n] : DEFAULT_ALLOW.has(a);
          if (a === 'sysvipc' && kernel[n] === undefined) {
            v = ['sysvmsg', 'sysvsem', 'sysvshm'].every((s) => get(s, sysvDefault) !== 'disable');
          }
        } else v = get(n, '');
    }
    out[n] = v;
  }
  return out;
}

module.exports = { validate, fullParams, kernelParams, lookup, splitIfAddr, ParamError, INTERNAL };
