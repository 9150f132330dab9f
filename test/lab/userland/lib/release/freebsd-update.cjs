'use strict';
/**
 * freebsd-update(8) for lab hosts: fetch, install, rollback, updatesready, cron, showconfig,
 * with -b basedir, -d workdir, -f conffile, -j jail, -s server, -F, --currently-running,
 * --not-running-from-cron; messages and exit codes of FreeBSD 14's freebsd-update.sh.
 *
 * The update server is the lab mirror: ServerName update.FreeBSD.org stands for
 * http://mirror.lab/pub/FreeBSD/updates (another name N for http://N/pub/FreeBSD/updates).
 * Its feed (see lib/release/content.cjs and test/lab/mirror/serve.cjs) lists, per file, the
 * hash at the announced patch level and the hashes of earlier levels. Like freebsd-update,
 * the release is taken from `uname -r` (the running kernel) unless --currently-running or
 * -j says otherwise, files absent from the root are left alone, and the working directory
 * (/var/db/freebsd-update, keyed by sha256 of the basedir) keeps fetched updates between
 * `fetch` and `install` and what `rollback` needs.
 */
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const content = require('./content.cjs');
const { get } = require('./http.cjs');

const SELF = '/usr/sbin/freebsd-update';
const PROG = 'freebsd-update';
const EX_TEMPFAIL = 75;

const out = (s) => fs.writeSync(1, s);

class Exit extends Error {
  constructor(code) {
    super(`exit ${code}`);
    this.code = code;
  }
}
const exit = (code) => {
  throw new Exit(code);
};

function usage() {
  out(`usage: ${PROG} [options] command ...

Options:
  -b basedir   -- Operate on a system mounted at basedir
                  (default: /)
  -d workdir   -- Store working files in workdir
                  (default: /var/db/freebsd-update/)
  -f conffile  -- Read configuration options from conffile
                  (default: /etc/freebsd-update.conf)
  -F           -- Force a fetch operation to proceed in the
                  case of an unfinished upgrade
  -j jail      -- Operate on the given jail specified by jid or name
  -k KEY       -- Trust an RSA key with SHA256 hash of KEY
  -r release   -- Target for upgrade (e.g., 13.2-RELEASE)
  -s server    -- Server from which to fetch updates
                  (default: update.FreeBSD.org)
  -t address   -- Mail output of cron command, if any, to address
                  (default: root)
  -v verbosity -- Verbosity level (debug, nostats, stats)
  --not-running-from-cron
               -- Run without a tty, for use by automated tools
  --currently-running release
               -- Update as if currently running this release
Commands:
  fetch        -- Fetch updates from server
  cron         -- Sleep rand(3600) seconds, fetch updates, and send an
                  email if updates were found
  upgrade      -- Fetch upgrades to FreeBSD version specified via -r option
  updatesready -- Check if there are fetched updates ready to install
  install      -- Install downloaded updates or upgrades
  rollback     -- Uninstall most recently installed updates
  IDS          -- Compare the system against an index of "known good" files
  showconfig   -- Show configuration
`);
  exit(0);
}

/** Runs CMD ARGS; stdout or '' when it fails or does not exist. */
function capture(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

function runningRelease() {
  if (process.env.UNAME_r) return process.env.UNAME_r;
  try {
    const m = /^KERN_OSRELEASE=(.*)$/m.exec(fs.readFileSync('/.lab/kernel', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    /* fall back to uname */
  }
  return capture('uname', ['-r']).trim();
}

function parseCmdline(argv) {
  const o = { conffile: '', commands: [], forcefetch: false, nottyok: false, cli: {} };
  const set = (k, v) => {
    if (o.cli[k] !== undefined) usage();
    o.cli[k] = v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const arg = () => {
      if (i + 1 >= argv.length) usage();
      return argv[++i];
    };
    switch (a) {
      case '-f':
        if (o.conffile) usage();
        o.conffile = arg();
        break;
      case '-F':
        o.forcefetch = true;
        break;
      case '--not-running-from-cron':
        o.nottyok = true;
        break;
      case '--currently-running': {
        let r = argv[++i];
        if (r === undefined) usage();
        if (/^[0-9.]+$/.test(r)) r += '-RELEASE';
        o.unameR = r;
        break;
      }
      case '-b':
        set('BaseDir', arg());
        break;
      case '-d':
        set('WorkDir', arg());
        break;
      case '-j': {
        const jail = arg();
        const version = capture('freebsd-version', ['-j', jail]).trim();
        const jlsOut = capture('jls', ['-j', jail, '-h', 'path']).split('\n')[1]?.trim() ?? '';
        if (!jlsOut || !version) {
          out("The specified jail either doesn't exist or does not have freebsd-version.\n");
          exit(1);
        }
        set('BaseDir', jlsOut);
        o.unameR = version;
        break;
      }
      case '-k':
        set('KeyPrint', arg());
        break;
      case '-s':
        set('ServerName', arg());
        break;
      case '-r': {
        let r = arg();
        if (/^[0-9.]+$/.test(r)) r += '-RELEASE';
        set('TargetRelease', r);
        break;
      }
      case '-t':
        set('MailTo', arg());
        break;
      case '-v':
        set('VerboseLevel', arg());
        break;
      case '--debug':
        set('VerboseLevel', 'debug');
        break;
      case '--no-stats':
        set('VerboseLevel', 'nostats');
        break;
      case 'cron':
      case 'fetch':
      case 'upgrade':
      case 'updatesready':
      case 'install':
      case 'rollback':
      case 'IDS':
      case 'showconfig':
        o.commands.push(a);
        break;
      default:
        usage();
    }
  }
  if (o.commands.length === 0) usage();
  return o;
}

/** /etc/freebsd-update.conf: `Option value ...` lines; list options accumulate. */
function parseConffile(file, explicit) {
  const conf = {};
  if (!fs.existsSync(file) || !isReadable(file)) {
    if (explicit) {
      out(`File does not exist or is not readable: ${file}\n`);
      exit(1);
    }
    return conf;
  }
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const lists = new Set(['Components', 'IgnorePaths', 'IDSIgnorePaths', 'UpdateIfUnmodified', 'MergeChanges']);
  lines.forEach((line, idx) => {
    const words = line.split('#')[0].trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return;
    const [key, ...vals] = words;
    const known = [
      'KeyPrint',
      'WorkDir',
      'ServerName',
      'MailTo',
      'AllowAdd',
      'AllowDelete',
      'KeepModifiedMetadata',
      'BaseDir',
      'VerboseLevel',
      'StrictComponents',
      'BackupKernel',
      'BackupKernelDir',
      'BackupKernelSymbolFiles',
      'CreateBootEnv',
      'TargetRelease',
      ...lists,
    ];
    if (!known.includes(key) || (!lists.has(key) && conf[key] !== undefined)) {
      out(`Error processing configuration file, line ${idx + 1}:\n==> ${line}\n`);
      exit(1);
    }
    if (lists.has(key)) conf[key] = [...(conf[key] ?? []), ...vals];
    else conf[key] = vals[0];
  });
  return conf;
}

function isReadable(f) {
  try {
    fs.accessSync(f, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function getParams(argv) {
  const o = parseCmdline(argv);
  const conf = parseConffile(o.conffile || '/etc/freebsd-update.conf', Boolean(o.conffile));
  const defaults = {
    WorkDir: '/var/db/freebsd-update',
    MailTo: 'root',
    BaseDir: '/',
    VerboseLevel: 'stats',
    ServerName: undefined,
    Components: [],
  };
  const params = { ...defaults, ...conf, ...o.cli };
  params.WorkDir = params.WorkDir.replace(/\/+$/, '') || '/';
  return { ...o, params };
}

const bdhash = (basedir) => crypto.createHash('sha256').update(`${basedir}\n`).digest('hex');

function workdirOk(p) {
  try {
    if (fs.statSync(p.WorkDir).isDirectory()) {
      fs.accessSync(p.WorkDir, fs.constants.W_OK);
      return true;
    }
  } catch {
    /* below */
  }
  return false;
}

/** Checks shared by fetch and upgrade (fetchupgrade_check_params). Returns RELNUM and patch. */
function fetchupgradeCheck(ctx) {
  const p = ctx.params;
  if (!p.ServerName) {
    out(`${PROG}: SERVERNAME must be given via command line or configuration file.\n`);
    exit(1);
  }
  if (!p.KeyPrint) {
    out(`${PROG}: Key must be given via -k option or configuration file.\n`);
    exit(1);
  }
  if (!/^[0-9a-f]{64}$/.test(p.KeyPrint)) {
    out(`${PROG}: Invalid key fingerprint: ${p.KeyPrint}\n`);
    exit(1);
  }
  if (!workdirOk(p)) {
    out(`${PROG}: Directory does not exist or is not writable: ${p.WorkDir}\n`);
    exit(1);
  }
  const unameR = ctx.unameR ?? runningRelease();
  const relnum = unameR.replace(/-p[0-9]+/, '').replace(/-SECURITY/, '-RELEASE');
  if (!/-(RELEASE|ALPHA.*|BETA.*|RC.*)$/.test(relnum)) {
    out(
      [
        'Cannot upgrade from a version that is not a release',
        '(including alpha, beta and release candidates)',
        `using ${PROG}. Instead, FreeBSD can be directly`,
        'upgraded by source or upgraded to a RELEASE/RELENG version',
        `prior to running ${PROG}.`,
        `Currently running: ${relnum}`,
        '',
      ].join('\n'),
    );
    exit(1);
  }
  const px = /-p([0-9]+)$/.exec(unameR);
  return { relnum, relpx: px ? Number(px[1]) : 0, unameR };
}

function serverBase(name) {
  return /^update\.freebsd\.org$/i.test(name) ? 'http://mirror.lab/pub/FreeBSD/updates' : `http://${name}/pub/FreeBSD/updates`;
}

const installDir = (p) => path.join(p.WorkDir, `${bdhash(p.BaseDir)}-install`);
const rollbackDir = (p) => path.join(p.WorkDir, `${bdhash(p.BaseDir)}-rollback`);
const filesDir = (p) => path.join(p.WorkDir, 'files');
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

function finalizeComponents(ctx) {
  const comps = ctx.params.Components.length ? ctx.params.Components : ['src', 'world', 'kernel'];
  const kept = [];
  for (const c of comps) {
    if (c === 'src' && !fs.existsSync(path.join(ctx.params.BaseDir, 'usr/src/COPYRIGHT'))) out('src component not installed, skipped\n');
    else kept.push(c);
  }
  return kept;
}

async function cmdFetch(ctx, { quiet = false } = {}) {
  if (!quiet && !process.stdin.isTTY && !ctx.nottyok) {
    out(`${PROG} fetch should not be run non-interactively.\nRun ${PROG} cron instead.\n`);
    exit(1);
  }
  const { relnum, relpx } = fetchupgradeCheck(ctx);
  const p = ctx.params;
  if (p.TargetRelease) {
    out(`${PROG}: -r option is meaningless with 'fetch' command.  (Did you mean 'upgrade' instead?)\n`);
    exit(1);
  }
  const say = quiet ? () => {} : out;
  // finalize_components_config prints even in cron mode
  finalizeComponents(ctx);
  const base = `${serverBase(p.ServerName)}/${relnum}/amd64`;
  const official = /^update\.freebsd\.org$/i.test(p.ServerName);
  say(`Looking up ${p.ServerName} mirrors... ${official ? '3 mirrors found.' : 'none found.'}\n`);
  const mirrors = official ? shuffle(['update1.freebsd.org', 'update2.freebsd.org', 'update4.freebsd.org']) : [p.ServerName];

  // Metadata signature ("tag"): freebsd-update|ARCH|REL|PATCH|INDEXHASH|EOL
  let tag = null;
  for (const m of mirrors) {
    say(`Fetching metadata signature for ${relnum} from ${m}... `);
    try {
      const r = await get(`${base}/latest`);
      const line = r.body.toString().trim();
      if (
        r.status === 200 &&
        new RegExp(`^freebsd-update\\|amd64\\|${relnum.replace(/\./g, '\\.')}\\|[0-9]+\\|[0-9a-f]{64}\\|[0-9]{10}$`).test(line)
      ) {
        tag = line.split('|');
        say('done.\n');
        break;
      }
    } catch {
      /* failed */
    }
    say('failed.\n');
  }
  if (!tag) {
    say(
      [
        'No mirrors remaining, giving up.',
        '',
        `This may be because upgrading from this platform (amd64)`,
        `or release (${relnum}) is unsupported by ${PROG}. Only`,
        `platforms with Tier 1 support can be upgraded by ${PROG}.`,
        'See https://www.freebsd.org/platforms/index.html for more info.',
        '',
        'If unsupported, FreeBSD must be upgraded by source.',
        '',
      ].join('\n'),
    );
    exit(1);
  }
  const patch = Number(tag[3]);
  const indexHash = tag[4];
  if (patch < relpx) {
    say(
      `\nFiles on mirror (${relnum}-p${patch}) appear older than what\nwe are currently running (${ctx.unameR ?? runningRelease()})!\nCowardly refusing to proceed any further.\n`,
    );
    exit(1);
  }
  say('Fetching metadata index... ');
  let index;
  try {
    const r = await get(`${base}/t/${indexHash}`);
    if (r.status !== 200) throw new Error('failed');
    if (sha256(r.body) !== indexHash) {
      say('update metadata index corrupt.\n');
      exit(1);
    }
    index = content.parseFeedIndex(r.body.toString());
  } catch (e) {
    if (e instanceof Exit) throw e;
    say('failed.\n');
    exit(1);
  }
  say('done.\n');
  const seenTag = path.join(p.WorkDir, 'tag');
  const previous = fs.existsSync(seenTag) ? fs.readFileSync(seenTag, 'utf8').trim() : '';
  if (previous !== tag.join('|')) say('Fetching 2 metadata files... done.\n');
  fs.writeFileSync(seenTag, tag.join('|') + '\n');

  say('Inspecting system... ');
  const updates = [];
  for (const e of index) {
    const target = path.join(p.BaseDir, e.path);
    let st;
    try {
      st = fs.lstatSync(target);
    } catch {
      continue;
    } // not installed: left alone
    let cur = null;
    if (st.isFile()) cur = sha256(fs.readFileSync(target));
    if (cur === e.hash && (st.mode & 0o7777) === parseInt(e.mode, 8)) continue;
    updates.push({ path: e.path, mode: e.mode, hash: e.hash, oldHash: cur });
  }
  say('done.\n');
  say('Preparing to download files... ');
  say('done.\n');
  const dir = installDir(p);
  fs.rmSync(dir, { recursive: true, force: true });
  if (updates.length === 0) {
    say(`\nNo updates needed to update system to ${relnum}-p${patch}.\n`);
    ctx.isfetched = true;
    return;
  }
  const need = [...new Set(updates.map((u) => u.hash))].filter((h) => !fs.existsSync(path.join(filesDir(p), h)));
  fs.mkdirSync(filesDir(p), { recursive: true });
  if (need.length > 0) {
    say(`Fetching ${need.length} files... `);
    for (const h of need) {
      let body;
      try {
        const r = await get(`${base}/f/${h}`);
        if (r.status !== 200) throw new Error('failed');
        body = r.body;
      } catch {
        say('failed.\n');
        exit(1);
      }
      if (sha256(body) !== h) {
        say(`${h} has incorrect hash.\n`);
        exit(1);
      }
      fs.writeFileSync(path.join(filesDir(p), h), body);
    }
    say('done.\n');
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ basedir: p.BaseDir, release: relnum, patch, updates }, null, 1));
  say(`\nThe following files will be updated as part of updating to\n${relnum}-p${patch}:\n`);
  for (const u of updates.map((x) => x.path).sort()) say(`${u}\n`);
  ctx.isfetched = true;
}

function shuffle(a) {
  const start = Math.floor(Math.random() * a.length);
  return [...a.slice(start), ...a.slice(0, start)];
}

/** Writes DATA to FILE atomically with MODE (files on a live system may be in use). */
function replaceFile(file, data, mode) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.freebsd-update.${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

function installCheck(ctx) {
  const p = ctx.params;
  if (process.getuid && process.getuid() !== 0) {
    out('You must be root to run this.\n');
    exit(1);
  }
  if (!workdirOk(p)) {
    out(`${PROG}: Directory does not exist or is not writable: ${p.WorkDir}\n`);
    exit(1);
  }
  const manifest = path.join(installDir(p), 'manifest.json');
  if (!fs.existsSync(manifest)) {
    out('No updates are available to install.\n');
    if (!ctx.isfetched) {
      out(`Run '${SELF} fetch' first.\n`);
      exit(1);
    }
    exit(0);
  }
  return JSON.parse(fs.readFileSync(manifest, 'utf8'));
}

function cmdInstall(ctx) {
  const p = ctx.params;
  const m = installCheck(ctx);
  out('Installing updates...');
  const rollback = [];
  for (const u of m.updates) {
    const target = path.join(p.BaseDir, u.path);
    let old = null;
    try {
      const st = fs.lstatSync(target);
      if (st.isFile()) {
        const data = fs.readFileSync(target);
        old = { hash: sha256(data), mode: (st.mode & 0o7777).toString(8) };
        fs.writeFileSync(path.join(filesDir(p), old.hash), data);
      }
    } catch {
      /* not there */
    }
    replaceFile(target, fs.readFileSync(path.join(filesDir(p), u.hash)), parseInt(u.mode, 8));
    rollback.push({ path: u.path, old });
  }
  fs.rmSync(rollbackDir(p), { recursive: true, force: true });
  fs.mkdirSync(rollbackDir(p), { recursive: true });
  fs.writeFileSync(
    path.join(rollbackDir(p), 'manifest.json'),
    JSON.stringify({ basedir: p.BaseDir, release: m.release, patch: m.patch, rollback }, null, 1),
  );
  fs.rmSync(installDir(p), { recursive: true, force: true });
  out(' done.\n');
}

function cmdRollback(ctx) {
  const p = ctx.params;
  if (process.getuid && process.getuid() !== 0) {
    out('You must be root to run this.\n');
    exit(1);
  }
  if (!workdirOk(p)) {
    out(`${PROG}: Directory does not exist or is not writable: ${p.WorkDir}\n`);
    exit(1);
  }
  const manifest = path.join(rollbackDir(p), 'manifest.json');
  if (!fs.existsSync(manifest)) {
    out('No rollback directory found.\n');
    exit(1);
  }
  const m = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  out('Uninstalling updates...');
  for (const r of m.rollback) {
    const target = path.join(p.BaseDir, r.path);
    if (r.old) replaceFile(target, fs.readFileSync(path.join(filesDir(p), r.old.hash)), parseInt(r.old.mode, 8));
    else fs.rmSync(target, { force: true });
  }
  fs.rmSync(rollbackDir(p), { recursive: true, force: true });
  out(' done.\n');
}

function cmdUpdatesready(ctx) {
  if (!fs.existsSync(path.join(installDir(ctx.params), 'manifest.json'))) {
    out('No updates are available to install.\n');
    exit(2);
  }
  out(`There are updates available to install.\nRun '${SELF} install' to proceed.\n`);
}

function cmdShowconfig(ctx) {
  const p = ctx.params;
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    out(`${k.toUpperCase()}=${Array.isArray(v) ? v.join(' ') : v}\n`);
  }
}

/** lockf -s -t 0 WORKDIR/lock: one freebsd-update per working directory. */
function lock(p) {
  const file = path.join(p.WorkDir, 'lock');
  const busy = () => {
    out(`another freebsd-update(8) instance is running in ${p.WorkDir}\nspecify a different work directory with -d\n`);
    exit(EX_TEMPFAIL);
  };
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (e) {
    if (e.code === 'ENOENT') return () => {};
    if (e.code !== 'EEXIST') throw e;
    const pid = Number(fs.readFileSync(file, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      /* stale */
    }
    if (alive && pid !== process.pid) busy();
    fs.writeFileSync(file, String(process.pid));
  }
  return () => fs.rmSync(file, { force: true });
}

async function main(argv) {
  let unlock = () => {};
  try {
    const ctx = getParams(argv);
    ctx.isfetched = false;
    unlock = lock(ctx.params);
    for (const c of ctx.commands) {
      if (c === 'fetch') await cmdFetch(ctx);
      else if (c === 'cron') await cmdFetch(ctx, { quiet: true });
      else if (c === 'install') cmdInstall(ctx);
      else if (c === 'rollback') cmdRollback(ctx);
      else if (c === 'updatesready') cmdUpdatesready(ctx);
      else if (c === 'showconfig') cmdShowconfig(ctx);
      else {
        // upgrade and IDS are not emulated (see test/lab/README.md)
        process.stderr.write(`${PROG}: '${c}' is not available in the fleetjail lab\n`);
        exit(1);
      }
    }
    unlock();
  } catch (e) {
    unlock();
    if (e instanceof Exit) {
      process.exitCode = e.code;
      return;
    }
    throw e;
  }
}

module.exports = { main, bdhash };
