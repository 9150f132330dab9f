'use strict';
/**
 * Boot of the emulated ZFS, run chrooted in the host: first boot creates the pools
 * (layout.cjs); every boot mounts what `zfs mount -a` would (mounts died with the last boot).
 *   node emul-boot.cjs POOL...      boot
 *   node emul-boot.cjs --record     only re-record mounts in the jail emulation's mount table
 */
const model = require('./emul-model.cjs');
const storage = require('./emul-storage.cjs');
const { POOLS } = require('./layout.cjs');

const args = process.argv.slice(2);
storage.withLock(() => {
  let st = storage.load();
  if (args[0] === '--record') {
    if (st) storage.syncMountTable(st);
    return;
  }
  const ops = [];
  if (!st) st = model.emptyState();
  for (const d of Object.values(st.datasets)) {
    d.mounted = false;
    delete d.mountedAt;
  }
  for (const pool of args) {
    if (st.pools[pool]) continue;
    ops.push(...model.createPool(st, pool, { mountpoint: POOLS[pool].mountpoint }));
    for (const [name, props] of POOLS[pool].datasets) {
      ops.push(...model.create(st, name, { assignments: Object.entries(props) }));
    }
  }
  const warnings = [];
  storage.apply(
    st,
    ops.filter((o) => o.op !== 'mount'),
    (w) => warnings.push(w),
  );
  for (const d of Object.values(st.datasets)) d.mounted = false;
  // Parents before children, as `zfs mount -a` orders by mountpoint.
  const byMountpoint = Object.keys(st.datasets)
    .filter((n) => !n.includes('@'))
    .sort((a, b) => (model.resolve(st, a, 'mountpoint').value < model.resolve(st, b, 'mountpoint').value ? -1 : 1));
  const mounts = byMountpoint.flatMap((n) => model.mountOps(st, n));
  storage.apply(st, mounts, (w) => warnings.push(w));
  storage.save(st);
  storage.syncMountTable(st);
  for (const w of warnings) process.stderr.write(`lab zfs: ${w}\n`);
});
