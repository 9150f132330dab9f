/**
 * The names of host state: what a fact reads (FactQuery.resources) and what a change alters
 * (Change.touches), and the rule that matches the two. A change marks stale every fact that
 * reads something it touched; a later step that needs a stale fact has it read again.
 *
 * Names are typed (Resource, FactKey): only the builders here make them, so a hand-written
 * string that matches nothing (a silent stale read) does not compile. The encoded form is
 * TARGET:KIND[:NAME], the target being `host` or `jail=NAME`; a name ending in `*` stands for
 * every name it starts with (a tree of files, a dataset's descendants), on either side.
 */
/** Where state lives: the host, or one of its jails (the contract's Target, by shape: no import). */
type Target = { kind: 'host' } | { kind: 'jail'; name: string };

declare const resourceBrand: unique symbol;
declare const keyBrand: unique symbol;

/** A piece of host state (or, ending in `*`, every piece whose name starts so). */
export type Resource = string & { readonly [resourceBrand]: true };

/** The identity of a fact query: queries with the same key are one query, gathered once per host. */
export type FactKey = string & { readonly [keyBrand]: true };

const HOST_ID = 'host';

export function targetId(t: Target): string {
  return t.kind === 'host' ? HOST_ID : `jail=${t.name}`;
}

const named = (t: Target | null, kind: string, name?: string): Resource =>
  (name === undefined ? `${t ? targetId(t) : HOST_ID}:${kind}` : `${t ? targetId(t) : HOST_ID}:${kind}:${name}`) as Resource;

/** The host's own state (ZFS, jails, kernel modules, network, pf, devfs): not inside any jail. */
const onHost = (kind: string, name?: string) => named(null, kind, name);

export const res = {
  /** A file or directory at PATH in T, as a whole (content and metadata). */
  file: (t: Target, path: string) => named(t, 'file', path),
  /** One aspect of a file read on its own (an rc.conf variable: `var=NAME`). */
  fileAspect: (t: Target, path: string, aspect: string) => named(t, 'file', `${path}:${aspect}`),
  /** Every aspect of the file at PATH. */
  fileAspects: (t: Target, path: string) => named(t, 'file', `${path}:*`),
  /** Every file whose path starts with PREFIX (`/usr/jails/www/`: the tree below it). */
  filesStartingWith: (t: Target, prefix: string) => named(t, 'file', `${prefix}*`),
  /** Every file of T (a dataset mounted or unmounted changes what paths hold). */
  allFiles: (t: Target) => named(t, 'file', '*'),
  /** An rc.d service's enable variable and status. */
  service: (t: Target, name: string) => named(t, 'service', name),
  /** Every service (an rc.conf-family file changed). */
  allServices: (t: Target) => named(t, 'service', '*'),
  /** The packages installed in T. */
  packages: (t: Target) => named(t, 'pkg'),
  /** Everything in T (a package install, a free-form command). */
  everythingIn: (t: Target) => `${targetId(t)}:*` as Resource,
  /** Everything, the host and every jail (a command on the host). */
  everything: '*' as Resource,
  /** A ZFS dataset or snapshot. */
  zfs: (name: string) => onHost('zfs', name),
  /** Every dataset or snapshot whose name starts with PREFIX (`pool/a/`: descendants; `pool/a@`: snapshots). */
  zfsStartingWith: (prefix: string) => onHost('zfs', `${prefix}*`),
  /** A jail's state on the host (jls, its configuration). */
  jail: (name: string) => onHost('jail', name),
  /** Every jail's state. */
  allJails: () => onHost('jail', '*'),
  /** Kernel modules loaded. */
  kernelModules: () => onHost('kld'),
  /** Network interfaces and their addresses. */
  network: () => onHost('net'),
  /** pf's status and loaded ruleset. */
  pf: () => onHost('pf'),
  /** devfs rulesets loaded. */
  devfs: () => onHost('devfs'),
  /** A release template's state (its version, its patch level, its sets). */
  release: (path: string) => onHost('release', path),
  /** What any change may alter (a probe command): read again after every change. */
  volatile: 'volatile' as Resource,
};

/** A fact query's key: the target, the fact's kind and whatever tells its queries apart. */
export function factKey(t: Target, kind: string, ...parts: ReadonlyArray<string | number>): FactKey {
  return [targetId(t), kind, ...parts].join(':') as FactKey;
}

/** Whether a change that touched PATTERN makes a fact that reads RES stale. */
export function matches(pattern: Resource, resource: Resource): boolean {
  if (pattern === res.everything) return true;
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return resource.startsWith(prefix) || (resource.endsWith('*') && prefix.startsWith(resource.slice(0, -1)));
  }
  return pattern === resource || (resource.endsWith('*') && pattern.startsWith(resource.slice(0, -1)));
}
