'use strict';
/**
 * The ZFS dataset and pool properties the lab knows, as OpenZFS 2.2 on FreeBSD 14 defines
 * them (zfs_prop.c / zpool_prop.c): type, column name, defaults, valid values, which
 * dataset types they apply to. Used for validation and output widths by the emulation and
 * by the zfs-fuse wrapper.
 */

const ONOFF = ['on', 'off'];
const F = 'filesystem';
const S = 'snapshot';
const V = 'volume';
const FS = [F, S, V];
const FV = [F, V];

// [name, kind ('number'|'index'|'string'), column, options]
// options: ro (read-only), inherit, values (index), dflt (default, as printed), types, bytes (size), alias
const TABLE = [
  ['type', 'index', 'TYPE', { ro: true, values: ['filesystem', 'snapshot', 'volume', 'bookmark'], types: FS }],
  ['creation', 'number', 'CREATION', { ro: true, types: FS }],
  ['used', 'number', 'USED', { ro: true, bytes: true, types: FS }],
  ['available', 'number', 'AVAIL', { ro: true, bytes: true, types: FV, alias: 'avail' }],
  ['referenced', 'number', 'REFER', { ro: true, bytes: true, types: FS, alias: 'refer' }],
  ['compressratio', 'number', 'RATIO', { ro: true, types: FS }],
  ['mounted', 'index', 'MOUNTED', { ro: true, values: ['yes', 'no'], types: [F] }],
  ['quota', 'number', 'QUOTA', { bytes: true, none: true, dflt: '0', types: [F] }],
  ['reservation', 'number', 'RESERV', { bytes: true, none: true, dflt: '0', types: FV, alias: 'reserv' }],
  ['recordsize', 'number', 'RECSIZE', { inherit: true, bytes: true, dflt: '131072', types: [F], alias: 'recsize' }],
  ['mountpoint', 'string', 'MOUNTPOINT', { inherit: true, types: [F] }],
  ['sharenfs', 'string', 'SHARENFS', { inherit: true, dflt: 'off', types: [F] }],
  [
    'checksum',
    'index',
    'CHECKSUM',
    {
      inherit: true,
      values: ['on', 'off', 'fletcher2', 'fletcher4', 'sha256', 'noparity', 'sha512', 'skein', 'edonr', 'blake3'],
      dflt: 'on',
      types: FV,
    },
  ],
  [
    'compression',
    'index',
    'COMPRESS',
    {
      inherit: true,
      values: [
        'on',
        'off',
        'lzjb',
        'gzip',
        ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `gzip-${i}`),
        'zle',
        'lz4',
        'zstd',
        ...Array.from({ length: 19 }, (_, i) => `zstd-${i + 1}`),
        'zstd-fast',
        ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 500, 1000].map((i) => `zstd-fast-${i}`),
      ],
      dflt: 'off',
      types: FV,
      alias: 'compress',
    },
  ],
  ['atime', 'index', 'ATIME', { inherit: true, values: ONOFF, dflt: 'on', types: [F] }],
  ['devices', 'index', 'DEVICES', { inherit: true, values: ONOFF, dflt: 'on', types: [F, S] }],
  ['exec', 'index', 'EXEC', { inherit: true, values: ONOFF, dflt: 'on', types: [F, S] }],
  ['setuid', 'index', 'SETUID', { inherit: true, values: ONOFF, dflt: 'on', types: [F, S] }],
  ['readonly', 'index', 'RDONLY', { inherit: true, values: ONOFF, dflt: 'off', types: FV, alias: 'rdonly' }],
  ['jailed', 'index', 'JAILED', { inherit: true, values: ONOFF, dflt: 'off', types: [F] }],
  ['snapdir', 'index', 'SNAPDIR', { inherit: true, values: ['hidden', 'visible'], dflt: 'hidden', types: [F] }],
  [
    'aclmode',
    'index',
    'ACLMODE',
    { inherit: true, values: ['discard', 'groupmask', 'passthrough', 'restricted'], dflt: 'discard', types: [F] },
  ],
  [
    'aclinherit',
    'index',
    'ACLINHERIT',
    { inherit: true, values: ['discard', 'noallow', 'restricted', 'passthrough', 'passthrough-x'], dflt: 'restricted', types: [F] },
  ],
  ['createtxg', 'number', 'CREATETXG', { ro: true, types: FS }],
  ['canmount', 'index', 'CANMOUNT', { values: ['on', 'off', 'noauto'], dflt: 'on', types: [F] }],
  ['xattr', 'index', 'XATTR', { inherit: true, values: ['on', 'off', 'dir', 'sa'], dflt: 'on', types: [F, S] }],
  ['copies', 'index', 'COPIES', { inherit: true, values: ['1', '2', '3'], dflt: '1', types: FV }],
  ['version', 'number', 'VERSION', { ro: true, types: [F, S] }],
  ['utf8only', 'index', 'UTF8ONLY', { ro: true, values: ONOFF, types: [F, S] }],
  ['normalization', 'index', 'NORMALIZATION', { ro: true, values: ['none', 'formC', 'formD', 'formKC', 'formKD'], types: [F, S] }],
  ['casesensitivity', 'index', 'CASE', { ro: true, values: ['sensitive', 'insensitive', 'mixed'], types: [F, S] }],
  ['vscan', 'index', 'VSCAN', { inherit: true, values: ONOFF, dflt: 'off', types: [F] }],
  ['nbmand', 'index', 'NBMAND', { inherit: true, values: ONOFF, dflt: 'off', types: [F, S] }],
  ['sharesmb', 'string', 'SHARESMB', { inherit: true, dflt: 'off', types: [F] }],
  ['refquota', 'number', 'REFQUOTA', { bytes: true, none: true, dflt: '0', types: [F] }],
  ['refreservation', 'number', 'REFRESERV', { bytes: true, none: true, dflt: '0', types: FV, alias: 'refreserv' }],
  ['guid', 'number', 'GUID', { ro: true, types: FS }],
  ['primarycache', 'index', 'PRIMARYCACHE', { inherit: true, values: ['all', 'none', 'metadata'], dflt: 'all', types: FS }],
  ['secondarycache', 'index', 'SECONDARYCACHE', { inherit: true, values: ['all', 'none', 'metadata'], dflt: 'all', types: FS }],
  ['usedbysnapshots', 'number', 'USEDSNAP', { ro: true, bytes: true, types: FV, alias: 'usedsnap' }],
  ['usedbydataset', 'number', 'USEDDS', { ro: true, bytes: true, types: FV, alias: 'usedds' }],
  ['usedbychildren', 'number', 'USEDCHILD', { ro: true, bytes: true, types: FV, alias: 'usedchild' }],
  ['usedbyrefreservation', 'number', 'USEDREFRESERV', { ro: true, bytes: true, types: FV, alias: 'usedrefreserv' }],
  ['logbias', 'index', 'LOGBIAS', { inherit: true, values: ['latency', 'throughput'], dflt: 'latency', types: FV }],
  ['objsetid', 'number', 'OBJSETID', { ro: true, types: FS }],
  [
    'dedup',
    'index',
    'DEDUP',
    {
      inherit: true,
      values: [
        'on',
        'off',
        'verify',
        'sha256',
        'sha256,verify',
        'sha512',
        'sha512,verify',
        'skein',
        'skein,verify',
        'edonr,verify',
        'blake3',
        'blake3,verify',
      ],
      dflt: 'off',
      types: FV,
    },
  ],
  ['mlslabel', 'string', 'MLSLABEL', { inherit: true, dflt: 'none', types: FS }],
  ['sync', 'index', 'SYNC', { inherit: true, values: ['standard', 'always', 'disabled'], dflt: 'standard', types: FV }],
  [
    'dnodesize',
    'index',
    'DNSIZE',
    { inherit: true, values: ['legacy', 'auto', '1k', '2k', '4k', '8k', '16k'], dflt: 'legacy', types: [F] },
  ],
  ['refcompressratio', 'number', 'REFRATIO', { ro: true, types: FS }],
  ['written', 'number', 'WRITTEN', { ro: true, bytes: true, types: FS }],
  ['logicalused', 'number', 'LUSED', { ro: true, bytes: true, types: FV, alias: 'lused' }],
  ['logicalreferenced', 'number', 'LREFER', { ro: true, bytes: true, types: FS, alias: 'lrefer' }],
  ['volmode', 'index', 'VOLMODE', { inherit: true, values: ['default', 'full', 'geom', 'dev', 'none'], dflt: 'default', types: FV }],
  ['snapdev', 'index', 'SNAPDEV', { inherit: true, values: ['hidden', 'visible'], dflt: 'hidden', types: FV }],
  ['acltype', 'index', 'ACLTYPE', { inherit: true, values: ['off', 'nfsv4', 'posix'], dflt: 'nfsv4', types: [F, S] }],
  ['redundant_metadata', 'index', 'REDUND_MD', { inherit: true, values: ['all', 'most', 'some', 'none'], dflt: 'all', types: FV }],
  ['overlay', 'index', 'OVERLAY', { inherit: true, values: ONOFF, dflt: 'on', types: [F] }],
  [
    'encryption',
    'index',
    'ENCRYPTION',
    {
      ro: true,
      values: ['off', 'on', 'aes-128-ccm', 'aes-192-ccm', 'aes-256-ccm', 'aes-128-gcm', 'aes-192-gcm', 'aes-256-gcm'],
      types: FS,
    },
  ],
  ['origin', 'string', 'ORIGIN', { ro: true, types: FV }],
  ['clones', 'string', 'CLONES', { ro: true, types: [S] }],
  ['defer_destroy', 'index', 'DEFER_DESTROY', { ro: true, values: ['yes', 'no'], types: [S] }],
  ['userrefs', 'number', 'USERREFS', { ro: true, types: [S] }],
  ['name', 'string', 'NAME', { ro: true, types: FS, hidden: true }],
];

const PROPS = new Map();
const ALIASES = new Map();
TABLE.forEach(([name, kind, column, o], order) => {
  PROPS.set(name, { name, kind, column, order, ...o, ro: !!o.ro, inherit: !!o.inherit });
  if (o.alias) ALIASES.set(o.alias, name);
});

/** Canonical property, or null (user properties are 'module:name' and handled apart). */
function lookup(name) {
  return PROPS.get(name) || PROPS.get(ALIASES.get(name)) || null;
}
const isUserProp = (name) => /^[a-z0-9_.+-]*:[a-z0-9_.+:-]*$/i.test(name) && name.includes(':');

/** zprop_width(): the minimum (and for numbers/indexes fixed) width of a property's values. */
function staticWidth(p) {
  let w = p.column.length;
  if (p.kind === 'number') w = Math.max(w, 5);
  if (p.kind === 'index') for (const v of p.values) w = Math.max(w, v.length);
  return w;
}
const isFixed = (p) => p.kind !== 'string' && p.name !== 'creation';
/** zfs_prop_align_right(): numbers are right-aligned in `zfs list`. */
const alignRight = (p) => p.kind === 'number' && p.name !== 'creation';

/** The properties `zfs get all` prints, in its order. */
const ALL = TABLE.map(([n]) => n).filter((n) => !PROPS.get(n).hidden);

// Pool properties (zpool list / get): [name, column, kind, right-aligned]
const POOL_TABLE = [
  ['name', 'NAME', 'string'],
  ['size', 'SIZE', 'number'],
  ['allocated', 'ALLOC', 'number', 'alloc'],
  ['free', 'FREE', 'number'],
  ['checkpoint', 'CKPOINT', 'number', 'ckpoint'],
  ['expandsize', 'EXPANDSZ', 'number', 'expandsz'],
  ['fragmentation', 'FRAG', 'number', 'frag'],
  ['capacity', 'CAP', 'number', 'cap'],
  ['dedupratio', 'DEDUP', 'number', 'dedup'],
  ['health', 'HEALTH', 'health'],
  ['altroot', 'ALTROOT', 'string'],
  ['guid', 'GUID', 'number'],
  ['version', 'VERSION', 'number'],
  ['bootfs', 'BOOTFS', 'string'],
  ['delegation', 'DELEGATION', 'index'],
  ['autoreplace', 'REPLACE', 'index'],
  ['cachefile', 'CACHEFILE', 'string'],
  ['failmode', 'FAILMODE', 'index'],
  ['listsnapshots', 'LISTSNAPS', 'index', 'listsnaps'],
  ['autoexpand', 'EXPAND', 'index', 'expand'],
  ['readonly', 'RDONLY', 'index', 'rdonly'],
  ['ashift', 'ASHIFT', 'number'],
  ['comment', 'COMMENT', 'string'],
];
const POOL_PROPS = new Map();
const POOL_ALIASES = new Map();
for (const [name, column, kind, alias] of POOL_TABLE) {
  POOL_PROPS.set(name, { name, column, kind });
  if (alias) POOL_ALIASES.set(alias, name);
}
const lookupPool = (n) => POOL_PROPS.get(n) || POOL_PROPS.get(POOL_ALIASES.get(n)) || null;
/** zpool list column widths (zprop_width for pool properties; health is 8 wide, right-aligned). */
function poolColumn(p) {
  const right = p.kind === 'number' || p.kind === 'health';
  let width = p.column.length;
  if (p.kind === 'number') width = Math.max(width, 5);
  if (p.kind === 'health') width = 8;
  return { header: p.column, width, right, fixed: p.kind !== 'string' };
}
const POOL_LIST_DEFAULT = [
  'name',
  'size',
  'allocated',
  'free',
  'checkpoint',
  'expandsize',
  'fragmentation',
  'capacity',
  'dedupratio',
  'health',
  'altroot',
];

module.exports = {
  PROPS,
  lookup,
  isUserProp,
  staticWidth,
  isFixed,
  alignRight,
  ALL,
  lookupPool,
  poolColumn,
  POOL_LIST_DEFAULT,
  POOL_PROPS,
};
