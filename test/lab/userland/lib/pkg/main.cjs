'use strict';
/**
 * pkg(8) (/usr/local/sbin/pkg, as on a host where pkg was bootstrapped) for lab hosts.
 * Global options: -j jail, -c chroot, -r rootdir, -v, -N, -d, -l (accepted), -o (ignored).
 * Commands: info, install (add), delete (remove), upgrade, update, version, query, rquery,
 * search, which, autoremove, clean, -v. See test/lab/README.md for what is emulated.
 */
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const db = require('./db.cjs');
const repo = require('./repo.cjs');
const jobs = require('./jobs.cjs');
const q = require('./query.cjs');
const { out, warn } = require('./output.cjs');

const PKG_VERSION = '1.21.3';

function capture(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

/** A jail's root and hostname, as `jls` reports them; null when there is no such jail. */
function findJail(name) {
  const p = capture('jls', ['-j', name, 'path']);
  if (!p || !p.trim()) return null;
  const host = (capture('jls', ['-j', name, 'host.hostname']) ?? '').trim();
  return { path: p.trim(), hostname: host || name };
}

/** getopt-style option parsing: returns { flags, values, rest }. */
function getopt(argv, withArg, allowed) {
  const flags = new Set();
  const values = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (withArg.includes(c)) {
        const v = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
        if (v === undefined) return { error: `option requires an argument -- ${c}` };
        values[c] = v;
        break;
      }
      if (!allowed.includes(c)) return { error: `illegal option -- ${c}` };
      flags.add(c);
    }
  }
  return { flags, values, rest: argv.slice(i) };
}

const matchMode = (f) => (f.has('x') ? 'regex' : f.has('g') ? 'glob' : 'exact');

function usage() {
  process.stderr.write(
    [
      'Usage: pkg [-v] [-d] [-l] [-N] [-j <jail name or id>|-c <chroot path>|-r <rootdir>] [-C <configuration file>] [-R <repo config dir>] [-o var=value] [-4|-6] <command> [<args>]',
      '',
      'Global options supported:',
      '\t-d             Increment debug level',
      '\t-j             Execute pkg(8) inside a jail(8)',
      '\t-r             Execute pkg(8) using relocating installation to <rootdir>',
      '\t-c             Execute pkg(8) inside a chroot(8)',
      '\t-C             Use the specified configuration file',
      '\t-R             Directory to search for individual repository configurations',
      '\t-l             List available commands and exit',
      '\t-v             Display pkg(8) version',
      '\t-N             Test if pkg(8) is activated and avoid auto-activation',
      '\t-o             Override configuration option from the command line',
      '\t-4             Only use IPv4',
      '\t-6             Only use IPv6',
      '',
      'Commands supported:',
      '\tautoremove     Removes orphan packages',
      '\tclean          Cleans old packages from the cache',
      '\tdelete         Deletes packages from the database and the system',
      '\tinfo           Displays information about installed packages',
      '\tinstall        Installs packages from remote package repositories and local archives',
      '\tquery          Queries information about installed packages',
      '\trquery         Queries information in repository catalogues',
      '\tsearch         Performs a search of package repository catalogues',
      '\tupdate         Updates package repository catalogues',
      '\tupgrade        Performs upgrades of packaged software distributions',
      '\tversion        Displays the versions of installed packages',
      '\twhich          Displays which package installed a specific file',
      '',
      "For more information on the different commands see 'pkg help <command>'.",
      '',
    ].join('\n'),
  );
  return 1;
}

async function run(argv) {
  const g = getopt(argv, 'jcrCRo', 'dlvN46');
  if (g.error) {
    warn(g.error);
    return usage();
  }
  const ctx = { root: '/', configRoot: '/', jailPrefix: '', yes: /^(yes|true|1|on)$/i.test(process.env.ASSUME_ALWAYS_YES ?? '') };
  if (g.flags.has('v') && g.rest.length === 0) {
    out(`${PKG_VERSION}\n`);
    return 0;
  }
  if (g.values.j) {
    const jail = findJail(g.values.j);
    if (!jail) {
      warn(`jail "${g.values.j}" not found`);
      return 1;
    }
    ctx.root = ctx.configRoot = jail.path;
    ctx.jailPrefix = `[${jail.hostname}] `;
  } else if (g.values.c) {
    ctx.root = ctx.configRoot = g.values.c;
  } else if (g.values.r) {
    ctx.root = g.values.r;
  }
  if (g.flags.has('N')) {
    if (!fs.existsSync(db.dbFile(ctx.root))) {
      warn('package database non-existent');
      return 1;
    }
    const n = Object.keys(db.load(ctx.root).packages).length;
    if (n === 0) {
      warn('no packages registered');
      return 1;
    }
    if (g.rest.length === 0) {
      warn(`${n} packages installed`);
      return 0;
    }
  }
  const [cmd, ...args] = g.rest;
  if (!cmd) return usage();
  switch (cmd) {
    case 'info': {
      const o = getopt(args, 'F', 'aAbBcCdDeEfgiIklLoOpqRrsSx');
      if (o.error) {
        warn(o.error);
        return 1;
      }
      return q.info(ctx, {
        names: o.rest,
        all: o.flags.has('a'),
        exists: o.flags.has('e'),
        quiet: o.flags.has('q') || o.flags.has('E'),
        match: matchMode(o.flags),
        list: o.flags.has('l'),
        deps: o.flags.has('d'),
        origin: o.flags.has('o'),
        comment: o.flags.has('I'),
        message: o.flags.has('D'),
        full: o.flags.has('f'),
      });
    }
    case 'install':
    case 'add': {
      const o = getopt(args, 'r', 'AfInFMqRUyCgix');
      if (o.error) {
        warn(o.error);
        return 1;
      }
      if (o.flags.has('y')) ctx.yes = true;
      return jobs.install(ctx, {
        names: o.rest,
        match: matchMode(o.flags),
        quiet: o.flags.has('q'),
        noUpdate: o.flags.has('U'),
        dryRun: o.flags.has('n'),
        force: o.flags.has('f'),
      });
    }
    case 'delete':
    case 'remove': {
      const o = getopt(args, '', 'aDfnqRyCgix');
      if (o.error) {
        warn(o.error);
        return 1;
      }
      if (o.flags.has('y')) ctx.yes = true;
      return jobs.remove(ctx, {
        names: o.rest,
        match: matchMode(o.flags),
        all: o.flags.has('a'),
        force: o.flags.has('f'),
        dryRun: o.flags.has('n'),
      });
    }
    case 'autoremove': {
      const o = getopt(args, '', 'nqy');
      if (o.flags?.has('y')) ctx.yes = true;
      return jobs.remove(ctx, { names: [], dryRun: o.flags?.has('n') }, { autoremove: true });
    }
    case 'upgrade': {
      const o = getopt(args, 'r', 'fFInqUyCgix');
      if (o.error) {
        warn(o.error);
        return 1;
      }
      if (o.flags.has('y')) ctx.yes = true;
      return jobs.upgrade(ctx, {
        names: o.rest,
        match: matchMode(o.flags),
        quiet: o.flags.has('q'),
        noUpdate: o.flags.has('U'),
        dryRun: o.flags.has('n'),
        force: o.flags.has('f'),
      });
    }
    case 'update': {
      const o = getopt(args, 'r', 'fq');
      if (o.error) {
        warn(o.error);
        return 1;
      }
      return (await repo.update(ctx, { force: o.flags.has('f'), quiet: o.flags.has('q') })) ? 0 : 1;
    }
    case 'version': {
      const o = getopt(args, 'lLSegx', 'hIoPqRUvnt');
      if (o.error) {
        warn(o.error);
        return 1;
      }
      const names = [o.values.e, o.values.g, o.values.x].filter(Boolean);
      return q.version(ctx, {
        test: o.flags.has('t') ? o.rest.slice(0, 2) : null,
        source: o.flags.has('I') ? 'index' : 'remote',
        limit: o.values.l,
        notLimit: o.values.L,
        verbose: o.flags.has('v'),
        origin: o.flags.has('o'),
        quiet: o.flags.has('q'),
        noUpdate: o.flags.has('U'),
        names,
        match: o.values.x ? 'regex' : o.values.g ? 'glob' : 'exact',
      });
    }
    case 'query':
    case 'rquery': {
      const o = getopt(args, 'eFr', 'aCgixU');
      if (o.error) {
        warn(o.error);
        return 1;
      }
      return q.query(
        ctx,
        { format: o.rest[0], names: o.rest.slice(1), all: o.flags.has('a'), match: matchMode(o.flags), noUpdate: o.flags.has('U') },
        cmd === 'rquery',
      );
    }
    case 'search': {
      const o = getopt(args, 'rSLQ', 'eUqCgix');
      if (o.error) {
        warn(o.error);
        return 1;
      }
      return q.search(ctx, { names: o.rest, exact: o.flags.has('e'), quiet: o.flags.has('q'), noUpdate: o.flags.has('U') });
    }
    case 'which': {
      const o = getopt(args, '', 'qgop');
      return q.which(ctx, { names: o.rest ?? [], quiet: o.flags?.has('q') });
    }
    case 'clean': {
      const dir = `${ctx.root.replace(/\/$/, '')}/var/cache/pkg`;
      const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
      if (files.length === 0) {
        out('Nothing to do.\n');
        return 0;
      }
      for (const f of files) fs.rmSync(`${dir}/${f}`, { force: true });
      out(`The cleanup will free ${files.length} files\nDeleting files: .......... done\nAll done\n`);
      return 0;
    }
    case 'help':
      return usage();
    default:
      warn(`unknown command: ${cmd}`);
      process.stderr.write("For more information on available commands and options see 'pkg help'.\n");
      return 1;
  }
}

async function main(argv) {
  process.exitCode = await run(argv);
}

module.exports = { main, getopt };
