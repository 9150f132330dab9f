'use strict';
/**
 * pkg's repository configuration: ROOT/etc/pkg/*.conf, then ROOT/usr/local/etc/pkg/repos/*.conf
 * (later files override earlier ones key by key, as pkg.conf(5) says), in the UCL subset
 * FreeBSD's files use: NAME: { key: "value", flag: yes, ... }.
 */
const fs = require('node:fs');
const path = require('node:path');

function tokenize(text) {
  const tokens = [];
  const re = /\s+|#[^\n]*|\/\/[^\n]*|"((?:[^"\\]|\\.)*)"|([{}:=,;])|([^\s{}:=,;"#]+)/g;
  let m;
  while ((m = re.exec(text))) {
    if (m[1] !== undefined) tokens.push({ s: m[1].replace(/\\(.)/g, '$1') });
    else if (m[2]) tokens.push({ p: m[2] });
    else if (m[3]) tokens.push({ w: m[3] });
  }
  return tokens;
}

function value(tok) {
  if (!tok) return undefined;
  if (tok.s !== undefined) return tok.s;
  const w = tok.w;
  if (/^(yes|true|on)$/i.test(w)) return true;
  if (/^(no|false|off)$/i.test(w)) return false;
  if (/^-?\d+$/.test(w)) return Number(w);
  return w;
}

/** Parses `NAME: { k: v, ... }` blocks into { NAME: { k: v } }. */
function parseRepoConf(text) {
  const t = tokenize(text);
  const out = {};
  let i = 0;
  while (i < t.length) {
    const name = t[i].w ?? t[i].s;
    if (name === undefined) {
      i++;
      continue;
    }
    i++;
    if (t[i] && (t[i].p === ':' || t[i].p === '=')) i++;
    if (!t[i] || t[i].p !== '{') continue;
    i++;
    const block = {};
    while (i < t.length && t[i].p !== '}') {
      const key = t[i].w ?? t[i].s;
      i++;
      if (t[i] && (t[i].p === ':' || t[i].p === '=')) i++;
      block[key] = value(t[i]);
      i++;
      while (t[i] && (t[i].p === ',' || t[i].p === ';')) i++;
    }
    i++;
    out[name] = { ...(out[name] ?? {}), ...block };
  }
  return out;
}

function confFiles(dir) {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.conf'))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

/** The userland's major version, from ROOT/bin/freebsd-version (pkg reads the ELF ABI of /bin/sh). */
function abiOf(root) {
  try {
    const m = /USERLAND_VERSION="(\d+)\./.exec(fs.readFileSync(path.join(root, 'bin/freebsd-version'), 'utf8'));
    if (m) return `FreeBSD:${m[1]}:amd64`;
  } catch {
    /* default */
  }
  return 'FreeBSD:14:amd64';
}

/** Enabled repositories in priority order: [{ name, url }]. */
function repositories(root) {
  const merged = {};
  for (const f of [...confFiles(path.join(root, 'etc/pkg')), ...confFiles(path.join(root, 'usr/local/etc/pkg/repos'))]) {
    const conf = parseRepoConf(fs.readFileSync(f, 'utf8'));
    for (const [name, block] of Object.entries(conf)) merged[name] = { ...(merged[name] ?? {}), ...block };
  }
  const abi = abiOf(root);
  const [, major] = abi.split(':');
  return Object.entries(merged)
    .filter(([, b]) => b.enabled !== false && b.url)
    .sort((a, b) => (b[1].priority ?? 0) - (a[1].priority ?? 0))
    .map(([name, b]) => ({
      name,
      url: String(b.url)
        .replace(/\$\{ABI\}/g, abi)
        .replace(/\$\{VERSION_MAJOR\}/g, major)
        .replace(/\/+$/, ''),
    }));
}

module.exports = { parseRepoConf, repositories, abiOf };
