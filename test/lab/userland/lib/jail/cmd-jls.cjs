'use strict';
/** jls(8): default, -v, -N, -n, -s, -h, -q, -j, -c, parameter lists, --libxo json. */
const state = require('./state.cjs');
const params = require('./params.cjs');

const USAGE = 'usage: jls [-dhNnqv] [-j jail] [param ...]\n';

function parseArgs(argv) {
  const o = { h: false, N: false, n: false, q: false, s: false, v: false, c: false, d: false, j: null, libxo: null, params: [] };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a.startsWith('--libxo')) {
      o.libxo = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++k];
      if (!o.libxo) throw new Error('usage');
      continue;
    }
    if (a === '--') {
      o.params.push(...argv.slice(k + 1));
      break;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let c = 1; c < a.length; c++) {
        const f = a[c];
        if (f === 'j') {
          o.j = a.slice(c + 1) || argv[++k];
          if (o.j === undefined) throw new Error('usage');
          break;
        }
        if ('hNnqsvcd'.includes(f)) {
          o[f] = true;
          continue;
        }
        process.stderr.write(`jls: illegal option -- ${f}\n`);
        throw new Error('usage');
      }
      continue;
    }
    o.params.push(a);
  }
  return o;
}

function quoted(s, always) {
  const str = String(s);
  if (str === '' || /[\s"'\\]/.test(str) || always === 'force') return `"${str.replace(/(["\\])/g, '\\$1')}"`;
  return str;
}

/** A parameter's value as jls prints it (list mode or name=value mode). */
function render(def, value, mode) {
  if (def.type === 'bool') {
    if (mode === 'nameval') {
      const dot = def.name.lastIndexOf('.');
      return value ? def.name : def.name.slice(0, dot + 1) + 'no' + def.name.slice(dot + 1);
    }
    return value ? 'true' : 'false';
  }
  const v = Array.isArray(value) ? value.join(',') : String(value);
  if (mode === 'nameval') return `${def.name}=${v === '' || /[\s"'\\]/.test(v) ? quoted(v) : v}`;
  if (v === '') return mode === 'quoted' ? '""' : '-';
  return mode === 'quoted' ? quoted(v) : v;
}

function main(argv) {
  let o;
  try {
    o = parseArgs(argv);
  } catch {
    process.stderr.write(USAGE);
    return 1;
  }
  let jails = state.listJails().filter((j) => state.alive(j.holder || 0) || !j.holder);
  if (o.j !== null) {
    const j = state.findJail(o.j);
    if (!j) {
      if (o.c) return 1;
      process.stderr.write(`jls: jail "${o.j}" not found\n`);
      return 1;
    }
    jails = [j];
  }
  if (o.c) return 0;
  const all = params.kernelParams(state.linuxLoaded());
  let wanted = o.params;
  const paramMode = wanted.length > 0 || o.n || o.s;
  if (paramMode && wanted.length === 0) wanted = all.filter((d) => !(o.s && d.ro)).map((d) => d.name);
  if (o.s) o.n = true;
  const defs = [];
  for (const w of wanted) {
    const d = all.find((x) => x.name === w) || all.find((x) => x.type === 'bool' && params.lookup(w, state.linuxLoaded())?.name === x.name);
    if (!d) {
      process.stderr.write(`jls: unknown parameter: ${w}\n`);
      return 1;
    }
    defs.push(d);
  }
  const json = o.libxo && /json/.test(o.libxo);
  const pretty = o.libxo && /pretty/.test(o.libxo);
  const write = (s) => process.stdout.write(s);

  if (json) {
    let rows;
    if (paramMode) rows = jails.map((j) => Object.fromEntries(defs.map((d) => [d.name, j.params[d.name]])));
    else if (o.v) {
      rows = jails.map((j) => ({
        jid: j.jid,
        hostname: j.params['host.hostname'],
        path: j.path,
        name: j.name,
        state: 'ACTIVE',
        cpusetid: j.params['cpuset.id'],
        ipv4_addrs: j.params['ip4.addr'],
        ipv6_addrs: j.params['ip6.addr'],
      }));
    } else
      rows = jails.map((j) => ({ jid: j.jid, ipv4: j.params['ip4.addr'][0] || '', hostname: j.params['host.hostname'], path: j.path }));
    const body = rows.map((r) => (pretty ? JSON.stringify(r, null, 2) : JSON.stringify(r))).join(pretty ? ',\n' : ',');
    write(
      pretty
        ? `{\n  "__version": "2", \n  "jail-information": {\n    "jail": [\n${body}\n    ]\n  }\n}\n`
        : `{"__version": "2", "jail-information": {"jail": [${body}]}}\n`,
    );
    return 0;
  }

  if (paramMode) {
    if (o.h) write(defs.map((d) => d.name).join(' ') + '\n');
    const mode = o.n ? 'nameval' : o.q ? 'quoted' : 'plain';
    for (const j of jails) write(defs.map((d) => render(d, j.params[d.name], mode)).join(' ') + '\n');
    return 0;
  }

  const pad = (s, n) => String(s).slice(0, n).padEnd(n);
  const idCol = (j) => (o.N ? `${pad(j.name, 15)} ` : `${String(j.jid).padStart(6)}  `);
  if (o.v) {
    write(o.N ? ' JID             Hostname                      Path\n' : '   JID  Hostname                      Path\n');
    write('        Name                          State\n        CPUSetID\n        IP Address(es)\n');
    for (const j of jails) {
      write(`${idCol(j)}${pad(j.params['host.hostname'], 29)} ${j.path.slice(0, 74)}\n`);
      write(`        ${pad(j.name, 29)} ACTIVE\n`);
      write(`        ${j.params['cpuset.id']}\n`);
      for (const a of [...j.params['ip4.addr'], ...j.params['ip6.addr']]) write(`        ${a}\n`);
    }
    return 0;
  }
  write(
    o.N
      ? ' JID             IP Address      Hostname                      Path\n'
      : '   JID  IP Address      Hostname                      Path\n',
  );
  for (const j of jails) {
    write(`${idCol(j)}${pad(j.params['ip4.addr'][0] || '', 15)} ${pad(j.params['host.hostname'], 29)} ${j.path.slice(0, 74)}\n`);
  }
  return 0;
}

module.exports = { main };
