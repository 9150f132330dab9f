'use strict';
/** A small HTTP GET for freebsd-update and pkg: whole body in memory, libfetch-style errors. */
const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');
const { errorString } = require('./fetch.cjs');

/**
 * Resolves { status, statusText, body, headers }; rejects with Error(libfetch message) on
 * connection or resolver failures. file:// URLs read the file (status 404 when missing).
 */
function get(url, { headers = {}, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    let u;
    try {
      u = new URL(url);
    } catch {
      return reject(new Error('Invalid URL'));
    }
    if (u.protocol === 'file:') {
      try {
        resolve({ status: 200, statusText: 'OK', body: fs.readFileSync(decodeURIComponent(u.pathname)), headers: {} });
      } catch (e) {
        resolve({ status: 404, statusText: errorString(e), body: Buffer.alloc(0), headers: {} });
      }
      return;
    }
    const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null;
    if (!mod) return reject(new Error('Invalid URL scheme'));
    const req = mod.get(u, { headers: { 'User-Agent': 'fetch libfetch/2.0', ...headers }, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, statusText: res.statusMessage, body: Buffer.concat(chunks), headers: res.headers }),
      );
      res.on('error', (e) => reject(new Error(errorString(e))));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('Operation timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => reject(new Error(errorString(e))));
  });
}

module.exports = { get };
