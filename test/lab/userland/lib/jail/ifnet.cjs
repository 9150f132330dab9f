'use strict';
/**
 * The host's network interfaces and routes as FreeBSD's kernel would hold them, emulated:
 * lab hosts share the machine's network stack, so cloned interfaces (epair, bridge, lo),
 * addresses, bridge members, VNET moves and routes are state in /var/run/lab-net.json
 * with FreeBSD's ifconfig(8) / route(8) semantics and messages. No packets flow.
 */
const crypto = require('node:crypto');
const path = require('node:path');
const state = require('./state.cjs');

const NET_FILE = path.join(state.RUN, 'lab-net.json');

class NetError extends Error {
  constructor(msg, code = 1) {
    super(msg);
    this.exitCode = code;
  }
}

function mac(seed) {
  const h = crypto.createHash('sha256').update(seed).digest();
  return ['58', '9c', 'fc', ...[...h.subarray(0, 3)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

function initial() {
  const env = state.hostEnv();
  const addr = env.HOST_ADDRESS || '10.0.2.15';
  return {
    ifaces: [
      {
        name: 'em0',
        kind: 'ether',
        up: true,
        mtu: 1500,
        ether: mac((env.HOST_NAME || 'h') + 'em0'),
        inet: [{ addr, prefix: 24 }],
        inet6: [],
        groups: [],
      },
      {
        name: 'lo0',
        kind: 'lo',
        up: true,
        mtu: 16384,
        inet: [{ addr: '127.0.0.1', prefix: 8 }],
        inet6: [
          { addr: '::1', prefix: 128 },
          { addr: 'fe80::1%lo0', prefix: 64, scope: '0x2' },
        ],
        groups: ['lo'],
      },
    ],
    routes: [],
    counters: {},
  };
}

const load = () => state.readJson(NET_FILE, null) || initial();
const save = (net) => state.writeJson(NET_FILE, net);

/** Run fn(net) under the kernel lock and save its changes. */
function update(fn) {
  return state.withLock(() => {
    const net = load();
    const r = fn(net);
    save(net);
    return r;
  });
}

const find = (net, name) => net.ifaces.find((i) => i.name === name);
const hostIfaces = (net) => net.ifaces.filter((i) => !i.vnet);

function mustFind(net, name, jid) {
  const i = find(net, name);
  if (!i || (i.vnet || 0) !== (jid || 0)) throw new NetError(`ifconfig: interface ${name} does not exist`);
  return i;
}

function nextUnit(net, prefix) {
  for (let n = 0; ; n++) {
    const taken = net.ifaces.some((i) => i.name === `${prefix}${n}` || i.name === `${prefix}${n}a` || i.clonedAs === `${prefix}${n}`);
    if (!taken) return n;
  }
}

/** `ifconfig NAME create`: returns the name ifconfig prints (only when it differs from NAME). */
function create(net, name) {
  const m = /^(epair|bridge|lo|tap|tun|vlan|gif|wg)(\d*)$/.exec(name);
  if (!m) throw new NetError(`ifconfig: SIOCIFCREATE2 (${name}): Invalid argument`);
  const [, kind, unitStr] = m;
  const unit = unitStr === '' ? nextUnit(net, kind) : Number(unitStr);
  const base = { up: false, mtu: kind === 'lo' ? 16384 : 1500, inet: [], inet6: [], groups: [kind] };
  if (kind === 'epair') {
    const a = `epair${unit}a`;
    if (find(net, a)) throw new NetError(`ifconfig: SIOCIFCREATE2 (${name}): File exists`);
    net.ifaces.push({ ...base, name: a, kind, pair: `epair${unit}b`, ether: mac(a), groups: ['epair'] });
    net.ifaces.push({ ...base, name: `epair${unit}b`, kind, pair: a, ether: mac(`epair${unit}b`), groups: ['epair'], inet: [], inet6: [] });
    return a;
  }
  const full = `${kind}${unit}`;
  if (find(net, full)) throw new NetError(`ifconfig: SIOCIFCREATE2 (${name}): File exists`);
  const iface = { ...base, name: full, kind };
  if (kind === 'bridge') {
    iface.members = [];
    iface.ether = mac(full);
  }
  if (kind !== 'lo') iface.ether = iface.ether || mac(full);
  net.ifaces.push(iface);
  return full;
}

function destroy(net, iface) {
  if (!['epair', 'bridge', 'lo', 'tap', 'tun', 'vlan', 'gif', 'wg'].includes(iface.kind) || iface.name === 'lo0') {
    throw new NetError(`ifconfig: SIOCIFDESTROY: Invalid argument`);
  }
  const gone = new Set([iface.name]);
  if (iface.kind === 'epair') gone.add(iface.pair);
  net.ifaces = net.ifaces.filter((i) => !gone.has(i.name));
  for (const b of net.ifaces) if (b.members) b.members = b.members.filter((m) => !gone.has(m));
}

function prefixFromMask(mask) {
  let n = /^0x/i.test(mask) ? parseInt(mask, 16) : mask.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  let bits = 0;
  while (n & 0x80000000) {
    bits++;
    n = (n << 1) >>> 0;
  }
  return bits;
}

const validIp4 = (a) => /^\d{1,3}(\.\d{1,3}){3}$/.test(a) && a.split('.').every((o) => Number(o) <= 255);

/** `inet 192.168.1.0-9` (rc.subr's alias ranges) → the ten addresses. */
function expandRange(spec) {
  const m = /^(\d+\.\d+\.\d+\.)(\d+)-(\d+)(\/\d+)?$/.exec(spec);
  if (!m) return [spec];
  const out = [];
  for (let k = Number(m[2]); k <= Number(m[3]); k++) out.push(`${m[1]}${k}${m[4] || ''}`);
  return out;
}

/**
 * Apply ifconfig arguments after the interface name. Returns lines to print.
 * jid: the VNET jail whose stack is being changed (0 = host).
 */
function configure(net, name, args, jid = 0) {
  const out = [];
  if (args[0] === 'create') {
    const made = create(net, name);
    const iface = find(net, made);
    if (jid) {
      iface.vnet = jid;
      if (iface.pair) find(net, iface.pair).vnet = jid;
    }
    if (made !== name) out.push(made);
    const rest = args.slice(1);
    if (rest.length) out.push(...configure(net, made, rest, jid));
    return out;
  }
  const iface = mustFind(net, name, jid);
  let family = 'inet';
  let pendingAddr = null;
  const addAddr = (fam, spec, alias, remove) => {
    if (fam === 'inet') {
      const [addr, pfx] = spec.split('/');
      if (!validIp4(addr)) throw new NetError(`ifconfig: ${spec}: bad value`);
      if (remove) {
        const before = iface.inet.length;
        iface.inet = iface.inet.filter((a) => a.addr !== addr);
        if (iface.inet.length === before) throw new NetError("ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address");
        return null;
      }
      // No netmask: the classful default FreeBSD's in_control still applies.
      const first = Number(addr.split('.')[0]);
      const entry = { addr, prefix: pfx !== undefined ? Number(pfx) : first < 128 ? 8 : first < 192 ? 16 : 24 };
      const same = iface.inet.find((a) => a.addr === addr);
      if (same) same.prefix = entry.prefix;
      else if (!alias && iface.inet.length) iface.inet[0] = entry;
      else iface.inet.push(entry);
      iface.up = true; // assigning an address brings the interface up
      return entry;
    }
    const [addr, pfx] = spec.split('/');
    if (remove) {
      iface.inet6 = iface.inet6.filter((a) => a.addr !== addr);
      return null;
    }
    const entry = { addr, prefix: pfx !== undefined ? Number(pfx) : 64 };
    if (!iface.inet6.some((a) => a.addr === addr)) iface.inet6.push(entry);
    return entry;
  };
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    const next = () => {
      if (k + 1 >= args.length) throw new NetError(`ifconfig: ${a}: missing argument`);
      return args[++k];
    };
    switch (a) {
      case 'up':
        iface.up = true;
        break;
      case 'down':
        iface.up = false;
        break;
      case 'destroy':
        destroy(net, iface);
        return out;
      case 'inet':
      case 'inet6':
        family = a;
        break;
      case 'alias':
      case 'add':
        if (pendingAddr) {
          pendingAddr.remove = false;
          pendingAddr.alias = true;
        }
        break;
      case '-alias':
      case 'delete':
        if (pendingAddr) pendingAddr.remove = true;
        break;
      case 'netmask': {
        const m = next();
        if (pendingAddr) pendingAddr.prefix = prefixFromMask(m);
        break;
      }
      case 'prefixlen': {
        const p = next();
        if (pendingAddr) pendingAddr.prefix = Number(p);
        break;
      }
      case 'broadcast':
        next();
        break;
      case 'descr':
      case 'description':
        iface.descr = next();
        break;
      case '-descr':
      case '-description':
        delete iface.descr;
        break;
      case 'mtu':
        iface.mtu = Number(next());
        break;
      case 'name': {
        const n = next();
        if (find(net, n)) throw new NetError(`ifconfig: ioctl SIOCSIFNAME (set name): File exists`);
        for (const b of net.ifaces) if (b.members) b.members = b.members.map((x) => (x === iface.name ? n : x));
        for (const i of net.ifaces) if (i.pair === iface.name) i.pair = n;
        iface.name = n;
        out.push(n);
        break;
      }
      case 'addm': {
        const m = next();
        if (!iface.members) throw new NetError(`ifconfig: BRDGADD ${m}: Invalid argument`);
        if (!find(net, m) || (find(net, m).vnet || 0) !== jid) throw new NetError(`ifconfig: interface ${m} does not exist`);
        if (iface.members.includes(m) || net.ifaces.some((b) => b.members && b.members.includes(m)))
          throw new NetError(`ifconfig: BRDGADD ${m}: File exists`);
        iface.members.push(m);
        break;
      }
      case 'deletem': {
        const m = next();
        if (!iface.members || !iface.members.includes(m)) throw new NetError(`ifconfig: BRDGDEL ${m}: Invalid argument`);
        iface.members = iface.members.filter((x) => x !== m);
        break;
      }
      case 'vnet': {
        const target = next();
        const j = state.findJail(target);
        if (!j) throw new NetError(`ifconfig: jail "${target}" not found`);
        iface.vnet = j.jid;
        break;
      }
      case '-vnet': {
        const target = next();
        const j = state.findJail(target);
        if (!j) throw new NetError(`ifconfig: jail "${target}" not found`);
        if (iface.vnet !== j.jid) throw new NetError(`ifconfig: interface ${name} does not exist`);
        delete iface.vnet;
        break;
      }
      case 'group':
        iface.groups.push(next());
        break;
      case '-group': {
        const g = next();
        iface.groups = iface.groups.filter((x) => x !== g);
        break;
      }
      case 'ether':
      case 'lladdr':
      case 'link':
        iface.ether = next();
        break;
      case 'stp':
      case '-stp':
      case 'promisc':
      case '-promisc':
      case 'monitor':
      case '-monitor':
      case 'edge':
      case '-edge':
        next();
        break;
      case '-tso':
      case 'tso':
      case '-lro':
      case 'lro':
      case '-txcsum':
      case 'txcsum':
      case '-rxcsum':
      case 'rxcsum':
      case 'auto_linklocal':
      case '-auto_linklocal':
      case 'accept_rtadv':
      case '-accept_rtadv':
      case '-ifdisabled':
      case 'ifdisabled':
        break;
      default: {
        const addr = a;
        if (!/^[0-9a-fA-F:.]+(\/\d+)?$/.test(addr)) throw new NetError(`ifconfig: ${a}: bad value`);
        if (pendingAddr) commit(pendingAddr);
        pendingAddr = { family: addr.includes(':') ? 'inet6' : family, spec: addr, alias: false, remove: false };
      }
    }
  }
  if (pendingAddr) commit(pendingAddr);
  function commit(p) {
    let spec = p.spec;
    if (p.prefix !== undefined && !spec.includes('/')) spec = `${spec}/${p.prefix}`;
    addAddr(p.family, spec, p.alias, p.remove);
    pendingAddr = null;
  }
  return out;
}

const FLAG_BITS = [
  ['UP', 0x1],
  ['BROADCAST', 0x2],
  ['LOOPBACK', 0x8],
  ['RUNNING', 0x40],
  ['PROMISC', 0x100],
  ['SIMPLEX', 0x800],
  ['MULTICAST', 0x8000],
  ['LOWER_UP', 0x1000000],
];

function flagsOf(i) {
  const set = new Set();
  if (i.up) set.add('UP');
  if (i.kind === 'lo') {
    set.add('LOOPBACK');
    set.add('MULTICAST');
    if (i.up) {
      set.add('RUNNING');
      set.add('LOWER_UP');
    }
  } else {
    set.add('BROADCAST');
    set.add('SIMPLEX');
    set.add('MULTICAST');
    if (i.up || i.kind === 'epair' || i.kind === 'ether') set.add('RUNNING');
    if (i.kind === 'ether' && i.up) set.add('LOWER_UP');
    if (i.kind === 'bridge' && i.up) set.add('RUNNING');
    if (i.kind === 'epair' && i.up) set.add('LOWER_UP');
    if (i.memberOf) set.add('PROMISC');
  }
  const value = FLAG_BITS.reduce((acc, [n, b]) => (set.has(n) ? acc + b : acc), 0);
  return `flags=${value.toString(16)}<${FLAG_BITS.filter(([n]) => set.has(n))
    .map(([n]) => n)
    .join(',')}>`;
}

const mask = (p) => '0x' + (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0).toString(16).padStart(8, '0');
function bcast(addr, p) {
  const n = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const b = (n | (p === 0 ? 0xffffffff : ~(0xffffffff << (32 - p)) >>> 0)) >>> 0;
  return [24, 16, 8, 0].map((s) => (b >>> s) & 255).join('.');
}

/** ifconfig's listing of one interface, in FreeBSD 14's layout. */
function show(net, i) {
  const lines = [`${i.name}: ${flagsOf(i)} metric 0 mtu ${i.mtu}`];
  if (i.descr !== undefined) lines.push(`\tdescription: ${i.descr}`);
  const opts = {
    ether:
      'options=4e507bb<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,JUMBO_MTU,VLAN_HWCSUM,LRO,VLAN_HWFILTER,VLAN_HWTSO,RXCSUM_IPV6,TXCSUM_IPV6,NOMAP>',
    lo: 'options=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>',
    epair: 'options=8<VLAN_MTU>',
    bridge: 'options=0',
  };
  if (opts[i.kind]) lines.push(`\t${opts[i.kind]}`);
  if (i.ether) lines.push(`\tether ${i.ether}`);
  for (const a of i.inet) {
    lines.push(
      i.kind === 'lo'
        ? `\tinet ${a.addr} netmask ${mask(a.prefix)}`
        : `\tinet ${a.addr} netmask ${mask(a.prefix)} broadcast ${bcast(a.addr, a.prefix)}`,
    );
  }
  for (const a of i.inet6) lines.push(`\tinet6 ${a.addr} prefixlen ${a.prefix}${a.scope ? ` scopeid ${a.scope}` : ''}`);
  if (i.kind === 'bridge') {
    lines.push('\tid 00:00:00:00:00:00 priority 32768 hellotime 2 fwddelay 15');
    lines.push('\tmaxage 20 holdcnt 6 proto rstp maxaddr 2000 timeout 1200');
    lines.push('\troot id 00:00:00:00:00:00 priority 32768 ifcost 0 port 0');
    (i.members || []).forEach((m, k) => {
      lines.push(`\tmember: ${m} flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>`);
      lines.push(`\t        ifmaxaddr 0 port ${k + 3} priority 128 path cost 2000`);
    });
  }
  if (i.groups.length) lines.push(`\tgroups: ${i.groups.join(' ')}`);
  if (i.kind === 'ether') {
    lines.push('\tmedia: Ethernet autoselect (1000baseT <full-duplex>)');
    lines.push('\tstatus: active');
  }
  if (i.kind === 'epair') {
    lines.push('\tmedia: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)');
    lines.push('\tstatus: active');
  }
  lines.push(
    i.kind === 'lo'
      ? '\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>'
      : i.kind === 'bridge'
        ? '\tnd6 options=9<PERFORMNUD,IFDISABLED>'
        : '\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>',
  );
  return lines.join('\n');
}

/** Interfaces of one network stack: the host's (jid 0) or a VNET jail's. */
const stackIfaces = (net, jid) => net.ifaces.filter((i) => (i.vnet || 0) === (jid || 0));

// --- routes -----------------------------------------------------------------------------

function routeCmd(net, args, jid = 0) {
  const out = [];
  const err = [];
  const routes = net.routes;
  const cmd = args[0];
  let k = 1;
  let kind = 'net';
  const rest = [];
  for (; k < args.length; k++) {
    const a = args[k];
    if (a === '-net') kind = 'net';
    else if (a === '-host') kind = 'host';
    else if (a === '-inet' || a === '-4' || a === '-n' || a === '-q') continue;
    else if (a === '-inet6' || a === '-6') continue;
    else if (a === '-fib') k++;
    else rest.push(a);
  }
  const [dest, gw] = rest;
  if (!cmd || !['add', 'delete', 'del', 'get', 'change', 'show', 'flush'].includes(cmd)) {
    throw new NetError('usage: route [-46dnqtv] command [[modifiers] args]', 64);
  }
  if (cmd === 'flush') {
    const gone = routes.filter((r) => (r.jid || 0) === jid);
    net.routes = routes.filter((r) => (r.jid || 0) !== jid);
    for (const r of gone) out.push(`${r.dest.padEnd(20)}${r.gw.padEnd(20)}done`);
    return { out, err };
  }
  if (!dest) throw new NetError('usage: route [-46dnqtv] command [[modifiers] args]', 64);
  const label = dest === 'default' || dest === '0.0.0.0/0' ? 'default' : dest.replace(/\/\d+$/, '');
  const key = dest === '0.0.0.0/0' ? 'default' : dest;
  const mine = (r) => (r.jid || 0) === jid && r.dest === key;
  if (cmd === 'add') {
    if (!gw) throw new NetError('usage: route [-46dnqtv] command [[modifiers] args]', 64);
    if (routes.some(mine)) {
      throw new NetError(
        `route: writing to routing socket: File exists\nadd ${kind} ${label}: gateway ${gw} fib 0: route already in table`,
      );
    }
    routes.push({ dest: key, gw, kind, jid });
    out.push(`add ${kind} ${label}: gateway ${gw}`);
  } else if (cmd === 'change') {
    const r = routes.find(mine);
    if (!r)
      throw new NetError(`route: writing to routing socket: No such process\nchange ${kind} ${label}: gateway ${gw} fib 0: not in table`);
    r.gw = gw;
    out.push(`change ${kind} ${label}: gateway ${gw}`);
  } else if (cmd === 'delete' || cmd === 'del') {
    const r = routes.find(mine);
    if (!r) throw new NetError(`route: route has not been found\ndelete ${kind} ${label} fib 0: not in table`);
    net.routes = routes.filter((x) => x !== r);
    out.push(`delete ${kind} ${label}`);
  } else {
    const r = routes.find(mine);
    if (!r) throw new NetError('route: route has not been found');
    out.push(
      `   route to: ${label}`,
      `destination: ${label}`,
      `       mask: ${label === 'default' ? 'default' : '255.255.255.0'}`,
      `    gateway: ${r.gw}`,
      '        fib: 0',
      `  interface: ${stackIfaces(net, jid).find((i) => i.kind !== 'lo')?.name || 'lo0'}`,
      '      flags: <UP,GATEWAY,DONE,STATIC>',
    );
  }
  return { out, err };
}

module.exports = {
  load,
  save,
  update,
  find,
  hostIfaces,
  stackIfaces,
  configure,
  show,
  routeCmd,
  expandRange,
  NetError,
  NET_FILE,
  mustFind,
};
