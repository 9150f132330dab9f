'use strict';
/**
 * pf's kernel state on a lab host, kept in /var/run/lab-pf.json (gone at the host's
 * next boot, like the kernel's): enabled + since when, the main ruleset, anchors by
 * path ("rdr/dev1"), and whether the lab suspended sshd's listener (lockout.cjs).
 */
const fs = require('node:fs');

const FILE = process.env.LAB_PF_STATE || '/var/run/lab-pf.json';

function empty() {
  return { enabled: false, since: 0, debug: 'urgent', main: null, anchors: {}, sshdSuspended: false };
}

function load() {
  try {
    return { ...empty(), ...JSON.parse(fs.readFileSync(FILE, 'utf8')) };
  } catch {
    return empty();
  }
}

function save(st) {
  const tmp = `${FILE}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(st));
  fs.renameSync(tmp, FILE);
}

module.exports = { load, save, empty, FILE };
