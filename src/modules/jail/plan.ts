/**
 * The jail module's plan: facts in, changes out, in the order they must run:
 *
 *   /etc/jail.conf's .include -> stop (to stop, or to restart) -> create the root ->
 *   bring the root to the template's patch level -> write NAME.conf and the fstab ->
 *   start -> rc.conf (jail_enable, jail_list, jail_parallel_start)
 *
 * A jail is stopped BEFORE its new configuration is written, so jail -r runs the exec.stop /
 * exec.poststop commands it was started with (e.g. destroying the old epair).
 */
import { sh } from '../../shell/quote.js';
import type { FileState } from '../../facts/file-state.js';
import { isRcYes, parseRcConf } from '../../facts/rc-conf.js';
import { comparePatch, parseFreebsdVersion } from '../../facts/jail-version.js';
import { fileText } from '../kit/file-facts.js';
import { desiredValue, listValue, rcVariableChange } from '../kit/rc-variable.js';
import { fileDiff } from '../kit/file-diff.js';
import { HOST, fileTouches } from '../kit/target.js';
import { res, type Resource } from '../../facts/resources.js';
import { confPath, fstabPath, linuxMounts, linuxOptions, templateSnapshot, type JailArgs } from './args.js';
import { jailConfWithInclude, renderFstab, renderJailConf } from './conf.js';
import type { JailFacts } from './facts.js';
import { jailKind } from './kinds/index.js';
import type { Change, StepContext } from '../kit/contract.js';

const RC = '/etc/rc.conf';

export function planJail(a: JailArgs, f: JailFacts, ctx: StepContext): Change[] {
  return a.state === 'absent' ? planAbsent(a, f, ctx) : planPresent(a, f, ctx);
}

/** What starting, stopping or rebuilding the jail invalidates: its state, and everything read inside it. */
function jailTouches(a: JailArgs): Resource[] {
  return [res.jail(a.name), res.everythingIn({ kind: 'jail', name: a.name })];
}

function rootTouches(a: JailArgs): Resource[] {
  const t = [...jailTouches(a), res.filesStartingWith(HOST, a.path)];
  if (a.dataset !== undefined) t.push(res.zfs(a.dataset));
  t.push(...jailKind(a.type).rootTouches(a));
  return t;
}

function stop(a: JailArgs, summary: string): Change {
  return { summary, action: { kind: 'script', script: sh`jail -r ${a.name}` }, touches: jailTouches(a) };
}

function start(a: JailArgs, summary: string): Change {
  // Linux mount points: dev, proc and sys of the userland (dev/shm is in the devfs mounted there).
  const linuxDirs = linuxMounts(a)
    .filter(([, t]) => !t.endsWith('/dev/shm'))
    .map(([, t]) => mountPointOnHost(a, t));
  const dirs = [...linuxDirs, ...a.mounts.map((m) => mountPointOnHost(a, m.target))];
  const prepare = dirs.length > 0 ? `${sh`mkdir -p -- ${dirs}`}\n` : '';
  return { summary, action: { kind: 'script', script: `${prepare}${sh`jail -c ${a.name}`}` }, touches: jailTouches(a) };
}

/**
 * The host directory that holds TARGET's mount point when the jail's own mounts are in place
 * (a thin-nullfs jail's tree is the template plus its skeleton, a classic jail's its own root
 * plus the template's shared directories).
 */
export function mountPointOnHost(a: JailArgs, target: string): string {
  return jailKind(a.type).mountPointOnHost(a, target);
}

function currentText(state: FileState, path: string): string | undefined {
  return fileText(state, path) ?? undefined;
}

/** Write PATH with CONTENT when it differs; the diff is the file's. */
function writeFile(
  ctx: StepContext,
  path: string,
  current: string | undefined,
  content: string,
  summary: string,
  mode = '0644',
): Change | undefined {
  if (current === content) return undefined;
  return {
    summary,
    action: { kind: 'write', path, content, mode },
    touches: fileTouches(HOST, path),
    diff: fileDiff(ctx, path, current ?? null, content),
  };
}

function removeFile(ctx: StepContext, path: string, current: string | undefined): Change | undefined {
  if (current === undefined) return undefined;
  return {
    summary: `remove ${path}`,
    action: { kind: 'script', script: sh`rm -f -- ${path}` },
    touches: fileTouches(HOST, path),
    diff: fileDiff(ctx, path, current, null),
  };
}

function planPresent(a: JailArgs, f: JailFacts, ctx: StepContext): Change[] {
  const st = f.state;
  const changes: Change[] = [];
  const push = (c: Change | undefined) => c && changes.push(c);

  const jailConf = currentText(f.jailConf, '/etc/jail.conf');
  push(
    writeFile(
      ctx,
      '/etc/jail.conf',
      jailConf,
      jailConfWithInclude(jailConf),
      jailConf === undefined
        ? 'create /etc/jail.conf (common block, .include "/etc/jail.conf.d/*.conf")'
        : '/etc/jail.conf: add .include "/etc/jail.conf.d/*.conf"',
    ),
  );

  changes.push(...linuxHostChanges(a, f));

  const create = rootExists(a, f) ? undefined : createRoot(a, f, ctx);
  const update = create ? undefined : updateRoot(a, f);
  const confText = currentText(f.conf, confPath(a.name));
  const conf = renderJailConf(a);
  const fstabText = currentText(f.fstab, fstabPath(a));
  const fstab = renderFstab(a);

  const reasons: string[] = [];
  if (confText !== conf) reasons.push(`${confPath(a.name)} changed`);
  if (fstab !== undefined && fstabText !== fstab) reasons.push(`${fstabPath(a)} changed`);
  if (update) reasons.push(`root updated to the template's ${st.templateVersion}`);
  if (create) reasons.push('root created');
  const moved = templateMoved(a, f);
  if (moved) reasons.push(moved);

  const wantRunning = a.state === 'running';
  const restart = st.running && wantRunning && reasons.length > 0 && a.restart;
  if (st.running && !wantRunning) push(stop(a, `stop jail ${a.name}`));
  if (restart) push(stop(a, `restart: ${reasons.join('; ')}`));
  push(create);
  push(update);
  const pending = st.running && wantRunning && !a.restart && reasons.length > 0 ? ' (running jail not restarted: restart: false)' : '';
  push(writeFile(ctx, confPath(a.name), confText, conf, `${confText === undefined ? 'create' : 'update'} ${confPath(a.name)}${pending}`));
  if (fstab !== undefined)
    push(writeFile(ctx, fstabPath(a), fstabText, fstab, `${fstabText === undefined ? 'create' : 'update'} ${fstabPath(a)}${pending}`));
  if (restart) push(start(a, `start jail ${a.name} again`));
  else if (!st.running && wantRunning) push(start(a, `start jail ${a.name}`));
  changes.push(...bootChanges(a, f));
  return changes;
}

function planAbsent(a: JailArgs, f: JailFacts, ctx: StepContext): Change[] {
  const changes: Change[] = [];
  const push = (c: Change | undefined) => c && changes.push(c);
  if (f.state.running) push(stop(a, `stop jail ${a.name}`));
  push(removeFile(ctx, confPath(a.name), currentText(f.conf, confPath(a.name))));
  push(removeFile(ctx, fstabPath(a), currentText(f.fstab, fstabPath(a))));
  if (a.destroy_root) changes.push(...destroyRoot(a, f));
  changes.push(...bootChanges(a, f));
  return changes;
}

function rootExists(a: JailArgs, f: JailFacts): boolean {
  return jailKind(a.type).rootExists(f.state);
}

function createRoot(a: JailArgs, f: JailFacts, ctx: StepContext): Change {
  const st = f.state;
  const template = a.template as string;
  const snap = templateSnapshot(a);
  const missing = snap
    ? st.snapshot !== true
      ? `snapshot ${template}`
      : undefined
    : st.template !== 'directory'
      ? `directory ${template}`
      : undefined;
  // In check mode an earlier step (the release) may be what would create the template.
  if (missing !== undefined && !ctx.check) throw new Error(`jail ${a.name}: the template ${missing} does not exist`);
  const { lines, what } = jailKind(a.type).createRoot(a, st, template);
  return {
    summary: `create root: ${what}${missing !== undefined ? ` (the template ${missing} does not exist yet)` : ''}`,
    action: { kind: 'script', script: lines.join('\n') },
    touches: rootTouches(a),
  };
}

/** thin-zfs / thick: the root has its own userland; freebsd-update brings it to the template's patch level. */
function updateRoot(a: JailArgs, f: JailFacts): Change | undefined {
  const st = f.state;
  if (!a.update || !jailKind(a.type).ownUserland) return undefined;
  if (st.rootVersion === undefined || st.templateVersion === undefined) return undefined;
  const root = parseFreebsdVersion(st.rootVersion);
  const tpl = parseFreebsdVersion(st.templateVersion);
  const cmp = comparePatch(root, tpl);
  if (cmp === undefined) {
    if (root.release.localeCompare(tpl.release, 'en', { numeric: true }) > 0) return undefined;
    throw new Error(
      `jail ${a.name}: its root is ${root.text} and its template ${tpl.text}; the jail module applies patches, not release upgrades (freebsd-update -b ${a.path} upgrade -r ...); set update: false to leave it`,
    );
  }
  if (cmp >= 0) return undefined;
  return {
    summary: `update root: ${root.text} -> ${tpl.text} (the template's patch level), freebsd-update -b ${a.path}`,
    action: {
      kind: 'script',
      script: sh`freebsd-update -b ${a.path} --currently-running ${root.text} --not-running-from-cron fetch install`,
    },
    touches: rootTouches(a),
    diff: [{ type: 'value', name: `${a.path}: freebsd-version -u`, before: root.text, after: tpl.text }],
  };
}

/** A running jail whose template moved on under it (thin-nullfs: its processes started on the old files). */
function templateMoved(a: JailArgs, f: JailFacts): string | undefined {
  return jailKind(a.type).templateMoved?.(a, f.state);
}

function destroyRoot(a: JailArgs, f: JailFacts): Change[] {
  const kind = jailKind(a.type);
  const lines = kind.destroyRoot(a, f.state);
  if (lines.length === 0) return [];
  return [
    {
      summary: `destroy root of ${a.name}: ${kind.destroyWhat(a)}`,
      action: { kind: 'script', script: lines.join('\n') },
      touches: rootTouches(a),
    },
  ];
}

/**
 * A Linux jail needs the Linux ABI on the host: linux_enable=YES for boot, linux64 loaded now (linprocfs, linsysfs,
 * linux.* parameters).
 */
function linuxHostChanges(a: JailArgs, f: JailFacts): Change[] {
  if (!linuxOptions(a)) return [];
  const out: Change[] = [];
  const enabled = parseRcConf(currentText(f.rcConf, RC) ?? '').get('linux_enable')?.value;
  if (!isRcYes(enabled)) out.push(rcChange(f, 'linux_enable', enabled, 'YES', ` (Linux jail ${a.name})`));
  if (f.state.linuxLoaded !== true) {
    out.push({
      summary: 'kldload linux64 (the Linux ABI)',
      action: { kind: 'script', script: 'kldload -n linux64' },
      touches: [res.kernelModules(), res.jail(a.name)],
      diff: [{ type: 'value', name: 'kernel module linux64', before: 'not loaded', after: 'loaded' }],
    });
  }
  return out;
}

function rcChange(f: JailFacts, name: string, before: string | undefined, after: string | undefined, why: string): Change {
  return rcVariableChange({ target: HOST, name, before, after, why, base: fileText(f.rcConf, RC) });
}

function bootChanges(a: JailArgs, f: JailFacts): Change[] {
  const boot = a.state === 'absent' ? false : a.boot;
  if (boot === undefined) return [];
  const vars = parseRcConf(currentText(f.rcConf, RC) ?? '');
  const get = (n: string) => vars.get(n)?.value;
  const out: Change[] = [];
  const list = listValue(vars, 'jail_list');
  const item = { name: 'jail_list', item: a.name, delimiter: ' ', file: RC } as const;
  if (boot) {
    if (!isRcYes(get('jail_enable'))) out.push(rcChange(f, 'jail_enable', get('jail_enable'), 'YES', ''));
    const want = desiredValue({ ...item, state: 'present' }, list);
    if (want !== list) out.push(rcChange(f, 'jail_list', list, want, ''));
    if (a.parallel_start !== undefined) {
      const p = a.parallel_start ? 'YES' : 'NO';
      if (isRcYes(get('jail_parallel_start')) !== a.parallel_start)
        out.push(rcChange(f, 'jail_parallel_start', get('jail_parallel_start'), p, ''));
    }
    return out;
  }
  const want = desiredValue({ ...item, state: 'absent' }, list);
  if (want === list) return out;
  out.push(rcChange(f, 'jail_list', list, want, ''));
  // rc.d/jail reads an empty jail_list as "every jail in jail.conf": with the last name gone, no jail starts at boot.
  if ((want ?? '').trim() === '' && isRcYes(get('jail_enable'))) {
    out.push(
      rcChange(
        f,
        'jail_enable',
        get('jail_enable'),
        'NO',
        ` (${a.name} was the only jail in jail_list; an empty jail_list would start every jail)`,
      ),
    );
  }
  return out;
}
