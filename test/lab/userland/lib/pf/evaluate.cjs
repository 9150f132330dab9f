'use strict';
/**
 * Which way pf would decide a new inbound TCP connection (a SYN), with pf's semantics:
 * `set skip` interfaces are not filtered; the last matching filter rule wins unless a
 * matching rule is `quick`; anchors are evaluated where their anchor rule matches;
 * no matching rule = pass. Used for the lab's SSH lockout (see lockout.cjs).
 *   verdict(state, pkt) -> 'pass' | 'block'
 *   pkt: { ifname, src, dst, sport, dport, proto }  ctx: { ifaces }
 */
const net = require('node:net');
const { ip4ToInt } = require('./parser.cjs');

function inCidr(ip, base, prefix) {
  if (net.isIPv4(ip) && net.isIPv4(base)) {
    const size = 2 ** (32 - prefix);
    return Math.floor(ip4ToInt(ip) / size) === Math.floor(ip4ToInt(base) / size);
  }
  if (net.isIPv6(ip) && net.isIPv6(base)) return prefix === 0 || ip === base; // lab: v6 exact only
  return false;
}

function entryMatch(ip, entry) {
  const neg = entry.startsWith('!');
  const [base, p] = entry.replace(/^!/, '').split('/');
  const prefix = p === undefined ? (net.isIPv6(base) ? 128 : 32) : Number(p);
  return { hit: inCidr(ip, base, prefix), neg };
}

function tableHas(tables, name, ip) {
  const t = tables[name];
  if (!t) return false;
  let best = null;
  for (const e of t.addrs ?? []) {
    const m = entryMatch(ip, e);
    if (m.hit) {
      const len = Number(e.split('/')[1] ?? 32);
      if (!best || len >= best.len) best = { len, neg: m.neg };
    }
  }
  return best ? !best.neg : false;
}

function ifaceAddrs(ctx, name, mod) {
  const list = name === 'self' ? ctx.ifaces : ctx.ifaces.filter((i) => i.name === name);
  const out = [];
  for (const i of list)
    for (const a of [...(i.inet ?? []), ...(i.inet6 ?? [])]) {
      out.push(mod === 'network' ? { base: a.addr, prefix: a.prefix } : { base: a.addr, prefix: a.addr.includes(':') ? 128 : 32 });
    }
  return out;
}

function addrMatch(a, ip, tables, ctx) {
  let m;
  switch (a.type) {
    case 'any':
      m = true;
      break;
    case 'host':
      m = inCidr(ip, a.v, a.prefix);
      break;
    case 'table':
      m = tableHas(tables, a.name, ip);
      break;
    case 'dyn':
      m = ifaceAddrs(ctx, a.name, a.mod).some((x) => inCidr(ip, x.base, x.prefix));
      break;
    case 'range':
      m = net.isIPv4(ip) && ip4ToInt(ip) >= ip4ToInt(a.v) && ip4ToInt(ip) <= ip4ToInt(a.to);
      break;
    default:
      m = false;
  }
  return a.neg ? !m : m;
}

function portMatch(p, port) {
  if (!p) return true;
  switch (p.op) {
    case '=':
      return port === p.a;
    case '!=':
      return port !== p.a;
    case '<':
      return port < p.a;
    case '<=':
      return port <= p.a;
    case '>':
      return port > p.a;
    case '>=':
      return port >= p.a;
    case ':':
      return port >= p.a && port <= p.b;
    case '><':
      return port > p.a && port < p.b;
    case '<>':
      return port < p.a || port > p.b;
    default:
      return false;
  }
}

const FLAG_BITS = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32, E: 64, W: 128 };
const bits = (s) => [...s].reduce((n, c) => n | (FLAG_BITS[c] ?? 0), 0);

function ruleMatches(r, pkt, tables, ctx) {
  if (r.dir && r.dir !== 'in') return false;
  if (r.iface && (r.iface.name === pkt.ifname) === r.iface.neg) return false;
  if (r.af && r.af !== (net.isIPv6(pkt.dst) ? 'inet6' : 'inet')) return false;
  if (r.proto !== null && r.proto !== undefined && r.proto !== pkt.proto) return false;
  if (!addrMatch(r.src, pkt.src, tables, ctx) || !portMatch(r.srcPort, pkt.sport)) return false;
  if (!addrMatch(r.dst, pkt.dst, tables, ctx) || !portMatch(r.dstPort, pkt.dport)) return false;
  const o = r.opts ?? {};
  if (o.flags && o.flags !== 'any') {
    const [set, mask] = o.flags.split('/');
    if ((bits('S') & bits(mask)) !== bits(set)) return false;
  }
  if (o.icmp || o.tagged || o.fragment) return false;
  return true;
}

/** Evaluate the rules of one ruleset; returns { action, quick } of the deciding rule or null. */
function evalRuleset(state, path, pkt, ctx) {
  const rs = path === '' ? state.main : state.anchors?.[path];
  if (!rs) return null;
  const tables = { ...(state.main?.tables ?? {}), ...(rs.tables ?? {}) };
  let decision = null;
  for (const r of rs.filter ?? []) {
    if (!ruleMatches(r, pkt, tables, ctx)) continue;
    if (r.kind === 'anchor') {
      const base = path ? `${path}/` : '';
      const targets = r.name.endsWith('*')
        ? Object.keys(state.anchors ?? {}).filter((a) => {
            const parent = base + r.name.replace(/\/?\*$/, '');
            return a.startsWith(parent ? `${parent}/` : '') && !a.slice(parent ? parent.length + 1 : 0).includes('/');
          })
        : [base + r.name];
      for (const t of targets) {
        const d = evalRuleset(state, t, pkt, ctx);
        if (d) {
          decision = d;
          if (d.quick) return d;
        }
      }
      if (r.quick && decision) return { ...decision, quick: true };
      continue;
    }
    if (r.action === 'match') continue;
    decision = { action: r.action, quick: r.quick, rule: r };
    if (r.quick) return decision;
  }
  return decision;
}

function verdict(state, pkt, ctx) {
  if (!state.enabled) return 'pass';
  const skip = state.main?.options?.skip ?? [];
  if (skip.includes(pkt.ifname)) return 'pass';
  const d = evalRuleset(state, '', pkt, ctx);
  return d ? d.action : 'pass';
}

module.exports = { verdict, ruleMatches, addrMatch, portMatch };
