'use strict';
/**
 * zpool(8) on a real-ZFS lab host: zfs-fuse's zpool (/.sys/sbin/zpool) with OpenZFS 2.2's
 * shapes: `list` gets OpenZFS's columns (CKPOINT, EXPANDSZ, FRAG) and -p, `get` gets -H, -p,
 * -o; `status` drops zfs-fuse's " scrub: none requested" line (OpenZFS prints no scan line
 * for a pool never scrubbed) and calls a scrub line "scan:". Other commands pass through.
 * -p sizes are computed from zfs-fuse's 3-digit human sizes (zfs-fuse has no exact form).
 */
const { spawnSync } = require('node:child_process');
const { getopt } = require('./getopt.cjs');
const { poolList, poolGet } = require('./pool-format.cjs');
const { zpoolUsage } = require('./usage.cjs');

const ZPOOL = '/.sys/sbin/zpool';
const zpoolFuse = (args) => {
  const r = spawnSync(ZPOOL, args, { encoding: 'utf8', env: { ...process.env, POSIXLY_CORRECT: '1' } });
  return { code: r.status ?? 1, stdout: r.stdout || '', stderr: r.stderr || '' };
};

function humanToBytes(s) {
  const m = /^([\d.]+)([KMGTPE]?)$/.exec(s);
  if (!m) return 0;
  return Math.round(Number(m[1]) * 1024 ** ' KMGTPE'.indexOf(m[2] || ' '));
}

/** Facts about the pools (all of them, or the named ones) from zfs-fuse. */
function facts(names) {
  const r = zpoolFuse(['list', '-H', '-o', 'name,size,allocated,free,health,altroot,guid', ...names]);
  const pools = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name, size, allocated, free, health, altroot, guid] = l.split('\t');
      return {
        name,
        size: humanToBytes(size),
        allocated: humanToBytes(allocated),
        free: humanToBytes(free),
        health,
        altroot: altroot === '-' ? '' : altroot,
        guid,
      };
    });
  return { pools, stderr: r.stderr, code: r.code };
}

function main(argv) {
  const [cmd, ...rest] = argv;
  const usage = (c, msg) => {
    if (msg) process.stderr.write(`${msg}\n`);
    process.stderr.write(zpoolUsage(c));
    return 2;
  };
  if (cmd === 'list' || cmd === 'get') {
    const g = getopt(rest, cmd === 'list' ? ':gHLo:pPT:v' : ':Hpo:');
    if (g.error) return usage(cmd, g.error);
    const o = Object.fromEntries(g.opts);
    if (cmd === 'get' && g.args.length === 0) return usage('get', 'missing property argument');
    const f = facts(cmd === 'get' ? g.args.slice(1) : g.args);
    process.stderr.write(f.stderr);
    if (f.pools.length === 0) return f.code;
    const res =
      cmd === 'list'
        ? poolList(f.pools, { fields: o.o, scripted: !!o.H, literal: !!o.p })
        : poolGet(f.pools, { propList: g.args[0], fields: o.o, scripted: !!o.H, literal: !!o.p });
    if (res.error) return usage(cmd, res.error);
    process.stdout.write(res.text);
    return f.code;
  }
  const r = zpoolFuse(argv);
  let out = r.stdout;
  if (cmd === 'status') out = out.replace(/^ scrub: none requested\n/gm, '').replace(/^ scrub: /gm, '  scan: ');
  process.stdout.write(out);
  process.stderr.write(r.stderr.replace(/^Defaulting to 4K blocksize \(ashift=12\) for '[^']*'\n/m, ''));
  return r.code;
}

module.exports = { main, humanToBytes };
