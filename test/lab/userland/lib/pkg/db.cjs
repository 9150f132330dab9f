'use strict';
/**
 * The local package database of a root: ROOT/var/db/pkg/local.json (FreeBSD's is
 * local.sqlite) = { packages: { NAME: manifest + { files, automatic, timestamp } } },
 * written atomically, with an advisory lock file while a command changes it.
 */
const fs = require('node:fs');
const path = require('node:path');

const dbDir = (root) => path.join(root, 'var/db/pkg');
const dbFile = (root) => path.join(dbDir(root), 'local.json');

function load(root) {
  try {
    return JSON.parse(fs.readFileSync(dbFile(root), 'utf8'));
  } catch {
    return { packages: {} };
  }
}

function save(root, db) {
  fs.mkdirSync(dbDir(root), { recursive: true });
  const tmp = `${dbFile(root)}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(db, null, 1) + '\n');
  fs.renameSync(tmp, dbFile(root));
}

/** Takes the database lock (waiting up to ~10 s); returns the release function or null. */
function lock(root) {
  fs.mkdirSync(dbDir(root), { recursive: true });
  const file = path.join(dbDir(root), 'local.lock');
  for (let i = 0; i < 200; i++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let alive = false;
      try {
        process.kill(Number(fs.readFileSync(file, 'utf8')), 0);
        alive = true;
      } catch {
        /* stale */
      }
      if (!alive) {
        fs.rmSync(file, { force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  return null;
}

const sorted = (db) => Object.values(db.packages).sort((a, b) => a.name.localeCompare(b.name, 'en'));

module.exports = { load, save, lock, sorted, dbFile };
