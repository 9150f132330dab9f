'use strict';
/**
 * pkg install / upgrade / delete / autoremove: plan the jobs, print pkg's summary, ask (or
 * take -y), fetch into ROOT/var/cache/pkg, then install/upgrade/deinstall in dependency
 * order with pkg's per-job lines ("[1/3] Installing curl-8.11.1...").
 */
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { get } = require('../release/http.cjs');
const db = require('./db.cjs');
const repo = require('./repo.cjs');
const { versionCmp } = require('./version.cjs');
const { out, warn, humanSize, dots } = require('./output.cjs');

/** Packages matching PATTERN among NAMES (exact name or name-version; -g glob; -x regex). */
function matchNames(names, pattern, mode, versionOf) {
  if (mode === 'regex') {
    let re;
    try {
      re = new RegExp(pattern);
    } catch {
      return [];
    }
    return names.filter((n) => re.test(n) || re.test(`${n}-${versionOf(n)}`));
  }
  if (mode === 'glob') {
    const re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    return names.filter((n) => re.test(n) || re.test(`${n}-${versionOf(n)}`));
  }
  return names.filter((n) => n === pattern || `${n}-${versionOf(n)}` === pattern);
}

/** pkg's yes/no question: -y / ASSUME_ALWAYS_YES answer yes; otherwise a line from stdin. */
function confirm(ctx, question) {
  if (ctx.yes) return true;
  out(`\n${question} [y/N]: `);
  const buf = Buffer.alloc(256);
  let line = '';
  try {
    for (;;) {
      const n = fs.readSync(0, buf, 0, 1, null);
      if (n <= 0) break;
      const c = buf.toString('utf8', 0, 1);
      if (c === '\n') break;
      line += c;
    }
  } catch {
    /* no answer */
  }
  return /^y/i.test(line.trim());
}

const jobPrefix = (ctx, i, n) => `${ctx.jailPrefix}[${i}/${n}] `;

function printSummary(plan, verb) {
  const total = plan.install.length + plan.upgrade.length + plan.remove.length;
  if (verb === 'delete') {
    out(`Deinstallation has been requested for the following ${total} packages (of 0 packages in the universe):\n\n`);
  } else {
    out(`The following ${total} package(s) will be affected (of 0 checked):\n\n`);
  }
  const byName = (a, b) => a.name.localeCompare(b.name, 'en');
  if (plan.remove.length) {
    out('Installed packages to be REMOVED:\n');
    for (const p of [...plan.remove].sort(byName)) out(`\t${p.name}: ${p.version}\n`);
    out('\n');
  }
  if (plan.install.length) {
    out('New packages to be INSTALLED:\n');
    for (const p of [...plan.install].sort(byName)) out(`\t${p.name}: ${p.version}\n`);
    out('\n');
  }
  if (plan.upgrade.length) {
    out('Installed packages to be UPGRADED:\n');
    for (const u of [...plan.upgrade].sort((a, b) => byName(a.to, b.to))) out(`\t${u.to.name}: ${u.from.version} -> ${u.to.version}\n`);
    out('\n');
  }
  if (plan.remove.length) out(`Number of packages to be removed: ${plan.remove.length}\n`);
  if (plan.install.length) out(`Number of packages to be installed: ${plan.install.length}\n`);
  if (plan.upgrade.length) out(`Number of packages to be upgraded: ${plan.upgrade.length}\n`);
  const delta =
    plan.install.reduce((s, p) => s + (p.flatsize ?? 0), 0) +
    plan.upgrade.reduce((s, u) => s + (u.to.flatsize ?? 0) - (u.from.flatsize ?? 0), 0) -
    plan.remove.reduce((s, p) => s + (p.flatsize ?? 0), 0);
  const download = [...plan.install, ...plan.upgrade.map((u) => u.to)].reduce((s, p) => s + (p.pkgsize ?? 0), 0);
  out('\n');
  if (verb === 'delete') {
    if (delta < 0) out(`The operation will free ${humanSize(-delta)}.\n`);
    return;
  }
  if (delta > 0) out(`The process will require ${humanSize(delta)} more space.\n`);
  else if (delta < 0) out(`The operation will free ${humanSize(-delta)}.\n`);
  if (download > 0) out(`${humanSize(download)} to be downloaded.\n`);
}

/** Downloads each package into ROOT/var/cache/pkg, checking its sha256 against the catalogue. */
async function fetchAll(ctx, pkgs) {
  const cache = path.join(ctx.root, 'var/cache/pkg');
  fs.mkdirSync(cache, { recursive: true });
  let i = 0;
  for (const p of pkgs) {
    i++;
    const file = path.join(cache, `${p.name}-${p.version}.pkg`);
    if (fs.existsSync(file) && sha256(fs.readFileSync(file)) === p.sum) continue;
    const url = `${p.repoUrl}/${p.repopath ?? p.path}`;
    let r;
    try {
      r = await get(url);
      if (r.status !== 200) throw new Error(r.statusText);
    } catch (e) {
      warn(`${url}: ${e.message}`);
      return false;
    }
    if (sha256(r.body) !== p.sum) {
      warn(`cached package ${p.name}-${p.version}: size mismatch, fetching from remote`);
      return false;
    }
    fs.writeFileSync(file, r.body);
    out(`${jobPrefix(ctx, i, pkgs.length)}Fetching ${p.name}-${p.version}.pkg: ${dots(false)}\n`);
  }
  return true;
}

const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

/** ===> Creating groups / users, as the ports' pkg scripts print them. */
function createUsersGroups(ctx, manifest) {
  const lab = manifest.lab ?? {};
  const etc = (f) => path.join(ctx.root, 'etc', f);
  const read = (f) => (fs.existsSync(etc(f)) ? fs.readFileSync(etc(f), 'utf8') : '');
  const has = (text, name) => text.split('\n').some((l) => l.split(':')[0] === name);
  if (lab.groups?.length) {
    out('===> Creating groups.\n');
    for (const g of lab.groups) {
      if (has(read('group'), g.name)) out(`Using existing group '${g.name}'.\n`);
      else {
        out(`Creating group '${g.name}' with gid '${g.gid}'.\n`);
        fs.appendFileSync(etc('group'), `${g.name}:*:${g.gid}:\n`);
      }
    }
  }
  if (lab.users?.length) {
    out('===> Creating users\n');
    for (const u of lab.users) {
      if (has(read('passwd'), u.name)) out(`Using existing user '${u.name}'.\n`);
      else {
        out(`Creating user '${u.name}' with uid '${u.uid}'.\n`);
        fs.appendFileSync(etc('passwd'), `${u.name}:*:${u.uid}:${u.gid}:${u.gecos}:${u.home}:${u.shell}\n`);
        if (fs.existsSync(etc('master.passwd')))
          fs.appendFileSync(etc('master.passwd'), `${u.name}:*:${u.uid}:${u.gid}::0:0:${u.gecos}:${u.home}:${u.shell}\n`);
        if (fs.existsSync(etc('shadow'))) fs.appendFileSync(etc('shadow'), `${u.name}:*:19000:0:99999:7:::\n`);
        // The port's plist owns the home to the user (postgresql's initdb, run as postgres, creates data16 in it).
        if (u.home !== '/nonexistent') {
          fs.mkdirSync(path.join(ctx.root, u.home), { recursive: true });
          fs.chownSync(path.join(ctx.root, u.home), u.uid, u.gid);
        }
      }
    }
  }
}

/** Extracts a package's files into the root; @sample files become FILE when FILE is absent. */
function extract(ctx, entry) {
  const file = path.join(ctx.root, 'var/cache/pkg', `${entry.name}-${entry.version}.pkg`);
  const manifest = JSON.parse(execFileSync('tar', ['-xOf', file, '+MANIFEST'], { encoding: 'utf8' }));
  createUsersGroups(ctx, manifest);
  execFileSync('tar', ['-xpf', file, '-C', ctx.root, '--exclude', '+COMPACT_MANIFEST', '--exclude', '+MANIFEST']);
  for (const s of manifest.lab?.samples ?? []) {
    const target = path.join(ctx.root, s);
    if (!fs.existsSync(target)) fs.copyFileSync(`${target}.sample`, target);
  }
  return manifest;
}

const KEEP_DIRS = new Set([
  'usr/local',
  'usr/local/bin',
  'usr/local/sbin',
  'usr/local/lib',
  'usr/local/etc',
  'usr/local/etc/rc.d',
  'usr/local/share',
  'usr/local/libexec',
]);

/** Removes a package's files (and directories it leaves empty under /usr/local). */
function removeFiles(ctx, installed) {
  for (const s of installed.lab?.samples ?? []) {
    const target = path.join(ctx.root, s);
    if (!fs.existsSync(target)) continue;
    let same = false;
    try {
      same = fs.readFileSync(target).equals(fs.readFileSync(`${target}.sample`));
    } catch {
      /* sample gone */
    }
    if (same) fs.rmSync(target, { force: true });
    else ctx.afterMessages.push(`You may need to manually remove ${s} if it is no longer needed.`);
  }
  for (const f of Object.keys(installed.files ?? {})) {
    const p = path.join(ctx.root, f);
    fs.rmSync(p, { force: true });
    let dir = path.dirname(f).slice(1);
    while (dir.startsWith('usr/local/') && !KEEP_DIRS.has(dir)) {
      try {
        fs.rmdirSync(path.join(ctx.root, dir));
      } catch {
        break;
      }
      dir = path.dirname(dir);
    }
  }
}

function record(ctx, state, manifest, automatic) {
  const { lab, ...rest } = manifest;
  state.packages[manifest.name] = {
    ...rest,
    lab,
    automatic,
    annotations: { ...(manifest.annotations ?? {}), repo_type: 'binary', repository: manifest.repo ?? 'FreeBSD' },
    timestamp: Math.floor(Date.now() / 1000),
  };
}

/** Dependency order: a package after the packages it depends on. */
function depOrder(entries, depsOf) {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const done = new Set();
  const order = [];
  const visit = (e) => {
    if (done.has(e.name)) return;
    done.add(e.name);
    for (const d of Object.keys(depsOf(e) ?? {})) if (byName.has(d)) visit(byName.get(d));
    order.push(e);
  };
  for (const e of entries) visit(e);
  return order;
}

/** Runs a plan of installs and upgrades (after the summary has been accepted). */
async function apply(ctx, state, plan) {
  const toFetch = [...plan.install, ...plan.upgrade.map((u) => u.to)].sort((a, b) => a.name.localeCompare(b.name, 'en'));
  if (!(await fetchAll(ctx, toFetch))) return 1;
  out('Checking integrity... done (0 conflicting)\n');
  const jobs = depOrder(toFetch, (e) => e.deps);
  const messages = [];
  let i = 0;
  for (const entry of jobs) {
    i++;
    const up = plan.upgrade.find((u) => u.to.name === entry.name);
    const pre = jobPrefix(ctx, i, jobs.length);
    ctx.afterMessages = [];
    if (up) {
      out(`${pre}Upgrading ${entry.name} from ${up.from.version} to ${entry.version}...\n`);
      removeFiles(ctx, up.from);
    } else {
      out(`${pre}Installing ${entry.name}-${entry.version}...\n`);
    }
    const manifest = extract(ctx, entry);
    out(`${pre}Extracting ${entry.name}-${entry.version}: ${dots(false)}\n`);
    for (const m of ctx.afterMessages) out(`${m}\n`);
    const automatic = up ? Boolean(up.from.automatic) : !ctx.requested.has(entry.name);
    record(ctx, state, { ...manifest, repo: entry.repo }, automatic);
    db.save(ctx.root, state);
    for (const m of manifest.messages ?? []) messages.push({ who: `${entry.name}-${entry.version}`, text: m.message });
  }
  if (messages.length) {
    out('=====\n');
    for (const m of messages) out(`Message from ${m.who}:\n\n--\n${m.text.replace(/\n?$/, '\n')}`);
  }
  return 0;
}

/** The installed packages that (transitively) depend on NAME. */
function reverseDeps(state, names) {
  const result = new Set(names);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of Object.values(state.packages)) {
      if (result.has(p.name)) continue;
      if (Object.keys(p.deps ?? {}).some((d) => result.has(d))) {
        result.add(p.name);
        grew = true;
      }
    }
  }
  return result;
}

async function install(ctx, args) {
  if (!args.names.length) return usageError('install');
  if (!args.noUpdate && !(await repo.update(ctx, { force: args.force && false, quiet: args.quiet }))) return 1;
  const cat = repo.catalogue(ctx);
  const state = db.load(ctx.root);
  const names = [...cat.keys()];
  const wanted = [];
  for (const pattern of args.names) {
    const found = matchNames(names, pattern, args.match, (n) => cat.get(n).version);
    if (found.length === 0) {
      warn(`No packages available to install matching '${pattern}' have been found in the repositories`);
      return 1;
    }
    wanted.push(...found);
  }
  ctx.requested = new Set(wanted);
  const plan = { install: [], upgrade: [], remove: [] };
  const planned = new Set();
  const add = (name, requested) => {
    if (planned.has(name)) return;
    const entry = cat.get(name);
    if (!entry) return;
    planned.add(name);
    const have = state.packages[name];
    if (have && !(requested && args.force) && versionCmp(have.version, entry.version) >= 0) {
      // installed and current: only its missing dependencies matter
    } else if (have) plan.upgrade.push({ from: have, to: entry });
    else plan.install.push(entry);
    for (const d of Object.keys(entry.deps ?? {}))
      if (!state.packages[d] || versionCmp(state.packages[d].version, cat.get(d)?.version ?? '0') < 0) add(d, false);
  };
  for (const n of wanted) add(n, true);
  if (plan.install.length + plan.upgrade.length === 0) {
    if (!args.quiet) out('The most recent versions of packages are already installed\n');
    return 0;
  }
  const unlock = db.lock(ctx.root);
  if (!unlock) {
    warn('Cannot get an advisory lock on a database, it is locked by another process');
    return 1;
  }
  try {
    printSummary(plan, 'install');
    if (args.dryRun) return 1;
    if (!confirm(ctx, 'Proceed with this action?')) return 1;
    return await apply(ctx, state, plan);
  } finally {
    unlock();
  }
}

async function upgrade(ctx, args) {
  if (!args.noUpdate && !(await repo.update(ctx, { quiet: args.quiet }))) return 1;
  const cat = repo.catalogue(ctx);
  const state = db.load(ctx.root);
  let installed = db.sorted(state);
  if (args.names.length) {
    const names = installed.map((p) => p.name);
    const sel = new Set(args.names.flatMap((pat) => matchNames(names, pat, args.match, (n) => state.packages[n].version)));
    installed = installed.filter((p) => sel.has(p.name));
  }
  const n = installed.length;
  if (!args.quiet) {
    out(`Checking for upgrades (${n} candidates): ${dots(false)}\n`);
    out(`Processing candidates (${n} candidates): ${dots(false)}\n`);
  }
  const plan = { install: [], upgrade: [], remove: [] };
  for (const p of installed) {
    const r = cat.get(p.name);
    if (r && (versionCmp(p.version, r.version) < 0 || args.force)) plan.upgrade.push({ from: p, to: r });
  }
  for (const u of [...plan.upgrade]) {
    for (const d of Object.keys(u.to.deps ?? {})) {
      if (!state.packages[d] && cat.get(d) && !plan.install.some((x) => x.name === d)) plan.install.push(cat.get(d));
    }
  }
  if (plan.upgrade.length + plan.install.length === 0) {
    if (!args.quiet) out('Checking integrity... done (0 conflicting)\nYour packages are up to date.\n');
    return 0;
  }
  ctx.requested = new Set(plan.upgrade.map((u) => u.to.name));
  const unlock = db.lock(ctx.root);
  if (!unlock) {
    warn('Cannot get an advisory lock on a database, it is locked by another process');
    return 1;
  }
  try {
    printSummary(plan, 'upgrade');
    if (args.dryRun) return 1;
    if (!confirm(ctx, 'Proceed with this action?')) return 1;
    return await apply(ctx, state, plan);
  } finally {
    unlock();
  }
}

async function remove(ctx, args, { autoremove = false } = {}) {
  const state = db.load(ctx.root);
  const names = Object.keys(state.packages);
  let selected = new Set();
  let missing = 0;
  if (autoremove) {
    // automatic packages nothing installed depends on (repeatedly)
    let changed = true;
    selected = new Set();
    while (changed) {
      changed = false;
      for (const p of Object.values(state.packages)) {
        if (!p.automatic || selected.has(p.name)) continue;
        const needed = Object.values(state.packages).some(
          (q) => !selected.has(q.name) && q.name !== p.name && Object.keys(q.deps ?? {}).includes(p.name),
        );
        if (!needed) {
          selected.add(p.name);
          changed = true;
        }
      }
    }
  } else if (args.all) {
    selected = new Set(names);
  } else {
    if (!args.names.length) return usageError('delete');
    for (const pattern of args.names) {
      const found = matchNames(names, pattern, args.match, (n) => state.packages[n].version);
      if (found.length === 0) {
        out(`No packages matched for pattern '${pattern}'\n\n`);
        missing++;
      }
      found.forEach((n) => selected.add(n));
    }
    if (!args.force) selected = reverseDeps(state, [...selected]);
  }
  out('Checking integrity... done (0 conflicting)\n');
  if (selected.size === 0) {
    if (missing) {
      out(`${missing} packages requested for removal: 0 locked, ${missing} missing\n`);
      return 1;
    }
    out('Nothing to do.\n');
    return 0;
  }
  const plan = { install: [], upgrade: [], remove: [...selected].map((n) => state.packages[n]) };
  const unlock = db.lock(ctx.root);
  if (!unlock) {
    warn('Cannot get an advisory lock on a database, it is locked by another process');
    return 1;
  }
  try {
    printSummary(plan, 'delete');
    if (args.dryRun) return 1;
    if (!confirm(ctx, 'Proceed with deinstalling packages?')) return 1;
    // dependents before their dependencies
    const order = depOrder(plan.remove, (e) => e.deps).reverse();
    let i = 0;
    for (const p of order) {
      i++;
      const pre = jobPrefix(ctx, i, order.length);
      ctx.afterMessages = [];
      out(`${pre}Deinstalling ${p.name}-${p.version}...\n`);
      removeFiles(ctx, p);
      out(`${pre}Deleting files for ${p.name}-${p.version}: ${dots(false)}\n`);
      for (const m of ctx.afterMessages) out(`${m}\n`);
      delete state.packages[p.name];
      db.save(ctx.root, state);
    }
    return 0;
  } finally {
    unlock();
  }
}

function usageError(cmd) {
  const lines = {
    install: 'Usage: pkg install [-AfInFMqRUy] [-r reponame] [-Cgix] <pkg-name> ...',
    delete: 'Usage: pkg delete [-DfnqRy] [-Cgix] <pkg-name> ...\n       pkg delete [-Dnqy] -a',
  };
  process.stderr.write(`${lines[cmd]}\n\nFor more information see 'pkg help ${cmd}'.\n`);
  return 1;
}

module.exports = { install, upgrade, remove, matchNames };
