/**
 * zfs.clone: a file system cloned from a snapshot (zfs clone -p, properties with -o), its
 * properties kept afterwards as zfs.dataset keeps them; or absent (destroyed as
 * zfs.dataset destroys, `recursive` likewise). A target that exists but is not a clone of
 * that origin (a plain file system, another snapshot's clone, a promoted clone) is an
 * error: re-cloning it would destroy its data.
 */
import { z } from 'zod';
import { sh } from '../../shell/quote.js';
import { ancestorsOf } from '../../facts/zfs.js';
import {
  ALL_HOST_FILES,
  datasetName,
  originsFor,
  snapshotName,
  zfsDatasetQuery,
  zfsResource,
  zfsSubtreeTouches,
  zfsTreeQuery,
  type ZfsDataset,
  type ZfsTreeEntry,
} from './common.js';
import { canonical, display, propertiesSchema, type Properties } from './properties.js';
import { destroyChanges, propertyChanges } from './dataset.js';
import { needsUsage, zfsUsageQuery, type ZfsUsage } from './usage.js';
import { defineModule, type Change, type DiffEntry } from '../kit/contract.js';

export const zfsCloneArgs = z
  .strictObject({
    name: datasetName.describe('the clone: pool/path (e.g. zroot/jails/www)'),
    origin: snapshotName.optional().describe('the snapshot it is cloned from (e.g. zroot/jails/template@p3); required for state present'),
    state: z.enum(['present', 'absent']).default('present'),
    properties: propertiesSchema.default({}),
    recursive: z.boolean().default(false).describe('absent: also destroy its children, snapshots and dependent clones'),
    force: z
      .boolean()
      .default(false)
      .describe(
        "as zfs.dataset's: changes that unmount file systems in use (running jails below, mounted children) are refused without it; zfs itself still refuses a busy unmount",
      ),
  })
  .superRefine((a, ctx) => {
    if (a.state === 'present' && a.origin === undefined)
      ctx.addIssue({ code: 'custom', path: ['origin'], message: 'state present needs the origin snapshot' });
    if (a.state === 'absent' && Object.keys(a.properties).length > 0)
      ctx.addIssue({ code: 'custom', path: ['properties'], message: 'properties apply to state present only' });
  });

export type ZfsCloneArgs = z.output<typeof zfsCloneArgs>;

interface ZfsCloneFacts {
  target?: ZfsDataset | null;
  origin?: ZfsDataset | null;
  tree?: ZfsTreeEntry[] | null;
  origins?: Map<string, string>;
  usage?: ZfsUsage | null;
}

export const zfsClone = defineModule<ZfsCloneArgs, ZfsCloneFacts>({
  name: 'zfs.clone',
  summary: 'a ZFS clone of a snapshot, present with properties, or absent',
  docs: { does: 'A target that exists but is not a clone of `origin` is an error, never re-cloned.' },
  args: zfsCloneArgs,
  jailAware: false,
  describe: (a) => `zfs.clone ${a.name}${a.state === 'absent' ? ' absent' : ` from ${a.origin ?? '?'}`}`,
  facts(a) {
    if (a.state === 'absent') return { tree: zfsTreeQuery(a.name), origins: originsFor(a.name), usage: zfsUsageQuery(a.name) };
    const present = { target: zfsDatasetQuery(a.name), origin: zfsDatasetQuery(a.origin as string) };
    return needsUsage(a.properties) ? { ...present, usage: zfsUsageQuery(a.name) } : present;
  },
  plan(a, facts) {
    const guard = a.force ? undefined : (facts.usage ?? null);
    if (a.state === 'absent') {
      const tree = facts.tree ?? null;
      const origins = facts.origins ?? new Map<string, string>();
      if (tree !== null && a.origin !== undefined) requireCloneOf(a.name, origins.get(a.name), a.origin);
      return destroyChanges(a.name, tree, origins, a.recursive, guard);
    }
    const origin = a.origin as string;
    const target = facts.target ?? null;
    if (target !== null) {
      if (target.type === 'snapshot') throw new Error(`${a.name} is a snapshot, not a file system`);
      requireCloneOf(a.name, target.properties.get('origin')?.value, origin);
      return propertyChanges(target, a.properties, guard);
    }
    if (!facts.origin) throw new Error(`cannot clone ${origin}: the snapshot does not exist`);
    return [cloneChange(a.name, origin, a.properties)];
  },
});

function requireCloneOf(name: string, actual: string | undefined, wanted: string): void {
  if (actual === wanted) return;
  const what = actual === undefined || actual === '-' ? 'it is not a clone' : `it is a clone of ${actual}`;
  throw new Error(
    `${name} exists but is not a clone of ${wanted} (${what}); refusing to replace it: destroy it first (zfs.dataset state: absent) if that is intended`,
  );
}

function cloneChange(name: string, origin: string, props: Properties): Change {
  const opts = Object.entries(props).flatMap(([p, v]) => ['-o', `${p}=${v}`]);
  const shown = Object.entries(props).map(([p, v]) => `${p}=${display(p, canonical(p, v))}`);
  return {
    summary: `clone ${origin} to ${name}${shown.length ? ` (${shown.join(', ')})` : ''}`,
    action: { kind: 'script', script: sh`zfs clone -p ${opts} ${origin} ${name}` },
    touches: [...zfsSubtreeTouches(name), ...ancestorsOf(name).map(zfsResource), zfsResource(origin), ALL_HOST_FILES],
    diff: [
      { type: 'value', name, before: null, after: `clone of ${origin}` },
      ...Object.entries(props).map(([p, v]): DiffEntry => ({
        type: 'value',
        name: `${name} ${p}`,
        before: null,
        after: display(p, canonical(p, v)),
      })),
    ],
  };
}
