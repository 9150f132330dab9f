'use strict';
/** zfs(8) of the emulated ZFS: the command line, on top of emul-model.cjs and emul-storage.cjs. */
const model = require('./emul-model.cjs');
const storage = require('./emul-storage.cjs');
const props = require('./props.cjs');
const { getopt } = require('./getopt.cjs');
const { renderList, renderGet } = require('./format.cjs');
const { zfsUsage, zfsTopUsage } = require('./usage.cjs');

const out = (s) => process.stdout.write(s);
const err = (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');

class Usage extends Error {
  constructor(cmd, msg) {
    super(msg || '');
    this.cmd = cmd;
  }
}

const OPTSTRINGS = {
  create: ':PnpuvV:o:b:s',
  destroy: 'vpndfrR',
  snapshot: ':ro:',
  snap: ':ro:',
  rollback: 'rRf',
  clone: ':po:',
  promote: '',
  rename: 'pruf',
  list: ':HS:d:o:prs:t:',
  set: 'u',
  get: ':d:o:s:rt:Hp',
  inherit: 'rS',
  mount: ':alvo:Of',
  unmount: 'afu',
  umount: 'afu',
};

function parse(cmd, argv) {
  const r = getopt(argv, OPTSTRINGS[cmd]);
  if (r.error) throw new Usage(cmd, r.error);
  const flags = {};
  const list = (f) => r.opts.filter(([c]) => c === f).map(([, v]) => v);
  for (const [c, v] of r.opts) flags[c] = v;
  return { flags, list, args: r.args };
}

function assignments(values, cmd) {
  return values.map((v) => {
    const eq = v.indexOf('=');
    if (eq < 0) throw new Usage(cmd, `missing '=' for property=value argument`);
    return [v.slice(0, eq), v.slice(eq + 1)];
  });
}

/** Run fn(state) under the lock, apply its ops, save, record mounts. */
function mutate(fn) {
  return storage.withLock(() => {
    const st = storage.load() || model.emptyState();
    const warnings = [];
    let rc = 0;
    try {
      const ops = fn(st) || [];
      storage.apply(st, ops, (w) => warnings.push(w));
    } catch (e) {
      if (!(e instanceof model.ZfsError)) throw e;
      storage.save(st);
      throw e;
    } finally {
      storage.save(st);
      storage.syncMountTable(st);
    }
    for (const w of warnings) {
      err(w);
      rc = 1;
    }
    return rc;
  });
}
const readState = () => storage.load() || model.emptyState();

const TYPE_NAMES = {
  filesystem: 'filesystem',
  fs: 'filesystem',
  snapshot: 'snapshot',
  snap: 'snapshot',
  volume: 'volume',
  vol: 'volume',
  bookmark: 'bookmark',
  all: 'all',
};
function parseTypes(s, cmd) {
  const types = [];
  for (const t of s.split(',')) {
    const n = TYPE_NAMES[t];
    if (!n) throw new Usage(cmd, `invalid type '${t}'`);
    if (n === 'all') types.push('filesystem', 'snapshot', 'volume', 'bookmark');
    else types.push(n);
  }
  return types;
}
function parseDepth(v, cmd) {
  if (!/^\d+$/.test(v)) throw new Usage(cmd, `invalid depth '${v}'`);
  return Number(v);
}

function cmdList(argv) {
  const { flags, list, args } = parse('list', argv);
  let fields = (flags.o || 'name,used,available,referenced,mountpoint').split(',');
  if (flags.o === 'space')
    fields = ['name', 'available', 'used', 'usedbysnapshots', 'usedbydataset', 'usedbyrefreservation', 'usedbychildren'];
  const cols = fields.map((f) => {
    const p = props.lookup(f);
    if (!p && !props.isUserProp(f)) throw new Usage('list', `bad property list: invalid property '${f}'`);
    return p
      ? { key: p.name, p, header: p.column, width: props.staticWidth(p), right: props.alignRight(p), fixed: props.isFixed(p) }
      : { key: f, header: f.toUpperCase(), width: f.length, right: false, fixed: false };
  });
  let types = flags.t !== undefined ? parseTypes(flags.t, 'list') : ['filesystem', 'volume'];
  let recursive = !!flags.r || flags.d !== undefined;
  let depth = flags.d !== undefined ? parseDepth(flags.d, 'list') : Infinity;
  // `zfs list -t snapshot FS` lists FS's snapshots (depth 1), as OpenZFS does.
  if (types.length === 1 && types[0] === 'snapshot' && args.length > 0 && !recursive) {
    recursive = true;
    depth = 1;
  }
  const st = readState();
  const errors = [];
  let names = model.select(st, args, { recursive, depth, types, errors });
  const sorts = list('s')
    .map((k) => [k, 1])
    .concat(list('S').map((k) => [k, -1]));
  if (sorts.length) {
    const keyOf = (n, k) => {
      const v = model.getProperty(st, n, k, { literal: true });
      return v ? v.value : '';
    };
    names = [...names].sort((a, b) => {
      for (const [k, dir] of sorts) {
        const va = keyOf(a, k);
        const vb = keyOf(b, k);
        const c = /^\d+$/.test(va) && /^\d+$/.test(vb) ? Number(BigInt(va) - BigInt(vb)) : va.localeCompare(vb);
        if (c) return Math.sign(c) * dir;
      }
      return 0;
    });
  }
  const literal = !!flags.p;
  const rows = names.map((n) =>
    cols.map((c) => {
      const v = model.getProperty(st, n, c.key, { literal });
      return v ? v.value : '-';
    }),
  );
  for (const e of errors) err(e);
  if (rows.length === 0 && errors.length === 0 && !flags.H) err('no datasets available');
  out(renderList(cols, rows, { scripted: !!flags.H }));
  return errors.length ? 1 : 0;
}

function cmdGet(argv) {
  const { flags, args } = parse('get', argv);
  if (args.length === 0) throw new Usage('get', 'missing property argument');
  const fields = (flags.o || 'name,property,value,source')
    .split(',')
    .flatMap((f) => (f === 'all' ? ['name', 'property', 'value', 'received', 'source'] : [f]));
  for (const f of fields)
    if (!['name', 'property', 'value', 'received', 'source'].includes(f)) throw new Usage('get', `invalid column name '${f}'`);
  const sources = flags.s ? flags.s.split(',') : null;
  if (sources)
    for (const s of sources)
      if (!['local', 'default', 'inherited', 'temporary', 'received', 'none'].includes(s)) throw new Usage('get', `invalid source '${s}'`);
  const propArg = args[0];
  let keys;
  if (propArg === 'all') keys = props.ALL;
  else {
    keys = propArg
      .split(',')
      .flatMap((k) =>
        k === 'space' ? ['name', 'available', 'used', 'usedbysnapshots', 'usedbydataset', 'usedbyrefreservation', 'usedbychildren'] : [k],
      );
    for (const k of keys) {
      if (!props.lookup(k) && !props.isUserProp(k)) throw new Usage('get', `bad property list: invalid property '${k}'`);
    }
    keys = keys.map((k) => props.lookup(k)?.name || k);
  }
  const types = flags.t !== undefined ? parseTypes(flags.t, 'get') : ['filesystem', 'volume', 'snapshot'];
  const recursive = !!flags.r || flags.d !== undefined;
  const depth = flags.d !== undefined ? parseDepth(flags.d, 'get') : Infinity;
  const st = readState();
  const errors = [];
  const names = model.select(st, args.slice(1), { recursive, depth, types, errors });
  const literal = !!flags.p;
  const rows = [];
  const widths = { name: 4, property: 8, value: 5 };
  for (const k of keys) {
    const p = props.lookup(k);
    widths.property = Math.max(widths.property, k.length);
    if (p && props.isFixed(p)) widths.value = Math.max(widths.value, props.staticWidth(p));
    if (!p) widths.value = Math.max(widths.value, k.length);
  }
  for (const n of names) {
    widths.name = Math.max(widths.name, n.length);
    // `get all` includes the user properties the dataset has (set or inherited).
    const userKeys =
      propArg !== 'all'
        ? []
        : [
            ...new Set(
              model
                .ancestry(n)
                .flatMap((a) => Object.keys(st.datasets[a]?.props || {}))
                .filter((k) => props.isUserProp(k)),
            ),
          ].sort();
    for (const k of [...keys, ...userKeys]) {
      const p = props.lookup(k);
      const v = model.getProperty(st, n, k, { literal });
      if (!v && propArg === 'all') continue;
      const value = v ? v.value : '-';
      const source = v ? v.source : '-';
      if ((p && !props.isFixed(p)) || !p || literal) widths.value = Math.max(widths.value, value.length);
      const kind = source.startsWith('inherited') ? 'inherited' : source === '-' ? 'none' : source;
      if (sources && !sources.includes(kind)) continue;
      rows.push({ name: n, property: k, value, received: '-', source });
    }
  }
  for (const e of errors) err(e);
  out(renderGet(fields, rows, { scripted: !!flags.H, widths }));
  return errors.length ? 1 : 0;
}

function cmdCreate(argv) {
  const { flags, list, args } = parse('create', argv);
  if (flags.V !== undefined) {
    err(`cannot create '${args[0] ?? ''}': volumes are not supported in the lab`);
    return 1;
  }
  if (args.length === 0) throw new Usage('create', 'missing filesystem argument');
  if (args.length > 1) throw new Usage('create', 'too many arguments');
  const as = assignments(list('o'), 'create');
  return mutate((st) => {
    const ops = model.create(st, args[0], { parents: !!flags.p, assignments: as });
    if (flags.n) return [];
    return flags.u ? ops.filter((o) => o.op !== 'mount').map((o) => o) : ops;
  });
}

function cmdDestroy(argv) {
  const { flags, args } = parse('destroy', argv);
  if (args.length === 0) throw new Usage('destroy', 'missing dataset argument');
  if (args.length > 1) throw new Usage('destroy', 'too many arguments');
  return mutate((st) => model.destroy(st, args[0], { recursive: !!flags.r || !!flags.R, dependentsToo: !!flags.R, dryRun: !!flags.n }));
}

function cmdSnapshot(argv) {
  const { flags, list, args } = parse('snapshot', argv);
  if (args.length === 0) throw new Usage('snapshot', 'missing snapshot argument');
  for (const a of args) if (!a.includes('@')) throw new Usage('snapshot');
  const as = assignments(list('o'), 'snapshot');
  return mutate((st) => model.snapshot(st, args, { recursive: !!flags.r, assignments: as }));
}

function cmdRollback(argv) {
  const { flags, args } = parse('rollback', argv);
  if (args.length === 0) throw new Usage('rollback', 'missing dataset argument');
  if (args.length > 1) throw new Usage('rollback', 'too many arguments');
  return mutate((st) => model.rollback(st, args[0], { recursive: !!flags.r, dependentsToo: !!flags.R }));
}

function cmdClone(argv) {
  const { flags, list, args } = parse('clone', argv);
  if (args.length === 0) throw new Usage('clone', 'missing source dataset argument');
  if (args.length === 1) throw new Usage('clone', 'missing target dataset argument');
  if (args.length > 2) throw new Usage('clone', 'too many arguments');
  const as = assignments(list('o'), 'clone');
  return mutate((st) => model.clone(st, args[0], args[1], { parents: !!flags.p, assignments: as }));
}

function cmdPromote(argv) {
  const { args } = parse('promote', argv);
  if (args.length !== 1) throw new Usage('promote', args.length ? 'too many arguments' : 'missing clone filesystem argument');
  return mutate((st) => model.promote(st, args[0]));
}

function cmdRename(argv) {
  const { flags, args } = parse('rename', argv);
  if (args.length < 2) throw new Usage('rename', args.length ? 'missing target dataset argument' : 'missing source dataset argument');
  if (args.length > 2) throw new Usage('rename', 'too many arguments');
  return mutate((st) => model.rename(st, args[0], args[1], { parents: !!flags.p }));
}

function cmdSet(argv) {
  const { args } = parse('set', argv);
  const eqs = [];
  let i = 0;
  for (; i < args.length && args[i].includes('='); i++) eqs.push(args[i]);
  if (eqs.length === 0) throw new Usage('set', args.length ? `missing '=' for property=value argument` : 'missing arguments');
  if (i >= args.length) throw new Usage('set', 'missing dataset name(s)');
  const as = assignments(eqs, 'set');
  return mutate((st) => {
    const ops = [];
    for (const n of args.slice(i)) for (const [k, v] of as) ops.push(...model.setProperty(st, n, k, v));
    return ops;
  });
}

function cmdInherit(argv) {
  const { flags, args } = parse('inherit', argv);
  if (args.length < 2) throw new Usage('inherit', args.length ? 'missing dataset argument' : 'missing property argument');
  return mutate((st) => args.slice(1).flatMap((n) => model.inherit(st, n, args[0], { recursive: !!flags.r })));
}

function cmdMount(argv) {
  const { flags, args } = parse('mount', argv);
  if (!flags.a && args.length === 0) {
    const st = readState();
    for (const [n, d] of Object.entries(st.datasets).sort()) if (d.mounted) out(`${n.padEnd(30)}  ${d.mountedAt}\n`);
    return 0;
  }
  return mutate((st) => {
    if (flags.a)
      return Object.keys(st.datasets)
        .sort()
        .flatMap((n) => model.mountOps(st, n));
    if (args.length > 1) throw new Usage('mount', 'too many arguments');
    const n = args[0];
    if (!st.datasets[n]) throw new model.ZfsError(`cannot open '${n}': dataset does not exist`);
    if (st.datasets[n].mounted) throw new model.ZfsError(`cannot mount '${n}': filesystem already mounted`);
    const mp = model.resolve(st, n, 'mountpoint').value;
    if (mp === 'legacy') throw new model.ZfsError(`cannot mount '${n}': legacy mountpoint\nuse mount(8) to mount this filesystem`);
    if (mp === 'none') throw new model.ZfsError(`cannot mount '${n}': no mountpoint set`);
    if (model.resolve(st, n, 'canmount').value === 'off')
      throw new model.ZfsError(`cannot mount '${n}': 'canmount' property is set to 'off'`);
    const ds = st.datasets[n];
    ds.mounted = true;
    return [{ op: 'mount', name: n, mountpoint: mp }];
  });
}

function cmdUnmount(argv, cmd) {
  const { flags, args } = parse(cmd, argv);
  if (!flags.a && args.length === 0) throw new Usage(cmd, 'missing filesystem argument');
  return mutate((st) => {
    if (flags.a) return model.umountOps(st, Object.keys(st.datasets).sort().reverse());
    const a = args[0];
    const n = a.startsWith('/') ? Object.keys(st.datasets).find((k) => st.datasets[k].mountedAt === a.replace(/(.)\/+$/, '$1')) : a;
    if (a.startsWith('/') && !n) throw new model.ZfsError(`cannot unmount '${a}': not a ZFS filesystem`);
    if (!st.datasets[n]) throw new model.ZfsError(`cannot open '${n}': dataset does not exist`);
    if (!st.datasets[n].mounted) throw new model.ZfsError(`cannot unmount '${n}': not currently mounted`);
    return model.umountOps(st, [n]);
  });
}

const COMMANDS = {
  list: cmdList,
  get: cmdGet,
  create: cmdCreate,
  destroy: cmdDestroy,
  snapshot: cmdSnapshot,
  snap: cmdSnapshot,
  rollback: cmdRollback,
  clone: cmdClone,
  promote: cmdPromote,
  rename: cmdRename,
  set: cmdSet,
  inherit: cmdInherit,
  mount: cmdMount,
  unmount: (a) => cmdUnmount(a, 'unmount'),
  umount: (a) => cmdUnmount(a, 'umount'),
};

function main(argv) {
  const [cmd, ...rest] = argv;
  if (!cmd) {
    err('missing command');
    err(zfsTopUsage().trimEnd());
    return 2;
  }
  if (cmd === '-?' || cmd === 'help') {
    out(zfsTopUsage());
    return 0;
  }
  const fn = COMMANDS[cmd];
  if (!fn) {
    err(`unrecognized command '${cmd}'`);
    err(zfsTopUsage().trimEnd());
    return 2;
  }
  try {
    return fn(rest);
  } catch (e) {
    if (e instanceof Usage) {
      if (e.message) err(e.message);
      process.stderr.write(zfsUsage(e.cmd));
      return 2;
    }
    if (e instanceof model.ZfsError) {
      err(e.message);
      if (e.usage) {
        process.stderr.write(zfsUsage(e.usage));
        return 2;
      }
      return e.exitCode;
    }
    throw e;
  }
}

module.exports = { main };
