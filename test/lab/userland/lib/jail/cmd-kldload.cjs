'use strict';
/** kldload(8). */
const kld = require('./kld.cjs');

function main(argv) {
  let verbose = false;
  let quietIfLoaded = false;
  const names = [];
  for (const a of argv) {
    if (/^-[nqv]+$/.test(a)) {
      if (a.includes('v')) verbose = true;
      if (a.includes('n')) quietIfLoaded = true;
      continue;
    }
    if (a.startsWith('-')) {
      process.stderr.write('usage: kldload [-nqv] file ...\n');
      return 1;
    }
    names.push(a);
  }
  if (names.length === 0) {
    process.stderr.write('usage: kldload [-nqv] file ...\n');
    return 1;
  }
  if (process.getuid && process.getuid() !== 0) {
    for (const n of names)
      process.stderr.write(`kldload: an error occurred while loading module ${n}. Please check dmesg(8) for more details.\n`);
    return 1;
  }
  let rc = 0;
  for (const n of names) {
    const r = kld.load(n);
    if (!r) {
      process.stderr.write(`kldload: can't load ${n}: No such file or directory\n`);
      rc = 1;
      continue;
    }
    if (r.already) {
      if (!quietIfLoaded) {
        process.stderr.write(`kldload: can't load ${n}: module already loaded or in kernel\n`);
        rc = 1;
      }
      continue;
    }
    if (verbose) process.stdout.write(`Loaded ${n}, id=${r.mod.id}\n`);
  }
  return rc;
}

module.exports = { main };
