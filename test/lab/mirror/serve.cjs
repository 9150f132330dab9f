'use strict';
/**
 * The lab mirror's HTTP server (a detached process started by server.ts at `lab up`):
 *   serve.cjs WWW_DIR UPDATES_DIR ADDRESS PORT
 * - static files under WWW_DIR: release sets and MANIFESTs, pkg repositories;
 * - the freebsd-update feed, computed on request from content.cjs:
 *     /pub/FreeBSD/updates/REL/amd64/latest   tag: freebsd-update|amd64|REL|PATCH|INDEXHASH|EOL
 *     /pub/FreeBSD/updates/REL/amd64/t/HASH   index: path|mode|newhash|oldhash,...
 *     /pub/FreeBSD/updates/REL/amd64/f/HASH   file content
 *   PATCH is read from UPDATES_DIR/REL on every request (tests bump it to publish a patch).
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const content = require('../userland/lib/release/content.cjs');

const [www, updatesDir, address, port] = process.argv.slice(2);

function patchLevel(release) {
  try {
    const n = Number.parseInt(fs.readFileSync(path.join(updatesDir, release), 'utf8').trim(), 10);
    if (Number.isInteger(n) && n >= 0) return n;
  } catch {
    /* default below */
  }
  return content.DEFAULT_PATCH[release];
}

function send(res, status, body, headers = {}) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.writeHead(status, { 'Content-Length': buf.length, ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : buf);
}

const notFound = (res) =>
  send(res, 404, '<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n', {
    'Content-Type': 'text/html',
  });

function serveUpdate(res, release, kind, hash) {
  if (!content.RELEASES[release]) return notFound(res);
  const patch = patchLevel(release);
  const { index, blobs } = content.updateFeed(release, patch);
  const indexText = content.feedIndexText(index);
  const indexHash = content.sha256(indexText);
  if (kind === 'latest') {
    // End of life: a year after the lab's "today", so no EOL warnings apply.
    const eol = Math.floor(Date.now() / 1000) + 365 * 86400;
    return send(res, 200, `freebsd-update|amd64|${release}|${patch}|${indexHash}|${eol}\n`, { 'Content-Type': 'text/plain' });
  }
  if (kind === 't' && hash === indexHash) return send(res, 200, indexText, { 'Content-Type': 'text/plain' });
  if (kind === 'f' && blobs.has(hash)) return send(res, 200, blobs.get(hash), { 'Content-Type': 'application/octet-stream' });
  if (kind === 'f') {
    // An older patch level's file (e.g. for a root still at -p1 when the feed is at -p3).
    for (let p = 0; p <= patch; p++) {
      for (const f of Object.values(content.patchedFiles(release, p))) {
        if (content.sha256(f.content) === hash) return send(res, 200, f.content, { 'Content-Type': 'application/octet-stream' });
      }
    }
  }
  return notFound(res);
}

function serveStatic(req, res, urlPath) {
  const rel = path.normalize(decodeURIComponent(urlPath)).replace(/^(\.\.[/\\])+/, '');
  const file = path.join(www, rel);
  if (!file.startsWith(www + path.sep)) return notFound(res);
  let st;
  try {
    st = fs.statSync(file);
  } catch {
    return notFound(res);
  }
  if (!st.isFile()) return notFound(res);
  const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000);
  const since = req.headers['if-modified-since'];
  if (since && !Number.isNaN(Date.parse(since)) && Date.parse(since) >= lastModified.getTime()) {
    res.writeHead(304, { 'Last-Modified': lastModified.toUTCString() });
    return res.end();
  }
  res.writeHead(200, {
    'Content-Length': st.size,
    'Last-Modified': lastModified.toUTCString(),
    'Content-Type': 'application/octet-stream',
  });
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(file).pipe(res);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed\n');
  const urlPath = new URL(req.url, 'http://mirror.lab').pathname;
  const m = /^\/pub\/FreeBSD\/updates\/([^/]+)\/amd64\/(latest|t|f)(?:\/([0-9a-f]{64}))?$/.exec(urlPath);
  if (m) return serveUpdate(res, m[1], m[2], m[3]);
  return serveStatic(req, res, urlPath);
});
server.listen(Number(port), address, () => {
  process.stdout.write(`lab mirror: http://${address}:${port}/ serving ${www}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
