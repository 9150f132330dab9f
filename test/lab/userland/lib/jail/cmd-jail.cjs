'use strict';
/** jail(8): -c / -m / -r / -R (and -cm, -rc) from jail.conf or command-line parameters. */
const fs = require('node:fs');
const { parseFile, ConfError } = require('./conf-parse.cjs');
const { resolveJails, cliParams, addParam } = require('./conf-resolve.cjs');
const state = require('./state.cjs');
const life = require('./lifecycle.cjs');
const { wildMatch } = require('./conf-resolve.cjs');

const USAGE = `usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]
            -[cmr] param=value ... [command=command ...]
       jail [-dqv] [-f conf_file] -[cmr] [jail]
       jail [-qv] [-f conf_file] -[rR] ['*' | jail ...]
       jail [-dhilqv] [-J jid_file] [-u username] [-U username]
            [-n jailname] [-s securelevel]
            path hostname ip[,...] command ...
`;

function usage() {
  process.stderr.write(USAGE);
  return 1;
}

function parseArgs(argv) {
  const o = { ops: new Set(), verbose: 0, quiet: false, printJid: false, conf: null, rest: [] };
  let k = 0;
  for (; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--') {
      k++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (let c = 1; c < a.length; c++) {
      const f = a[c];
      const val = () => {
        const v = a.slice(c + 1) || argv[++k];
        c = a.length;
        if (v === undefined) throw new Error('usage');
        return v;
      };
      switch (f) {
        case 'c':
        case 'm':
        case 'r':
        case 'R':
          o.ops.add(f);
          break;
        case 'v':
          o.verbose++;
          break;
        case 'q':
          o.quiet = true;
          break;
        case 'i':
          o.printJid = true;
          o.quiet = true;
          break;
        case 'f':
          o.conf = val();
          break;
        case 'p':
        case 'J':
        case 'u':
        case 'U':
        case 'n':
        case 's':
          val();
          break;
        case 'd':
        case 'l':
        case 'h':
        case 'C':
          break;
        default:
          process.stderr.write(`jail: illegal option -- ${f}\n`);
          throw new Error('usage');
      }
    }
  }
  o.rest = argv.slice(k);
  return o;
}

const isParamArg = (a) => a.includes('=');

/** Jails from the config: the default /etc/jail.conf, plus /etc/jail.conf.d/NAME.conf for a named jail missing there. */
function loadConf(file, names) {
  const files = [];
  if (file) files.push(file);
  else {
    if (fs.existsSync('/etc/jail.conf')) files.push('/etc/jail.conf');
    for (const n of names) if (n !== '*' && fs.existsSync(`/etc/jail.conf.d/${n}.conf`)) files.push(`/etc/jail.conf.d/${n}.conf`);
    if (files.length === 0) files.push('/etc/jail.conf');
  }
  const jails = [];
  const seen = new Set();
  for (const f of files) {
    for (const j of resolveJails(parseFile(f))) {
      if (seen.has(j.name)) continue;
      seen.add(j.name);
      jails.push(j);
    }
    if (!file && names.length && names.every((n) => seen.has(n))) break;
  }
  return jails;
}

function main(argv) {
  let o;
  try {
    o = parseArgs(argv);
  } catch {
    return usage();
  }
  const ops = o.ops;
  if (ops.size === 0 || (ops.has('c') && ops.has('R'))) return usage();
  if (process.getuid && process.getuid() !== 0 && !ops.has('r') && !ops.has('R')) {
    process.stderr.write('jail: jail_set: Operation not permitted\n');
    return 1;
  }
  const opts = { verbose: o.verbose, quiet: o.quiet, printJid: o.printJid };

  // Command-line jail: jail -c param=value ... [command=prog args...]
  if (o.rest.length && isParamArg(o.rest[0])) {
    const args = [];
    let command = null;
    for (let k = 0; k < o.rest.length; k++) {
      const a = o.rest[k];
      if (a.startsWith('command=')) {
        command = [a.slice(8), ...o.rest.slice(k + 1)];
        break;
      }
      args.push(a);
    }
    const list = [];
    const errors = [];
    for (const p of cliParams(args)) addParam(list, p, errors, '');
    const plist = list.map((p) => ({ name: p.name, values: p.values.map((parts) => parts.map((x) => x.text).join('')) }));
    if (command) plist.push({ name: 'command', values: command });
    const nameP = plist.find((p) => p.name === 'name');
    const name = nameP ? nameP.values.slice(-1)[0] : null;
    if (ops.has('m') && !ops.has('c')) {
      const key = name || (plist.find((p) => p.name === 'jid') || { values: [] }).values.slice(-1)[0];
      const j = key && state.findJail(key);
      if (!j) {
        process.stderr.write(`jail: "${key}" not found\n`);
        return 1;
      }
      return life.modifyJail(
        j,
        plist.filter((p) => p.name !== 'name' && p.name !== 'jid'),
        opts,
      );
    }
    if (ops.has('c') && ops.has('m') && name && state.findJail(name)) {
      return life.modifyJail(
        state.findJail(name),
        plist.filter((p) => p.name !== 'name'),
        opts,
      );
    }
    if (ops.has('r')) {
      const j = name && state.findJail(name);
      if (!j) {
        process.stderr.write(`jail: "${name}" not found\n`);
        return 1;
      }
      const rc = life.removeJail(j, opts);
      if (!ops.has('c')) return rc;
    }
    return life.createJail({ name, params: plist, cli: true }, opts);
  }

  // Named jails (or all) from jail.conf, optionally followed by extra parameters.
  const names = [];
  const extra = [];
  for (const a of o.rest) (names.length && isParamArg(a) ? extra : names).push(a);
  let conf;
  // Removing running jails works without a config file; creating needs one.
  const needConf = ops.has('c') || ops.has('m');
  try {
    conf = needConf || fs.existsSync(o.conf || '/etc/jail.conf') ? loadConf(o.conf, names) : [];
  } catch (e) {
    if (e instanceof ConfError) {
      if (needConf) {
        process.stderr.write(`jail: ${e.message}\n`);
        return 1;
      }
      conf = [];
    } else throw e;
  }
  let rc = 0;
  const extraParams = cliParams(extra).map((p) => ({
    name: p.name,
    values: p.values.map((parts) => parts.map((x) => x.text).join('')),
    append: p.append,
  }));
  const withExtra = (j) => {
    const list = j.params.map((p) => ({ ...p, values: p.values.slice() }));
    for (const e of extraParams) {
      const found = list.find((p) => p.name === e.name);
      if (found) found.values = e.append ? [...found.values, ...e.values] : e.values;
      else list.push({ name: e.name, values: e.values });
    }
    return list;
  };

  if (ops.has('r') || ops.has('R')) {
    let targets;
    if (names.length === 0 || names.includes('*')) {
      targets = names.includes('*')
        ? state.listJails().reverse()
        : conf
            .map((c) => state.findJail(c.name))
            .filter(Boolean)
            .reverse();
    } else {
      targets = [];
      for (const n of names) {
        const running = state.listJails().filter((j) => (n.includes('*') ? wildMatch(j.name, n) : j.name === n || String(j.jid) === n));
        if (running.length === 0) {
          if (!ops.has('c')) {
            process.stderr.write(`jail: "${n}" not found\n`);
            rc = 1;
          }
          continue;
        }
        targets.push(...running);
      }
    }
    for (const j of targets) {
      const fromConf = conf.find((c) => c.name === j.name);
      let internal = j.internal;
      if (fromConf) {
        try {
          internal = require('./params.cjs').validate(withExtra(fromConf), { linuxLoaded: state.linuxLoaded() }).internal;
        } catch {
          /* keep recorded */
        }
      }
      const r = life.removeJail(j, { ...opts, internal: ops.has('R') ? {} : internal, quiet: opts.quiet || ops.has('c') });
      if (ops.has('R')) {
        // -R runs no commands, mounts included; forget them only as records.
      }
      rc = rc || r;
    }
    if (!ops.has('c')) return rc;
  }

  const wanted =
    names.length === 0 || names.includes('*')
      ? conf.filter((c) => !c.name.includes('*'))
      : names
          .map((n) => {
            const c = conf.find((x) => x.name === n);
            if (!c) {
              process.stderr.write(`jail: "${n}" not found\n`);
              rc = 1;
            }
            return c;
          })
          .filter(Boolean);
  for (const j of wanted) {
    if (j.errors.length) {
      for (const e of j.errors) process.stderr.write(`jail: ${e}\n`);
      rc = 1;
      continue;
    }
    const existing = state.findJail(j.name);
    if (existing && ops.has('m')) {
      rc =
        life.modifyJail(
          existing,
          withExtra(j).filter(
            (p) =>
              !['name', 'jid', 'path'].includes(p.name) &&
              !p.name.startsWith('exec.') &&
              !p.name.startsWith('mount') &&
              p.name !== 'vnet.interface' &&
              p.name !== 'interface',
          ),
          opts,
        ) || rc;
      continue;
    }
    if (ops.has('m') && !ops.has('c')) {
      process.stderr.write(`jail: "${j.name}" not found\n`);
      rc = 1;
      continue;
    }
    if (existing && names.length === 0) continue;
    rc = life.createJail({ name: j.name, params: withExtra(j) }, opts) || rc;
  }
  return rc;
}

module.exports = { main };
