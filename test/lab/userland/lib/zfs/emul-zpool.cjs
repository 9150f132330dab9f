'use strict';
/** zpool(8) of the emulated ZFS: list, get, status (pools are created at boot, see emul-boot.cjs). */
const model = require('./emul-model.cjs');
const storage = require('./emul-storage.cjs');
const { getopt } = require('./getopt.cjs');
const { poolList, poolGet, poolStatus } = require('./pool-format.cjs');
const { zpoolUsage, zpoolTopUsage } = require('./usage.cjs');

const err = (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');

function facts(st) {
  return Object.values(st.pools)
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((p) => {
      const allocated = model.used(st, p.name) + 360448;
      return { name: p.name, guid: p.guid, size: p.size, allocated, free: p.size - allocated, vdev: `/.lab/zfs/${p.name}.img` };
    });
}

function select(st, names) {
  const all = facts(st);
  if (names.length === 0) return { pools: all, missing: [] };
  return { pools: all.filter((p) => names.includes(p.name)), missing: names.filter((n) => !st.pools[n]) };
}

function main(argv) {
  const [cmd, ...rest] = argv;
  if (!cmd) {
    err('missing command');
    err(zpoolTopUsage().trimEnd());
    return 2;
  }
  const st = storage.load() || model.emptyState();
  const usage = (c, msg) => {
    if (msg) err(msg);
    process.stderr.write(zpoolUsage(c));
    return 2;
  };
  if (cmd === 'list') {
    const r = getopt(rest, ':gHLo:pPT:v');
    if (r.error) return usage('list', r.error);
    const o = Object.fromEntries(r.opts);
    const { pools, missing } = select(st, r.args);
    for (const m of missing) err(`cannot open '${m}': no such pool`);
    if (pools.length === 0 && missing.length === 0) {
      err('no pools available');
      return 0;
    }
    const res = poolList(pools, { fields: o.o, scripted: !!o.H, literal: !!o.p });
    if (res.error) return usage('list', res.error);
    process.stdout.write(res.text);
    return missing.length ? 1 : 0;
  }
  if (cmd === 'get') {
    const r = getopt(rest, ':Hpo:');
    if (r.error) return usage('get', r.error);
    const o = Object.fromEntries(r.opts);
    if (r.args.length === 0) return usage('get', 'missing property argument');
    const { pools, missing } = select(st, r.args.slice(1));
    for (const m of missing) err(`cannot open '${m}': no such pool`);
    const res = poolGet(pools, { propList: r.args[0], fields: o.o, scripted: !!o.H, literal: !!o.p });
    if (res.error) return usage('get', res.error);
    process.stdout.write(res.text);
    return missing.length ? 1 : 0;
  }
  if (cmd === 'status') {
    const r = getopt(rest, 'c:DegiLpPstT:vx');
    if (r.error) return usage('status', r.error);
    const o = Object.fromEntries(r.opts);
    const { pools, missing } = select(st, r.args);
    for (const m of missing) err(`cannot open '${m}': no such pool`);
    if (missing.length) return 1;
    if (pools.length === 0) {
      process.stdout.write('no pools available\n');
      return 0;
    }
    if (o.x) {
      process.stdout.write(r.args.length ? pools.map((p) => `pool '${p.name}' is healthy\n`).join('') : 'all pools are healthy\n');
      return 0;
    }
    process.stdout.write(poolStatus(pools));
    return 0;
  }
  if (['create', 'destroy', 'import', 'export', 'add', 'attach', 'scrub', 'set', 'upgrade'].includes(cmd)) {
    err(`zpool ${cmd}: not supported by the lab's emulated ZFS (LAB_ZFS=emulated); use LAB_ZFS=real`);
    return 1;
  }
  err(`unrecognized command '${cmd}'`);
  err(zpoolTopUsage().trimEnd());
  return 2;
}

module.exports = { main, facts };
