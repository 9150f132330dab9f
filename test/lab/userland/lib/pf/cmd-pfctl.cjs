'use strict';
/**
 * pfctl(8), emulated (see test/lab/README.md, pf). Order of work as pfctl's main():
 * -d, -s, -F, -t/-T, -f, -e. Rulesets live in lab-pf state; pf.ko must be loaded
 * (kldload pf, or rc.d/pf's required_modules) for anything but -n.
 */
const fs = require('node:fs');
const { parse, emptyRuleset } = require('./parser.cjs');
const { ruleText } = require('./print.cjs');
const pfState = require('./state.cjs');
const lockout = require('./lockout.cjs');

const OPTSTRING = 'a:AdD:eqf:F:ghi:k:K:mMnNOo:Pp:rRs:St:T:vx:z';
const SHOW = [
  'ether',
  'nat',
  'queue',
  'rules',
  'Anchors',
  'Sources',
  'states',
  'info',
  'Interfaces',
  'labels',
  'timeouts',
  'memory',
  'Tables',
  'osfp',
  'Running',
  'all',
  'creatorids',
];
const CLEAR = ['ether', 'nat', 'queue', 'rules', 'Sources', 'states', 'info', 'Tables', 'osfp', 'all', 'gateways'];
const TBLCMD = ['kill', 'flush', 'add', 'delete', 'load', 'replace', 'show', 'test', 'zero', 'expire'];

class Exit extends Error {
  constructor(code) {
    super(`exit ${code}`);
    this.code = code;
  }
}

// Written synchronously: rc.d/pf pipes `pfctl -s info` into `grep -q`, which may close
// the pipe early (EPIPE must not crash pfctl, as it does not crash FreeBSD's).
function write(fd, s) {
  try {
    fs.writeSync(fd, s);
  } catch (e) {
    if (e.code !== 'EPIPE') throw e;
  }
}
const out = (s) => write(1, s);
const err = (s) => write(2, s);
function die(msg) {
  err(`pfctl: ${msg}\n`);
  throw new Exit(1);
}

function usage() {
  err(`usage: pfctl [-AdeghMmNnOPqRrvz] [-a anchor] [-D macro=value] [-F modifier]
	[-f file] [-i interface] [-K host | network]
	[-k host | network | gateway | label | id] [-o level] [-p device]
	[-s modifier] [-t table -T command [address ...]] [-x level]
`);
  throw new Exit(1);
}

/** BSD getopt(3): no permutation, clustered flags, "--". */
function getopt(argv) {
  const opts = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (let k = 1; k < a.length; k++) {
      const c = a[k];
      const at = OPTSTRING.indexOf(c);
      if (at < 0 || c === ':') {
        err(`pfctl: illegal option -- ${c}\n`);
        usage();
      }
      if (OPTSTRING[at + 1] === ':') {
        let v = a.slice(k + 1);
        if (!v) {
          if (i + 1 >= argv.length) {
            err(`pfctl: option requires an argument -- ${c}\n`);
            usage();
          }
          v = argv[++i];
        }
        opts.push([c, v]);
        break;
      }
      opts.push([c, null]);
    }
  }
  return { opts, rest: argv.slice(i) };
}

function lookup(list, arg, what) {
  const hit = list.find((x) => x.startsWith(arg));
  if (!arg || !hit) die(`Unknown ${what} modifier '${arg}'`);
  return hit;
}

function kernelIfaces() {
  try {
    const ifnet = require('/.sys/userland/lib/jail/ifnet.cjs');
    return ifnet.hostIfaces(ifnet.load());
  } catch {
    return [{ name: 'lo0', inet: [{ addr: '127.0.0.1', prefix: 8 }], inet6: [{ addr: '::1', prefix: 128 }] }];
  }
}

function pfLoaded() {
  try {
    return require('/.sys/userland/lib/jail/kld.cjs').isLoaded('pf');
  } catch {
    return true;
  }
}

function resolveName(name) {
  try {
    const res = [];
    for (const line of fs.readFileSync('/etc/hosts', 'utf8').split('\n')) {
      const f = line.replace(/#.*/, '').trim().split(/\s+/);
      if (f.length > 1 && f.slice(1).includes(name)) res.push(f[0]);
    }
    return res;
  } catch {
    return [];
  }
}

function readText(f) {
  try {
    return f === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(f, 'utf8');
  } catch {
    return null;
  }
}

/** Flatten a parsed ruleset's nested anchors into state.anchors under PREFIX. */
function flattenAnchors(rs, prefix, into) {
  for (const [name, sub] of Object.entries(rs.anchors ?? {})) {
    const p = prefix ? `${prefix}/${name}` : name;
    into[p] = { ...sub, anchors: {} };
    flattenAnchors(sub, p, into);
  }
}

function printVerbose(list, indent) {
  for (const v of list) {
    if (typeof v === 'string') {
      out(`${indent}${v}\n`);
      continue;
    }
    const t = ruleText(v.rule);
    if (v.inner) {
      out(`${indent}${t} {\n`);
      printVerbose(v.inner, `${indent}  `);
      out(`${indent}}\n`);
    } else out(`${indent}${t}\n`);
  }
}

function showStatus(st, verbose) {
  let line;
  if (st.enabled) {
    let s = Math.max(0, Math.floor(Date.now() / 1000) - st.since);
    const d = Math.floor(s / 86400);
    s %= 86400;
    const h = Math.floor(s / 3600);
    s %= 3600;
    const m = Math.floor(s / 60);
    s %= 60;
    const p = (n) => String(n).padStart(2, '0');
    line = `Status: Enabled for ${d} days ${p(h)}:${p(m)}:${p(s)}`;
  } else line = 'Status: Disabled';
  const debug = { none: 'None', urgent: 'Urgent', misc: 'Misc', loud: 'Loud' }[st.debug] ?? 'Urgent';
  out(`${line.padEnd(44)}${`Debug: ${debug}`.padStart(15)}\n\n`);
  if (verbose) out(`Hostid:   0x${(st.hostid ?? 0x4c61622d).toString(16).padStart(8, '0')}\nChecksum: 0x${'0'.repeat(32)}\n\n`);
  const runtime = st.enabled ? Math.floor(Date.now() / 1000) - st.since : 0;
  const rate = (n) => (runtime > 0 ? `${(n / runtime).toFixed(1).padStart(14)}/s` : ''.padStart(14));
  const row = (name, n) => `  ${name.padEnd(25)} ${String(n).padStart(14)} ${rate(n)}\n`;
  out(`${'State Table'.padEnd(27)} ${'Total'.padStart(14)} ${'Rate'.padStart(16)}\n`);
  out(`  ${'current entries'.padEnd(25)} ${String(0).padStart(14)}\n`);
  for (const c of ['searches', 'inserts', 'removals']) out(row(c, 0));
  out('Counters\n');
  for (const c of [
    'match',
    'bad-offset',
    'fragment',
    'short',
    'normalize',
    'memory',
    'bad-timestamp',
    'congestion',
    'ip-option',
    'proto-cksum',
    'state-mismatch',
    'state-insert',
    'state-limit',
    'src-limit',
    'synproxy',
    'map-failed',
  ])
    out(row(c, 0));
}

function rulesetAt(st, anchor) {
  if (!anchor) return st.main ?? emptyRuleset();
  return st.anchors[anchor] ?? null;
}

function main(argv) {
  try {
    return run(argv);
  } catch (e) {
    if (e instanceof Exit) return e.code;
    throw e;
  }
}

function run(argv) {
  const { opts, rest } = getopt(argv);
  if (!opts.length && !rest.length) usage();
  let anchor = '';
  let file = null;
  let show = null;
  let clear = [];
  let table = null;
  let tblcmd = null;
  let verbose = 0;
  let noaction = false;
  let quiet = false;
  let numeric = false;
  let enable = false;
  let disable = false;
  let debugLevel = null;
  const defines = {};
  for (const [c, v] of opts) {
    switch (c) {
      case 'a':
        anchor = v.replace(/\/+$/, '');
        break;
      case 'd':
        disable = true;
        break;
      case 'e':
        enable = true;
        break;
      case 'q':
        quiet = true;
        break;
      case 'f':
        file = v;
        break;
      case 'F':
        clear.push(lookup(CLEAR, v, 'flush'));
        break;
      case 'n':
        noaction = true;
        break;
      case 'P':
        numeric = true;
        break;
      case 's':
        if (show) usage();
        show = lookup(SHOW, v, 'show');
        break;
      case 't':
        table = v;
        break;
      case 'T':
        tblcmd = lookup(TBLCMD, v, 'table command');
        break;
      case 'v':
        verbose++;
        break;
      case 'x':
        debugLevel = v;
        break;
      case 'D': {
        const m = /^([^=]+)=(.*)$/.exec(v);
        if (!m) die(`could not parse macro definition ${v}`);
        defines[m[1]] = m[2];
        break;
      }
      default:
        break; // -A -g -h -i -k -K -m -M -N -O -o -p -r -R -S -z: accepted, no effect in the lab
    }
  }
  if (rest.length && !tblcmd) usage();
  if (tblcmd && !table) usage();

  const needDev = !noaction || show || clear.length || tblcmd || enable || disable;
  if (needDev && !(noaction && file && !show && !clear.length && !tblcmd && !enable && !disable)) {
    if (process.getuid && process.getuid() !== 0) die('/dev/pf: Permission denied');
    if (!pfLoaded()) die('/dev/pf: No such file or directory');
  }

  const st = pfState.load();
  let changed = false;
  let status = 0;

  if (disable) {
    if (!st.enabled) die('pf not enabled');
    st.enabled = false;
    st.since = 0;
    changed = true;
    if (!quiet) err('pf disabled\n');
  }

  if (debugLevel) {
    if (!['none', 'urgent', 'misc', 'loud'].includes(debugLevel)) usage();
    st.debug = debugLevel;
    changed = true;
  }

  if (show) {
    const rs = rulesetAt(st, anchor);
    const printRules = (kinds) => {
      if (!rs) {
        err('pfctl: DIOCGETRULES: Invalid argument\n');
        status = 1;
        return;
      }
      let n = 0;
      for (const k of kinds)
        for (const r of rs[k] ?? []) {
          out(`${verbose > 1 ? `@${n} ` : ''}${ruleText(r, numeric)}\n`);
          if (verbose) out('  [ Evaluations: 0         Packets: 0         Bytes: 0           States: 0     ]\n');
          if (verbose > 1) out(`  [ Inserted: uid 0 pid ${process.pid} State Creations: 0     ]\n`);
          n++;
        }
    };
    switch (show) {
      case 'rules':
        printRules(['scrub', 'filter']);
        break;
      case 'nat':
        printRules(['nat', 'rdr', 'binat']);
        break;
      case 'info':
        showStatus(st, verbose);
        break;
      case 'Running':
        out(st.enabled ? 'Enabled\n' : 'Disabled\n');
        if (!st.enabled) status = 1;
        break;
      case 'Tables': {
        if (!rs) {
          err('pfctl: Anchor does not exist.\n');
          status = 1;
          break;
        }
        for (const [name, t] of Object.entries(rs.tables ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          if (t.flags?.includes('persist') || t.referenced)
            out(
              verbose
                ? `${t.flags?.includes('persist') ? 'p' : '-'}${t.flags?.includes('const') ? 'c' : '-'}a-----\t${name}\n`
                : `${name}\n`,
            );
        }
        break;
      }
      case 'Anchors': {
        const base = anchor ? `${anchor}/` : '';
        for (const a of Object.keys(st.anchors).sort()) {
          if (!a.startsWith(base)) continue;
          const restName = a.slice(base.length);
          if (verbose || !restName.includes('/')) out(`  ${a}\n`);
        }
        break;
      }
      case 'all':
        out('TRANSLATION RULES:\n');
        printRules(['nat', 'rdr', 'binat']);
        out('\nFILTER RULES:\n');
        printRules(['scrub', 'filter']);
        out('\nSTATES:\n');
        out('\nINFO:\n');
        showStatus(st, verbose);
        out('\nTABLES:\n');
        for (const name of Object.keys(rs?.tables ?? {}).sort()) out(`${name}\n`);
        break;
      default:
        break; // states, Sources, queue, labels, timeouts, memory, osfp, Interfaces: nothing tracked
    }
  }

  for (const what of clear) {
    const scope = anchor ? (st.anchors[anchor] ??= emptyRuleset()) : (st.main ??= emptyRuleset());
    const doRules = () => {
      scope.scrub = [];
      scope.filter = [];
      if (!quiet) err('rules cleared\n');
    };
    const doNat = () => {
      scope.nat = [];
      scope.rdr = [];
      scope.binat = [];
      if (!quiet) err('nat cleared\n');
    };
    const doTables = () => {
      const n = Object.keys(scope.tables ?? {}).length;
      scope.tables = {};
      if (!quiet) err(`${n} tables deleted.\n`);
    };
    switch (what) {
      case 'rules':
        doRules();
        break;
      case 'nat':
        doNat();
        break;
      case 'Tables':
        doTables();
        break;
      case 'states':
        if (!quiet) err('0 states cleared\n');
        break;
      case 'Sources':
        if (!quiet) err('source tracking entries cleared\n');
        break;
      case 'info':
        if (!quiet) err('pf: statistics cleared\n');
        break;
      case 'ether':
        if (!quiet) err('Ethernet rules cleared\n');
        break;
      case 'all':
        doRules();
        doNat();
        doTables();
        if (!quiet) err('0 states cleared\nsource tracking entries cleared\npf: statistics cleared\npf: interface flags reset\n');
        break;
      default:
        break;
    }
    changed = true;
  }

  if (tblcmd) {
    const rs = anchor ? st.anchors[anchor] : (st.main ??= emptyRuleset());
    const t = rs?.tables?.[table];
    const addrs = rest;
    if (tblcmd === 'show') {
      if (!t) die('Table does not exist.');
      for (const a of t.addrs) out(`   ${a}\n`);
    } else if (tblcmd === 'add' || tblcmd === 'replace') {
      const tt = (rs.tables[table] ??= { flags: [], addrs: [], files: [], referenced: false });
      if (!tt.flags.includes('persist') && !tt.referenced) tt.flags.push('persist');
      if (tblcmd === 'replace') {
        const before = tt.addrs.length;
        tt.addrs = [...new Set(addrs)];
        if (!quiet) err(`${addrs.length} addresses added.\n${before} addresses deleted.\n`);
      } else {
        const add = addrs.filter((a) => !tt.addrs.includes(a));
        tt.addrs.push(...add);
        if (!quiet) err(`${add.length}/${addrs.length} addresses added.\n`);
      }
      changed = true;
    } else if (tblcmd === 'delete') {
      if (!t) die('Table does not exist.');
      const del = addrs.filter((a) => t.addrs.includes(a));
      t.addrs = t.addrs.filter((a) => !addrs.includes(a));
      if (!quiet) err(`${del.length}/${addrs.length} addresses deleted.\n`);
      changed = true;
    } else if (tblcmd === 'flush') {
      if (!t) die('Table does not exist.');
      if (!quiet) err(`${t.addrs.length} addresses deleted.\n`);
      t.addrs = [];
      changed = true;
    } else if (tblcmd === 'kill') {
      if (!t) die('Table does not exist.');
      delete rs.tables[table];
      if (!quiet) err('1 table deleted.\n');
      changed = true;
    } else if (tblcmd === 'test') {
      if (!t) die('Table does not exist.');
      const hits = addrs.filter((a) => t.addrs.includes(a));
      if (!quiet) err(`${hits.length}/${addrs.length} addresses match.\n`);
      if (hits.length !== addrs.length) status = 1;
    }
  }

  if (file) {
    const text = readText(file);
    if (text === null) {
      err(`pfctl: cannot open the main config file!: No such file or directory\n`);
      if (!noaction) err('pfctl: Syntax error in config file: pf rules not loaded\n');
      return finish(st, changed, 1);
    }
    const name = file === '-' ? 'stdin' : file;
    const ifaces = kernelIfaces();
    const res = parse(
      Object.entries(defines)
        .map(([k, v]) => `${k} = "${v}"\n`)
        .join('') + text,
      { file: name, env: { ifaces, resolve: resolveName, readFile: readText }, anchor },
    );
    if (Object.keys(defines).length) {
      // -D lines were prepended: shift line numbers back
      const shift = Object.keys(defines).length;
      res.errors = res.errors.map((e) => e.replace(new RegExp(`^${escapeRe(name)}:(\\d+):`), (_, n) => `${name}:${Number(n) - shift}:`));
    }
    if (res.errors.length) {
      for (const e of res.errors) err(`${e}\n`);
      if (!noaction) err('pfctl: Syntax error in config file: pf rules not loaded\n');
      return finish(st, changed, 1);
    }
    if (verbose) printVerbose(res.verbose, '');
    if (!noaction) {
      if (anchor) {
        const rs = res.ruleset;
        const prev = st.anchors[anchor];
        st.anchors[anchor] = { ...rs, options: prev?.options ?? {}, anchors: {} };
        flattenAnchors(rs, anchor, st.anchors);
      } else {
        const rs = res.ruleset;
        if (rs.options.debug) st.debug = rs.options.debug;
        st.main = { ...rs, anchors: {} };
        flattenAnchors(rs, '', st.anchors);
      }
      changed = true;
    }
  }

  if (enable) {
    if (st.enabled) {
      finish(st, changed, 0);
      die('pf already enabled');
    }
    st.enabled = true;
    st.since = Math.floor(Date.now() / 1000);
    changed = true;
    if (!quiet) err('pf enabled\n');
  }

  return finish(st, changed, status);
}

function finish(st, changed, status) {
  if (changed) {
    lockout.apply(st, kernelIfaces());
    pfState.save(st);
  }
  return status;
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

module.exports = { main, getopt };
