'use strict';
/**
 * zpool list / get / status as OpenZFS 2.2 prints them, from plain pool facts
 * { name, size, allocated, free, health, altroot, guid, vdev, dedupratio }: used by the
 * emulation and by the zfs-fuse wrapper (which gets the facts from zfs-fuse).
 */
const props = require('./props.cjs');
const { nicenum, renderList, renderGet } = require('./format.cjs');

/** One pool property as zpool prints it; null if unknown. */
function poolValue(pool, name, literal) {
  const pct = (n) => (literal ? String(n) : `${n}%`);
  switch (name) {
    case 'name':
      return pool.name;
    case 'size':
    case 'allocated':
    case 'free':
      return literal ? String(pool[name]) : nicenum(pool[name]);
    case 'checkpoint':
    case 'expandsize':
      return '-';
    case 'fragmentation':
      return pct(0);
    case 'capacity':
      return pct(Math.floor((Number(pool.allocated) * 100) / Number(pool.size)));
    case 'dedupratio':
      return literal ? '1.00' : '1.00x';
    case 'health':
      return pool.health || 'ONLINE';
    case 'altroot':
      return pool.altroot || '-';
    case 'guid':
      return String(pool.guid);
    case 'version':
      return '-';
    case 'bootfs':
      return '-';
    case 'delegation':
      return 'on';
    case 'autoreplace':
      return 'off';
    case 'cachefile':
      return '-';
    case 'failmode':
      return 'wait';
    case 'listsnapshots':
      return 'off';
    case 'autoexpand':
      return 'off';
    case 'readonly':
      return 'off';
    case 'ashift':
      return '0';
    case 'comment':
      return '-';
    default:
      return null;
  }
}
const POOL_SOURCE = {
  name: '-',
  size: '-',
  allocated: '-',
  free: '-',
  checkpoint: '-',
  expandsize: '-',
  fragmentation: '-',
  capacity: '-',
  dedupratio: '-',
  health: '-',
  guid: '-',
  altroot: 'default',
  version: 'default',
  bootfs: 'default',
  delegation: 'default',
  autoreplace: 'default',
  cachefile: 'default',
  failmode: 'default',
  listsnapshots: 'default',
  autoexpand: 'default',
  readonly: '-',
  ashift: 'default',
  comment: 'default',
};

/** `zpool list [-Hp] [-o props]`: returns { text } or { error } (bad property). */
function poolList(pools, { fields, scripted = false, literal = false }) {
  const names = fields ? fields.split(',') : props.POOL_LIST_DEFAULT;
  const cols = [];
  for (const n of names) {
    const p = props.lookupPool(n);
    if (!p) return { error: `property '${n}' is not a valid pool or vdev property` };
    cols.push({ ...props.poolColumn(p), key: p.name });
  }
  const rows = pools.map((pool) => cols.map((c) => poolValue(pool, c.key, literal)));
  return { text: renderList(cols, rows, { scripted }) };
}

function poolGet(pools, { propList, fields, scripted = false, literal = false }) {
  const keys = propList === 'all' ? [...props.POOL_PROPS.keys()].filter((k) => k !== 'name') : propList.split(',');
  const rows = [];
  for (const k of keys) {
    const p = props.lookupPool(k);
    if (!p) return { error: `bad property list: invalid property '${k}'` };
  }
  const widths = { name: 4, property: 8, value: 5 };
  for (const pool of pools) {
    widths.name = Math.max(widths.name, pool.name.length);
    for (const k of keys) {
      const p = props.lookupPool(k);
      const value = poolValue(pool, p.name, literal);
      widths.property = Math.max(widths.property, p.name.length);
      widths.value = Math.max(widths.value, value.length, props.poolColumn(p).width);
      rows.push({ name: pool.name, property: p.name, value, received: '-', source: POOL_SOURCE[p.name] });
    }
  }
  return { text: renderGet((fields || 'name,property,value,source').split(','), rows, { scripted, widths }) };
}

/** `zpool status` for single-vdev pools (the lab's file-backed pools). */
function poolStatus(pools) {
  return pools
    .map((pool) => {
      const w = Math.max(10, pool.name.length, (pool.vdev || '').length + 2);
      const row = (name, indent) => `\t${(indent + name).padEnd(w)}  ONLINE       0     0     0\n`;
      return (
        `  pool: ${pool.name}\n state: ONLINE\nconfig:\n\n\t${'NAME'.padEnd(w)}  STATE     READ WRITE CKSUM\n` +
        row(pool.name, '') +
        row(pool.vdev, '  ') +
        '\nerrors: No known data errors\n'
      );
    })
    .join('\n');
}

module.exports = { poolList, poolGet, poolStatus, poolValue };
