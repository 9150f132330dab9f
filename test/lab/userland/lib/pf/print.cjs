'use strict';
/**
 * Rules as pfctl prints them (pfctl_parser.c print_rule): `pfctl -sr`, `-sn` and `-nv`
 * all print this normalised form, e.g.
 *   pass in quick on em0 inet proto tcp from any to any port = ssh flags S/SA keep state
 *   rdr on em0 inet proto tcp from any to any port = 2001 -> 10.17.89.1 port 22
 */
const names = require('./names.cjs');
const { formatAddr } = require('./parser.cjs');

function portText(p, numeric) {
  const n = (x) => (numeric ? String(x) : (names.portName(x) ?? String(x)));
  if (p.op === ':') return `${p.a}:${p.b}`;
  if (p.op === '><' || p.op === '<>') return `${n(p.a)} ${p.op} ${n(p.b)}`;
  return `${p.op} ${n(p.a)}`;
}

function addrText(a) {
  return (a.neg ? '! ' : '') + formatAddr(a);
}

function hostsText(r, numeric) {
  const anySrc = r.src.type === 'any' && !r.src.neg && !r.srcPort && !r.os;
  const anyDst = r.dst.type === 'any' && !r.dst.neg && !r.dstPort;
  if (anySrc && anyDst) return ' all';
  let s = ` from ${addrText(r.src)}`;
  if (r.srcPort) s += ` port ${portText(r.srcPort, numeric)}`;
  if (r.os) s += ` os "${r.os}"`;
  s += ` to ${addrText(r.dst)}`;
  if (r.dstPort) s += ` port ${portText(r.dstPort, numeric)}`;
  return s;
}

function logText(log) {
  if (!log) return '';
  return log.length ? ` log (${log.join(', ')})` : ' log';
}

function common(r, numeric) {
  let s = '';
  if (r.iface) s += ` on ${r.iface.neg ? '! ' : ''}${r.iface.name}`;
  if (r.route) s += ` ${r.route}`;
  if (r.af) s += ` ${r.af}`;
  if (r.proto !== null && r.proto !== undefined) s += ` proto ${names.protoName(r.proto)}`;
  s += hostsText(r, numeric);
  return s;
}

function filterOptsText(r) {
  const o = r.opts ?? {};
  let s = '';
  if (o.user) s += ` user ${o.user}`;
  if (o.group) s += ` group ${o.group}`;
  if (o.flags) s += o.flags === 'any' ? ' flags any' : ` flags ${o.flags}`;
  if (o.icmp) {
    for (const t of o.icmp)
      s += ` ${t.v6 ? 'icmp6-type' : 'icmp-type'} ${names.icmpTypeName(t.type, t.v6)}${t.code !== null ? ` code ${t.code}` : ''}`;
  }
  if (o.tos) s += ` tos ${o.tos}`;
  if (r.kind === 'filter') {
    if (o.state === 'no' && r.action === 'pass') s += ' no state';
    else if (o.state === 'keep') s += ' keep state';
    else if (o.state === 'modulate') s += ' modulate state';
    else if (o.state === 'synproxy') s += ' synproxy state';
    if (o.stateOpts && o.stateOpts.length && o.state !== 'no') s += ` (${o.stateOpts.join(', ')})`;
  }
  if (o.fragment) s += ' fragment';
  if (o.allowOpts) s += ' allow-opts';
  if (o.label !== undefined) s += ` label "${o.label}"`;
  if (o.tag) s += ` tag ${o.tag}`;
  if (o.tagged) s += ` ${o.taggedNeg ? '! ' : ''}tagged ${o.tagged}`;
  if (o.rtable !== undefined) s += ` rtable ${o.rtable}`;
  if (o.probability) s += ` probability ${o.probability}`;
  if (o.queue) s += o.queue.startsWith('(') ? ` queue${o.queue}` : ` queue ${o.queue}`;
  for (const x of o.extra ?? []) s += ` ${x}`;
  return s;
}

function ruleText(r, numeric = false) {
  switch (r.kind) {
    case 'filter': {
      let s = r.action;
      if (r.action === 'block') s += ` ${r.blockMode}${r.blockModeArgs ? `(${r.blockModeArgs})` : ''}`;
      if (r.dir) s += ` ${r.dir}`;
      s += logText(r.log);
      if (r.quick) s += ' quick';
      return s + common(r, numeric) + filterOptsText(r);
    }
    case 'scrub': {
      let s = 'scrub';
      if (r.dir) s += ` ${r.dir}`;
      s += logText(r.log);
      if (r.quick) s += ' quick';
      s += common(r, numeric);
      for (const x of r.scrub) if (x !== 'reassemble tcp') s += ` ${x}`;
      if (r.scrub.includes('reassemble tcp')) s += ' reassemble tcp';
      return s + ' fragment reassemble';
    }
    case 'anchor': {
      let s = `${r.call} "${r.name}"`;
      if (r.dir) s += ` ${r.dir}`;
      if (r.quick) s += ' quick';
      return s + common(r, numeric) + (r.call === 'anchor' ? filterOptsText(r) : '');
    }
    case 'nat':
    case 'rdr':
    case 'binat': {
      let s = (r.no ? 'no ' : '') + r.kind;
      if (r.pass) s += ' pass' + logText(r.log);
      s += common(r, numeric);
      if (r.tag) s += ` tag ${r.tag}`;
      if (r.tagged) s += ` tagged ${r.tagged}`;
      if (!r.no) {
        const t = r.target.map(formatAddr);
        s += ` -> ${t.length > 1 ? `{ ${t.join(', ')} }` : t[0]}`;
        if (r.targetPort) s += ` port ${r.targetPort}`;
        for (const p of r.pool ?? []) s += ` ${p}`;
      }
      return s;
    }
    default:
      return `# unknown rule kind ${r.kind}`;
  }
}

module.exports = { ruleText, portText };
