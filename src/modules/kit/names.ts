/**
 * Argument schemas for the values modules hand to FreeBSD tools: paths, jail, user and group,
 * dataset and interface names, host names. Each is checked here, before any host is
 * contacted, against what the tool accepts, and so that no value can be read as an option
 * (nothing starts with `-`) or step out of the tree it names (no `..` above `/`).
 */
import { z } from 'zod';

const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * PATH with `.`, `..`, repeated and trailing slashes resolved lexically ('/a/./b/../c/' ->
 * '/a/c'); undefined when a `..` would climb above `/` (inside a jail: out of its root).
 */
export function normalisePath(path: string): string | undefined {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Whether PATH is absolute and already normal: no `.` or `..` component, no empty one, no trailing slash. */
export function isNormalPath(path: string): boolean {
  return path.startsWith('/') && normalisePath(path) === path;
}

/**
 * An absolute path, normalised. A `..` that climbs above `/` is refused: with `jail:` the path
 * is taken under the jail's root, and `/../..` would be the host's tree. Control characters
 * (newline, tab, NUL...) are refused: no FreeBSD configuration file or tool output that a
 * path goes through can carry them.
 */
export const absolutePath = z
  .string()
  .refine((p) => p.startsWith('/'), 'must be an absolute path (starting with /)')
  .refine((p) => !CONTROL.test(p), 'must not contain control characters (newline, tab, NUL ...)')
  .refine(
    (p) => !p.startsWith('/') || normalisePath(p) !== undefined,
    'must not climb above / with .. (inside a jail that would be outside its root)',
  )
  .transform((p) => normalisePath(p) as string);

/**
 * A jail's name as jail(8) takes it and rc.conf's jail_list holds it: letters, digits, _ and -,
 * not starting with - (an option), no dots (jail(8) reads a.b as jail b inside jail a), not
 * all digits (the kernel refuses a numeric name unless it is the JID).
 */
export const jailName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_-]*$/, 'a jail name: letters, digits, _ and - (not starting with -)')
  .max(200, 'a jail name of at most 200 characters')
  .refine((n) => !/^[0-9]+$/.test(n), 'a jail name cannot be all digits (jail(8) would read it as a JID)');

/**
 * A user or group name (passwd(5), pw(8): no leading -, no : , or blanks; at most 32
 * characters, a trailing $ allowed for Samba machine accounts), or a numeric id.
 */
export const accountName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\$?$/, 'a user or group name (letters, digits, _ . -, not starting with -) or a numeric id');

/**
 * A ZFS dataset name (zfsconcepts(7)): a pool name starting with a letter, then components of
 * letters, digits, _ - . : and space-free; no @ or # (snapshots, bookmarks), no empty or
 * `.`/`..` component, no leading -.
 */
export const datasetName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.:-]*(\/[A-Za-z0-9_.:-]+)*$/, 'a ZFS dataset name such as zroot/jails/www')
  .max(255, 'a ZFS name of at most 255 characters')
  .refine((n) => !n.split('/').some((c) => c === '.' || c === '..'), 'no . or .. component in a dataset name');

/** DATASET@SNAPSHOT (zfsconcepts(7)). */
export const snapshotName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.:-]*(\/[A-Za-z0-9_.:-]+)*@[A-Za-z0-9_.:-]+$/, 'a snapshot, DATASET@SNAPSHOT')
  .refine((n) => !n.split(/[/@]/).some((c) => c === '.' || c === '..'), 'no . or .. component in a snapshot name');

/** An interface name as ifconfig(8) takes it (IFNAMSIZ is 16 with its NUL): lo1, bridge0, em0.100. */
export const interfaceName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.]{0,14}$/, 'an interface name such as lo1, bridge0 or em0 (at most 15 characters)');

/** A host name (host.hostname): labels of letters, digits, - and _, separated by dots. */
export const hostName = z
  .string()
  .regex(
    /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*$/,
    'a host name such as www or www.example.org',
  )
  .max(255, 'a host name of at most 255 characters');
