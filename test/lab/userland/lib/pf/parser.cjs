'use strict';
/**
 * pf.conf(5) parser after pfctl's parse.y: macros, tables, options (set ...), scrub,
 * antispoof, nat / no nat / rdr / binat, pass / block / match rules, anchor /
 * nat-anchor / rdr-anchor / binat-anchor (with inline { } rules), load anchor, include.
 * Lists ({ }) in on / proto / from / to / port are expanded into one rule per
 * combination, as pfctl does; addresses give the rule its address family; pass rules
 * get pf's defaults (keep state, and flags S/SA for TCP).
 *
 * parse(text, { file, env }) -> { ruleset, errors: string[], verbose: string[] }
 * errors are pfctl's messages ("FILE:LINE: syntax error", bare "no IP address found for X").
 * env: { ifaces: [{ name, inet: [{addr, prefix}], inet6: [...] }], resolve(name) -> [addr],
 *        readFile(path) -> text|null, blockPolicy }
 */
const net = require('node:net');
const { makeLexer } = require('./lexer.cjs');
const names = require('./names.cjs');

const ORDER = ['option', 'ethernet', 'normalization', 'queueing', 'translation', 'filtering'];

class Fail extends Error {
  constructor(msg, line) {
    super(msg);
    this.line = line;
  }
}

function emptyRuleset() {
  return { options: {}, tables: {}, scrub: [], nat: [], rdr: [], binat: [], filter: [], anchors: {} };
}

function parse(text, opts = {}) {
  const file = opts.file ?? 'stdin';
  const env = opts.env ?? {};
  const out = { ruleset: emptyRuleset(), errors: [], verbose: [], macros: {} };
  parseInto(text, file, env, out, out.ruleset, opts.anchor ?? '', 0);
  return out;
}

function parseInto(text, file, env, out, rs, anchorPath, depth) {
  const lexer = makeLexer(text);
  let stage = 0;
  const macros = out.macros;
  for (;;) {
    const toks = lexer.nextLine(macros);
    if (!toks) break;
    const lexErr = toks.find((t) => t.t === 'error');
    if (lexErr) {
      out.errors.push(`${file}:${lexErr.line}: ${lexErr.v}`);
      out.errors.push(`${file}:${lexErr.line}: syntax error`);
      continue;
    }
    const p = new Parser(toks, file, env, out, rs, anchorPath, depth);
    if (p.atEnd()) continue;
    try {
      const kind = p.statement();
      if (kind) {
        const idx = ORDER.indexOf(kind);
        if (idx < stage && env.requireOrder !== false) {
          throw new Fail('Rules must be in order: options, ethernet, normalization, queueing, translation, filtering', toks[0].line);
        }
        if (idx > stage) stage = idx;
      }
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      if (e.message) out.errors.push(e.message.startsWith('\0') ? e.message.slice(1) : `${file}:${e.line}: ${e.message}`);
      if (e.also) out.errors.push(`${file}:${e.line}: ${e.also}`);
    }
  }
}

class Parser {
  constructor(toks, file, env, out, rs, anchorPath, depth) {
    Object.assign(this, { toks, file, env, out, rs, anchorPath, depth, i: 0 });
  }

  atEnd() {
    const t = this.toks[this.i];
    return !t || t.t === 'nl' || t.t === 'eof';
  }
  peek(k = 0) {
    return this.toks[this.i + k] ?? { t: 'eof', line: this.line() };
  }
  line() {
    const t = this.toks[Math.min(this.i, this.toks.length - 1)];
    return t ? t.line : 0;
  }
  next() {
    return this.toks[this.i++] ?? { t: 'eof', line: this.line() };
  }
  isWord(v, k = 0) {
    const t = this.peek(k);
    return t.t === 'word' && (v === undefined || t.v === v);
  }
  isOp(v, k = 0) {
    const t = this.peek(k);
    return t.t === 'op' && t.v === v;
  }
  accept(v) {
    if (this.isWord(v)) {
      this.i++;
      return true;
    }
    return false;
  }
  acceptOp(v) {
    if (this.isOp(v)) {
      this.i++;
      return true;
    }
    return false;
  }
  fail(msg = 'syntax error') {
    throw new Fail(msg, this.peek().line);
  }
  expect(v) {
    if (!this.accept(v)) this.fail();
  }
  expectOp(v) {
    if (!this.acceptOp(v)) this.fail();
  }
  str() {
    const t = this.peek();
    if (t.t === 'word' || t.t === 'string') {
      this.i++;
      return t.v;
    }
    return this.fail();
  }
  end() {
    if (!this.atEnd()) this.fail();
  }
  skipNl() {
    while (this.peek().t === 'nl') this.i++;
  }

  statement() {
    const t = this.peek();
    if (t.t === 'word' && this.isOp('=', 1)) return this.macro();
    if (t.t !== 'word') this.fail();
    switch (t.v) {
      case 'set':
        this.i++;
        this.option();
        return 'option';
      case 'table':
        this.i++;
        this.table();
        return null;
      case 'include': {
        this.i++;
        const f = this.str();
        this.end();
        this.include(f);
        return null;
      }
      case 'scrub':
        this.i++;
        this.scrub();
        return 'normalization';
      case 'antispoof':
        this.i++;
        this.antispoof();
        return 'filtering';
      case 'altq':
      case 'queue':
        this.i = this.toks.length;
        return 'queueing';
      case 'ether':
        this.i = this.toks.length;
        return 'ethernet';
      case 'nat':
      case 'rdr':
      case 'binat':
        this.i++;
        this.translation(t.v, false);
        return 'translation';
      case 'no': {
        this.i++;
        const k = this.str();
        if (!['nat', 'rdr', 'binat'].includes(k)) this.fail();
        this.translation(k, true);
        return 'translation';
      }
      case 'nat-anchor':
      case 'rdr-anchor':
      case 'binat-anchor':
        this.i++;
        this.anchorCall(t.v);
        return 'translation';
      case 'anchor':
        this.i++;
        this.anchorCall('anchor');
        return 'filtering';
      case 'load':
        this.i++;
        this.loadAnchor();
        return null;
      case 'pass':
      case 'block':
      case 'match':
        this.i++;
        this.filterRule(t.v);
        return 'filtering';
      default:
        return this.fail();
    }
  }

  macro() {
    const name = this.next().v;
    this.i++; // =
    const parts = [];
    while (!this.atEnd()) {
      const t = this.next();
      if (t.t !== 'word' && t.t !== 'string') this.fail();
      parts.push(t.v);
    }
    if (!parts.length) this.fail();
    const value = parts.join(' ');
    this.out.macros[name] = value;
    this.out.verbose.push(`${name} = "${value}"`);
    return null;
  }

  include(f) {
    const text = this.env.readFile ? this.env.readFile(f) : null;
    if (text == null) throw new Fail(`\0pfctl: ${f}: No such file or directory`, this.line());
    parseInto(text, f, this.env, this.out, this.rs, this.anchorPath, this.depth + 1);
  }

  // ---- options -------------------------------------------------------------------
  option() {
    const o = this.rs.options;
    const key = this.str();
    const v = this.out.verbose;
    switch (key) {
      case 'skip': {
        this.expect('on');
        const ifs = this.ifaceList();
        o.skip = [...new Set([...(o.skip ?? []), ...ifs.map((x) => x.name)])];
        break;
      }
      case 'block-policy': {
        const p = this.str();
        if (!['drop', 'return'].includes(p)) this.fail();
        o.blockPolicy = p;
        v.push(`set block-policy ${p}`);
        break;
      }
      case 'state-policy': {
        const p = this.str();
        if (!['if-bound', 'floating'].includes(p)) this.fail();
        o.statePolicy = p;
        v.push(`set state-policy ${p}`);
        break;
      }
      case 'optimization': {
        const p = this.str();
        if (!['normal', 'high-latency', 'satellite', 'aggressive', 'conservative'].includes(p)) this.fail();
        o.optimization = p;
        v.push(`set optimization ${p}`);
        break;
      }
      case 'ruleset-optimization': {
        const p = this.str();
        if (!['none', 'basic', 'profile'].includes(p)) this.fail();
        o.rulesetOptimization = p;
        break;
      }
      case 'loginterface': {
        const p = this.str();
        o.loginterface = p;
        v.push(`set loginterface ${p}`);
        break;
      }
      case 'hostid': {
        const n = this.number();
        o.hostid = n;
        v.push(`set hostid 0x${n.toString(16).padStart(8, '0')}`);
        break;
      }
      case 'debug': {
        const p = this.str();
        if (!['none', 'urgent', 'misc', 'loud', 'emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'].includes(p))
          this.fail();
        o.debug = p;
        v.push(`set debug ${p}`);
        break;
      }
      case 'require-order':
      case 'keepcounters':
      case 'fail-policy': {
        const p = key === 'keepcounters' ? 'yes' : this.str();
        o[key] = p;
        break;
      }
      case 'reassemble': {
        const p = this.str();
        if (!['yes', 'no'].includes(p)) this.fail();
        this.accept('no-df');
        o.reassemble = p;
        break;
      }
      case 'fingerprints': {
        o.fingerprints = this.str();
        break;
      }
      case 'syncookies': {
        const p = this.str();
        if (!['never', 'always', 'adaptive'].includes(p)) this.fail();
        o.syncookies = p;
        if (this.acceptOp('(')) {
          while (!this.acceptOp(')')) {
            if (this.atEnd()) this.fail();
            this.next();
          }
        }
        break;
      }
      case 'limit':
      case 'timeout': {
        const items = [];
        const one = () => {
          const name = this.str();
          const n = this.number();
          items.push([name, n]);
        };
        if (this.acceptOp('{')) {
          this.skipNl();
          while (!this.acceptOp('}')) {
            one();
            this.acceptOp(',');
            this.skipNl();
          }
        } else one();
        const valid =
          key === 'limit'
            ? ['states', 'frags', 'src-nodes', 'tables', 'table-entries', 'anchors', 'eth-anchors']
            : [
                'tcp.first',
                'tcp.opening',
                'tcp.established',
                'tcp.closing',
                'tcp.finwait',
                'tcp.closed',
                'tcp.tsdiff',
                'udp.first',
                'udp.single',
                'udp.multiple',
                'icmp.first',
                'icmp.error',
                'other.first',
                'other.single',
                'other.multiple',
                'frag',
                'interval',
                'src.track',
                'adaptive.start',
                'adaptive.end',
                'sctp.first',
                'sctp.opening',
                'sctp.established',
                'sctp.closing',
                'sctp.closed',
              ];
        for (const [name, n] of items) {
          if (!valid.includes(name)) throw new Fail(`unknown ${key} ${name}`, this.line());
          (o[key] ??= {})[name] = n;
          v.push(`set ${key} ${name} ${n}`);
        }
        break;
      }
      case 'state-defaults': {
        while (!this.atEnd()) this.next();
        break;
      }
      default:
        this.fail();
    }
    this.end();
  }

  number() {
    const t = this.peek();
    if (t.t === 'word' && /^(0x[0-9a-fA-F]+|\d+)$/.test(t.v)) {
      this.i++;
      return Number(t.v);
    }
    return this.fail();
  }

  // ---- tables --------------------------------------------------------------------
  table() {
    this.expectOp('<');
    const name = this.str();
    this.expectOp('>');
    if (name.length >= 32) this.fail(`table name too long`);
    const def = { flags: [], addrs: [], files: [], line: this.line() };
    for (;;) {
      if (this.accept('persist')) def.flags.push('persist');
      else if (this.accept('const')) def.flags.push('const');
      else if (this.accept('counters')) def.flags.push('counters');
      else if (this.accept('file')) {
        const f = this.str();
        def.files.push(f);
        const text = this.env.readFile ? this.env.readFile(f) : null;
        if (text == null) throw new Fail(`\0pfctl: cannot load "${f}": No such file or directory`, this.line());
        for (const raw of text.split('\n')) {
          const w = raw.replace(/#.*/, '').trim();
          if (!w) continue;
          for (const a of w.split(/[\s,]+/)) def.addrs.push(...this.tableAddr(a.replace(/^!/, ''), a.startsWith('!')));
        }
      } else if (this.acceptOp('{')) {
        this.skipNl();
        while (!this.acceptOp('}')) {
          const neg = this.acceptOp('!');
          const t = this.peek();
          if (t.t !== 'word' && t.t !== 'string') this.fail();
          this.i++;
          let a = t.v;
          if (this.acceptOp('/')) a += '/' + this.number();
          def.addrs.push(...this.tableAddr(a, neg));
          this.acceptOp(',');
          this.skipNl();
        }
      } else break;
    }
    this.end();
    if (this.rs.tables[name]?.defined) throw new Fail(`table <${name}> defined twice`, def.line); // parse.y: "table <%s> defined twice"
    this.rs.tables[name] = { ...def, defined: true };
    const shown = [`table <${name}>`];
    for (const f of ['const', 'persist', 'counters']) if (def.flags.includes(f)) shown.push(f);
    for (const f of def.files) shown.push(`file "${f}"`);
    if (!def.files.length && def.addrs.length) shown.push(`{ ${def.addrs.join(' ')} }`);
    this.out.verbose.push(shown.join(' '));
  }

  tableAddr(a, neg) {
    const host = this.hostWord(a, true);
    return host.map((h) => (neg ? '!' : '') + formatAddr(h));
  }

  // ---- interfaces, protocols, hosts, ports ------------------------------------------
  ifaceList() {
    const one = () => {
      const neg = this.acceptOp('!');
      const name = this.str();
      return { name, neg };
    };
    if (this.acceptOp('{')) {
      const l = [];
      this.skipNl();
      while (!this.acceptOp('}')) {
        l.push(one());
        this.acceptOp(',');
        this.skipNl();
      }
      if (!l.length) this.fail();
      return l;
    }
    return [one()];
  }

  protoList() {
    const one = () => {
      const w = this.str();
      const n = names.protoNumber(w);
      if (n === undefined) throw new Fail(`unknown protocol ${w}`, this.line());
      return n;
    };
    if (this.acceptOp('{')) {
      const l = [];
      this.skipNl();
      while (!this.acceptOp('}')) {
        l.push(one());
        this.acceptOp(',');
        this.skipNl();
      }
      return l;
    }
    return [one()];
  }

  /** host list after from/to: array of address objects (negation kept per item). */
  hostList() {
    if (this.acceptOp('{')) {
      const l = [];
      this.skipNl();
      while (!this.acceptOp('}')) {
        l.push(...this.hostList());
        this.acceptOp(',');
        this.skipNl();
      }
      if (!l.length) this.fail();
      return l;
    }
    const neg = this.acceptOp('!');
    if (neg && this.isOp('{')) this.fail();
    const items = this.hostItem();
    return items.map((h) => ({ ...h, neg }));
  }

  hostItem() {
    if (this.acceptOp('<')) {
      const name = this.str();
      this.expectOp('>');
      this.useTable(name);
      return [{ type: 'table', name }];
    }
    if (this.acceptOp('(')) {
      const w = this.str();
      this.expectOp(')');
      const [ifname, mod] = w.split(':');
      if (mod && !['network', 'broadcast', 'peer', '0'].includes(mod)) this.fail();
      return [{ type: 'dyn', name: ifname, mod }];
    }
    const t = this.peek();
    if (t.t !== 'word' && t.t !== 'string') this.fail();
    this.i++;
    const w = t.v;
    if (w === 'any') return [{ type: 'any' }];
    if (w === 'self') return [{ type: 'dyn', name: 'self' }];
    if (w === 'no-route') return [{ type: 'noroute' }];
    if (w === 'urpf-failed') return [{ type: 'urpf' }];
    let word = w;
    if (this.acceptOp('/')) word += '/' + this.number();
    if (this.isWord('-') || (this.peek().t === 'word' && this.peek().v === '-')) {
      this.i++;
      const b = this.str();
      const from = this.hostWord(word)[0];
      const to = this.hostWord(b)[0];
      return [{ type: 'range', v: from.v, to: to.v, af: from.af }];
    }
    return this.hostWord(word);
  }

  /** An address, CIDR, interface (with :network ...) or host name, resolved as pfctl's host(). */
  hostWord(word, forTable = false) {
    const [base, prefixStr] = word.split('/');
    const prefix = prefixStr === undefined ? undefined : Number(prefixStr);
    if (net.isIPv4(base)) {
      if (prefix !== undefined && (!(prefix >= 0) || prefix > 32)) this.badHost(word);
      return [{ type: 'host', af: 'inet', v: base, prefix: prefix ?? 32 }];
    }
    if (net.isIPv6(base)) {
      if (prefix !== undefined && (!(prefix >= 0) || prefix > 128)) this.badHost(word);
      return [{ type: 'host', af: 'inet6', v: base, prefix: prefix ?? 128 }];
    }
    const [ifname, mod] = base.split(':');
    const iface = (this.env.ifaces ?? []).find((x) => x.name === ifname);
    if (iface && prefix === undefined) {
      const res = [];
      for (const [af, list] of [
        ['inet', iface.inet ?? []],
        ['inet6', (iface.inet6 ?? []).filter((a) => !a.addr.includes('%'))],
      ]) {
        for (const a of list) {
          if (!mod || mod === '0') res.push({ type: 'host', af, v: a.addr, prefix: af === 'inet' ? 32 : 128 });
          else if (mod === 'network') res.push({ type: 'host', af, v: networkOf(a.addr, a.prefix, af), prefix: a.prefix });
          else if (mod === 'broadcast' && af === 'inet') res.push({ type: 'host', af, v: broadcastOf(a.addr, a.prefix), prefix: 32 });
        }
        if (mod === '0' && res.length) break;
      }
      if (res.length) return res;
      this.noAddress(base);
    }
    if (!forTable && /^[A-Za-z][A-Za-z0-9.-]*$/.test(base) && !mod) {
      const addrs = this.env.resolve ? this.env.resolve(base) : [];
      if (addrs.length) {
        return addrs.map((a) => ({
          type: 'host',
          af: net.isIPv6(a) ? 'inet6' : 'inet',
          v: a,
          prefix: prefix ?? (net.isIPv6(a) ? 128 : 32),
        }));
      }
    }
    this.noAddress(base);
    return [];
  }

  noAddress(what) {
    const e = new Fail(`\0no IP address found for ${what}`, this.line());
    e.also = 'could not parse host specification';
    throw e;
  }

  badHost() {
    throw new Fail('could not parse host specification', this.line());
  }

  useTable(name) {
    if (!this.rs.tables[name]) this.rs.tables[name] = { flags: [], addrs: [], files: [], referenced: true };
    else this.rs.tables[name].referenced = true;
  }

  portList() {
    const one = () => {
      const op = ['=', '!=', '<', '<=', '>', '>='].find((o) => this.acceptOp(o));
      const w = this.str();
      const range = /^([^:]+):([^:]+)$/.exec(w);
      if (!op && range) return { op: ':', a: this.portNum(range[1]), b: this.portNum(range[2]) };
      const a = this.portNum(w);
      if (op) return { op, a };
      if (this.acceptOp('><')) return { op: '><', a, b: this.portNum(this.str()) };
      if (this.acceptOp('<>')) return { op: '<>', a, b: this.portNum(this.str()) };
      return { op: '=', a };
    };
    if (this.acceptOp('{')) {
      const l = [];
      this.skipNl();
      while (!this.acceptOp('}')) {
        l.push(one());
        this.acceptOp(',');
        this.skipNl();
      }
      return l;
    }
    return [one()];
  }

  portNum(w) {
    const n = names.portNumber(w);
    if (n === undefined) throw new Fail(`unknown port ${w}`, this.line());
    return n;
  }

  /** [from HOSTS [port P]] [to HOSTS [port P]] | all */
  hosts() {
    const r = { src: [{ type: 'any', neg: false }], srcPort: [null], dst: [{ type: 'any', neg: false }], dstPort: [null], os: null };
    if (this.accept('all')) return r;
    if (this.accept('from')) {
      r.src = this.isWord('port') ? r.src : this.hostList();
      if (this.accept('port')) r.srcPort = this.portList();
      if (this.accept('os')) r.os = this.str();
    }
    if (this.accept('to')) {
      r.dst = this.isWord('port') ? r.dst : this.hostList();
      if (this.accept('port')) r.dstPort = this.portList();
    }
    return r;
  }

  // ---- rules ---------------------------------------------------------------------
  logOpts() {
    if (!this.accept('log')) return null;
    const opts = [];
    if (this.acceptOp('(')) {
      while (!this.acceptOp(')')) {
        if (this.accept('all')) opts.push('all');
        else if (this.accept('user')) opts.push('user');
        else if (this.accept('matches')) opts.push('matches');
        else if (this.accept('to')) opts.push(`to ${this.str()}`);
        else this.fail();
        this.acceptOp(',');
      }
    }
    return opts;
  }

  routeOpts() {
    for (const k of ['route-to', 'reply-to', 'dup-to']) {
      if (!this.accept(k)) continue;
      const parts = [];
      const grab = () => {
        if (this.acceptOp('(')) {
          const inner = [];
          while (!this.acceptOp(')')) {
            if (this.atEnd()) this.fail();
            inner.push(this.next().v);
          }
          parts.push(`(${inner.filter((x) => x !== ',').join(' ')})`);
        } else parts.push(this.str());
      };
      if (this.acceptOp('{')) {
        const l = [];
        while (!this.acceptOp('}')) {
          grab();
          l.push(parts.pop());
          this.acceptOp(',');
        }
        parts.push(`{ ${l.join(', ')} }`);
      } else grab();
      return `${k} ${parts.join(' ')}`;
    }
    return null;
  }

  filterRule(action) {
    const r = { kind: 'filter', action };
    if (action === 'block') {
      const modes = ['drop', 'return-rst', 'return-icmp6', 'return-icmp', 'return'];
      const m = modes.find((x) => this.accept(x));
      if (m) {
        r.blockMode = m;
        if (this.acceptOp('(')) {
          const a = [];
          while (!this.acceptOp(')')) {
            if (this.atEnd()) this.fail();
            a.push(this.next().v);
          }
          r.blockModeArgs = a.join(' ');
        }
      }
    }
    if (this.accept('in')) r.dir = 'in';
    else if (this.accept('out')) r.dir = 'out';
    r.log = this.logOpts();
    r.quick = this.accept('quick');
    let ifaces = [null];
    if (this.accept('on')) ifaces = this.ifaceList();
    r.route = this.routeOpts();
    if (this.accept('inet')) r.af = 'inet';
    else if (this.accept('inet6')) r.af = 'inet6';
    let protos = [null];
    if (this.accept('proto')) protos = this.protoList();
    const h = this.hosts();
    r.os = h.os;
    r.opts = this.filterOpts();
    this.end();
    const rules = expand(r, { ifaces, protos, ...h }, this);
    this.rs.filter.push(...rules);
    for (const x of rules) this.out.verbose.push({ rule: x });
    return rules;
  }

  filterOpts() {
    const o = { extra: [] };
    for (;;) {
      if (this.accept('flags')) {
        if (this.accept('any')) {
          o.flags = 'any';
          continue;
        }
        let set = '';
        if (this.isWord()) set = this.next().v;
        this.expectOp('/');
        const mask = this.str();
        if (!/^[FSRPAUEW]*$/.test(set) || !/^[FSRPAUEW]+$/.test(mask)) this.fail();
        o.flags = `${set}/${mask}`;
      } else if (this.accept('keep') || this.accept('modulate') || this.accept('synproxy')) {
        o.state = this.toks[this.i - 1].v;
        this.expect('state');
        o.stateOpts = this.stateOpts();
      } else if (this.accept('no')) {
        this.expect('state');
        o.state = 'no';
      } else if (this.accept('icmp-type') || this.accept('icmp6-type')) {
        const v6 = this.toks[this.i - 1].v === 'icmp6-type';
        const one = () => {
          const w = this.str();
          const n = names.icmpType(w, v6);
          if (n === undefined) throw new Fail(`unknown icmp-type ${w}`, this.line());
          let code = null;
          if (this.accept('code')) code = this.str();
          return { type: n, code, v6 };
        };
        if (this.acceptOp('{')) {
          o.icmp = [];
          while (!this.acceptOp('}')) {
            o.icmp.push(one());
            this.acceptOp(',');
          }
        } else o.icmp = [one()];
      } else if (this.accept('label')) o.label = this.str();
      else if (this.accept('tag')) o.tag = this.str();
      else if (this.accept('tagged')) o.tagged = this.str();
      else if (this.isOp('!') && this.isWord('tagged', 1)) {
        this.i += 2;
        o.tagged = this.str();
        o.taggedNeg = true;
      } else if (this.accept('fragment')) o.fragment = true;
      else if (this.accept('allow-opts')) o.allowOpts = true;
      else if (this.accept('tos')) o.tos = this.str();
      else if (this.accept('rtable')) o.rtable = this.number();
      else if (this.accept('probability')) {
        const w = this.str();
        if (!/^\d+(\.\d+)?%?$/.test(w)) this.fail();
        o.probability = w.endsWith('%') ? w : `${w}%`;
      } else if (this.accept('queue')) {
        if (this.acceptOp('(')) {
          const a = [];
          while (!this.acceptOp(')')) {
            if (this.atEnd()) this.fail();
            const t = this.next();
            if (t.v !== ',') a.push(t.v);
          }
          o.queue = `(${a.join(', ')})`;
        } else o.queue = this.str();
      } else if (this.accept('user') || this.accept('group')) {
        const k = this.toks[this.i - 1].v;
        const one = () => {
          const op = ['=', '!=', '<', '<=', '>', '>='].find((x) => this.acceptOp(x));
          return `${op ?? '='} ${this.str()}`;
        };
        const l = [];
        if (this.acceptOp('{')) {
          while (!this.acceptOp('}')) {
            l.push(one());
            this.acceptOp(',');
          }
        } else l.push(one());
        o[k] = l[0];
      } else if (
        this.accept('max-mss') ||
        this.accept('min-ttl') ||
        this.accept('max-pkt-rate') ||
        this.accept('ridentifier') ||
        this.accept('dnpipe') ||
        this.accept('dnqueue')
      ) {
        o.extra.push(`${this.toks[this.i - 1].v} ${this.str()}`);
      } else if (this.accept('set')) {
        const k = this.str();
        if (k === 'prio' || k === 'tos') o.extra.push(`set ${k} ${this.str()}`);
        else this.fail();
      } else if (this.accept('prio')) o.extra.push(`prio ${this.number()}`);
      else if (this.accept('once')) o.extra.push('once');
      else if (this.accept('divert-to')) {
        const a = this.str();
        this.expect('port');
        o.extra.push(`divert-to ${a} port ${this.portNum(this.str())}`);
      } else if (this.accept('divert-reply')) o.extra.push('divert-reply');
      else if (this.accept('scrub')) {
        this.expectOp('(');
        const a = [];
        while (!this.acceptOp(')')) {
          if (this.atEnd()) this.fail();
          a.push(this.next().v);
        }
        o.extra.push(`scrub (${a.filter((x) => x !== ',').join(' ')})`);
      } else break;
    }
    return o;
  }

  stateOpts() {
    if (!this.acceptOp('(')) return [];
    const l = [];
    let cur = [];
    for (;;) {
      if (this.atEnd()) this.fail();
      const t = this.next();
      if (t.t === 'op' && t.v === ')') break;
      if (t.t === 'op' && t.v === ',') {
        if (cur.length) l.push(cur.join(' '));
        cur = [];
        continue;
      }
      if (t.t === 'op' && t.v === '<') {
        cur.push(`<${this.str()}>`);
        this.expectOp('>');
        continue;
      }
      if (t.t === 'op' && t.v === '/') {
        cur[cur.length - 1] += `/${this.str()}`;
        continue;
      }
      cur.push(t.v);
    }
    if (cur.length) l.push(cur.join(' '));
    const valid =
      /^(max|no-sync|source-track|max-src-nodes|max-src-states|max-src-conn|max-src-conn-rate|overload|if-bound|floating|sloppy|pflow|allow-related|[a-z]+\.[a-z.]+|adaptive\.(start|end))\b/;
    for (const x of l) if (!valid.test(x)) this.fail();
    return l;
  }

  scrub() {
    const r = { kind: 'scrub' };
    if (this.accept('in')) r.dir = 'in';
    else if (this.accept('out')) r.dir = 'out';
    r.log = this.logOpts();
    r.quick = this.accept('quick');
    let ifaces = [null];
    if (this.accept('on')) ifaces = this.ifaceList();
    if (this.accept('inet')) r.af = 'inet';
    else if (this.accept('inet6')) r.af = 'inet6';
    let protos = [null];
    if (this.accept('proto')) protos = this.protoList();
    const h = this.hosts();
    r.scrub = [];
    for (;;) {
      if (this.accept('no-df')) r.scrub.push('no-df');
      else if (this.accept('random-id')) r.scrub.push('random-id');
      else if (this.accept('min-ttl')) r.scrub.push(`min-ttl ${this.number()}`);
      else if (this.accept('max-mss')) r.scrub.push(`max-mss ${this.number()}`);
      else if (this.accept('set-tos')) r.scrub.push(`set-tos ${this.str()}`);
      else if (this.accept('reassemble')) {
        this.expect('tcp');
        r.scrub.push('reassemble tcp');
      } else if (this.accept('fragment')) {
        if (!(this.accept('reassemble') || this.accept('crop') || this.accept('drop-ovl'))) this.fail();
      } else if (this.acceptOp('(')) {
        while (!this.acceptOp(')')) {
          if (this.atEnd()) this.fail();
          this.next();
        }
      } else break;
    }
    r.opts = { extra: [] };
    this.end();
    const rules = expand(r, { ifaces, protos, ...h }, this);
    this.rs.scrub.push(...rules);
    for (const x of rules) this.out.verbose.push({ rule: x });
  }

  antispoof() {
    const log = this.logOpts();
    const quick = this.accept('quick');
    this.expect('for');
    const ifs = this.ifaceList();
    let af = null;
    if (this.accept('inet')) af = 'inet';
    else if (this.accept('inet6')) af = 'inet6';
    const label = this.accept('label') ? this.str() : null;
    this.end();
    for (const { name } of ifs) {
      const iface = (this.env.ifaces ?? []).find((x) => x.name === name);
      if (!iface) this.noAddress(name);
      const nets = [];
      for (const [a, list] of [
        ['inet', iface.inet ?? []],
        ['inet6', (iface.inet6 ?? []).filter((x) => !x.addr.includes('%'))],
      ]) {
        if (af && af !== a) continue;
        for (const x of list) nets.push({ af: a, addr: x.addr, prefix: x.prefix });
      }
      for (const n of nets) {
        const blockMode = this.rs.options.blockPolicy === 'return' ? 'return' : 'drop';
        const base = {
          kind: 'filter',
          action: 'block',
          blockMode,
          dir: 'in',
          log,
          quick,
          af: n.af,
          proto: null,
          srcPort: null,
          dstPort: null,
          opts: { extra: [], label: label ?? undefined },
        };
        const netAddr = { type: 'host', af: n.af, v: networkOf(n.addr, n.prefix, n.af), prefix: n.prefix, neg: false };
        const any = { type: 'any', neg: false };
        const full = n.af === 'inet' ? 32 : 128;
        this.rs.filter.push({ ...base, iface: { name, neg: true }, src: netAddr, dst: any });
        if (n.prefix !== full || name !== 'lo0') {
          if (name !== 'lo0')
            this.rs.filter.push({ ...base, src: { type: 'host', af: n.af, v: n.addr, prefix: full, neg: false }, dst: any });
        }
      }
    }
  }

  translation(kind, no) {
    const r = { kind, no };
    if (!no && this.accept('pass')) {
      r.pass = true;
      r.log = this.logOpts();
    }
    let ifaces = [null];
    if (this.accept('on')) ifaces = this.ifaceList();
    else if (kind === 'binat' || kind === 'nat' || kind === 'rdr') {
      /* pf allows nat without on */
    }
    if (this.accept('inet')) r.af = 'inet';
    else if (this.accept('inet6')) r.af = 'inet6';
    let protos = [null];
    if (this.accept('proto')) protos = this.protoList();
    const h = this.hosts();
    if (this.accept('tag')) r.tag = this.str();
    if (this.accept('tagged')) r.tagged = this.str();
    r.opts = { extra: [] };
    if (!no) {
      if (!this.acceptOp('->')) this.fail();
      r.target = this.redirTarget();
      if (this.accept('port')) {
        const a = this.str();
        const m = /^(\d+|\w[\w-]*)(?::(\d+|\*))?$/.exec(a);
        if (!m) this.fail();
        let tp = String(names.portNumber(m[1]) ?? this.fail(`unknown port ${m[1]}`));
        if (m[2]) tp += `:${m[2]}`;
        else if (this.isWord() && this.peek().v.startsWith(':')) tp += this.next().v;
        r.targetPort = tp;
      }
      r.pool = [];
      for (;;) {
        const k = ['static-port', 'bitmask', 'random', 'source-hash', 'round-robin', 'sticky-address', 'endpoint-independent'].find((x) =>
          this.accept(x),
        );
        if (!k) break;
        r.pool.push(k);
        if (
          k === 'source-hash' &&
          this.isWord() &&
          /^(0x[0-9a-f]+|[\w-]+)$/i.test(this.peek().v) &&
          !['sticky-address', 'static-port'].includes(this.peek().v)
        )
          r.pool[r.pool.length - 1] += ` ${this.next().v}`;
      }
      if (r.target.some((t) => t.type === 'dyn') && !r.pool.some((p) => /^(round-robin|random|source-hash|bitmask)/.test(p)))
        r.pool.unshift('round-robin');
    }
    this.end();
    if (kind === 'binat' && (h.src.length !== 1 || h.src[0].type !== 'host')) this.fail('binat source must be a single address'); // parse.y wording differs
    const rules = expand(r, { ifaces, protos, ...h }, this);
    this.rs[kind].push(...rules);
    for (const x of rules) this.out.verbose.push({ rule: x });
  }

  redirTarget() {
    if (this.acceptOp('{')) {
      const l = [];
      while (!this.acceptOp('}')) {
        l.push(...this.hostItem());
        this.acceptOp(',');
      }
      return l;
    }
    return this.hostItem();
  }

  anchorCall(kind) {
    const t = this.peek();
    let name = '';
    if (
      t.t === 'string' ||
      (t.t === 'word' && !['in', 'out', 'on', 'from', 'to', 'all', 'inet', 'inet6', 'proto', 'log', 'quick'].includes(t.v))
    ) {
      this.i++;
      name = t.v;
    }
    const r = { kind: 'anchor', call: kind, name };
    if (kind === 'anchor') {
      if (this.accept('in')) r.dir = 'in';
      else if (this.accept('out')) r.dir = 'out';
    }
    r.quick = kind === 'anchor' ? this.accept('quick') : false;
    let ifaces = [null];
    if (this.accept('on')) ifaces = this.ifaceList();
    if (this.accept('inet')) r.af = 'inet';
    else if (this.accept('inet6')) r.af = 'inet6';
    let protos = [null];
    if (this.accept('proto')) protos = this.protoList();
    const h = this.hosts();
    r.opts = kind === 'anchor' ? this.filterOpts() : { extra: [] };
    let inline = null;
    if (this.isOp('{')) {
      // inline ruleset: the rest of the text up to the matching brace, parsed as its own file
      this.i++;
      inline = [];
      let depth = 1;
      for (;;) {
        const x = this.next();
        if (x.t === 'eof') this.fail();
        if (x.t === 'op' && x.v === '{') depth++;
        if (x.t === 'op' && x.v === '}' && --depth === 0) break;
        inline.push(x);
      }
      if (!name) this.fail();
    }
    this.end();
    if (!name) this.fail();
    const path = (this.anchorPath ? `${this.anchorPath}/` : '') + name;
    if (inline) {
      const sub = (this.rs.anchors[name] ??= emptyRuleset());
      const text = tokensToText(inline);
      const outer = this.out.verbose;
      this.out.verbose = [];
      try {
        parseInto(text, this.file, { ...this.env, requireOrder: false }, this.out, sub, path, this.depth + 1);
      } finally {
        inline.verbose = this.out.verbose;
        this.out.verbose = outer;
      }
    } else if (!name.endsWith('*')) {
      this.rs.anchors[name] ??= emptyRuleset();
    } else {
      const parent = name.replace(/\/?\*$/, '');
      if (parent) this.rs.anchors[parent] ??= emptyRuleset();
    }
    const rules = expand(r, { ifaces, protos, ...h }, this);
    const list = kind === 'anchor' ? this.rs.filter : this.rs[kind.replace('-anchor', '')];
    list.push(...rules);
    for (const x of rules) this.out.verbose.push({ rule: x, inner: inline ? inline.verbose : null });
  }

  loadAnchor() {
    this.expect('anchor');
    const name = this.str();
    this.expect('from');
    const f = this.str();
    this.end();
    const text = this.env.readFile ? this.env.readFile(f) : null;
    if (text == null) throw new Fail(`\0pfctl: cannot open the main config file!: No such file or directory`, this.line());
    const sub = (this.rs.anchors[name] = emptyRuleset());
    parseInto(text, f, { ...this.env, requireOrder: false }, this.out, sub, name, this.depth + 1);
    this.out.verbose.push(`Loading anchor ${name} from ${f}`);
  }
}

/** Rebuild source text from tokens (inline anchor bodies), one statement per line. */
function tokensToText(toks) {
  const lines = [];
  let cur = [];
  for (const t of toks) {
    if (t.t === 'nl') {
      lines.push(cur.join(' '));
      cur = [];
      continue;
    }
    if (t.t === 'string') cur.push(JSON.stringify(t.v));
    else cur.push(t.v);
  }
  lines.push(cur.join(' '));
  return lines.join('\n') + '\n';
}

/** One rule per combination of the lists, skipping mixed address families (pfctl's expand_rule). */
function expand(r, lists, p) {
  const out = [];
  for (const iface of lists.ifaces)
    for (const proto of lists.protos)
      for (const src of lists.src)
        for (const sp of lists.srcPort) {
          for (const dst of lists.dst)
            for (const dp of lists.dstPort) {
              const afs = [r.af, src.af, dst.af, ...(r.target ?? []).map((t) => t.af)].filter(Boolean);
              if (new Set(afs).size > 1) continue;
              const rule = { ...r, iface, proto, src, srcPort: sp, dst, dstPort: dp, af: afs[0] ?? null };
              out.push(finish(rule, p));
            }
        }
  if (!out.length) throw new Fail('rule expands to no valid combination', p.line());
  return out;
}

/** pf's defaults and consistency checks (rule_consistent / filter_consistent). */
function finish(r, p) {
  const tcpish = r.proto === null || r.proto === 6;
  if ((r.srcPort || r.dstPort) && r.proto !== 6 && r.proto !== 17 && r.proto !== 132) {
    throw new Fail('port only applies to tcp/udp/sctp', p.line());
  }
  if (r.kind === 'filter' || r.kind === 'anchor') {
    const o = r.opts;
    if (o.flags && o.flags !== 'any' && !tcpish) throw new Fail('flags only apply to tcp', p.line());
    if (o.icmp && r.proto !== 1 && r.proto !== 58) throw new Fail('icmp-type only applies to icmp', p.line());
    if (r.kind === 'filter' && r.action === 'pass' && o.state === undefined) o.state = 'keep';
    if (r.kind === 'filter' && r.action === 'pass' && o.state !== 'no' && !o.flags && tcpish && !o.fragment) o.flags = 'S/SA';
    if (r.kind === 'filter' && r.action === 'block' && !r.blockMode)
      r.blockMode = p.rs.options.blockPolicy === 'return' || p.env.blockPolicy === 'return' ? 'return' : 'drop';
    for (const a of [r.src, r.dst]) if (a.type === 'table') p.useTable(a.name);
  }
  return r;
}

function ip4ToInt(a) {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}
function intToIp4(n) {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

function networkOf(addr, prefix, af) {
  if (af === 'inet6') return addr; // good enough for the lab: v6 networks are printed as configured
  const n = ip4ToInt(addr);
  const size = 2 ** (32 - prefix);
  return intToIp4(Math.floor(n / size) * size);
}

function broadcastOf(addr, prefix) {
  const size = 2 ** (32 - prefix);
  return intToIp4(Math.floor(ip4ToInt(addr) / size) * size + size - 1);
}

/** Address as pfctl prints it: hosts without /32 (/128), networks with /N. */
function formatAddr(a) {
  switch (a.type) {
    case 'any':
      return 'any';
    case 'noroute':
      return 'no-route';
    case 'urpf':
      return 'urpf-failed';
    case 'table':
      return `<${a.name}>`;
    case 'dyn':
      return `(${a.name}${a.mod ? `:${a.mod}` : ''})`;
    case 'range':
      return `${a.v} - ${a.to}`;
    default:
      return a.prefix === (a.af === 'inet6' ? 128 : 32) ? a.v : `${a.v}/${a.prefix}`;
  }
}

module.exports = { parse, emptyRuleset, formatAddr, ip4ToInt, networkOf };
