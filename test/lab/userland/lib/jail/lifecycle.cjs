'use strict';
/**
 * jail(8)'s create and remove sequences, in FreeBSD's order (jail.c startcommands /
 * stopcommands): exec.prepare, ip addresses on `interface`, mount / mount.fstab /
 * mount.devfs / mount.fdescfs / mount.procfs, exec.prestart, create (JID), exec.created,
 * vnet.interface, exec.start, command, exec.poststart; and for removal exec.prestop,
 * exec.stop, kill, exec.poststop, unmount in reverse, addresses off, exec.release.
 * A failing step undoes the steps done so far, as jail(8) does.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const state = require('./state.cjs');
const params = require('./params.cjs');
const mounts = require('./mounts.cjs');
const ifnet = require('./ifnet.cjs');
const proc = require('./jail-proc.cjs');

class JailFail extends Error {}

const META = /[!"$&'()*;<>?[\\\]`{|}~]/;

function makeCtx(name, opts) {
  const out = opts.out || ((s) => process.stdout.write(s));
  const err = opts.err || ((s) => process.stderr.write(s));
  const label = name ? `jail: ${name}: ` : 'jail: ';
  return {
    name,
    verbose: opts.verbose || 0,
    out,
    err,
    warn: (msg) => err(`${label}${msg}\n`),
    note: (msg) => {
      if ((opts.verbose || 0) > 0) out(`${name}: ${msg}\n`);
    },
  };
}

/** Output sink for exec.* commands: the console log file or our own stdout/stderr. */
function execStdio(internal) {
  const log = internal['exec.consolelog'] && internal['exec.consolelog'][internal['exec.consolelog'].length - 1];
  if (!log) return { stdio: ['ignore', 'inherit', 'inherit'], close: () => {} };
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const fd = fs.openSync(log, 'a');
  return { stdio: ['ignore', fd, fd], close: () => fs.closeSync(fd) };
}

/** Word-split a simple command, or run it with /bin/sh -c when it has shell syntax (command.c does this). */
const argvOf = (cmd) => (META.test(cmd) ? null : cmd.split(/[ \t]+/).filter(Boolean));

function hostLookup(cmd) {
  if (cmd.includes('/')) return fs.existsSync(cmd) ? cmd : null;
  for (const d of (process.env.PATH || proc.LOGIN_PATH).split(':')) {
    const p = path.join(d || '.', cmd);
    try {
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/** Run one exec.* string on the host; throws JailFail with jail(8)'s messages. */
function runHost(ctx, cmd, internal, env) {
  ctx.note(`run command: ${cmd}`);
  const argv = argvOf(cmd);
  if (argv && !hostLookup(argv[0])) {
    ctx.warn(`exec ${argv[0]}: No such file or directory`);
    ctx.warn(`${cmd}: failed`);
    throw new JailFail();
  }
  const io = execStdio(internal);
  const r = argv
    ? spawnSync(argv[0], argv.slice(1), { stdio: io.stdio, env: env || process.env })
    : spawnSync('/bin/sh', ['-c', cmd], { stdio: io.stdio, env: env || process.env });
  io.close();
  if (r.status !== 0) {
    ctx.warn(`${cmd}: failed`);
    throw new JailFail();
  }
}

/** Run one exec.start / exec.stop string inside the jail. */
function runJail(ctx, j, cmd, internal) {
  ctx.note(`run command in jail: ${cmd}`);
  const userName = (internal['exec.jail_user'] || ['root']).slice(-1)[0];
  const pw = proc.passwdEntry(j.path, userName) || { name: userName, uid: 0, gid: 0, home: '/', shell: '/bin/sh' };
  const env = internal['exec.clean'] ? proc.cleanEnv(pw) : process.env;
  const argv = argvOf(cmd);
  if (argv && !proc.resolveInJail(j.path, argv[0], env.PATH)) {
    ctx.warn(`exec ${argv[0]}: No such file or directory`);
    ctx.warn(`${cmd}: failed`);
    throw new JailFail();
  }
  const io = execStdio(internal);
  const status = proc.runInJail(j, argv || ['/bin/sh', '-c', cmd], { env, stdio: io.stdio, pw });
  io.close();
  if (status !== 0) {
    ctx.warn(`${cmd}: failed`);
    throw new JailFail();
  }
}

function runMount(ctx, fstype, src, dst, opts) {
  const optStr = opts && opts !== 'rw' ? opts : '';
  const shown = `/sbin/mount -t ${fstype}${optStr ? ` -o ${optStr}` : ''} ${src} ${dst}`;
  ctx.note(`run command: ${shown}`);
  try {
    return mounts.mountFs(fstype, src, dst, optStr ? [optStr] : []);
  } catch (e) {
    if (!(e instanceof mounts.MountError)) throw e;
    ctx.err(e.message + '\n');
    ctx.warn(`${shown}: failed`);
    throw new JailFail();
  }
}

/** fstab(5) lines → [src, dst, type, opts]. */
function fstabLines(text) {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .map((l) => l.split(/\s+/));
}

function ifconfigRun(ctx, args) {
  ctx.note(`run command: /sbin/ifconfig ${args.join(' ')}`);
  try {
    ifnet.update((net) => ifnet.configure(net, args[0], args.slice(1)));
  } catch (e) {
    if (!(e instanceof ifnet.NetError)) throw e;
    ctx.err(e.message + '\n');
    ctx.warn(`/sbin/ifconfig ${args.join(' ')}: failed`);
    throw new JailFail();
  }
}

/** The addresses jail(8) puts on `interface` (or `if|addr`) before creating the jail. */
function ifAddrCommands(kernel, internal) {
  const iface = internal.interface && internal.interface.slice(-1)[0];
  const cmds = [];
  for (const fam of ['ip4.addr', 'ip6.addr']) {
    for (const a of kernel[fam] || []) {
      const { iface: ifn, addr, prefix } = params.splitIfAddr(a, iface);
      if (!ifn) continue;
      const inet = fam === 'ip4.addr' ? 'inet' : 'inet6';
      const spec =
        prefix !== undefined
          ? [`${addr}/${prefix}`]
          : fam === 'ip4.addr'
            ? [addr, 'netmask', '255.255.255.255']
            : [addr, 'prefixlen', '128'];
      cmds.push({ add: [ifn, inet, ...spec, 'alias'], del: [ifn, inet, addr, '-alias'] });
    }
  }
  return cmds;
}

/** Facts the jail-side lab tools (sysctl, ifconfig, ...) read from the jail's /dev/.lab. */
function writeJailFacts(j, devDir) {
  const dir = path.join(devDir, '.lab');
  if (!fs.existsSync(dir)) return;
  const p = j.params;
  const facts = {
    'security.jail.jailed': 1,
    'security.jail.allow_raw_sockets': p['allow.raw_sockets'] ? 1 : 0,
    'security.jail.sysvipc_allowed': p['allow.sysvipc'] ? 1 : 0,
    'security.jail.mount_allowed': p['allow.mount'] ? 1 : 0,
    'security.jail.chflags_allowed': p['allow.chflags'] ? 1 : 0,
    'security.jail.set_hostname_allowed': p['allow.set_hostname'] ? 1 : 0,
    'security.jail.enforce_statfs': p.enforce_statfs,
    'security.jail.vnet': p.vnet === 'new' ? 1 : 0,
    'kern.hostname': p['host.hostname'],
    'kern.osrelease': p.osrelease,
    'kern.osreldate': p.osreldate,
    'kern.securelevel': p.securelevel,
    'security.jail.param.jid': j.jid,
  };
  fs.writeFileSync(
    path.join(dir, 'sysctl'),
    Object.entries(facts)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  // The jail's network stack: its VNET interfaces, or the host's interfaces with only the jail's addresses.
  const net = ifnet.load();
  const lines = ['lo0 up 127.0.0.1/8'];
  if (p.vnet === 'new')
    for (const i of ifnet.stackIfaces(net, j.jid))
      lines.push(`${i.name} ${i.up ? 'up' : 'down'}${i.inet.map((a) => ` ${a.addr}/${a.prefix}`).join('')}`);
  else for (const a of p['ip4.addr']) lines.push(`${j.ifaceFor?.[a] || 'em0'} up ${a}/32`);
  fs.writeFileSync(path.join(dir, 'ifnet'), lines.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'routes'), '');
}

/**
 * Create one jail. spec: { name (conf name, or null), params: [{name, values}], cli: bool }.
 * Returns 0 on success, 1 on failure (messages already printed).
 */
function createJail(spec, opts = {}) {
  const ctx = makeCtx(spec.name, opts);
  let v;
  try {
    v = params.validate(spec.params, { linuxLoaded: state.linuxLoaded() });
  } catch (e) {
    if (!(e instanceof params.ParamError)) throw e;
    (spec.cli ? makeCtx(null, opts) : ctx).warn(e.message);
    return 1;
  }
  const { kernel, internal } = v;
  const name = kernel.name !== undefined ? kernel.name : spec.name && !/^\d+$/.test(spec.name) ? spec.name : null;
  if (name && /^\d+$/.test(name)) {
    ctx.warn(`name: invalid value "${name}"`);
    return 1;
  }
  if (name && name.includes('.')) {
    ctx.warn(`${name}: parent jail does not exist`);
    return 1;
  }
  if (name && state.findJail(name)) {
    ctx.warn('already exists');
    return 1;
  }
  const jpath = kernel.path || '/';
  const realPath = (() => {
    try {
      return fs.realpathSync(jpath);
    } catch {
      return null;
    }
  })();

  const undo = [];
  let jail = null;
  const fail = () => {
    if (jail) {
      proc.killJail(jail, 1);
      for (const c of internal['exec.poststop'] || []) {
        try {
          runHost(ctx, c, internal);
        } catch {
          /* keep undoing */
        }
      }
      state.removeJail(jail);
      detachVnet(jail);
    }
    for (const u of undo.reverse()) {
      try {
        u();
      } catch {
        /* keep undoing */
      }
    }
    return 1;
  };
  try {
    for (const c of internal['exec.prepare'] || []) runHost(ctx, c, internal);
    for (const c of ifAddrCommands(kernel, internal)) {
      ifconfigRun(ctx, c.add);
      undo.push(() => ifconfigRun(ctx, c.del));
    }
    const mounted = [];
    const track = (dst) => {
      mounted.push(dst);
      undo.push(() => mounts.umountFs(dst, { force: true }));
    };
    for (const line of internal.mount || []) {
      const [src, dst, type, mopts] = line.trim().split(/\s+/);
      if (!dst || !type) {
        ctx.warn(`mount: ${line}: invalid fstab line`);
        throw new JailFail();
      }
      track(runMount(ctx, type, src, dst, mopts));
    }
    for (const fstab of internal['mount.fstab'] || []) {
      let text;
      try {
        text = fs.readFileSync(fstab, 'utf8');
      } catch (e) {
        ctx.warn(`mount.fstab: ${fstab}: ${e.code === 'ENOENT' ? 'No such file or directory' : e.message}`);
        throw new JailFail();
      }
      for (const [src, dst, type, mopts] of fstabLines(text)) track(runMount(ctx, type, src, dst, mopts));
    }
    if (!realPath) {
      ctx.warn(`path ${jpath}: No such file or directory`);
      throw new JailFail();
    }
    const devDir = path.join(realPath, 'dev');
    if (internal['mount.devfs']) {
      if (!fs.existsSync(devDir)) {
        ctx.warn(`mount.devfs: ${devDir}: No such file or directory`);
        throw new JailFail();
      }
      const rs = kernel.devfs_ruleset !== undefined ? kernel.devfs_ruleset : 4;
      track(runMount(ctx, 'devfs', 'devfs', devDir, `ruleset=${rs}`));
    }
    if (internal['mount.fdescfs']) {
      const fd = path.join(devDir, 'fd');
      if (!fs.existsSync(fd)) {
        ctx.warn(`mount.fdescfs: ${fd}: No such file or directory`);
        throw new JailFail();
      }
      track(runMount(ctx, 'fdescfs', 'fdescfs', fd, ''));
    }
    if (internal['mount.procfs']) {
      const pr = path.join(realPath, 'proc');
      if (!fs.existsSync(pr)) {
        ctx.warn(`mount.procfs: ${pr}: No such file or directory`);
        throw new JailFail();
      }
      track(runMount(ctx, 'procfs', 'proc', pr, ''));
    }
    for (const c of internal['exec.prestart'] || []) runHost(ctx, c, internal);

    // Create: a JID, the holder process, the record.
    state.withLock(() => {
      if (name && state.findJail(name)) {
        ctx.warn('already exists');
        throw new JailFail();
      }
      const jid = state.allocJid(kernel.jid);
      if (jid === null) {
        ctx.warn(`jid ${kernel.jid}: File exists`);
        throw new JailFail();
      }
      const release = state.hostRelease();
      const full = params.fullParams(kernel, internal, {
        jid,
        name: name || String(jid),
        path: realPath,
        osrelease: release,
        osreldate: state.osreldate(release),
        cpusetId: jid + 2,
        linuxLoaded: state.linuxLoaded(),
      });
      jail = {
        jid,
        name: name || String(jid),
        path: realPath,
        params: full,
        created: new Date().toISOString(),
        mounts: mounted,
        internal,
        ipcShared: proc.ipcMode(full).share,
        kernelSet: kernel,
      };
      state.saveJail(jail);
    });
    jail.holder = proc.startHolder(jail.jid, jail.params['host.hostname'], jail.params, jail.path);
    state.saveJail(jail);
    for (const c of internal['exec.created'] || []) runHost(ctx, c, internal);
    for (const ifn of internal['vnet.interface'] || []) {
      if (jail.params.vnet !== 'new') {
        ctx.warn('vnet.interface: jail is not a vnet jail');
        throw new JailFail();
      }
      ifconfigRun(ctx, [ifn, 'vnet', jail.name]);
    }
    if (mounted.includes(devDir)) writeJailFacts(jail, devDir);
    for (const c of internal['exec.start'] || []) runJail(ctx, jail, c, internal);
    if (internal.command && internal.command.length) {
      // `jail -c ... command=/bin/sh`: run it in the foreground; the jail ends with it unless persist.
      if (!(opts.quiet || opts.printJid)) ctx.out(`${jail.name}: created\n`);
      const pw = proc.passwdEntry(jail.path, (internal['exec.jail_user'] || ['root']).slice(-1)[0]) || { name: 'root', uid: 0, gid: 0 };
      const status = proc.runInJail(jail, internal.command, {
        env: internal['exec.clean'] ? proc.cleanEnv(pw) : process.env,
        stdio: 'inherit',
        pw,
      });
      if (!jail.params.persist && proc.jailPids(jail).length === 0) {
        removeJail(jail, { ...opts, quiet: true });
      }
      return status === 0 ? 0 : 1;
    }
    for (const c of internal['exec.poststart'] || []) runHost(ctx, c, internal);
  } catch (e) {
    if (e instanceof JailFail) return fail();
    fail();
    throw e;
  }
  if (opts.printJid) ctx.out(`${jail.jid}\n`);
  else if (!opts.quiet) ctx.out(`${jail.name}: created\n`);
  return 0;
}

/** VNET interfaces go back to the host when their jail is removed. */
function detachVnet(jail) {
  ifnet.update((net) => {
    for (const i of net.ifaces)
      if (i.vnet === jail.jid) {
        delete i.vnet;
        i.inet = [];
        i.up = false;
      }
    net.routes = net.routes.filter((r) => (r.jid || 0) !== jail.jid);
  });
}

/** Remove a running jail (record from state). Returns 0 / 1. */
function removeJail(jail, opts = {}) {
  const ctx = makeCtx(jail.name, opts);
  const internal = opts.internal || jail.internal || {};
  let ok = true;
  const tryRun = (fn) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof JailFail) ok = false;
      else throw e;
    }
  };
  for (const c of internal['exec.prestop'] || []) tryRun(() => runHost(ctx, c, internal));
  if (state.alive(jail.holder || 0)) for (const c of internal['exec.stop'] || []) tryRun(() => runJail(ctx, jail, c, internal));
  const timeout = Number((internal['stop.timeout'] || ['10']).slice(-1)[0]);
  proc.killJail(jail, Math.min(timeout, 10));
  state.removeJail(jail);
  detachVnet(jail);
  for (const c of internal['exec.poststop'] || []) tryRun(() => runHost(ctx, c, internal));
  for (const dst of [...(jail.mounts || [])].reverse()) {
    ctx.note(`run command: /sbin/umount ${dst}`);
    try {
      mounts.umountFs(dst);
    } catch (e) {
      if (!(e instanceof mounts.MountError)) throw e;
      try {
        mounts.umountFs(dst, { force: true });
      } catch {
        ctx.err(e.message + '\n');
        ok = false;
      }
    }
  }
  const kernel = jail.kernelSet || {};
  for (const c of ifAddrCommands({ 'ip4.addr': kernel['ip4.addr'] || [], 'ip6.addr': kernel['ip6.addr'] || [] }, internal).reverse()) {
    tryRun(() => ifconfigRun(ctx, c.del));
  }
  for (const c of internal['exec.release'] || []) tryRun(() => runHost(ctx, c, internal));
  if (!opts.quiet) ctx.out(`${jail.name}: removed\n`);
  return ok ? 0 : 1;
}

/** jail -m: change parameters of a running jail (the ones FreeBSD lets you change). */
function modifyJail(jail, paramList, opts = {}) {
  const ctx = makeCtx(jail.name, opts);
  let v;
  try {
    v = params.validate(paramList, { linuxLoaded: state.linuxLoaded() });
  } catch (e) {
    if (!(e instanceof params.ParamError)) throw e;
    ctx.warn(e.message);
    return 1;
  }
  for (const k of Object.keys(v.kernel)) {
    if (['name', 'jid'].includes(k)) continue;
    if (['path', 'vnet', 'host', 'ip4', 'ip6', 'sysvmsg', 'sysvsem', 'sysvshm'].includes(k) && v.kernel[k] !== jail.params[k]) {
      ctx.warn(`${k} cannot be changed after creation`);
      return 1;
    }
  }
  Object.assign(jail.params, v.kernel);
  jail.kernelSet = { ...(jail.kernelSet || {}), ...v.kernel };
  if (v.kernel['ip4.addr']) jail.params['ip4.addr'] = v.kernel['ip4.addr'].map((a) => params.splitIfAddr(a).addr);
  state.saveJail(jail);
  if (!opts.quiet) ctx.out(`${jail.name}: updated\n`);
  // A jail that is neither persistent nor running anything goes away (jail -m nopersist).
  if (v.kernel.persist === false && proc.jailPids(jail).length === 0) removeJail(jail, { ...opts, quiet: true });
  return 0;
}

module.exports = { createJail, removeJail, modifyJail, JailFail, fstabLines };
