/**
 * What the zfs.* modules share, and what other modules (release, jail) may import to read
 * or invalidate ZFS state:
 *
 *   resource  `host:zfs:NAME`      one dataset or snapshot (zfsResource)
 *   fact key  `host:zfs:NAME`      its existence, type and every property (zfsDatasetQuery)
 *   fact key  `host:zfs:NAME:tree` it with its descendants and their snapshots (zfsTreeQuery)
 *   fact key  `host:zfs:POOL:origins`  every clone in the pool and its origin (zfsOriginsQuery)
 *
 * A change to a dataset touches its subtree (zfsSubtreeTouches: inherited properties and
 * snapshots move with it); creating or destroying a dataset, or changing where it mounts,
 * also touches every file fact of the host (`host:file:*`), since which directory a path
 * lands in may change. Only the host's own ZFS is managed (no `jail:` for these modules).
 */
import { z } from 'zod';
import { sh } from '../../shell/quote.js';
import { isDatasetMissing, isWithin, parseZfsGet, parseZfsList, poolOf, snapshotDataset } from '../../facts/zfs.js';
import { HOST, requireSuccess } from '../kit/target.js';
import { factKey, res, type Resource } from '../../facts/resources.js';
import type { FactOutput, FactQuery } from '../kit/contract.js';
import type { CurrentProperty } from './properties.js';

// zfs_namecheck: alphanumerics and _ - : . (spaces too, which we do not accept); a pool name starts with a letter.
const COMPONENT = '[A-Za-z0-9_.:-]+';
const DATASET = `[A-Za-z]${'[A-Za-z0-9_.:-]*'}(?:/${COMPONENT})*`;

function noDotComponents(name: string): boolean {
  return !snapshotDataset(name)
    .split('/')
    .some((c) => c === '.' || c === '..');
}

export const datasetName = z
  .string()
  .regex(new RegExp(`^${DATASET}$`), 'a dataset name: pool/path/to/dataset (letters, digits, _ - : .)')
  .max(255)
  .refine(noDotComponents, 'a dataset name cannot have . or .. components');

export const snapshotName = z
  .string()
  .regex(new RegExp(`^${DATASET}@${COMPONENT}$`), 'a snapshot name: pool/path/to/dataset@snapshot')
  .max(255)
  .refine(noDotComponents, 'a dataset name cannot have . or .. components');

/** The resource of a dataset or snapshot, for FactQuery.resources and Change.touches. */
export function zfsResource(name: string): Resource {
  return res.zfs(name);
}

/** A dataset, its descendants and all their snapshots. */
export function zfsSubtreeTouches(dataset: string): Resource[] {
  return [res.zfs(dataset), res.zfsStartingWith(`${dataset}/`), res.zfsStartingWith(`${dataset}@`)];
}

/** Every file fact of the host: a dataset mounted or unmounted changes what paths hold. */
export const ALL_HOST_FILES = res.allFiles(HOST);

export interface ZfsDataset {
  name: string;
  /** filesystem, volume, snapshot. */
  type: string;
  /** Every property `zfs get all` prints (unset user properties are absent). */
  properties: Map<string, CurrentProperty>;
}

/** A dataset or snapshot with all its properties (exact numbers, sources); null when it does not exist. */
export function zfsDatasetQuery(name: string): FactQuery<ZfsDataset | null> {
  return {
    key: factKey(HOST, 'zfs', name),
    script: sh`zfs get -Hp -o name,property,value,source all ${name}`,
    resources: [zfsResource(name)],
    parse: (out) => parseDataset(name, out),
  };
}

export function parseDataset(name: string, out: FactOutput): ZfsDataset | null {
  if (out.exitCode !== 0 && isDatasetMissing(out.stderr)) return null;
  requireSuccess(out, `zfs get ${name}`);
  const properties = new Map<string, CurrentProperty>();
  for (const row of parseZfsGet(out.stdout)) if (row.name === name) properties.set(row.property, { value: row.value, source: row.source });
  const type = properties.get('type')?.value;
  if (!type) throw new Error(`zfs get ${name}: no type property in its output`);
  return { name, type, properties };
}

export interface ZfsTreeEntry {
  name: string;
  type: string;
}

/** NAME, its descendants and their snapshots (zfs list -r -t all order); null when NAME does not exist. */
export function zfsTreeQuery(dataset: string): FactQuery<ZfsTreeEntry[] | null> {
  return {
    key: factKey(HOST, 'zfs', dataset, 'tree'),
    script: sh`zfs list -H -o name,type -r -t all ${dataset}`,
    resources: zfsSubtreeTouches(dataset),
    parse(out) {
      if (out.exitCode !== 0 && isDatasetMissing(out.stderr)) return null;
      requireSuccess(out, `zfs list ${dataset}`);
      return parseZfsList(out.stdout, ['name', 'type'] as const).filter((e) => e.type !== 'bookmark');
    },
  };
}

/** Clones of the pool: clone name -> origin snapshot. (zfs-fuse has no `clones` property; origins work everywhere.) */
export function zfsOriginsQuery(pool: string): FactQuery<Map<string, string>> {
  return {
    key: factKey(HOST, 'zfs', pool, 'origins'),
    script: sh`zfs list -H -o name,origin -r -t filesystem,volume ${pool}`,
    resources: zfsSubtreeTouches(pool),
    parse(out) {
      requireSuccess(out, `zfs list ${pool}`);
      return new Map(
        parseZfsList(out.stdout, ['name', 'origin'] as const)
          .filter((r) => r.origin !== '-')
          .map((r) => [r.name, r.origin]),
      );
    },
  };
}

/** The origin queries a destroy of NAME needs. */
export function originsFor(name: string): FactQuery<Map<string, string>> {
  return zfsOriginsQuery(poolOf(name));
}

/**
 * The clones (and their descendants) that would go with destroying everything within the
 * DATASETS given (each with its subtree), transitively: clones of their snapshots, clones of
 * those clones' snapshots, ... Clones inside the destroyed subtrees are included too.
 */
export function dependentClones(datasets: readonly string[], origins: ReadonlyMap<string, string>): string[] {
  const doomed = [...datasets];
  const found: string[] = [];
  let grew = true;
  while (grew) {
    grew = false;
    for (const [clone, origin] of origins) {
      if (found.includes(clone) || !doomed.some((d) => isWithin(snapshotDataset(origin), d))) continue;
      found.push(clone);
      if (!doomed.some((d) => isWithin(clone, d))) doomed.push(clone);
      grew = true;
    }
  }
  return found.sort();
}

/** Clones that depend on one of these SNAPSHOTS directly. */
export function clonesOf(snapshots: readonly string[], origins: ReadonlyMap<string, string>): string[] {
  return [...origins]
    .filter(([, origin]) => snapshots.includes(origin))
    .map(([clone]) => clone)
    .sort();
}

/** The words of a list for messages: "a, b and 2 more". */
export function nameList(names: readonly string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
