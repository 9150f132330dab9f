/**
 * zfs.snapshot: DATASET@NAME present or absent; with `recursive: true`, the same snapshot of
 * every descendant too (zfs snapshot -r / zfs destroy -r). When only some descendants have
 * it, the missing ones are taken (or the existing ones destroyed) one by one: zfs snapshot -r
 * would fail on the first that exists. A snapshot that clones depend on is never destroyed
 * here: the step fails naming the clones.
 *
 * `keep` makes it a rotation (nightly snapshots from cron): of the snapshots of the dataset
 * (and, recursive, of each descendant) whose names start with `prefix`, only the newest
 * `count` stay, newest meaning last in name order (so names carry a sortable date, such as
 * nightly-2026-11-27). The step's own snapshot always stays; one that a clone depends on
 * stays too, and the summary says so.
 */
import { z } from 'zod';
import { sh } from '../../shell/quote.js';
import { snapshotDataset } from '../../facts/zfs.js';
import {
  clonesOf,
  nameList,
  originsFor,
  snapshotName,
  zfsDatasetQuery,
  zfsResource,
  zfsTreeQuery,
  type ZfsDataset,
  type ZfsTreeEntry,
} from './common.js';
import { defineModule, type Change, type DiffEntry } from '../kit/contract.js';

export const zfsSnapshotArgs = z
  .strictObject({
    name: snapshotName.describe('the snapshot: pool/path@name (e.g. zroot/jails/template@p3)'),
    state: z.enum(['present', 'absent']).default('present').describe('`absent` never destroys a snapshot that clones depend on'),
    recursive: z.boolean().default(false).describe('the same snapshot of every descendant file system too (zfs snapshot -r)'),
    keep: z
      .strictObject({
        prefix: z
          .string()
          .min(1)
          .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - (a snapshot name prefix)')
          .describe("the rotation's snapshots: names starting with this (nightly-)"),
        count: z.coerce.number().int().min(1).describe('how many of them stay (the newest in name order)'),
      })
      .optional()
      .describe(
        "a rotation: of the snapshots whose names start with `prefix`, only the newest `count` in name order stay, so names carry a sortable date; the step's own and any with dependent clones stay",
      ),
  })
  .superRefine((a, ctx) => {
    const tag = a.name.slice(a.name.indexOf('@') + 1);
    if (a.keep && a.state === 'absent') ctx.addIssue({ code: 'custom', message: 'keep is for state: present', path: ['keep'] });
    if (a.keep && !tag.startsWith(a.keep.prefix))
      ctx.addIssue({
        code: 'custom',
        message: `the snapshot's name (${tag}) must start with keep.prefix (${a.keep.prefix}): it is part of the rotation`,
        path: ['keep', 'prefix'],
      });
  });

export type ZfsSnapshotArgs = z.output<typeof zfsSnapshotArgs>;

interface ZfsSnapshotFacts {
  snapshot?: ZfsDataset | null;
  tree?: ZfsTreeEntry[] | null;
  origins?: Map<string, string>;
}

export const zfsSnapshot = defineModule<ZfsSnapshotArgs, ZfsSnapshotFacts>({
  name: 'zfs.snapshot',
  summary: 'a ZFS snapshot (optionally of every descendant) present or absent',
  args: zfsSnapshotArgs,
  jailAware: false,
  describe: (a) => `zfs.snapshot ${a.name}${a.recursive ? ' -r' : ''}${a.state === 'absent' ? ' absent' : ''}`,
  facts(a) {
    const dataset = snapshotDataset(a.name);
    const base = a.recursive || a.keep ? { tree: zfsTreeQuery(dataset) } : { snapshot: zfsDatasetQuery(a.name) };
    return a.state === 'absent' || a.keep ? { ...base, origins: originsFor(a.name) } : base;
  },
  plan(a, facts) {
    const dataset = snapshotDataset(a.name);
    const tag = a.name.slice(dataset.length); // "@name"
    let wanted: string[]; // every snapshot this step is about
    let existing: string[];
    if (a.recursive) {
      const tree = facts.tree ?? null;
      if (tree === null) {
        if (a.state === 'absent') return [];
        throw new Error(`cannot snapshot ${dataset}: dataset does not exist`);
      }
      const names = new Set(tree.map((e) => e.name));
      wanted = tree.filter((e) => !e.name.includes('@')).map((e) => `${e.name}${tag}`);
      existing = wanted.filter((s) => names.has(s));
    } else if (a.keep) {
      const tree = facts.tree ?? null;
      if (tree === null) throw new Error(`cannot snapshot ${dataset}: dataset does not exist`);
      wanted = [a.name];
      existing = tree.some((e) => e.name === a.name) ? [a.name] : [];
    } else {
      wanted = [a.name];
      existing = facts.snapshot ? [a.name] : [];
    }
    if (a.state === 'absent') return destroyChanges(a.name, wanted, existing, a.recursive, facts.origins ?? new Map());
    const created = createChanges(a.name, wanted, existing, a.recursive);
    return a.keep ? [...created, ...rotationChanges(a, wanted, facts.tree ?? [], facts.origins ?? new Map())] : created;
  },
});

/** The snapshots of the rotation beyond `keep.count`, per dataset, oldest (first in name order) first. */
function rotationChanges(a: ZfsSnapshotArgs, wanted: string[], tree: ZfsTreeEntry[], origins: ReadonlyMap<string, string>): Change[] {
  const keep = a.keep as NonNullable<ZfsSnapshotArgs['keep']>;
  const expired: string[] = [];
  for (const own of wanted) {
    const dataset = snapshotDataset(own);
    const rotation = tree
      .map((e) => e.name)
      .filter((n) => n.startsWith(`${dataset}@${keep.prefix}`) && n !== own)
      .sort();
    // The step's own snapshot is one of the `count` that stay.
    expired.push(...rotation.slice(0, Math.max(0, rotation.length - (keep.count - 1))));
  }
  const held = expired.filter((s) => clonesOf([s], origins).length > 0);
  const doomed = expired.filter((s) => !held.includes(s));
  if (doomed.length === 0) return [];
  return [
    {
      summary: `rotate ${keep.prefix}*: destroy ${nameList(doomed)}${held.length > 0 ? `; kept ${nameList(held)} (clones depend on them)` : ''}`,
      action: { kind: 'script', script: doomed.map((s) => sh`zfs destroy ${s}`).join('\n') },
      touches: doomed.map(zfsResource),
      diff: doomed.map((s): DiffEntry => ({ type: 'value', name: s, before: 'snapshot', after: null })),
    },
  ];
}

function createChanges(name: string, wanted: string[], existing: string[], recursive: boolean): Change[] {
  const missing = wanted.filter((s) => !existing.includes(s));
  if (missing.length === 0) return [];
  const script = recursive && existing.length === 0 ? sh`zfs snapshot -r ${name}` : missing.map((s) => sh`zfs snapshot ${s}`).join('\n');
  return [
    {
      summary: recursive ? `snapshot ${name} -r (${missing.length === wanted.length ? 'all' : nameList(missing)})` : `snapshot ${name}`,
      action: { kind: 'script', script },
      touches: missing.map(zfsResource),
      diff: missing.map((s): DiffEntry => ({ type: 'value', name: s, before: null, after: 'snapshot' })),
    },
  ];
}

function destroyChanges(
  name: string,
  wanted: string[],
  existing: string[],
  recursive: boolean,
  origins: ReadonlyMap<string, string>,
): Change[] {
  if (existing.length === 0) return [];
  const clones = clonesOf(existing, origins);
  if (clones.length > 0) {
    throw new Error(
      `refusing to destroy ${nameList(existing)}: ${clones.length > 1 ? 'clones depend' : 'a clone depends'} on ${existing.length > 1 ? 'them' : 'it'}: ${nameList(clones)} (remove them first with zfs.clone state: absent)`,
    );
  }
  const script =
    recursive && existing.length === wanted.length ? sh`zfs destroy -r ${name}` : existing.map((s) => sh`zfs destroy ${s}`).join('\n');
  return [
    {
      summary: recursive ? `destroy ${name} -r (${existing.length === wanted.length ? 'all' : nameList(existing)})` : `destroy ${name}`,
      action: { kind: 'script', script },
      touches: existing.map(zfsResource),
      diff: existing.map((s): DiffEntry => ({ type: 'value', name: s, before: 'snapshot', after: null })),
    },
  ];
}
