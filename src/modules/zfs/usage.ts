/**
 * What uses a mounted ZFS file system, so that a step never unmounts one from under a
 * running jail (or anything else mounted there) without `force: true`.
 *
 * The fact (one snippet, read in the host's one fact round trip, shared by every zfs step on
 * the same pool): the pool's file systems with their mountpoint and whether they are mounted
 * (`zfs list`), the running jails with their roots (`jls --libxo json name path`) and the host's mount
 * table (`mount`).
 *
 * Which changes unmount (libzfs: zfs_prop_set_list, changelist_gather / changelist_prefix):
 *   mountpoint     the dataset and every descendant mounted at or below its mountpoint are
 *                  unmounted, then remounted at the new place (also when only the source
 *                  changes, inherited -> local with the same path);
 *   canmount=off   on a mounted dataset: unmounted, with the descendants as for mountpoint
 *                  (canmount=noauto or on does not unmount);
 *   jailed / zoned the dataset and all its descendants are unmounted;
 *   zfs destroy    the dataset, its descendants (and with -R the dependent clones).
 * Other properties (atime, exec, readonly, ...) are applied by a remount in place
 * (MNT_UPDATE), which unmounts nothing, and are never refused here.
 *
 * Who uses them: running jails whose root is at or below one of those mount points, jails
 * whose root holds a nullfs mount of a directory at or below one (a thin-nullfs or classic
 * jail over a template), other mounts below one (their target) or of one (a nullfs source),
 * and, for a property change, the mounted descendant datasets it would move along.
 */
import { sh } from '../../shell/quote.js';
import { isDatasetMissing, parseZfsList, poolOf } from '../../facts/zfs.js';
import { parseMountList, type MountEntry } from '../../facts/mount-list.js';
import { parseRunningJails, type RunningJail } from '../../facts/running-jails.js';
import { HOST, requireSuccess } from '../kit/target.js';
import { factKey, res } from '../../facts/resources.js';
import { nameList, type ZfsDataset } from './common.js';
import { canonical, type PropertyDrift } from './properties.js';
import type { FactQuery } from '../kit/contract.js';

export interface ZfsMountState {
  name: string;
  /** The mountpoint property: a path, none or legacy. */
  mountpoint: string;
  mounted: boolean;
}

export interface ZfsUsage {
  /** The pool's file systems. */
  datasets: ZfsMountState[];
  jails: RunningJail[];
  mounts: MountEntry[];
}

/** Properties whose change unmounts (see the header; canmount only when set to off). */
export const UNMOUNTING_PROPS = new Set(['mountpoint', 'canmount', 'jailed', 'zoned']);

/** Whether a step setting these properties needs the usage fact. */
export function needsUsage(properties: Record<string, string>): boolean {
  return Object.keys(properties).some((p) => UNMOUNTING_PROPS.has(p));
}

/** The usage fact of POOL (null when the pool does not exist). */
export function zfsUsageQuery(datasetOrPool: string): FactQuery<ZfsUsage | null> {
  const pool = poolOf(datasetOrPool);
  const script = [
    "echo '%zfs'",
    sh`zfs list -H -o name,mountpoint,mounted -r -t filesystem ${pool} || exit`,
    "echo '%jls'",
    'jls --libxo json name path || exit',
    "echo '%mount'",
    'mount || exit',
  ].join('\n');
  return {
    key: factKey(HOST, 'zfs', pool, 'usage'),
    script,
    // Any dataset (of any pool: mounts), any jail started or stopped.
    resources: [res.zfsStartingWith(''), res.allJails()],
    parse(out) {
      if (out.exitCode !== 0 && isDatasetMissing(out.stderr) && !out.stdout.includes('\n%jls')) return null;
      requireSuccess(out, `reading what uses the file systems of ${pool} (zfs list, jls, mount)`);
      return parseUsage(out.stdout);
    },
  };
}

export function parseUsage(stdout: string): ZfsUsage {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split('\n')) {
    if (/^%(zfs|jls|mount)$/.test(line)) sections.set(line.slice(1), (current = []));
    else if (current) current.push(line);
    else if (line !== '') throw new Error(`unexpected output before the zfs list: '${line}'`);
  }
  for (const s of ['zfs', 'jls', 'mount']) if (!sections.has(s)) throw new Error(`incomplete usage facts: no ${s} section`);
  const text = (s: string) => (sections.get(s) as string[]).join('\n');
  return {
    datasets: parseZfsList(text('zfs'), ['name', 'mountpoint', 'mounted'] as const).map((r) => ({
      name: r.name,
      mountpoint: r.mountpoint,
      mounted: r.mounted === 'yes',
    })),
    jails: parseRunningJails(text('jls')),
    mounts: parseMountList(text('mount')),
  };
}

/** PATH is DIR or below it. */
export function isPathWithin(path: string, dir: string): boolean {
  return path === dir || dir === '/' || path.startsWith(`${dir}/`);
}

function isDescendant(name: string, dataset: string): boolean {
  return name.startsWith(`${dataset}/`);
}

/** A mounted dataset and where: its mountpoint, or for a legacy mount the mount table's entry. */
interface Mounted {
  name: string;
  path?: string;
}

function mountedAt(d: ZfsMountState, mounts: readonly MountEntry[]): Mounted {
  if (d.mountpoint.startsWith('/')) return { name: d.name, path: d.mountpoint };
  const m = mounts.find((e) => e.fstype === 'zfs' && e.source === d.name);
  return m ? { name: d.name, path: m.target } : { name: d.name };
}

/**
 * The mounted file systems that unmounting DATASET takes down: itself and its mounted
 * descendants, all of them (`all`: destroy, jailed) or those at or below its mountpoint.
 */
export function unmountedWith(dataset: string, usage: ZfsUsage, all: boolean): Mounted[] {
  const self = usage.datasets.find((d) => d.name === dataset);
  const base = self?.mountpoint.startsWith('/') ? self.mountpoint : undefined;
  return usage.datasets
    .filter(
      (d) =>
        d.mounted &&
        (d.name === dataset || (isDescendant(d.name, dataset) && (all || (base !== undefined && isPathWithin(d.mountpoint, base))))),
    )
    .map((d) => mountedAt(d, usage.mounts));
}

export interface JailUse {
  name: string;
  /** How it uses them: "root /usr/jails/www", "nullfs /usr/jails/tpl at /usr/jails/www". */
  how: string;
}

export interface Users {
  jails: JailUse[];
  /** Mounted descendant datasets that would move along (property changes only). */
  datasets: Mounted[];
  /** Other mounts on or of those file systems, not a named jail's. */
  mounts: MountEntry[];
}

/** Who uses the file systems GOING (mounted datasets about to be unmounted); MOVED: datasets reported as moved along. */
export function usersOf(going: readonly Mounted[], usage: ZfsUsage, moved: readonly Mounted[] = []): Users {
  const paths = going.flatMap((g) => (g.path ? [g.path] : []));
  const under = (p: string) => paths.some((dir) => isPathWithin(p, dir));
  const goingNames = new Set(going.map((g) => g.name));
  const jails: JailUse[] = [];
  for (const j of usage.jails) {
    if (under(j.path)) {
      jails.push({ name: j.name, how: `root ${j.path}` });
      continue;
    }
    const lower = usage.mounts.find((m) => m.fstype === 'nullfs' && under(m.source) && isPathWithin(m.target, j.path));
    if (lower) jails.push({ name: j.name, how: `nullfs ${lower.source} at ${lower.target}` });
  }
  const inJail = (m: MountEntry) => usage.jails.some((j) => jails.some((u) => u.name === j.name) && isPathWithin(m.target, j.path));
  const mounts = usage.mounts.filter((m) => {
    if (m.fstype === 'zfs' && goingNames.has(m.source)) return false;
    if (inJail(m)) return false;
    return under(m.target) || (m.fstype === 'nullfs' && under(m.source));
  });
  return { jails, datasets: [...moved], mounts };
}

function describeUsers(u: Users): string[] {
  const parts: string[] = [];
  if (u.jails.length)
    parts.push(
      `running jail${u.jails.length > 1 ? 's' : ''} ${nameList(
        u.jails.map((j) => `${j.name} (${j.how})`),
        10,
      )}`,
    );
  if (u.datasets.length)
    parts.push(
      `mounted dataset${u.datasets.length > 1 ? 's' : ''} ${nameList(
        u.datasets.map((d) => (d.path ? `${d.name} (${d.path})` : d.name)),
        10,
      )}`,
    );
  if (u.mounts.length)
    parts.push(
      `mount${u.mounts.length > 1 ? 's' : ''} ${nameList(
        u.mounts.map((m) => `${m.source} on ${m.target} (${m.fstype})`),
        10,
      )}`,
    );
  return parts;
}

function isEmpty(u: Users): boolean {
  return u.jails.length === 0 && u.datasets.length === 0 && u.mounts.length === 0;
}

function howToProceed(u: Users): string {
  const ways = [
    ...(u.jails.length ? [`stop ${u.jails.length > 1 ? 'the jails' : `jail ${(u.jails[0] as JailUse).name}`} first`] : []),
    ...(u.mounts.length ? ['unmount what is mounted there'] : []),
  ];
  const force =
    u.datasets.length && ways.length === 0
      ? 'set force: true on the step to have zfs unmount and remount them'
      : 'set force: true on the step to let zfs try anyway (zfs itself refuses to unmount a busy file system)';
  return [...ways, force].join(', or ');
}

/** The drifted properties whose setting unmounts DS (see the header). */
export function unmountingDrift(ds: ZfsDataset, drift: readonly PropertyDrift[]): PropertyDrift[] {
  const mounted = ds.properties.get('mounted')?.value === 'yes';
  return drift.filter((d) => {
    if (d.property === 'canmount') return mounted && canonical('canmount', d.value) === 'off';
    return UNMOUNTING_PROPS.has(d.property);
  });
}

/**
 * Throws when setting DRIFT on DS would unmount file systems in use (see the header).
 * USAGE: the pool's usage fact; null when there is nothing to read (no pool).
 */
export function refuseBusyPropertyChange(ds: ZfsDataset, drift: readonly PropertyDrift[], usage: ZfsUsage | null): void {
  const unmounting = unmountingDrift(ds, drift);
  if (unmounting.length === 0 || usage === null) return;
  const all = unmounting.some((d) => d.property === 'jailed' || d.property === 'zoned');
  const going = unmountedWith(ds.name, usage, all);
  if (going.length === 0) return;
  const users = usersOf(
    going,
    usage,
    going.filter((g) => g.name !== ds.name),
  );
  if (isEmpty(users)) return;
  const what = unmounting.map((d) => `${d.property} ${d.before ?? '(unset)'} -> ${d.after}`).join(', ');
  throw new Error(
    `refusing to set ${what} on ${ds.name}: zfs would unmount ${nameList(going.map((g) => g.name))}, in use by ${describeUsers(users).join('; ')}. To proceed: ${howToProceed(users)}`,
  );
}

/**
 * Throws when destroying DOOMED (a dataset with its subtree, and any dependent clones going
 * with it) would unmount file systems in use by jails or other mounts.
 */
export function refuseBusyDestroy(name: string, doomed: readonly string[], usage: ZfsUsage | null): void {
  if (usage === null) return;
  const going = doomed.flatMap((d) => unmountedWith(d, usage, true)).filter((g, i, a) => a.findIndex((x) => x.name === g.name) === i);
  if (going.length === 0) return;
  const users = usersOf(going, usage);
  if (isEmpty(users)) return;
  throw new Error(
    `refusing to destroy ${name}: zfs would unmount ${nameList(going.map((g) => g.name))}, in use by ${describeUsers(users).join('; ')}. To proceed: ${howToProceed(users)}`,
  );
}
