'use strict';
/**
 * zfs(8) on a real-ZFS lab host: Debian's zfs-fuse (/.sys/sbin/zfs, pool version 23) behind a
 * thin wrapper that gives its output OpenZFS 2.2's shapes where they differ:
 *   list/get     fetched with -H and laid out again as OpenZFS does (sizes below 1K as "0B",
 *                "512B"; column widths); `list -t snapshot FS` lists FS's snapshots
 *   messages     OpenZFS's wording for the few errors zfs-fuse words differently
 *   mount -O     dropped (zfs-fuse's daemon dies on it); create -V refused (zfs-fuse aborts)
 * Flags zfs-fuse lacks (e.g. `list -p`, `create -u`) fail with its "invalid option" + usage,
 * exit 2, as an unknown flag does on FreeBSD: use the forms both accept (lab README).
 */
const { spawnSync } = require('node:child_process');
const props = require('./props.cjs');
const { getopt } = require('./getopt.cjs');
const { renderList, renderGet } = require('./format.cjs');
const { zfsUsage } = require('./usage.cjs');
const { nameError } = require('./emul-model.cjs');

const ZFS = '/.sys/sbin/zfs';

function zfsFuse(args) {
  // POSIXLY_CORRECT: options end at the first operand, as with FreeBSD's getopt (glibc's would permute).
  const r = spawnSync(ZFS, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, POSIXLY_CORRECT: '1' } });
  return { code: r.status ?? 1, stdout: fromFuse(r.stdout || ''), stderr: r.stderr || '' };
}

/** OpenZFS 2.2's wording for messages zfs-fuse words differently. */
function fixMessages(text, argv) {
  let t = text
    .replace(/snapshot delimiter '@' in filesystem name/g, "snapshot delimiter '@' is not expected here")
    .replace(/invalid character (.) in name/g, "invalid character '$1' in name")
    // zfs-fuse gives no reason when opening a bad name; OpenZFS says what is wrong with it.
    .replace(/^cannot open '([^']*)': invalid dataset name$/gm, (line, name) => {
      const why = nameError(name, { snapshot: name.includes('@') });
      return why && why !== "pool doesn't begin with a letter" ? `cannot open '${name}': ${why}` : line;
    });
  // zfs-fuse names the missing file system of `zfs destroy FS@SNAP` and the missing snapshot alike.
  if (argv[0] === 'destroy') {
    t = t.replace(/^cannot open '([^'@]+)@[^']*': dataset does not exist$/m, (line, fs) =>
      zfsFuse(['list', '-H', '-o', 'name', fs]).code === 0
        ? 'could not find any snapshots to destroy; check snapshot names.'
        : `cannot open '${fs}': dataset does not exist`,
    );
  }
  return t;
}

const isBytes = (key) => props.lookup(key)?.bytes;
/** zfs-fuse prints sizes below 1K as bare numbers; OpenZFS 2.2 adds "B". */
const fixValue = (key, v, literal) => (!literal && isBytes(key) && /^\d+$/.test(v) ? `${v}B` : v);

function passthrough(argv) {
  const r = zfsFuse(argv);
  process.stdout.write(r.stdout);
  process.stderr.write(fixMessages(r.stderr, argv));
  return r.code;
}

function list(argv) {
  const rest = argv.slice(1);
  const g = getopt(rest, ':HS:d:o:prs:t:');
  if (g.error || g.opts.some(([c]) => c === 'p')) return passthrough(argv);
  const o = Object.fromEntries(g.opts);
  const fields = (o.o || 'name,used,available,referenced,mountpoint').split(',');
  const args = ['list', '-H', ...g.opts.filter(([c]) => c !== 'H').flatMap(([c, v]) => (v === true ? [`-${c}`] : [`-${c}`, v]))];
  // OpenZFS: `zfs list -t snapshot FS` shows FS's snapshots.
  if (o.t && /^(snapshot|snap)$/.test(o.t) && g.args.length && !o.r && o.d === undefined) args.push('-d', '1');
  const r = zfsFuse([...args, ...g.args]);
  if (r.code === 2) {
    process.stderr.write(r.stderr);
    return 2;
  }
  const cols = fields.map((f) => {
    const p = props.lookup(f);
    return p
      ? { key: p.name, header: p.column, width: props.staticWidth(p), right: props.alignRight(p) }
      : { key: f, header: f.toUpperCase(), width: f.length, right: false };
  });
  const rows = r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t').map((v, i) => fixValue(cols[i]?.key, v, false)));
  process.stderr.write(fixMessages(r.stderr, argv));
  if (!o.H && rows.length === 0 && r.code === 0 && !/no datasets available/.test(r.stderr)) process.stderr.write('no datasets available\n');
  process.stdout.write(renderList(cols, rows, { scripted: !!o.H }));
  return r.code;
}

function get(argv) {
  const rest = argv.slice(1);
  const g = getopt(rest, ':d:o:s:rt:Hp');
  if (g.error) {
    process.stderr.write(`${g.error}\n${zfsUsage('get')}`);
    return 2;
  }
  const o = Object.fromEntries(g.opts);
  const fields = (o.o || 'name,property,value,source')
    .split(',')
    .flatMap((f) => (f === 'all' ? ['name', 'property', 'value', 'received', 'source'] : [f]));
  if (fields.some((f) => !['name', 'property', 'value', 'received', 'source'].includes(f))) return passthrough(argv);
  const args = [
    'get',
    '-H',
    '-o',
    'name,property,value,source',
    ...g.opts.filter(([c]) => !'Ho'.includes(c)).flatMap(([c, v]) => (v === true ? [`-${c}`] : [`-${c}`, v])),
  ];
  const r = zfsFuse([...args, ...g.args]);
  if (r.code === 2) {
    process.stderr.write(r.stderr);
    return 2;
  }
  const literal = !!o.p;
  const rows = r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [name, property, value, source] = l.split('\t');
      return { name, property, value: fixValue(property, value, literal), received: '-', source };
    });
  const widths = { name: 4, property: 8, value: 5 };
  const keys =
    g.args[0] === 'all' ? [...new Set(rows.map((x) => x.property))] : (g.args[0] || '').split(',').map((k) => props.lookup(k)?.name || k);
  for (const k of keys) {
    const p = props.lookup(k);
    widths.property = Math.max(widths.property, k.length);
    if (p && props.isFixed(p) && !literal) widths.value = Math.max(widths.value, props.staticWidth(p));
    if (!p) widths.value = Math.max(widths.value, k.length);
  }
  for (const row of rows) {
    widths.name = Math.max(widths.name, row.name.length);
    const p = props.lookup(row.property);
    if (!p || !props.isFixed(p) || literal) widths.value = Math.max(widths.value, row.value.length);
  }
  process.stderr.write(fixMessages(r.stderr, argv));
  process.stdout.write(renderGet(fields, rows, { scripted: !!o.H, widths }));
  return r.code;
}

/** FreeBSD calls Solaris' `zoned` property `jailed`; zfs-fuse knows only `zoned`. */
const toFuse = (a) => a.replace(/(^|,)jailed(?=$|,|=)/g, '$1zoned');
const fromFuse = (t) => t.replace(/^([^\t\n]*\t)zoned\t/gm, '$1jailed\t');

function main(argvIn) {
  const cmd = argvIn[0];
  const argv = ['list', 'get', 'set', 'create', 'inherit', 'clone', 'snapshot'].includes(cmd) ? argvIn.map(toFuse) : argvIn;
  if (cmd === 'list') return list(argv);
  if (cmd === 'get') return get(argv);
  if (cmd === 'create' && argv.slice(1).some((a) => /^-[A-Za-z]*V/.test(a))) {
    process.stderr.write(`cannot create '${argv[argv.length - 1]}': volumes are not supported in the lab\n`);
    return 1;
  }
  if (cmd === 'mount') {
    const args = argv
      .slice(1)
      .map((a) => (/^-[A-Za-z]*O/.test(a) && !a.startsWith('-o') ? a.replace('O', '') : a))
      .filter((a) => a !== '-');
    return passthrough(['mount', ...args]);
  }
  if (cmd === 'destroy' || cmd === 'rename') {
    // zfs-fuse hears of an unmount after umount(8) returns; a destroy right behind it can find
    // the file system still "busy". FreeBSD's unmount is synchronous: retry briefly.
    let r = zfsFuse(argv);
    for (let i = 0; i < 10 && r.code === 1 && /: dataset is busy$/m.test(r.stderr); i++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      r = zfsFuse(argv);
    }
    process.stdout.write(r.stdout);
    process.stderr.write(fixMessages(r.stderr, argv));
    return r.code;
  }
  if (cmd === 'snapshot' || cmd === 'snap') {
    const r = zfsFuse(argv);
    process.stdout.write(r.stdout);
    const text = fixMessages(r.stderr, argv);
    process.stderr.write(text);
    // OpenZFS prints the usage after "cannot open 'FS'" for a missing file system (exit 2).
    if (r.code === 1 && /^cannot open '[^'@]+': dataset does not exist$/m.test(text)) {
      process.stderr.write(zfsUsage('snapshot'));
      return 2;
    }
    return r.code;
  }
  return passthrough(argv);
}

module.exports = { main, fixValue };
