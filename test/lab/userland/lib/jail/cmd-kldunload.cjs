'use strict';
/**
 * kldunload(8): `kldunload [-fv] name ...` or `-i id`. Unloading pf.ko takes pf's kernel
 * state with it (rules, tables, enabled), as on FreeBSD; a listener the lab had suspended
 * for a lockout (lib/pf/lockout.cjs) comes back, since nothing filters any more.
 */
const kld = require('./kld.cjs');

function main(argv) {
  let verbose = false;
  let byId = false;
  const names = [];
  for (const a of argv) {
    if (/^-[fvi]+$/.test(a)) {
      if (a.includes('v')) verbose = true;
      if (a.includes('i')) byId = true;
      continue;
    }
    if (a.startsWith('-')) {
      process.stderr.write('usage: kldunload [-fv] -i id ...\n       kldunload [-fv] [-n] name ...\n');
      return 1;
    }
    names.push(a);
  }
  if (names.length === 0) {
    process.stderr.write('usage: kldunload [-fv] -i id ...\n       kldunload [-fv] [-n] name ...\n');
    return 1;
  }
  if (process.getuid && process.getuid() !== 0) {
    for (const _name of names) process.stderr.write(`kldunload: can't unload file: Operation not permitted\n`);
    return 1;
  }
  let rc = 0;
  for (const n of names) {
    const mod = byId ? kld.modules().find((m) => String(m.id) === n) : kld.modules().find((m) => m.name === kld.fileName(n));
    if (!mod) {
      process.stderr.write(byId ? `kldunload: can't unload file: No such file or directory\n` : `kldunload: can't find file ${n}\n`);
      rc = 1;
      continue;
    }
    if (verbose) process.stdout.write(`Unloading ${mod.name}, id=${mod.id}\n`);
    if (!kld.unload(mod.name)) {
      process.stderr.write(`kldunload: can't unload file: Device busy\n`);
      rc = 1;
      continue;
    }
    if (mod.name === 'pf.ko') dropPfState();
  }
  return rc;
}

function dropPfState() {
  const pfState = require('../pf/state.cjs');
  const st = pfState.load();
  if (st.sshdSuspended) {
    st.main = null;
    st.anchors = {};
    st.enabled = false;
    require('../pf/lockout.cjs').apply(st, []);
  }
  pfState.save(pfState.empty());
}

module.exports = { main };
