'use strict';
/** pkg info, pkg version, pkg query / rquery, pkg search, pkg which. */
const fs = require('node:fs');
const path = require('node:path');
const db = require('./db.cjs');
const repo = require('./repo.cjs');
const { versionCmp } = require('./version.cjs');
const { matchNames } = require('./jobs.cjs');
const { out, warn, humanSize } = require('./output.cjs');

const nv = (p) => `${p.name}-${p.version}`;
/** The list format of pkg info / pkg search: name-version in 30 columns, a space, the comment. */
const listLine = (p) => `${nv(p).padEnd(30)} ${p.comment}\n`;

function flatSize(n) {
  if (n < 1024) return `${n.toFixed(2)}B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let i = -1;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)}${units[i]}`;
}

function fullInfo(p) {
  const row = (k, v) => `${k.padEnd(15)}: ${v}\n`;
  let s = `${nv(p)}\n`;
  s += row('Name', p.name) + row('Version', p.version);
  s += row(
    'Installed on',
    new Date((p.timestamp ?? 0) * 1000).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) (\S+) GMT$/, '$1 $3 $2 $5 $4 UTC'),
  );
  s += row('Origin', p.origin) + row('Architecture', p.abi ?? 'FreeBSD:14:amd64') + row('Prefix', p.prefix ?? '/usr/local');
  s +=
    row('Categories', (p.categories ?? []).join(' ')) + row('Licenses', (p.licenses ?? []).join(p.licenselogic === 'or' ? ' or ' : ' & '));
  s += row('Maintainer', p.maintainer) + row('WWW', p.www) + row('Comment', p.comment);
  const ann = Object.entries(p.annotations ?? {});
  if (ann.length) {
    s += 'Annotations    :\n';
    const w = Math.max(...ann.map(([k]) => k.length));
    for (const [k, v] of ann.sort()) s += `\t${k.padEnd(w)}: ${v}\n`;
  }
  s += row('Flat size', flatSize(p.flatsize ?? 0));
  s += `Description    :\n${p.desc ?? ''}\n`;
  return s;
}

function info(ctx, opts) {
  const state = db.load(ctx.root);
  const all = db.sorted(state);
  const versionOf = (n) => state.packages[n].version;
  if (opts.all || opts.names.length === 0) {
    if (opts.exists) return all.length ? 0 : 1;
    for (const p of all) out(opts.quiet ? `${nv(p)}\n` : (detail(p, opts) ?? listLine(p)));
    return 0;
  }
  let rc = 0;
  for (const pattern of opts.names) {
    const found = matchNames(
      all.map((p) => p.name),
      pattern,
      opts.match,
      versionOf,
    ).map((n) => state.packages[n]);
    if (found.length === 0) {
      if (!opts.exists && !opts.quiet) warn(`No package(s) matching ${pattern}`);
      rc = 1;
      continue;
    }
    if (opts.exists) continue;
    for (const p of found) {
      const d = detail(p, opts);
      if (d !== null) out(d);
      else if (opts.quiet || opts.match !== 'exact') out(`${nv(p)}\n`);
      else out(fullInfo(p));
    }
  }
  return rc;
}

/** The -l, -d, -r, -o, -I, -D, -f views; null when none was asked for. */
function detail(p, opts) {
  if (opts.full) return fullInfo(p);
  if (opts.list)
    return `${nv(p)}:\n${Object.keys(p.files ?? {})
      .sort()
      .map((f) => `\t${f}\n`)
      .join('')}`;
  if (opts.deps)
    return `${nv(p)}:\n${Object.entries(p.deps ?? {})
      .map(([n, d]) => `\t${n}-${d.version}\n`)
      .join('')}`;
  if (opts.origin) return `${nv(p).padEnd(30)} ${p.origin}\n`;
  if (opts.comment) return listLine(p);
  if (opts.message) return (p.messages ?? []).map((m) => `${nv(p)}:\nOn install:\n${m.message}\n`).join('');
  return null;
}

async function version(ctx, opts) {
  if (opts.test) {
    const c = versionCmp(opts.test[0], opts.test[1]);
    out(`${c < 0 ? '<' : c > 0 ? '>' : '='}\n`);
    return 0;
  }
  const major = /FreeBSD:(\d+)/.exec(require('./config.cjs').abiOf(ctx.root))[1];
  if (opts.source === 'index') {
    const index = path.join(ctx.root, `usr/ports/INDEX-${major}`);
    if (!fs.existsSync(index)) {
      warn(`Unable to open INDEX file: /usr/ports/INDEX-${major}`);
      return 1;
    }
  }
  if (!opts.noUpdate && !(await repo.update(ctx, { quiet: opts.quiet }))) return 1;
  const cat = repo.catalogue(ctx);
  const state = db.load(ctx.root);
  let pkgs = db.sorted(state);
  if (opts.names.length) {
    const sel = new Set(
      opts.names.flatMap((pat) =>
        matchNames(
          pkgs.map((p) => p.name),
          pat,
          opts.match,
          (n) => state.packages[n].version,
        ),
      ),
    );
    pkgs = pkgs.filter((p) => sel.has(p.name));
  }
  for (const p of pkgs) {
    const r = cat.get(p.name);
    const key = !r ? '?' : ['<', '=', '>'][versionCmp(p.version, r.version) + 1];
    if (opts.limit && key !== opts.limit) continue;
    if (opts.notLimit && key === opts.notLimit) continue;
    const label = opts.origin ? p.origin : nv(p);
    // pkg prints name-version then max(1, 35 - length) spaces, or the origin as %-34s and a space
    let line = opts.origin ? `${label.padEnd(34)} ${key}` : `${label}${' '.repeat(Math.max(1, 35 - label.length))}${key}`;
    if (opts.verbose) {
      if (key === '<') line += `   needs updating (remote has ${r.version})`;
      else if (key === '=') line += '   up-to-date with remote';
      else if (key === '>') line += `   succeeds remote (remote has ${r.version})`;
      else line += `   orphaned: ${p.origin}`;
    }
    out(`${line}\n`);
  }
  return 0;
}

/** pkg query / rquery FORMAT: %n %v %o %c %p %m %w %q %a %sh %sb %t %R. */
function formatQuery(fmt, p) {
  return fmt
    .replace(/%(sh|sb|[nvocpmwqatR%])/g, (_, k) => {
      switch (k) {
        case 'n':
          return p.name;
        case 'v':
          return p.version;
        case 'o':
          return p.origin;
        case 'c':
          return p.comment;
        case 'p':
          return p.prefix ?? '/usr/local';
        case 'm':
          return p.maintainer;
        case 'w':
          return p.www;
        case 'q':
          return p.abi ?? '';
        case 'a':
          return p.automatic ? '1' : '0';
        case 't':
          return String(p.timestamp ?? 0);
        case 'R':
          return p.repo ?? p.annotations?.repository ?? 'unknown-repository';
        case 'sh':
          return humanSize(p.flatsize ?? 0);
        case 'sb':
          return String(p.flatsize ?? 0);
        default:
          return '%';
      }
    })
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t');
}

async function query(ctx, opts, remote) {
  if (!opts.format) {
    process.stderr.write(`Usage: pkg ${remote ? 'r' : ''}query <query-format> <pkg-name>\n`);
    return 1;
  }
  let pkgs;
  if (remote) {
    if (!opts.noUpdate && !(await repo.update(ctx, { quiet: true }))) return 1;
    pkgs = [...repo.catalogue(ctx).values()].sort((a, b) => a.name.localeCompare(b.name, 'en'));
  } else pkgs = db.sorted(db.load(ctx.root));
  let rc = 0;
  if (!opts.all && opts.names.length) {
    const byName = new Map(pkgs.map((p) => [p.name, p]));
    const sel = [];
    for (const pat of opts.names) {
      const m = matchNames([...byName.keys()], pat, opts.match, (n) => byName.get(n).version);
      if (!m.length) rc = 1;
      sel.push(...m.map((n) => byName.get(n)));
    }
    pkgs = sel;
  } else if (!opts.all && !remote) {
    pkgs = pkgs.slice(0, 0);
    rc = 0;
  }
  for (const p of pkgs) out(`${formatQuery(opts.format, p)}\n`);
  return rc;
}

async function search(ctx, opts) {
  if (!opts.names.length) {
    process.stderr.write('Usage: pkg search [-eU] [-r repo] [-S search] [-L label] [-Q mod]... [-Cgix] <pkg-name>\n');
    return 1;
  }
  if (!opts.noUpdate && !(await repo.update(ctx, { quiet: true }))) return 1;
  const cat = [...repo.catalogue(ctx).values()].sort((a, b) => a.name.localeCompare(b.name, 'en'));
  let found = [];
  for (const pat of opts.names) {
    let re;
    if (opts.exact) re = new RegExp(`^${pat.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    else {
      try {
        re = new RegExp(pat, 'i');
      } catch {
        re = /$^/;
      }
    }
    found = found.concat(cat.filter((p) => re.test(p.name) || re.test(nv(p))));
  }
  if (!found.length) {
    out('No packages found matching ' + opts.names.join(' ') + '\n');
    return 1;
  }
  for (const p of found) out(opts.quiet ? `${nv(p)}\n` : listLine(p));
  return 0;
}

function which(ctx, opts) {
  const state = db.load(ctx.root);
  let rc = 0;
  for (const f of opts.names) {
    const abs = path.resolve(f);
    const owner = Object.values(state.packages).find((p) => Object.keys(p.files ?? {}).includes(abs));
    if (owner) out(opts.quiet ? `${nv(owner)}\n` : `${abs} was installed by package ${nv(owner)}\n`);
    else {
      out(`${abs} was not found in the database\n`);
      rc = 1;
    }
  }
  return rc;
}

module.exports = { info, version, query, search, which, listLine, fullInfo };
