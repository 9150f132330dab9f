/**
 * Targets (the host, or a jail on it) as fact keys, resource names and shell paths.
 * A jail is addressed by name; its root comes from `jls -j NAME path` in the same script
 * that reads or writes inside it, so a fact and the change after it see the same tree.
 */
import { raw, sh, type ShellFragment } from '../../shell/quote.js';
import { parseJailPath } from '../../facts/jls.js';
import { noSymlinksBelow } from '../../shell/confine.js';
import { factKey, res, type Resource } from '../../facts/resources.js';
import { isNormalPath } from './names.js';
import type { FactOutput, FactQuery, Target } from './contract.js';

export const HOST: Target = { kind: 'host' };

/** Exit status of a fact snippet whose jail is not running. */
export const JAIL_NOT_RUNNING = 97;

export function describeTarget(t: Target): string {
  return t.kind === 'host' ? 'the host' : `jail ${t.name}`;
}

/** Sets $fj_root to the jail's root (nothing for the host); exits JAIL_NOT_RUNNING when the jail is not running. */
export function rootPrelude(t: Target): string {
  if (t.kind === 'host') return '';
  const missing = `jail ${t.name} is not running`;
  return sh`fj_root=$(jls -j ${t.name} path 2>/dev/null) && [ -n "$fj_root" ] || { echo ${missing} >&2; exit ${JAIL_NOT_RUNNING}; }` + '\n';
}

/**
 * Refuses a path inside a jail that is not absolute and normal: `..` joined under the jail's
 * root could lead out of it. Arguments are normalised at validation (names.ts absolutePath);
 * this keeps a module that forgot from reaching the host's tree.
 */
function confinedPath(t: Target, path: string): string {
  if (t.kind === 'jail' && !isNormalPath(path))
    throw new Error(`${path}: not a normal absolute path inside jail ${t.name} (no . or .. components)`);
  return path;
}

/** PATH (absolute, as seen inside the target) as one shell word; needs rootPrelude() first for a jail. */
export function rootedPath(t: Target, path: string): ShellFragment {
  return t.kind === 'host' ? raw(sh`${path}`) : raw(sh`"$fj_root"${confinedPath(t, path)}`);
}

/** The path on the host of PATH inside the target, given the jail's root. */
export function hostPath(t: Target, jailRoot: string | undefined, path: string): string {
  if (t.kind === 'host') return path;
  confinedPath(t, path);
  if (!jailRoot) throw new Error(`no root known for jail ${t.name}`);
  return jailRoot === '/' ? path : `${jailRoot}${path}`;
}

/** For a write or edit into a jail from the host: the jail's root it must stay inside. */
export function confinement(t: Target, jailRoot: string | undefined): { confineTo?: string } {
  return t.kind === 'jail' && jailRoot ? { confineTo: jailRoot } : {};
}

/** Shell lines before a change script that acts on PATH inside a jail from the host (see noSymlinksBelow). */
export function jailPathGuard(t: Target, jailRoot: string | undefined, path: string, last = true): string {
  if (t.kind === 'jail') confinedPath(t, path);
  return t.kind === 'jail' && jailRoot ? noSymlinksBelow(jailRoot, path, last) : '';
}

/** The jail's root directory (for changes written from the host into the jail). */
export function jailRootQuery(name: string): FactQuery<string> {
  return {
    key: factKey({ kind: 'jail', name }, 'root'),
    script: sh`jls -j ${name} path`,
    resources: [res.jail(name)],
    parse(out) {
      if (out.exitCode !== 0) throw new Error(`jail ${name} is not running (jls: ${out.stderr.trim() || `exit ${out.exitCode}`})`);
      return parseJailPath(out.stdout);
    },
  };
}

/** Throws the snippet's own error message when it failed. */
export function requireSuccess(out: FactOutput, what: string): void {
  if (out.exitCode === 0) return;
  const detail = out.stderr.trim().split('\n').slice(-3).join('; ') || `exit status ${out.exitCode}`;
  throw new Error(`${what}: ${detail}`);
}

/** The files rc(8) sources: a change to one can change any service's enable variable. */
export function isRcConfFile(path: string): boolean {
  return /^\/etc\/(defaults\/)?rc\.conf(\.local)?$/.test(path) || /^(\/usr\/local)?\/etc\/rc\.conf\.d\//.test(path);
}

/** What a change to PATH in T invalidates: facts of the file and of its aspects (e.g. one rc.conf variable). */
export function fileTouches(t: Target, path: string): Resource[] {
  const file = [res.file(t, path), res.fileAspects(t, path)];
  return isRcConfFile(path) ? [...file, res.allServices(t)] : file;
}

/** What setting one variable of an rc.conf-family FILE invalidates: the file's own facts and that variable's, not the other variables'. */
export function rcVariableTouches(t: Target, file: string, name: string): Resource[] {
  const touched = [res.file(t, file), res.fileAspect(t, file, `var=${name}`)];
  return isRcConfFile(file) ? [...touched, res.allServices(t)] : touched;
}
