'use strict';
/**
 * The emulated ZFS of one lab host, as data: pools, datasets, snapshots and their properties,
 * with OpenZFS 2.2's rules (parents, dependents, clones, inheritance, name validation) and
 * its error messages. Pure: operations return { ops } describing what must happen on disk
 * (emul-storage.cjs applies them) or throw ZfsError with the text zfs prints.
 */
const props = require('./props.cjs');
const { nicenum, nicestrtonum, creationDate } = require('./format.cjs');

class ZfsError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Space the emulation reports (it does not measure the data): see the lab README. */
const FS_REFER = 98304; // a fresh dataset, 96K
const POOL_SIZE = 2126512128; // 1.98G, as a 2 GiB file vdev shows under zfs-fuse
const POOL_OVERHEAD = 33030144; // what the pool keeps back: available = size - overhead - used

function emptyState() {
  return { version: 1, txg: 1, pools: {}, datasets: {} };
}

const parentOf = (name) => (name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : null);
const poolOf = (name) => name.split(/[/@]/)[0];
const fsOf = (name) => name.split('@')[0];

/** zfs_validate_name(): null or the libzfs message. */
function nameError(name, { snapshot = false } = {}) {
  if (name.length >= 256) return 'name is too long';
  if (snapshot && !name.includes('@')) return "missing '@' delimiter in snapshot name";
  if (!snapshot && name.includes('@')) return "snapshot delimiter '@' is not expected here";
  if (name.startsWith('/')) return 'leading slash in name';
  if (name.endsWith('/')) return 'trailing slash in name';
  const at = name.split('@');
  if (at.length > 2) return "multiple '@' and/or '#' delimiters in name";
  const comps = at[0].split('/');
  if (comps.some((c) => c === '') || (snapshot && at[1] === '')) return "empty component or misplaced '@' or '#' delimiter in name";
  for (const c of [...comps, ...(at[1] !== undefined ? [at[1]] : [])]) {
    const bad = /[^A-Za-z0-9_.: -]/.exec(c);
    if (bad) return `invalid character '${bad[0]}' in name`;
    if (c === '.') return "self reference, '.' is found in name";
    if (c === '..') return "parent reference, '..' is found in name";
  }
  if (!/^[A-Za-z]/.test(comps[0])) return "pool doesn't begin with a letter";
  return null;
}

function mustExist(st, name, what = 'open') {
  const ds = st.datasets[name];
  if (!ds) throw new ZfsError(`cannot ${what} '${name}': dataset does not exist`);
  return ds;
}

/** NAME and its ancestors (a snapshot: itself only, its user properties are its own). */
const ancestry = (name) => {
  if (name.includes('@')) return [name];
  const out = [];
  for (let a = name; a; a = parentOf(a)) out.push(a);
  return out;
};
const children = (st, name) =>
  Object.keys(st.datasets)
    .filter((n) => parentOf(n) === name && !n.includes('@'))
    .sort();
const snapshotsOf = (st, name) =>
  Object.keys(st.datasets)
    .filter((n) => n.startsWith(name + '@'))
    .sort((a, b) => st.datasets[a].createtxg - st.datasets[b].createtxg);
const clonesOf = (st, snap) =>
  Object.keys(st.datasets)
    .filter((n) => st.datasets[n].origin === snap)
    .sort();
const isDescendant = (name, of) => name.startsWith(of + '/') || name.startsWith(of + '@');

/** zfs_iter_dependents() in post-order: child filesystems, then snapshots (each after its clones). */
function dependents(st, name, withClones = true) {
  const out = [];
  const visit = (n, first) => {
    if (n.includes('@')) {
      if (withClones) for (const c of clonesOf(st, n)) visit(c, false);
    } else {
      for (const c of children(st, n)) visit(c, false);
      for (const s of snapshotsOf(st, n)) visit(s, false);
    }
    if (!first) out.push(n);
  };
  visit(name, true);
  return out;
}

// ---- properties ----

/** Where a property's effective value comes from: { value, source: 'local'|'default'|'-'|'inherited from X' }. */
function resolve(st, name, key) {
  const p = props.lookup(key);
  const ds = st.datasets[name];
  if (!p) {
    // user property: snapshots keep their own, datasets inherit
    if (ds.props[key] !== undefined) return { value: ds.props[key], source: 'local' };
    if (!name.includes('@')) {
      for (let a = parentOf(name); a; a = parentOf(a)) {
        if (st.datasets[a].props[key] !== undefined) return { value: st.datasets[a].props[key], source: `inherited from ${a}` };
      }
    }
    return { value: '-', source: '-' };
  }
  if (ds.props[p.name] !== undefined) return { value: ds.props[p.name], source: 'local' };
  if (p.inherit && !name.includes('@')) {
    for (let a = parentOf(name); a; a = parentOf(a)) {
      const v = st.datasets[a].props[p.name];
      if (v === undefined) continue;
      if (p.name === 'mountpoint' && v !== 'none' && v !== 'legacy') {
        return { value: (v === '/' ? '' : v) + name.slice(a.length), source: `inherited from ${a}` };
      }
      return { value: v, source: `inherited from ${a}` };
    }
  }
  if (p.inherit && name.includes('@')) return resolve(st, fsOf(name), key);
  if (p.name === 'mountpoint') return { value: '/' + name, source: 'default' };
  return { value: p.dflt, source: 'default' };
}

function used(st, name) {
  if (name.includes('@')) return 0;
  let u = FS_REFER;
  for (const c of children(st, name)) u += used(st, c);
  return u;
}
function poolAvailable(st, pool) {
  return Math.max(0, (st.pools[pool]?.size ?? POOL_SIZE) - POOL_OVERHEAD - used(st, pool));
}
function available(st, name) {
  let avail = poolAvailable(st, poolOf(name));
  for (let a = name; a; a = parentOf(a)) {
    const q = Number(st.datasets[a].props.quota || 0);
    if (q) avail = Math.min(avail, Math.max(0, q - used(st, a)));
  }
  return avail;
}
const isMountable = (st, name) => {
  if (name.includes('@')) return false;
  const mp = resolve(st, name, 'mountpoint').value;
  return mp !== 'none' && mp !== 'legacy' && resolve(st, name, 'canmount').value === 'on';
};

/**
 * A property of a dataset as `zfs get` prints it: { value, source } or null when the
 * property does not apply to the dataset's type (printed as "-" "-").
 */
function getProperty(st, name, key, { literal = false } = {}) {
  const ds = st.datasets[name];
  const p = props.lookup(key);
  if (!p) return resolve(st, name, key);
  if (!p.types.includes(ds.type)) return null;
  const num = (n) => (literal ? String(n) : nicenum(n, { bytes: p.bytes }));
  const ro = (value) => ({ value, source: '-' });
  switch (p.name) {
    case 'name':
      return ro(name);
    case 'type':
      return ro(ds.type);
    case 'creation':
      return ro(literal ? String(ds.creation) : creationDate(ds.creation));
    case 'used':
    case 'logicalused':
      return ro(num(used(st, name)));
    case 'usedbydataset':
      return ro(num(FS_REFER));
    case 'usedbychildren':
      return ro(num(used(st, name) - FS_REFER));
    case 'usedbysnapshots':
    case 'usedbyrefreservation':
      return ro(num(0));
    case 'written':
      return ro(num(name.includes('@') ? FS_REFER : 0));
    case 'available':
      return ro(num(available(st, name)));
    case 'referenced':
    case 'logicalreferenced':
      return ro(num(FS_REFER));
    case 'compressratio':
    case 'refcompressratio':
      return ro(literal ? '1.00' : '1.00x');
    case 'mounted':
      return ro(ds.mounted ? 'yes' : 'no');
    case 'createtxg':
      return ro(String(ds.createtxg));
    case 'guid':
      return ro(ds.guid);
    case 'objsetid':
      return ro(String(ds.objsetid ?? 0));
    case 'version':
      return ro('5');
    case 'utf8only':
      return ro('off');
    case 'normalization':
      return ro('none');
    case 'casesensitivity':
      return ro('sensitive');
    case 'encryption':
      return { value: 'off', source: 'default' };
    case 'origin':
      return ro(ds.origin || '-');
    case 'clones':
      return ro(clonesOf(st, name).join(','));
    case 'defer_destroy':
      return ro('off');
    case 'userrefs':
      return ro('0');
    default:
      break;
  }
  const r = resolve(st, name, p.name);
  if (p.kind === 'number') {
    const n = BigInt(r.value);
    if (p.none && n === 0n) return { value: literal ? '0' : 'none', source: r.source };
    return { value: num(n), source: r.source };
  }
  return r;
}

/** Validate `prop=value` for set/create: returns [canonicalName, storedValue]; throws the aux message. */
function parseAssignment(key, value, { creating = false, type = 'filesystem' } = {}) {
  if (props.isUserProp(key)) {
    if (key.length > 256) throw new Error(`property name '${key}' is too long`);
    return [key, value];
  }
  const p = props.lookup(key);
  if (!p || p.hidden) throw new Error(`invalid property '${key}'`);
  if (p.ro && !(creating && ['utf8only', 'normalization', 'casesensitivity'].includes(p.name))) throw new Error(`'${p.name}' is readonly`);
  if (!p.types.includes(type)) throw new Error(`'${p.name}' does not apply to datasets of this type`);
  if (p.kind === 'index') {
    if (!p.values.includes(value)) throw new Error(`'${p.name}' must be one of '${indexValuesText(p)}'`);
    return [p.name, value];
  }
  if (p.kind === 'number') {
    if (p.none && value === 'none') return [p.name, '0'];
    const n = nicestrtonum(value);
    if (p.none && n === 0n) throw new Error("use 'none' to disable quota/refquota");
    if (p.name === 'recordsize' && (n < 512n || n > 16777216n || (n & (n - 1n)) !== 0n))
      throw new Error("'recordsize' must be power of 2 from 512B to 16M");
    return [p.name, String(n)];
  }
  if (p.name === 'mountpoint' && value !== 'none' && value !== 'legacy' && !value.startsWith('/')) {
    throw new Error(`'mountpoint' must be an absolute path, 'none', or 'legacy'`);
  }
  return [p.name, p.name === 'mountpoint' && value.length > 1 ? value.replace(/\/+$/, '') : value];
}
function indexValuesText(p) {
  if (p.name === 'compression')
    return 'on | off | lzjb | gzip | gzip-[1-9] | zle | lz4 | zstd | zstd-[1-19] | zstd-fast | zstd-fast-[1-10,20,30,40,50,60,70,80,90,100,500,1000]';
  if (p.name === 'copies') return '1 | 2 | 3';
  return p.values.join(' | ');
}

// ---- operations ----

let guidSeed = 0;
function newGuid() {
  const hi = BigInt(Math.floor(Math.random() * 2 ** 31)) << 32n;
  return String(hi + BigInt(Math.floor(Math.random() * 2 ** 32)) + BigInt(guidSeed++));
}
const now = () => Math.floor(Date.now() / 1000);

function addDataset(st, name, type, extra = {}) {
  st.txg += 1;
  st.datasets[name] = { type, guid: newGuid(), createtxg: st.txg, creation: now(), objsetid: st.txg + 54, props: {}, ...extra };
  return st.datasets[name];
}

function createPool(st, pool, { mountpoint } = {}) {
  st.pools[pool] = { name: pool, guid: newGuid(), size: POOL_SIZE, created: now() };
  const ds = addDataset(st, pool, 'filesystem');
  if (mountpoint) ds.props.mountpoint = mountpoint;
  return [{ op: 'mkdata', name: pool }, ...mountOps(st, pool)];
}

/** Mount ops for NAME and its descendants whose effective mountpoint/canmount allow it. */
function mountOps(st, name, { recursive = false } = {}) {
  const names = [
    name,
    ...(recursive
      ? dependents(st, name, false)
          .filter((n) => !n.includes('@'))
          .reverse()
      : []),
  ];
  return names
    .filter((n) => isMountable(st, n) && !st.datasets[n].mounted)
    .map((n) => {
      st.datasets[n].mounted = true;
      return { op: 'mount', name: n, mountpoint: resolve(st, n, 'mountpoint').value };
    });
}
function umountOps(st, names) {
  return names
    .filter((n) => st.datasets[n]?.mounted)
    .map((n) => {
      st.datasets[n].mounted = false;
      // OpenZFS removes the mountpoint directory only if it was default or inherited.
      const removeDir = resolve(st, n, 'mountpoint').source !== 'local';
      return { op: 'umount', name: n, mountedAt: st.datasets[n].mountedAt, removeDir };
    });
}

function create(st, name, { parents = false, assignments = [] } = {}) {
  const err = `cannot create '${name}'`;
  const ne = nameError(name);
  if (ne) throw new ZfsError(`${err}: ${ne}`);
  if (!parentOf(name)) throw new ZfsError(`${err}: missing dataset name`);
  const pool = poolOf(name);
  if (!st.pools[pool]) throw new ZfsError(`${err}: no such pool '${pool}'`);
  if (st.datasets[name]) {
    if (parents) return [];
    throw new ZfsError(`${err}: dataset already exists`);
  }
  const settings = [];
  for (const [k, v] of assignments) {
    try {
      settings.push(parseAssignment(k, v, { creating: true }));
    } catch (e) {
      throw new ZfsError(`${err}: ${e.message}`);
    }
  }
  const ops = [];
  const missing = [];
  for (let a = parentOf(name); a && !st.datasets[a]; a = parentOf(a)) missing.unshift(a);
  if (missing.length && !parents) throw new ZfsError(`${err}: parent does not exist`);
  for (const a of missing) {
    if (st.datasets[a]?.type === 'volume') throw new ZfsError(`${err}: parent is not a filesystem`);
    addDataset(st, a, 'filesystem');
    ops.push({ op: 'mkdata', name: a }, ...mountOps(st, a));
  }
  const ds = addDataset(st, name, 'filesystem');
  for (const [k, v] of settings) ds.props[k] = v;
  ops.push({ op: 'mkdata', name }, ...mountOps(st, name));
  return ops;
}

function destroy(st, target, { recursive = false, dependentsToo = false, dryRun = false } = {}) {
  if (target.includes('@')) return destroySnapshots(st, target, { recursive, dependentsToo, dryRun });
  const ne = nameError(target);
  if (ne) throw new ZfsError(`cannot open '${target}': ${ne}`);
  mustExist(st, target);
  if (!parentOf(target))
    throw new ZfsError(
      `cannot destroy '${target}': operation does not apply to pools\nuse 'zfs destroy -r ${target}' to destroy all datasets in the pool\nuse 'zpool destroy ${target}' to destroy the pool itself`,
    );
  if (!dependentsToo) checkDependents(st, target, recursive);
  const doomed = dependentsToo ? withAllDependents(st, target) : [...dependents(st, target, false), target];
  if (dryRun) return [];
  return removeDatasets(st, doomed);
}

function checkDependents(st, target, recursive) {
  const isSnap = target.includes('@');
  const lines = [];
  let kind = null;
  for (const d of dependents(st, target, true)) {
    if (isDescendant(d, target)) {
      if (recursive) continue;
      if (!kind) kind = 'children';
      else if (kind !== 'children') continue;
      lines.push(d);
    } else {
      if (!recursive && !isSnap) continue;
      if (!kind) kind = 'clones';
      lines.push(d);
    }
  }
  if (!kind) return;
  const type = isSnap ? 'snapshot' : st.datasets[target].type;
  throw new ZfsError(
    kind === 'children'
      ? `cannot destroy '${target}': ${type} has children\nuse '-r' to destroy the following datasets:\n${lines.join('\n')}`
      : `cannot destroy '${target}': ${type} has dependent clones\nuse '-R' to destroy the following datasets:\n${lines.join('\n')}`,
  );
}

/** -R: the target, its descendants, and every clone of any of their snapshots (with their own dependents). */
function withAllDependents(st, target) {
  const out = [];
  const seen = new Set();
  const add = (n) => {
    for (const d of dependents(st, n, true)) {
      if (!seen.has(d)) {
        seen.add(d);
        out.push(d);
      }
    }
    if (!seen.has(n)) {
      seen.add(n);
      out.push(n);
    }
  };
  add(target);
  return out;
}

function removeDatasets(st, names) {
  const ops = umountOps(
    st,
    names.filter((n) => !n.includes('@')),
  );
  for (const n of names) {
    const ds = st.datasets[n];
    if (!ds) continue;
    ops.push({ op: n.includes('@') ? 'rmsnap' : 'rmdata', name: n, guid: ds.guid });
    delete st.datasets[n];
  }
  return ops;
}

function destroySnapshots(st, spec, { recursive, dependentsToo, dryRun }) {
  const [fs, snap] = spec.split('@');
  mustExist(st, fs);
  const targets = [fs, ...(recursive ? dependents(st, fs, false).filter((n) => !n.includes('@')) : [])]
    .map((f) => `${f}@${snap}`)
    .filter((n) => st.datasets[n]);
  if (targets.length === 0) throw new ZfsError('could not find any snapshots to destroy; check snapshot names.');
  let doomed = [];
  for (const t of targets) {
    if (dependentsToo) doomed.push(...withAllDependents(st, t));
    else {
      checkDependents(st, t, false);
      doomed.push(t);
    }
  }
  doomed = [...new Set(doomed)];
  if (dryRun) return [];
  return removeDatasets(st, doomed);
}

function snapshot(st, specs, { recursive = false, assignments = [] } = {}) {
  const ops = [];
  const planned = [];
  for (const spec of specs) {
    const ne = nameError(spec, { snapshot: true });
    if (ne) throw new ZfsError(`cannot create snapshot '${spec}': ${ne}`);
    const [fs, snap] = spec.split('@');
    if (!st.datasets[fs]) throw Object.assign(new ZfsError(`cannot open '${fs}': dataset does not exist`, 2), { usage: 'snapshot' });
    const all = [
      fs,
      ...(recursive
        ? dependents(st, fs, false)
            .filter((n) => !n.includes('@'))
            .reverse()
        : []),
    ];
    for (const f of all) {
      if (st.datasets[`${f}@${snap}`]) throw new ZfsError(`cannot create snapshot '${f}@${snap}': dataset already exists`);
      planned.push(`${f}@${snap}`);
    }
  }
  const settings = assignments.map(([k, v]) => {
    if (!props.isUserProp(k))
      throw new ZfsError(
        `cannot create snapshot '${planned[0]}': property '${k}' can only be set on filesystems`.replace(
          /can only.*/,
          "invalid property '" + k + "'",
        ),
      );
    return [k, v];
  });
  st.txg += 1; // one transaction group for all of them, like zfs_snapshot_nvl()
  for (const n of planned) {
    const ds = addDataset(st, n, 'snapshot', { createtxg: st.txg });
    for (const [k, v] of settings) ds.props[k] = v;
    ops.push({ op: 'snap', name: n, fs: fsOf(n), guid: ds.guid });
  }
  return ops;
}

function rollback(st, snap, { recursive = false, dependentsToo = false } = {}) {
  if (!snap.includes('@')) throw new ZfsError(`cannot open '${snap}': operation not applicable to datasets of this type`);
  const ds = mustExist(st, snap);
  const fs = fsOf(snap);
  const later = snapshotsOf(st, fs).filter((s) => st.datasets[s].createtxg > ds.createtxg);
  if (later.length && !recursive && !dependentsToo) {
    throw new ZfsError(
      `cannot rollback to '${snap}': more recent snapshots exist\nuse '-r' to force deletion of the following snapshots:\n${later.join('\n')}`,
    );
  }
  const clones = later.flatMap((s) => clonesOf(st, s));
  if (clones.length && !dependentsToo) {
    throw new ZfsError(
      `cannot rollback to '${snap}': clones of previous snapshots exist\nuse '-R' to force deletion of the following clones and dependents:\n${clones.join('\n')}`,
    );
  }
  const ops = removeDatasets(
    st,
    later.flatMap((s) => withAllDependents(st, s)),
  );
  ops.push({ op: 'rollback', name: fs, snap, guid: ds.guid });
  return ops;
}

function clone(st, snap, target, { parents = false, assignments = [] } = {}) {
  const ne = nameError(snap, { snapshot: true });
  if (ne && snap.includes('@')) throw new ZfsError(`cannot open '${snap}': ${ne}`);
  if (!snap.includes('@')) {
    mustExist(st, snap);
    throw new ZfsError(`cannot open '${snap}': operation not applicable to datasets of this type`);
  }
  const src = mustExist(st, snap);
  const err = `cannot create '${target}'`;
  const tn = nameError(target);
  if (tn) throw new ZfsError(`${err}: ${tn}`);
  if (!st.pools[poolOf(target)]) throw new ZfsError(`${err}: no such pool '${poolOf(target)}'`);
  if (poolOf(target) !== poolOf(snap)) throw new ZfsError(`${err}: source and target pools differ`);
  if (st.datasets[target]) throw new ZfsError(`${err}: dataset already exists`);
  const settings = [];
  for (const [k, v] of assignments) {
    try {
      settings.push(parseAssignment(k, v, { creating: true }));
    } catch (e) {
      throw new ZfsError(`${err}: ${e.message}`);
    }
  }
  const ops = [];
  const missing = [];
  for (let a = parentOf(target); a && !st.datasets[a]; a = parentOf(a)) missing.unshift(a);
  if (missing.length && !parents) throw new ZfsError(`${err}: parent does not exist`);
  for (const a of missing) {
    addDataset(st, a, 'filesystem');
    ops.push({ op: 'mkdata', name: a }, ...mountOps(st, a));
  }
  const ds = addDataset(st, target, 'filesystem', { origin: snap });
  for (const [k, v] of settings) ds.props[k] = v;
  ops.push({ op: 'clonedata', name: target, snap, snapGuid: src.guid }, ...mountOps(st, target));
  return ops;
}

/** zfs promote: the clone takes over the origin's snapshots up to (and including) its origin. */
function promote(st, name) {
  const ds = mustExist(st, name);
  if (!ds.origin) throw new ZfsError(`cannot promote '${name}': not a cloned filesystem`);
  const origin = ds.origin;
  const originFs = fsOf(origin);
  const originTxg = st.datasets[origin].createtxg;
  const moved = snapshotsOf(st, originFs).filter((s) => st.datasets[s].createtxg <= originTxg);
  for (const s of moved) {
    const snapName = s.split('@')[1];
    if (st.datasets[`${name}@${snapName}`])
      throw new ZfsError(`cannot promote '${name}': snapshot name '${snapName}' from origin \nconflicts with '${snapName}' from target`);
  }
  const ops = [];
  for (const s of moved) {
    const nn = `${name}@${s.split('@')[1]}`;
    st.datasets[nn] = st.datasets[s];
    delete st.datasets[s];
    for (const c of clonesOf(st, s)) st.datasets[c].origin = nn;
  }
  const newOrigin = `${name}@${origin.split('@')[1]}`;
  st.datasets[originFs].origin = newOrigin;
  st.datasets[originFs].origin = st.datasets[newOrigin] ? newOrigin : undefined;
  ds.origin = st.datasets[origin]?.origin; // the clone inherits the old origin's own origin, if any
  if (!ds.origin) delete ds.origin;
  return ops;
}

function rename(st, from, to, { parents = false } = {}) {
  mustExist(st, from);
  if (from.includes('@')) {
    let target = to;
    if (!to.includes('@')) throw new ZfsError(`cannot rename to '${to}': not a snapshot name`);
    if (fsOf(to) !== fsOf(from)) throw new ZfsError(`cannot rename to '${to}': snapshots must be part of same dataset`);
    if (st.datasets[target]) throw new ZfsError(`cannot rename to '${target}': dataset already exists`);
    st.datasets[target] = st.datasets[from];
    delete st.datasets[from];
    for (const c of clonesOf(st, from)) st.datasets[c].origin = target;
    return [];
  }
  const err = `cannot rename to '${to}'`;
  const ne = nameError(to);
  if (ne) throw new ZfsError(`${err}: ${ne}`);
  if (poolOf(to) !== poolOf(from)) throw new ZfsError(`cannot rename to '${to}': datasets must be within same pool`);
  if (isDescendant(to, from))
    throw new ZfsError(`cannot rename to '${to}': New dataset name cannot be a descendant of current dataset name`);
  if (st.datasets[to]) throw new ZfsError(`${err}: dataset already exists`);
  const ops = [];
  const missing = [];
  for (let a = parentOf(to); a && !st.datasets[a]; a = parentOf(a)) missing.unshift(a);
  if (missing.length && !parents) throw new ZfsError(`${err}: parent does not exist`);
  for (const a of missing) {
    addDataset(st, a, 'filesystem');
    ops.push({ op: 'mkdata', name: a }, ...mountOps(st, a));
  }
  const affected = [from, ...dependents(st, from, false)];
  ops.push(...umountOps(st, affected.filter((n) => !n.includes('@')).reverse()));
  for (const n of affected) {
    const nn = to + n.slice(from.length);
    st.datasets[nn] = st.datasets[n];
    delete st.datasets[n];
    for (const ds of Object.values(st.datasets)) if (ds.origin === n) ds.origin = nn;
    ops.push({ op: 'rename', from: n, to: nn });
  }
  ops.push(...mountOps(st, to, { recursive: true }));
  return ops;
}

function setProperty(st, name, key, value) {
  const ds = mustExist(st, name);
  let k;
  let v;
  try {
    [k, v] = parseAssignment(key, value, { type: ds.type });
  } catch (e) {
    throw new ZfsError(`cannot set property for '${name}': ${e.message}`);
  }
  if ((k === 'mountpoint' || k === 'canmount') && ds.type === 'filesystem') {
    const affected = [name, ...dependents(st, name, false).filter((n) => !n.includes('@'))];
    const ops = umountOps(st, [...affected].reverse());
    ds.props[k] = v;
    return [...ops, ...mountOps(st, name, { recursive: true })];
  }
  ds.props[k] = v;
  return [];
}

function inherit(st, name, key, { recursive = false } = {}) {
  const ds = mustExist(st, name);
  const p = props.lookup(key);
  if (!p && !props.isUserProp(key)) throw new ZfsError(`invalid property '${key}'`, 1);
  if (p && p.ro) throw new ZfsError(`'${p.name}' property is read-only`);
  if (p && !p.inherit) throw new ZfsError(`'${p.name}' property cannot be inherited`);
  const k = p ? p.name : key;
  const names = [name, ...(recursive ? dependents(st, name, false).filter((n) => !n.includes('@')) : [])];
  const remount = k === 'mountpoint';
  const ops = remount ? umountOps(st, [...names, ...dependents(st, name, false)].filter((n) => !n.includes('@')).reverse()) : [];
  for (const n of names) delete st.datasets[n].props[k];
  void ds;
  if (remount) ops.push(...mountOps(st, name, { recursive: true }));
  return ops;
}

/**
 * The datasets `zfs list` / `zfs get` visit for the operands: sorted as libzfs sorts them
 * (by file system name; a file system's snapshots right after it, by creation txg).
 */
function select(st, operands, { recursive = false, depth = Infinity, types = ['filesystem', 'volume'], errors = [] } = {}) {
  const found = new Set();
  const add = (n) => {
    if (types.includes(st.datasets[n].type)) found.add(n);
  };
  if (operands.length === 0) {
    for (const n of Object.keys(st.datasets)) add(n);
  } else {
    for (const op of operands) {
      const ne = op.includes('@') ? nameError(op, { snapshot: true }) : nameError(op);
      // Opening (not creating) checks characters only: "-r" is a dataset that does not exist.
      if (ne && ne !== "pool doesn't begin with a letter") {
        errors.push(`cannot open '${op}': ${ne}`);
        continue;
      }
      if (!st.datasets[op]) {
        errors.push(`cannot open '${op}': dataset does not exist`);
        continue;
      }
      if (op.includes('@') || !recursive) {
        if (op.includes('@') || types.includes(st.datasets[op].type)) found.add(op);
        if (!recursive) continue;
      }
      add(op);
      const base = op.split('/').length;
      for (const n of Object.keys(st.datasets)) {
        if (!isDescendant(n, op)) continue;
        const d = fsOf(n).split('/').length - base + (n.includes('@') ? 1 : 0);
        if (d <= depth) add(n);
      }
    }
  }
  return [...found].sort((a, b) => compareNames(st, a, b));
}
function compareNames(st, a, b) {
  const fa = fsOf(a);
  const fb = fsOf(b);
  if (fa !== fb) return fa < fb ? -1 : 1;
  if (!a.includes('@')) return -1;
  if (!b.includes('@')) return 1;
  return st.datasets[a].createtxg - st.datasets[b].createtxg || (a < b ? -1 : 1);
}

module.exports = {
  ZfsError,
  emptyState,
  createPool,
  create,
  destroy,
  snapshot,
  rollback,
  clone,
  promote,
  rename,
  setProperty,
  inherit,
  select,
  ancestry,
  getProperty,
  resolve,
  mountOps,
  umountOps,
  dependents,
  nameError,
  parentOf,
  poolOf,
  fsOf,
  poolAvailable,
  used,
  isMountable,
  POOL_SIZE,
  POOL_OVERHEAD,
  FS_REFER,
};
