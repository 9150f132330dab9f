'use strict';
/**
 * fetch(1) of FreeBSD 14 (usr.bin/fetch + libfetch) for lab hosts: http, https and file
 * URLs; -o file|dir|-, -q, -v, -s, -m, -S, -T, -n, -l, -a/-w (accepted), -r (accepted).
 * Messages follow fetch.c: errors are `fetch: URL: <libfetch error>` (HTTP reason phrase,
 * strerror, or the resolver's "No address record"), exit 1; without -q and with stderr not
 * a terminal it prints one line per file: the local name padded to 46 columns, then size,
 * rate and time as fetch's stat_end() does.
 */
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const https = require('node:https');

const USAGE = [
  'usage: fetch [-146AadFlMmnPpqRrsUv] [-B bytes] [--bind-address=host]',
  '       [--ca-cert=file] [--ca-path=dir] [--cert=file] [--crl=file]',
  '       [-i file] [--key=file] [-N file] [--no-passive] [--no-proxy=list]',
  '       [--no-sslv3] [--no-tlsv1] [--no-verify-hostname] [--no-verify-peer]',
  '       [-o file] [--referer=URL] [-S bytes] [-T seconds]',
  '       [--user-agent=agent-string] [-w seconds] URL ...',
  '       fetch [-146AadFlMmnPpqRrsUv] [-B bytes] [--bind-address=host]',
  '       [--ca-cert=file] [--ca-path=dir] [--cert=file] [--crl=file]',
  '       [-i file] [--key=file] [-N file] [--no-passive] [--no-proxy=list]',
  '       [--no-sslv3] [--no-tlsv1] [--no-verify-hostname] [--no-verify-peer]',
  '       [-o file] [--referer=URL] [-S bytes] [-T seconds]',
  '       [--user-agent=agent-string] [-w seconds] -h host -f file [-c dir]',
].join('\n');

const err = (msg) => process.stderr.write(`fetch: ${msg}\n`);

/** libfetch's names for errno values and resolver errors. */
function errorString(e) {
  switch (e.code) {
    case 'ENOTFOUND':
      return 'No address record';
    case 'EAI_AGAIN':
      return 'Transient resolver failure';
    case 'ECONNREFUSED':
      return 'Connection refused';
    case 'ETIMEDOUT':
      return 'Operation timed out';
    case 'ECONNRESET':
      return 'Connection reset by peer';
    case 'EHOSTUNREACH':
      return 'No route to host';
    case 'ENETUNREACH':
      return 'Network is unreachable';
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    default:
      return e.message || String(e);
  }
}

function parseArgs(argv) {
  const o = { v: 1, urls: [], out: null, s: false, m: false, n: false, l: false, S: 0, T: 0, i: null };
  const withArg = new Set(['B', 'c', 'f', 'h', 'i', 'N', 'o', 'S', 'T', 'w']);
  let k = 0;
  for (; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--') {
      k++;
      break;
    }
    if (a.startsWith('--')) continue; // long options (TLS, proxy, user agent) have no effect in the lab
    if (!a.startsWith('-') || a === '-') break;
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (withArg.has(c)) {
        const val = j + 1 < a.length ? a.slice(j + 1) : argv[++k];
        if (val === undefined) {
          process.stderr.write(`fetch: option requires an argument -- ${c}\n${USAGE}\n`);
          process.exit(1);
        }
        if (c === 'o') o.out = val;
        else if (c === 'S') o.S = Number(val);
        else if (c === 'T') o.T = Number(val);
        else if (c === 'i') o.i = val;
        break;
      }
      if ('146AadFlMmnPpqRrsUv'.includes(c)) {
        if (c === 'q') o.v = 0;
        else if (c === 'v') o.v++;
        else if (c === 's') o.s = true;
        else if (c === 'm' || c === 'M') o.m = true;
        else if (c === 'n') o.n = true;
        else if (c === 'l') o.l = true;
        continue;
      }
      process.stderr.write(`fetch: illegal option -- ${c}\n${USAGE}\n`);
      process.exit(1);
    }
  }
  o.urls = argv.slice(k);
  return o;
}

/** stat_bytes(): "%4ju %cB" with 1024 steps while above 9999. */
function statBytes(n) {
  const prefixes = ' kMGTP';
  let i = 0;
  n = Math.floor(n);
  while (n > 9999 && i < prefixes.length - 1) {
    n = Math.floor(n / 1024);
    i++;
  }
  return `${String(n).padStart(4)} ${prefixes[i]}B`;
}

function statSeconds(s) {
  if (s > 86400) return `${String(Math.floor(s / 86400)).padStart(2, '0')}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
  if (s > 3600) return `${String(Math.floor(s / 3600)).padStart(2, '0')}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s > 60) return `${String(Math.floor(s / 60)).padStart(2, '0')}m${String(s % 60).padStart(2, '0')}s`;
  return `   ${String(s).padStart(2, '0')}s`;
}

/** GET (or HEAD) following redirects; resolves { res } or rejects with a libfetch-style message. */
function request(url, method, timeoutSec, ims, redirects = 0) {
  return new Promise((resolve, reject) => {
    let u;
    try {
      u = new URL(url);
    } catch {
      return reject(new Error(`${url}: parse error`));
    }
    const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null;
    if (!mod) return reject(new Error('Invalid URL scheme'));
    const headers = { 'User-Agent': 'fetch libfetch/2.0' };
    if (ims) headers['If-Modified-Since'] = ims.toUTCString();
    const req = mod.request(u, { method, headers, agent: false, timeout: (timeoutSec || 300) * 1000 }, (res) => {
      const loc = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(res.statusCode) && loc && redirects < 5) {
        res.resume();
        resolve(request(new URL(loc, u).href, method, timeoutSec, ims, redirects + 1));
        return;
      }
      resolve({ res });
    });
    req.on('timeout', () => {
      req.destroy(Object.assign(new Error('Operation timed out'), { code: 'ETIMEDOUT' }));
    });
    req.on('error', (e) => reject(new Error(errorString(e))));
    req.end();
  });
}

async function fetchOne(url, outPath, o) {
  const toStdout = outPath === '-';
  const started = Date.now();
  let size;
  let mtime;
  let body; // readable stream
  let scheme;
  try {
    scheme = new URL(url).protocol;
  } catch {
    scheme = '';
  }

  if (scheme === 'file:') {
    const file = decodeURIComponent(new URL(url).pathname);
    let st;
    try {
      st = fs.statSync(file);
    } catch (e) {
      err(`${url}: ${errorString(e)}`);
      return false;
    }
    size = st.size;
    mtime = Math.floor(st.mtimeMs / 1000);
    if (o.s) {
      process.stdout.write(`${size}\n`);
      return true;
    }
    if (o.l && !toStdout) {
      fs.rmSync(outPath, { force: true });
      fs.symlinkSync(file, outPath);
      return true;
    }
    body = fs.createReadStream(file);
  } else if (scheme === 'http:' || scheme === 'https:') {
    let ims = null;
    if (o.i) {
      try {
        ims = fs.statSync(o.i).mtime;
      } catch (e) {
        process.stderr.write(`fetch: ${o.i}: stat(): ${errorString(e)}\n`);
        return false;
      }
    }
    let res;
    try {
      ({ res } = await request(url, o.s ? 'HEAD' : 'GET', o.T, ims));
    } catch (e) {
      err(`${url}: ${e.message}`);
      return false;
    }
    if (res.statusCode === 304 && o.i) {
      process.stdout.write(`${url}: not modified\n`);
      res.resume();
      return true;
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      res.resume();
      err(`${url}: ${res.statusMessage || `HTTP error ${res.statusCode}`}`);
      return false;
    }
    size = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : -1;
    mtime = res.headers['last-modified'] ? Math.floor(Date.parse(res.headers['last-modified']) / 1000) : 0;
    if (o.s) {
      res.resume();
      process.stdout.write(size === -1 ? 'Unknown\n' : `${size}\n`);
      return true;
    }
    body = res;
  } else {
    err(`${url}: Invalid URL scheme`);
    return false;
  }

  if (o.S && size !== -1 && size !== o.S) {
    err(`${url}: size mismatch: expected ${o.S}, actual ${size}`);
    body.destroy();
    return false;
  }
  if (!toStdout && o.m) {
    try {
      const st = fs.statSync(outPath);
      if (st.size === size && Math.floor(st.mtimeMs / 1000) === mtime) {
        body.destroy();
        return true;
      }
    } catch {
      /* fetch it */
    }
  }
  if (size === -1 && !toStdout && o.v > 0) err(`${url}: size of remote file is not known`);
  if (o.v > 1 && size !== -1) process.stderr.write(`remote size / mtime: ${size} / ${mtime}\n`);

  // Like fetch, write to a temporary name next to an existing file, then rename.
  let tmp = null;
  let out;
  if (toStdout) out = process.stdout;
  else {
    const exists = fs.existsSync(outPath) && fs.statSync(outPath).isFile();
    tmp = exists ? path.join(path.dirname(outPath), `.fetch.${path.basename(outPath)}.${Math.random().toString(36).slice(2, 8)}`) : null;
    try {
      out = fs.createWriteStream(tmp ?? outPath);
      await new Promise((resolve, reject) => {
        out.once('open', resolve);
        out.once('error', reject);
      });
    } catch (e) {
      err(`${outPath}: open(): ${errorString(e)}`);
      body.destroy();
      return false;
    }
  }
  if (o.v > 0 && !toStdout) process.stderr.write(outPath.padEnd(46));
  let count = 0;
  try {
    await new Promise((resolve, reject) => {
      body.on('data', (chunk) => {
        count += chunk.length;
      });
      body.on('error', reject);
      out.on('error', reject);
      body.pipe(out, { end: !toStdout });
      if (toStdout) body.on('end', resolve);
      else out.on('finish', resolve);
    });
  } catch (e) {
    if (o.v > 0 && !toStdout) process.stderr.write('\n');
    err(`${url}: ${errorString(e)}`);
    if (!toStdout) fs.rmSync(tmp ?? outPath, { force: true });
    return false;
  }
  const elapsed = Math.max(0.001, (Date.now() - started) / 1000);
  if (o.v > 0 && !toStdout)
    process.stderr.write(`        ${statBytes(count)} ${statBytes(count / elapsed)}ps ${statSeconds(Math.floor(elapsed))}\n`);
  if (size !== -1 && count < size) {
    process.stderr.write(`fetch: ${outPath} appears to be truncated: ${count}/${size} bytes\n`);
    return false;
  }
  if (!toStdout) {
    if (tmp) fs.renameSync(tmp, outPath);
    if (!o.n && mtime) fs.utimesSync(outPath, mtime, mtime);
  }
  return true;
}

async function main(argv) {
  const o = parseArgs(argv);
  if (o.urls.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(1);
  }
  let outDir = null;
  if (o.out && o.out !== '-') {
    try {
      if (fs.statSync(o.out).isDirectory()) outDir = o.out;
    } catch (e) {
      if (e.code !== 'ENOENT') {
        err(`${o.out}: ${errorString(e)}`);
        process.exit(1);
      }
      if (o.urls.length > 1) {
        err(`${o.out} is not a directory`);
        process.exit(1);
      }
    }
  }
  let rc = 0;
  for (const url of o.urls) {
    const base = url.slice(url.lastIndexOf('/') + 1) || 'fetch.out';
    const outPath = o.out === '-' ? '-' : outDir ? `${outDir}/${base}` : (o.out ?? base);
    if (!(await fetchOne(url, outPath, o))) rc = 1;
  }
  process.exitCode = rc;
}

module.exports = { main, statBytes, statSeconds, errorString };
