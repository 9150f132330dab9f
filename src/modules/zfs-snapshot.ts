/**
 * zfs.snapshot: DATASET@NAME present or absent; with `recursive: true`, the same snapshot of
 * every descendant too (zfs snapshot -r / zfs destroy -r). When only some descendants have
 * it, the missing ones are taken (or the existing ones destroyed) one by one: zfs snapshot -r
 * would fail on the first that exists. A snapshot that clones depend on is never destroyed
 * here: the step fails naming the clones.
 */
import { z } from 'zod';
import { sh } from '../transport/quote.js';
import { snapshotDataset } from '../facts/zfs.js';
import { clonesOf, nameList, originsFor, snapshotName, zfsDatasetQuery, zfsResource, zfsTreeQuery, type ZfsDataset, type ZfsTreeEntry } from './zfs-common.js';
import { defineModule, type Change, type DiffEntry } from './types.js';

export const zfsSnapshotArgs = z.strictObject({
  name: snapshotName.describe('the snapshot: pool/path@name (e.g. zroot/jails/template@p3)'),
  state: z.enum(['present', 'absent']).default('present'),
  recursive: z.boolean().default(false).describe('the same snapshot of every descendant file system too (zfs snapshot -r)'),
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
    const base = a.recursive ? { tree: zfsTreeQuery(dataset) } : { snapshot: zfsDatasetQuery(a.name) };
    return a.state === 'absent' ? { ...base, origins: originsFor(a.name) } : base;
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
    } else {
      wanted = [a.name];
      existing = facts.snapshot ? [a.name] : [];
    }
    return a.state === 'present'
      ? createChanges(a.name, wanted, existing, a.recursive)
      : destroyChanges(a.name, wanted, existing, a.recursive, facts.origins ?? new Map());
  },
});

function createChanges(name: string, wanted: string[], existing: string[], recursive: boolean): Change[] {
  const missing = wanted.filter((s) => !existing.includes(s));
  if (missing.length === 0) return [];
  const script = recursive && existing.length === 0
    ? sh`zfs snapshot -r ${name}`
    : missing.map((s) => sh`zfs snapshot ${s}`).join('\n');
  return [{
    summary: recursive ? `snapshot ${name} -r (${missing.length === wanted.length ? 'all' : nameList(missing)})` : `snapshot ${name}`,
    action: { kind: 'script', script },
    touches: missing.map(zfsResource),
    diff: missing.map((s): DiffEntry => ({ type: 'value', name: s, before: null, after: 'snapshot' })),
  }];
}

function destroyChanges(name: string, wanted: string[], existing: string[], recursive: boolean, origins: ReadonlyMap<string, string>): Change[] {
  if (existing.length === 0) return [];
  const clones = clonesOf(existing, origins);
  if (clones.length > 0) {
    throw new Error(`refusing to destroy ${nameList(existing)}: ${clones.length > 1 ? 'clones depend' : 'a clone depends'} on ${existing.length > 1 ? 'them' : 'it'}: ${nameList(clones)} (remove them first with zfs.clone state: absent)`);
  }
  const script = recursive && existing.length === wanted.length
    ? sh`zfs destroy -r ${name}`
    : existing.map((s) => sh`zfs destroy ${s}`).join('\n');
  return [{
    summary: recursive ? `destroy ${name} -r (${existing.length === wanted.length ? 'all' : nameList(existing)})` : `destroy ${name}`,
    action: { kind: 'script', script },
    touches: existing.map(zfsResource),
    diff: existing.map((s): DiffEntry => ({ type: 'value', name: s, before: 'snapshot', after: null })),
  }];
}
