/**
 * zfs.dataset: a file system present with properties (parents created: zfs create -p; the
 * properties given at creation with -o; later drift fixed with zfs set), or absent
 * (zfs destroy). A dataset with children, snapshots or dependent clones is destroyed only
 * with `recursive: true` (-r, or -R when clones outside it depend on it); otherwise the
 * step fails naming what depends on it. Property comparison: see zfs-properties.ts.
 *
 * A change that would unmount a file system in use (a mountpoint change under a running
 * jail, a destroy with jails on the subtree; see zfs-usage.ts) is refused at plan time,
 * naming the jails, datasets and mounts, unless `force: true`.
 */
import { z } from 'zod';
import { sh } from '../../shell/quote.js';
import { ancestorsOf } from '../../facts/zfs.js';
import {
  ALL_HOST_FILES,
  datasetName,
  dependentClones,
  nameList,
  originsFor,
  zfsDatasetQuery,
  zfsResource,
  zfsSubtreeTouches,
  zfsTreeQuery,
  type ZfsDataset,
  type ZfsTreeEntry,
} from './common.js';
import { CREATION_ONLY_PROPS, display, canonical, propertiesSchema, propertyDrift, type Properties } from './properties.js';
import { needsUsage, refuseBusyDestroy, refuseBusyPropertyChange, zfsUsageQuery, type ZfsUsage } from './usage.js';
import { defineModule, type Change, type DiffEntry } from '../kit/contract.js';

export const zfsDatasetArgs = z
  .strictObject({
    name: datasetName.describe('the dataset: pool/path (e.g. zroot/usr/jails)'),
    state: z.enum(['present', 'absent']).default('present'),
    properties: propertiesSchema.default({}),
    recursive: z
      .boolean()
      .default(false)
      .describe(
        'absent: also destroy children, snapshots and dependent clones (without it, a dataset that has them is refused, and they are named)',
      ),
    force: z
      .boolean()
      .default(false)
      .describe(
        'let through a change that unmounts file systems in use (running jails below, mounted children); zfs itself still refuses to unmount a busy file system on FreeBSD',
      ),
  })
  .superRefine((a, ctx) => {
    if (a.state === 'absent' && !a.name.includes('/'))
      ctx.addIssue({ code: 'custom', path: ['name'], message: "a pool's root dataset cannot be destroyed" });
    if (a.state === 'absent' && Object.keys(a.properties).length > 0)
      ctx.addIssue({ code: 'custom', path: ['properties'], message: 'properties apply to state present only' });
  });

export type ZfsDatasetArgs = z.output<typeof zfsDatasetArgs>;

interface ZfsDatasetFacts {
  dataset?: ZfsDataset | null;
  tree?: ZfsTreeEntry[] | null;
  origins?: Map<string, string>;
  /** What uses the pool's mounted file systems: read for destroys and mount-related properties. */
  usage?: ZfsUsage | null;
}

export const zfsDataset = defineModule<ZfsDatasetArgs, ZfsDatasetFacts>({
  name: 'zfs.dataset',
  summary: 'a ZFS file system present with properties, or absent',
  docs: {
    does:
      'Created with `zfs create -p -o ...`, drift fixed with `zfs set`. A change that would unmount a file system in use is refused ' +
      'at plan time (also in `--check`), naming what uses it: `mountpoint` (moves the dataset and its descendants mounted below it, even ' +
      'when only the source changes to local), `canmount: off` on a mounted dataset, `jailed` (all descendants), and `state: absent` even ' +
      'with `recursive`; in use means a running jail whose root is at or below one of those mount points or holds a nullfs mount of one, ' +
      'other mounts there, and, for a property change, mounted descendants that would move along. Stop the jails, or `force: true` lets the ' +
      'change through. Properties applied by a remount in place (`atime`, `readonly`, `exec`...) are never refused. What uses the pool is ' +
      'read with the other facts (`zfs list`, `jls --libxo json name path`, `mount`: one snippet per pool).',
  },
  args: zfsDatasetArgs,
  jailAware: false,
  describe: (a) => `zfs.dataset ${a.name}${a.state === 'absent' ? ' absent' : ''}`,
  facts(a) {
    if (a.state === 'present')
      return needsUsage(a.properties)
        ? { dataset: zfsDatasetQuery(a.name), usage: zfsUsageQuery(a.name) }
        : { dataset: zfsDatasetQuery(a.name) };
    return { tree: zfsTreeQuery(a.name), origins: originsFor(a.name), usage: zfsUsageQuery(a.name) };
  },
  plan(a, facts) {
    const guard = a.force ? undefined : (facts.usage ?? null);
    if (a.state === 'absent') return destroyChanges(a.name, facts.tree ?? null, facts.origins ?? new Map(), a.recursive, guard);
    const ds = facts.dataset ?? null;
    if (ds === null) return [createChange(a.name, a.properties)];
    if (ds.type === 'snapshot') throw new Error(`${a.name} is a snapshot, not a file system`);
    return propertyChanges(ds, a.properties, guard);
  },
});

/** zfs create -p -o p=v ... NAME (the -o properties land on NAME only, not on parents it creates). */
function createChange(name: string, props: Properties): Change {
  const opts = Object.entries(props).flatMap(([p, v]) => ['-o', `${p}=${v}`]);
  const shown = Object.entries(props).map(([p, v]) => `${p}=${display(p, canonical(p, v))}`);
  return {
    summary: `create ${name}${shown.length ? ` (${shown.join(', ')})` : ''}`,
    action: { kind: 'script', script: sh`zfs create -p ${opts} ${name}` },
    // -p may create parents: their existence (and their tree facts) changes too.
    touches: [...zfsSubtreeTouches(name), ...ancestorsOf(name).map(zfsResource), ALL_HOST_FILES],
    diff: [
      { type: 'value', name, before: null, after: 'filesystem' },
      ...Object.entries(props).map(([p, v]): DiffEntry => ({
        type: 'value',
        name: `${name} ${p}`,
        before: null,
        after: display(p, canonical(p, v)),
      })),
    ],
  };
}

/**
 * zfs set for each property that drifted, all in one change (one script, one round trip).
 * One property per zfs set: zfs-fuse takes a single property=value per command (OpenZFS
 * takes several, atomically; the lab's hosts must work too).
 * USAGE (unless the step forces): what uses the pool's file systems; a change that would
 * unmount one in use is refused (refuseBusyPropertyChange). Shared with zfs.clone.
 */
export function propertyChanges(ds: ZfsDataset, props: Properties, usage?: ZfsUsage | null): Change[] {
  const drift = propertyDrift(props, ds.properties);
  if (drift.length === 0) return [];
  if (usage !== undefined) refuseBusyPropertyChange(ds, drift, usage);
  const fixed = drift.filter((d) => CREATION_ONLY_PROPS.has(d.property));
  if (fixed.length > 0) {
    throw new Error(
      `${ds.name}: ${fixed.map((d) => `${d.property} is ${d.before ?? 'unset'}, wanted ${d.after}`).join('; ')}: ${fixed.length > 1 ? 'these properties' : 'this property'} can only be set when the dataset is created`,
    );
  }
  const mounts = drift.some((d) => d.property === 'mountpoint' || d.property === 'canmount');
  return [
    {
      summary: `${ds.name}: ${drift.map((d) => `${d.property} ${d.before ?? '(unset)'} -> ${d.after}`).join(', ')}`,
      action: { kind: 'script', script: drift.map((d) => sh`zfs set ${`${d.property}=${d.value}`} ${ds.name}`).join('\n') },
      // Inheritable properties flow down to children.
      touches: [...zfsSubtreeTouches(ds.name), ...(mounts ? [ALL_HOST_FILES] : [])],
      diff: drift.map((d): DiffEntry => ({ type: 'value', name: `${ds.name} ${d.property}`, before: d.before, after: d.after })),
    },
  ];
}

/**
 * Destroying NAME (a file system or clone) with what depends on it. USAGE (unless the step
 * forces): a destroy that would unmount file systems in use is refused, even recursive.
 * Shared with zfs.clone.
 */
export function destroyChanges(
  name: string,
  tree: ZfsTreeEntry[] | null,
  origins: ReadonlyMap<string, string>,
  recursive: boolean,
  usage?: ZfsUsage | null,
): Change[] {
  if (tree === null) return [];
  const children = tree.filter((e) => e.name !== name && !e.name.includes('@')).map((e) => e.name);
  const snapshots = tree.filter((e) => e.name.includes('@')).map((e) => e.name);
  const inside = new Set(tree.map((e) => e.name));
  const outsideClones = dependentClones([name], origins).filter((c) => !inside.has(c));
  const dependents = [
    children.length ? `children ${nameList(children)}` : '',
    snapshots.length ? `snapshots ${nameList(snapshots)}` : '',
    outsideClones.length ? `dependent clones ${nameList(outsideClones)}` : '',
  ].filter(Boolean);
  if (dependents.length > 0 && !recursive) {
    throw new Error(
      `refusing to destroy ${name}: it has ${dependents.join('; ')}. Set recursive: true to destroy ${name} with ${children.length + snapshots.length + outsideClones.length > 1 ? 'them' : 'it'}`,
    );
  }
  if (usage !== undefined) refuseBusyDestroy(name, [name, ...outsideClones], usage);
  // -r takes children and snapshots (clones inside the subtree too); -R also clones elsewhere.
  const flag = outsideClones.length > 0 ? '-R ' : dependents.length > 0 ? '-r ' : '';
  const origin = origins.get(name);
  const gone = [...tree.map((e) => e.name), ...outsideClones];
  return [
    {
      summary: `destroy ${name}${dependents.length ? ` with its ${dependents.join('; ')}` : ''}`,
      action: { kind: 'script', script: `zfs destroy ${flag}${sh`${name}`}` },
      touches: [
        // The parents' tree facts read NAME's subtree (`host:zfs:PARENT/*`): these touch them too.
        ...zfsSubtreeTouches(name),
        ...outsideClones.flatMap(zfsSubtreeTouches),
        // A clone's origin snapshot loses a dependent.
        ...(origin ? [zfsResource(origin)] : []),
        ...outsideClones.flatMap((c) => (origins.get(c) ? [zfsResource(origins.get(c) as string)] : [])),
        ALL_HOST_FILES,
      ],
      diff: gone.map((n): DiffEntry => ({
        type: 'value',
        name: n,
        before: tree.find((e) => e.name === n)?.type ?? 'filesystem (clone)',
        after: null,
      })),
    },
  ];
}
