'use strict';
/**
 * devfs(5) rulesets: the devfs.rules file format (`[name=number]` sections, `add path PAT
 * unhide|hide`, `add include $name`), the "kernel" table of loaded rulesets, and building a
 * jail's /dev from them. The lab's devfs is a tmpfs holding FreeBSD-named nodes; a rule
 * hides or unhides nodes by name (fnmatch on the path under /dev), as FreeBSD's does.
 */
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const state = require('./state.cjs');

const KERNEL_FILE = path.join(state.RUN, 'lab-devfs-rulesets.json');

/**
 * The device nodes a FreeBSD host's devfs holds, with the Linux device that backs each
 * (`dev`), a symlink target (`link`), a directory (`dir`), or nothing (an empty placeholder
 * file: FreeBSD-only devices such as pf, bpf, crypto, zfs).
 */
const CATALOG = [
  { name: 'null', dev: '/dev/null' },
  { name: 'zero', dev: '/dev/zero' },
  { name: 'full', dev: '/dev/full' },
  { name: 'random', dev: '/dev/random' },
  { name: 'urandom', dev: '/dev/urandom' },
  { name: 'crypto' },
  { name: 'log', link: '/var/run/log' },
  { name: 'ptmx', dev: '/dev/ptmx' },
  { name: 'pts', dir: true },
  { name: 'fd', dir: true },
  { name: 'fd/0', link: '/proc/self/fd/0' },
  { name: 'fd/1', link: '/proc/self/fd/1' },
  { name: 'fd/2', link: '/proc/self/fd/2' },
  { name: 'stdin', link: 'fd/0' },
  { name: 'stdout', link: 'fd/1' },
  { name: 'stderr', link: 'fd/2' },
  { name: 'tty', dev: '/dev/tty' },
  { name: 'console', dev: '/dev/console' },
  { name: 'ttyv0' },
  { name: 'ttyv1' },
  { name: 'ttyu0' },
  { name: 'mem', dev: '/dev/mem' },
  { name: 'kmem', dev: '/dev/kmem' },
  { name: 'klog' },
  { name: 'devctl' },
  { name: 'bpf' },
  { name: 'bpf0', link: 'bpf' },
  { name: 'pf' },
  { name: 'zfs' },
  { name: 'fuse', dev: '/dev/fuse' },
  { name: 'md0' },
  { name: 'ada0' },
  { name: 'ada0p1' },
  { name: 'ada0p2' },
  { name: 'ada0p3' },
  { name: 'io' },
  { name: 'geom.ctl' },
  { name: 'netmap' },
  { name: 'tun0' },
  { name: 'sndstat' },
  // FreeBSD's linux_common.ko makes /dev/shm a directory (a mount point for tmpfs) in every devfs.
  { name: 'shm', dir: true, kld: 'linux_common.ko' },
];

function fnmatch(pattern, name) {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += '[' + cls.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(re + '$').test(name);
}

/** Split a rule line into words, honouring '...' and "..." quotes. */
function words(line) {
  const out = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  let m;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/**
 * Parse devfs.rules text → { rulesets: {num: {name, rules: [{path, type, action, include}]}},
 * names: {name: num}, errors: [msg] }. `names` from earlier files resolve `$name` includes.
 */
function parseRules(text, file, into) {
  const acc = into || { rulesets: {}, names: {}, errors: [] };
  let current = null;
  text.split('\n').forEach((raw, idx) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const sec = /^\[([^=\]]+)=(\d+)\]$/.exec(line);
    if (sec) {
      current = Number(sec[2]);
      acc.names[sec[1].trim()] = current;
      acc.rulesets[current] = { name: sec[1].trim(), rules: [] };
      return;
    }
    if (line.startsWith('[')) {
      acc.errors.push({ file, line: idx + 1, warn: `devfs_rulesets_from_file: cannot extact rule number (${line})` });
      current = null;
      return;
    }
    if (current === null) {
      acc.errors.push({ file, line: idx + 1, msg: 'devfs: ruleset 0 is reserved and cannot be modified' });
      return;
    }
    const w = words(line);
    if (w[0] !== 'add') {
      acc.errors.push({ file, line: idx + 1, msg: `devfs: unknown command: ${w[0]}` });
      return;
    }
    let k = 1;
    if (/^\d+$/.test(w[k] ?? '')) k++;
    const rule = {};
    while (k < w.length) {
      const word = w[k++];
      if (word === 'path') {
        rule.path = w[k++];
        if (rule.path === undefined) {
          acc.errors.push({ file, line: idx + 1, msg: 'devfs: missing argument' });
          return;
        }
        continue;
      }
      if (word === 'type') {
        rule.type = w[k++];
        continue;
      }
      if (word === 'hide' || word === 'unhide') {
        rule.action = word;
        continue;
      }
      if (word === 'include') {
        const ref = w[k++] ?? '';
        const num = ref.startsWith('$') ? acc.names[ref.slice(1)] : /^\d+$/.test(ref) ? Number(ref) : undefined;
        if (num === undefined) {
          acc.errors.push({
            file,
            line: idx + 1,
            msg: ref && ref !== '$' ? `devfs: ruleset ${ref} does not exist` : 'devfs: missing argument',
          });
          return;
        }
        rule.include = num;
        continue;
      }
      if (['user', 'group', 'mode'].includes(word)) {
        rule[word] = w[k++];
        rule.action = rule.action || 'attr';
        continue;
      }
      acc.errors.push({ file, line: idx + 1, msg: `devfs: unknown argument: ${word}` });
      return;
    }
    if (!rule.action && rule.include === undefined) {
      acc.errors.push({ file, line: idx + 1, msg: 'devfs: missing action' });
      return;
    }
    acc.rulesets[current].rules.push(rule);
  });
  return acc;
}

/** The files rc.d/devfs reads (rc.conf's devfs_rulesets), compiled. */
function compileFromFiles(files) {
  const acc = { rulesets: {}, names: {}, errors: [] };
  for (const f of files) {
    let text;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    parseRules(text, f, acc);
  }
  return acc;
}

const DEFAULT_FILES = ['/etc/defaults/devfs.rules', '/etc/devfs.rules'];

/** Rulesets loaded in the "kernel": as rc.d/devfs last loaded them, or as boot would. */
function kernelRulesets() {
  const k = state.readJson(KERNEL_FILE, null);
  if (k) return k;
  const c = compileFromFiles(DEFAULT_FILES);
  return { rulesets: c.rulesets, names: c.names };
}
function loadKernelRulesets(compiled) {
  state.writeJson(KERNEL_FILE, { rulesets: compiled.rulesets, names: compiled.names });
}

/** Which catalog names are visible under ruleset NUM (0 = no ruleset: everything). */
function visibleNodes(num, rulesets) {
  const visible = new Map(CATALOG.map((n) => [n.name, true]));
  if (!num) return CATALOG.filter((n) => visible.get(n.name));
  const rs = rulesets[num];
  if (!rs) return null;
  const apply = (set, depth) => {
    if (depth > 16) return;
    for (const r of set.rules) {
      if (r.include !== undefined) {
        if (rulesets[r.include]) apply(rulesets[r.include], depth + 1);
        continue;
      }
      if (r.action !== 'hide' && r.action !== 'unhide') continue;
      for (const n of CATALOG) if (r.path === undefined || fnmatch(r.path, n.name)) visible.set(n.name, r.action === 'unhide');
    }
  };
  apply(rs, 0);
  // A visible node needs its directory (fd/0 needs fd).
  return CATALOG.filter((n) => visible.get(n.name) && (!n.name.includes('/') || visible.get(n.name.split('/')[0])));
}

/** Populate DIR (a fresh tmpfs) with the nodes of ruleset NUM. Returns false if NUM is not loaded. */
function populate(dir, num) {
  const visible = visibleNodes(num, kernelRulesets().rulesets);
  if (!visible) return false;
  const nodes = visible.filter((n) => !n.kld || require('./kld.cjs').isLoaded(n.kld));
  const mknods = [];
  for (const n of nodes) {
    const p = path.join(dir, n.name);
    if (n.dir) {
      fs.mkdirSync(p, { recursive: true });
      continue;
    }
    if (n.link) {
      fs.symlinkSync(n.link, p);
      continue;
    }
    let st;
    try {
      st = n.dev ? fs.statSync(n.dev) : null;
    } catch {
      st = null;
    }
    if (st && st.isCharacterDevice()) {
      mknods.push(
        p,
        String(Math.floor(st.rdev / 256) & 0xfff),
        String((st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00)),
        (st.mode & 0o777).toString(8),
      );
    } else fs.writeFileSync(p, '', { mode: 0o600 });
  }
  if (mknods.length) {
    // One shell for all nodes: mknod NAME c MAJOR MINOR; chmod MODE NAME
    const script = 'while [ $# -gt 0 ]; do /.sys/bin/mknod "$1" c "$2" "$3" && /.sys/bin/chmod "$4" "$1" || exit 1; shift 4; done';
    execFileSync('/.sys/bin/sh', ['-c', script, 'sh', ...mknods], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  // The lab's hidden corner of a jail's /dev: facts for the jail-side tools (see README).
  fs.mkdirSync(path.join(dir, '.lab'), { mode: 0o755 });
  return true;
}

module.exports = {
  parseRules,
  compileFromFiles,
  kernelRulesets,
  loadKernelRulesets,
  visibleNodes,
  populate,
  fnmatch,
  CATALOG,
  DEFAULT_FILES,
};
