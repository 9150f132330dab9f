import { describe, expect, it } from 'vitest';
import { zfsSnapshot } from '../../../src/modules/zfs/snapshot.js';
import { ctx, plan, scripts } from './support.js';
import { dataset, tree } from './zfs-support.js';

const NO_CLONES = new Map<string, string>();
const snap = dataset('zroot/t@p3', { type: ['snapshot', '-'] });

describe('zfs.snapshot facts', () => {
  it("one snapshot: its own zfs get; recursive: the dataset's subtree; absent adds the pool's clone origins", () => {
    const one = zfsSnapshot.facts(zfsSnapshot.args.parse({ name: 'zroot/t@p3' }), ctx());
    expect(Object.keys(one)).toEqual(['snapshot']);
    expect(one.snapshot?.key).toBe('host:zfs:zroot/t@p3');
    const rec = zfsSnapshot.facts(zfsSnapshot.args.parse({ name: 'zroot/t@p3', recursive: true, state: 'absent' }), ctx());
    expect(Object.keys(rec)).toEqual(['tree', 'origins']);
    expect(rec.tree?.key).toBe('host:zfs:zroot/t:tree');
  });
});

describe('zfs.snapshot present', () => {
  it('takes a missing snapshot, and nothing when it exists', () => {
    const changes = plan(zfsSnapshot, { name: 'zroot/t@p3' }, { snapshot: null });
    expect(scripts(changes)).toEqual(['zfs snapshot zroot/t@p3']);
    expect(changes[0]?.touches).toEqual(['host:zfs:zroot/t@p3']);
    expect(changes[0]?.diff).toEqual([{ type: 'value', name: 'zroot/t@p3', before: null, after: 'snapshot' }]);
    expect(plan(zfsSnapshot, { name: 'zroot/t@p3' }, { snapshot: snap })).toEqual([]);
  });

  it('recursive: zfs snapshot -r when no descendant has it, one by one for those missing otherwise', () => {
    const none = plan(
      zfsSnapshot,
      { name: 'zroot/t@p3', recursive: true },
      { tree: tree('zroot/t', 'zroot/t@p2', 'zroot/t/a', 'zroot/t/a/b') },
    );
    expect(scripts(none)).toEqual(['zfs snapshot -r zroot/t@p3']);
    expect(none[0]?.touches).toEqual(['host:zfs:zroot/t@p3', 'host:zfs:zroot/t/a@p3', 'host:zfs:zroot/t/a/b@p3']);
    const some = plan(
      zfsSnapshot,
      { name: 'zroot/t@p3', recursive: true },
      { tree: tree('zroot/t', 'zroot/t@p3', 'zroot/t/a', 'zroot/t/a/b', 'zroot/t/a/b@p3') },
    );
    expect(scripts(some)).toEqual(['zfs snapshot zroot/t/a@p3']);
    expect(some[0]?.summary).toBe('snapshot zroot/t@p3 -r (zroot/t/a@p3)');
    expect(
      plan(zfsSnapshot, { name: 'zroot/t@p3', recursive: true }, { tree: tree('zroot/t', 'zroot/t@p3', 'zroot/t/a', 'zroot/t/a@p3') }),
    ).toEqual([]);
  });

  it('recursive on a missing dataset is an error', () => {
    expect(() => plan(zfsSnapshot, { name: 'zroot/t@p3', recursive: true }, { tree: null })).toThrow(
      'cannot snapshot zroot/t: dataset does not exist',
    );
  });
});

describe('zfs.snapshot absent', () => {
  it('destroys an existing snapshot; nothing when it is gone', () => {
    expect(scripts(plan(zfsSnapshot, { name: 'zroot/t@p3', state: 'absent' }, { snapshot: snap, origins: NO_CLONES }))).toEqual([
      'zfs destroy zroot/t@p3',
    ]);
    expect(plan(zfsSnapshot, { name: 'zroot/t@p3', state: 'absent' }, { snapshot: null, origins: NO_CLONES })).toEqual([]);
  });

  it('recursive: zfs destroy -r when every descendant has it, the existing ones one by one otherwise', () => {
    const all = tree('zroot/t', 'zroot/t@p3', 'zroot/t/a', 'zroot/t/a@p3');
    expect(scripts(plan(zfsSnapshot, { name: 'zroot/t@p3', state: 'absent', recursive: true }, { tree: all, origins: NO_CLONES }))).toEqual(
      ['zfs destroy -r zroot/t@p3'],
    );
    const some = tree('zroot/t', 'zroot/t/a', 'zroot/t/a@p3', 'zroot/t/b', 'zroot/t/b@p3');
    expect(
      scripts(plan(zfsSnapshot, { name: 'zroot/t@p3', state: 'absent', recursive: true }, { tree: some, origins: NO_CLONES })),
    ).toEqual(['zfs destroy zroot/t/a@p3\nzfs destroy zroot/t/b@p3']);
    expect(plan(zfsSnapshot, { name: 'zroot/t@p3', state: 'absent', recursive: true }, { tree: null, origins: NO_CLONES })).toEqual([]);
  });

  it('refuses to destroy a snapshot that clones depend on, naming them', () => {
    const origins = new Map([
      ['zroot/jails/www', 'zroot/t@p3'],
      ['zroot/jails/db', 'zroot/t@p3'],
      ['zroot/jails/old', 'zroot/t@p2'],
    ]);
    expect(() => plan(zfsSnapshot, { name: 'zroot/t@p3', state: 'absent' }, { snapshot: snap, origins })).toThrow(
      'refusing to destroy zroot/t@p3: clones depend on it: zroot/jails/db, zroot/jails/www (remove them first with zfs.clone state: absent)',
    );
  });
});

describe('zfs.snapshot arguments', () => {
  it('needs DATASET@NAME', () => {
    const ok = (a: unknown) => zfsSnapshot.args.safeParse(a).success;
    expect(ok({ name: 'zroot/t@p3' })).toBe(true);
    expect(ok({ name: 'zroot/t' })).toBe(false);
    expect(ok({ name: 'zroot/t@' })).toBe(false);
    expect(ok({ name: 'zroot/t@a@b' })).toBe(false);
    expect(ok({ name: 'zroot/t@a/b' })).toBe(false);
  });
});

describe('zfs.snapshot keep: a rotation', () => {
  const days = (ds: string, ...d: string[]) => d.map((x) => `${ds}@nightly-2026-11-${x}`);
  const keep = { prefix: 'nightly-', count: 3 };

  it("takes today's snapshot and destroys the oldest beyond count, in name order; other snapshots stay", () => {
    const t = tree('zroot/jails/www', ...days('zroot/jails/www', '24', '22', '25', '23'), 'zroot/jails/www@base');
    const cs = plan(zfsSnapshot, { name: 'zroot/jails/www@nightly-2026-11-26', keep }, { tree: t, origins: NO_CLONES });
    expect(scripts(cs)).toEqual([
      'zfs snapshot zroot/jails/www@nightly-2026-11-26',
      'zfs destroy zroot/jails/www@nightly-2026-11-22\nzfs destroy zroot/jails/www@nightly-2026-11-23',
    ]);
    expect(cs[1]?.summary).toBe('rotate nightly-*: destroy zroot/jails/www@nightly-2026-11-22, zroot/jails/www@nightly-2026-11-23');
  });

  it('a second run the same day changes nothing', () => {
    const t = tree('zroot/jails/www', ...days('zroot/jails/www', '24', '25', '26'));
    expect(plan(zfsSnapshot, { name: 'zroot/jails/www@nightly-2026-11-26', keep }, { tree: t, origins: NO_CLONES })).toEqual([]);
  });

  it('recursive: each descendant keeps its own newest; a snapshot a clone depends on stays, and the summary says so', () => {
    const t = tree(
      'zroot/jails',
      ...days('zroot/jails', '23', '24', '25'),
      'zroot/jails/db',
      ...days('zroot/jails/db', '22', '23', '24', '25'),
    );
    const origins = new Map([['zroot/restore', 'zroot/jails/db@nightly-2026-11-22']]);
    const cs = plan(zfsSnapshot, { name: 'zroot/jails@nightly-2026-11-26', recursive: true, keep }, { tree: t, origins });
    expect(scripts(cs)).toEqual([
      'zfs snapshot -r zroot/jails@nightly-2026-11-26',
      'zfs destroy zroot/jails@nightly-2026-11-23\nzfs destroy zroot/jails/db@nightly-2026-11-23',
    ]);
    expect(cs[1]?.summary).toBe(
      'rotate nightly-*: destroy zroot/jails@nightly-2026-11-23, zroot/jails/db@nightly-2026-11-23; kept zroot/jails/db@nightly-2026-11-22 (clones depend on them)',
    );
  });

  it('the snapshot must belong to its rotation; keep is for state present', () => {
    expect(zfsSnapshot.args.safeParse({ name: 'zroot/a@base', keep }).success).toBe(false);
    expect(zfsSnapshot.args.safeParse({ name: 'zroot/a@nightly-1', keep, state: 'absent' }).success).toBe(false);
    expect(zfsSnapshot.args.safeParse({ name: 'zroot/a@nightly-1', keep: { prefix: 'nightly-', count: '7' } }).success).toBe(true);
  });
});
