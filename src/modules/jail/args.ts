/**
 * The `jail` module's arguments: what a jail is (its type and root), how it is reached on
 * the network, its jail(8) parameters, and what state it should be in. Everything is checked
 * here, before any host is contacted.
 */
import { z } from 'zod';
import { absolutePath, datasetName, hostName, interfaceName, jailName, snapshotName } from '../kit/names.js';

export { jailName };

import { JAIL_TYPES, KIND_TRAITS, type JailType } from './kinds/traits.js';

export { JAIL_TYPES, type JailType };

/**
 * A path that goes into the jail's fstab: no blanks. jail(8) splits each mount.fstab line on
 * blanks and hands the words to mount(8) as they are (fstab(5)'s \040 is not decoded there),
 * so a path with a blank cannot be mounted.
 */
const absPath = absolutePath.refine((p) => !/\s/.test(p), 'no blanks (jail(8) splits mount.fstab lines on blanks)');
const zfsName = datasetName;
const ifName = interfaceName;
/** A directory relative to the jail's root or the template (usr/bin, compat/debian): no `..`, no leading -. */
const relativeDir = z
  .string()
  .regex(/^[A-Za-z0-9_.][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)*$/, 'a relative path such as usr/bin')
  .refine((p) => !p.split('/').some((c) => c === '.' || c === '..'), 'no . or .. components');
/** ip4.addr / ip6.addr: [INTERFACE|]ADDRESS[/PREFIX] (jail(8)). */
const jailAddress = z
  .string()
  .regex(/^([A-Za-z][A-Za-z0-9_.]{0,14}\|)?[0-9a-fA-F:.]+(\/[0-9.]+)?$/, 'an address such as 192.168.1.3, 10.0.0.3/24 or lo1|192.168.1.3');
const noNul = (v: unknown) => typeof v !== 'string' || !v.includes('\0');

/** A jail(8) parameter name: allow.raw_sockets, exec.prestart, linux.osrelease ... */
const paramName = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, 'a jail(8) parameter name such as allow.raw_sockets');
const paramString = z.string().refine(noNul, 'no NUL byte (it would cut the jail.conf string short)');
export const paramValue = z.union([paramString, z.number(), z.boolean(), z.array(z.union([paramString, z.number()])).min(1)]);
export type ParamValue = z.output<typeof paramValue>;

/** Parameters the module writes itself from its own arguments. */
export const MANAGED_PARAMS: Record<string, string> = {
  path: 'path',
  name: 'name',
  'host.hostname': 'hostname',
  'mount.fstab': 'mounts',
  'mount.devfs': 'devfs',
  devfs_ruleset: 'devfs_ruleset',
  enforce_statfs: 'enforce_statfs',
  interface: 'interface',
  'ip4.addr': 'ip4',
  'ip6.addr': 'ip6',
  vnet: 'vnet',
  'vnet.interface': 'vnet',
};

const mount = z.strictObject({
  source: z
    .union([absPath, z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'a host directory (absolute) or a file system name such as tmpfs')])
    .describe('a host directory (nullfs) or a file system name (tmpfs, linprocfs ...)'),
  target: absPath.describe('where, inside the jail (e.g. /usr/ports)'),
  type: z
    .string()
    .regex(/^[a-z0-9]+$/)
    .default('nullfs'),
  options: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.,=:/@+-]*$/, 'mount options without blanks, e.g. ro or rw,size=1g')
    .default('ro'),
});

const vnet = z.strictObject({
  epair: z.number().int().min(0).max(32767).describe('the epair number N: epairNa joins the bridge, epairNb goes into the jail'),
  bridge: ifName.describe('the host bridge epairNa joins (it must exist: cloned_interfaces)'),
  address: z
    .string()
    .regex(/^[0-9a-fA-F:.]+\/[0-9]+$/, 'an address with its prefix length, e.g. 192.168.7.253/24')
    .optional(),
  gateway: z
    .string()
    .regex(/^[0-9a-fA-F:.]+$/, 'an address')
    .optional(),
});

const linux = z.union([
  z.boolean(),
  z.strictObject({
    userland: relativeDir
      .default('compat/debian')
      .describe("where the Linux userland is, relative to the jail's root (debootstrap's target)"),
    shm_size: z
      .union([z.string().regex(/^[0-9]+[kmgKMG]?$/, 'a tmpfs size such as 1g or 512m'), z.literal(false)])
      .default('1g')
      .describe('size of the tmpfs on USERLAND/dev/shm; false: no /dev/shm mount'),
  }),
]);

const oneOrMany = <T extends z.ZodType>(t: T) =>
  z.union([t, z.array(t).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]) as Array<z.output<T>>);

export const DEFAULT_SHARED = [
  'bin',
  'lib',
  'libexec',
  'sbin',
  'usr/bin',
  'usr/include',
  'usr/lib',
  'usr/libexec',
  'usr/sbin',
  'usr/share',
];
export const SKELETON_DIRS = ['etc', 'usr/local', 'tmp', 'var', 'root'];

export const jailArgs = z
  .strictObject({
    name: jailName.describe("the jail's name (jail.conf block, jls, jexec, jail_list)"),
    type: z
      .enum(JAIL_TYPES)
      .describe(
        '`thin-zfs`: a `zfs clone` of `template: DATASET@SNAP` as `dataset`; `thick`: a copy of the template directory, on its own `dataset` if given; ' +
          '`thin-nullfs`: the template mounted read-only with a per-jail writable `skeleton` (etc, usr/local, tmp, var, root; `skeleton_dataset`); ' +
          "`classic`: a per-jail root with the template's `shared` directories (bin, lib, ...) mounted read-only",
      ),
    state: z.enum(['running', 'stopped', 'absent']).default('running'),
    path: absPath.refine((p) => p !== '/', 'a jail needs a root of its own, not /').describe("the jail's root directory"),
    template: z
      .union([snapshotName, absPath])
      .optional()
      .describe('the template: DATASET@SNAPSHOT for thin-zfs; a directory for the other types'),
    dataset: zfsName.optional().describe("thin-zfs: the jail's dataset (a clone); thick: put the copy on this new dataset"),
    skeleton: absPath.optional().describe('thin-nullfs: the per-jail writable directory (default PATH.skeleton)'),
    skeleton_dataset: zfsName.optional().describe('thin-nullfs: create the skeleton directory as this dataset'),
    shared: z
      .array(relativeDir)
      .min(1)
      .optional()
      .describe(`classic: the template's directories mounted read-only (default ${DEFAULT_SHARED.join(', ')})`),
    fstab: absPath.optional().describe('the per-jail fstab (default PATH.fstab), written when the jail has mounts'),
    hostname: hostName.optional().describe('host.hostname (default: the name)'),
    interface: ifName.optional().describe('the host interface the ip4/ip6 addresses go on (e.g. lo1)'),
    ip4: oneOrMany(jailAddress).optional().describe('ip4.addr: addresses, e.g. 192.168.1.3 or 10.0.0.3/24'),
    ip6: oneOrMany(jailAddress).optional().describe('ip6.addr'),
    vnet: vnet
      .optional()
      .describe("a VNET jail on an epair joined to a bridge (seed 002's epair + bridge wiring), instead of `interface` + `ip4` / `ip6`"),
    devfs: z.boolean().default(true).describe('mount.devfs'),
    devfs_ruleset: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .optional()
      .describe('devfs_ruleset: the number of a devfs.rules ruleset (see `devfs.ruleset`)'),
    enforce_statfs: z
      .union([z.literal(0), z.literal(1), z.literal(2)])
      .optional()
      .describe('enforce_statfs: 0, 1 or 2'),
    mounts: z.array(mount).default([]).describe('extra mounts of the per-jail fstab (e.g. the ports tree)'),
    linux: linux
      .optional()
      .describe(
        'a Linux jail (seed 004): `true` or `{userland: compat/debian, shm_size: 1g | false}`; `linux_enable=YES` and `kldload linux64` on the host; ' +
          "devfs, tmpfs (`dev/shm`), linprocfs and linsysfs under the Linux userland in the jail's fstab. The userland itself (debootstrap) is a step of your own (see linux-jail.yaml)",
      ),
    params: z
      .record(paramName, paramValue)
      .default({})
      .describe(
        'any other jail(8) parameter (`allow.sysvipc: true`, `exec.prestart: [...]`); true: `name;`, false: `noname;`, a list: `name = "a", "b";`. ' +
          'Written as jail.conf strings in which `${name}` expands, as in a hand-written file; `exec.*` values are commands jail(8) runs with sh',
      ),
    boot: z
      .boolean()
      .optional()
      .describe('true: jail_enable=YES and the name in jail_list; false: the name not in jail_list; unset: rc.conf untouched'),
    parallel_start: z.boolean().optional().describe('jail_parallel_start (only with boot: true)'),
    restart: z.boolean().default(true).describe('restart a running jail whose configuration or root changed; the report says why'),
    update: z
      .boolean()
      .default(true)
      .describe("thin-zfs / thick: when the root is behind its template's patch level, run freebsd-update -b on it"),
    destroy_root: z
      .boolean()
      .default(false)
      .describe(
        'only with state absent: also destroy the root (dataset or directory) and the skeleton; roots are never destroyed otherwise',
      ),
  })
  .superRefine((a, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (a.state !== 'absent' && a.template === undefined) issue('template', `a ${a.type} jail needs a template`);
    const kind = KIND_TRAITS[a.type];
    if (a.template !== undefined) {
      if (kind.template === 'snapshot' && !a.template.includes('@'))
        issue('template', `${a.type}: the template is a snapshot, DATASET@SNAPSHOT`);
      if (kind.template === 'directory' && !a.template.startsWith('/'))
        issue('template', `${a.type}: the template is a directory (an absolute path)`);
    }
    if (typeof kind.dataset === 'object' && a.dataset === undefined) issue('dataset', kind.dataset.required);
    if (kind.dataset === 'none' && a.dataset !== undefined)
      issue('dataset', `${a.type}: no dataset (use skeleton_dataset for thin-nullfs)`);
    if (!kind.skeleton && (a.skeleton !== undefined || a.skeleton_dataset !== undefined))
      issue('skeleton', 'skeleton and skeleton_dataset are for thin-nullfs jails');
    if (!kind.shared && a.shared !== undefined) issue('shared', 'shared is for classic jails');
    if (a.vnet && (a.ip4 || a.ip6 || a.interface))
      issue('vnet', 'a VNET jail has its own stack: give its address in vnet.address, not ip4/ip6/interface');
    if (a.linux !== undefined && a.linux !== false && kind.noLinux !== undefined) issue('linux', kind.noLinux);
    if (a.parallel_start !== undefined && a.boot !== true) issue('parallel_start', 'parallel_start goes with boot: true');
    if (a.destroy_root && a.state !== 'absent') issue('destroy_root', 'destroy_root only goes with state: absent');
    for (const k of Object.keys(a.params)) {
      const arg = MANAGED_PARAMS[k] ?? (k.startsWith('vnet.') ? 'vnet' : undefined);
      if (arg !== undefined) issue('params', `parameter ${k} is written by the module: use the argument '${arg}'`);
    }
  });

export type JailArgs = z.output<typeof jailArgs>;

/** The root's source, split: a ZFS snapshot (thin-zfs) or a directory. */
export function templateSnapshot(a: JailArgs): { dataset: string; snapshot: string } | undefined {
  if (a.template === undefined || a.template.startsWith('/')) return undefined;
  const at = a.template.indexOf('@');
  return { dataset: a.template.slice(0, at), snapshot: a.template.slice(at + 1) };
}

export interface LinuxOptions {
  userland: string;
  shmSize: string | false;
}

/** The Linux option with its defaults, or undefined for a FreeBSD-only jail. */
export function linuxOptions(a: JailArgs): LinuxOptions | undefined {
  if (a.linux === undefined || a.linux === false) return undefined;
  if (a.linux === true) return { userland: 'compat/debian', shmSize: '1g' };
  return { userland: a.linux.userland, shmSize: a.linux.shm_size };
}

/** The Linux mounts, in mount order: [source, target inside the jail, type, options]. */
export function linuxMounts(a: JailArgs): Array<[string, string, string, string]> {
  const l = linuxOptions(a);
  if (!l) return [];
  const u = `/${l.userland}`;
  const rows: Array<[string, string, string, string]> = [['devfs', `${u}/dev`, 'devfs', 'rw']];
  // FreeBSD's linux module puts a shm directory into every devfs: the tmpfs goes on it.
  if (l.shmSize !== false) rows.push(['tmpfs', `${u}/dev/shm`, 'tmpfs', `rw,size=${l.shmSize},mode=1777`]);
  rows.push(['linprocfs', `${u}/proc`, 'linprocfs', 'rw'], ['linsysfs', `${u}/sys`, 'linsysfs', 'rw']);
  return rows;
}

export function skeletonPath(a: JailArgs): string {
  return a.skeleton ?? `${a.path}.skeleton`;
}

export function fstabPath(a: JailArgs): string {
  return a.fstab ?? `${a.path}.fstab`;
}

export function confPath(name: string): string {
  return `/etc/jail.conf.d/${name}.conf`;
}

/** Where thin-nullfs jails record the template's freebsd-version at each start (exec.prestart). */
export function startStampPath(name: string): string {
  return `/var/run/jail_${name}.template-version`;
}
