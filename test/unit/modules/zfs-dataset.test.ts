import { describe, expect, it } from 'vitest';
import { zfsDataset } from '../../../src/modules/zfs/dataset.js';
import { parseDataset, zfsDatasetQuery, zfsOriginsQuery, zfsTreeQuery } from '../../../src/modules/zfs/common.js';
import { FactCache } from '../../../src/engine/fact-cache.js';
import { ctx, plan, scripts } from './support.js';
import { dataset, tree } from './zfs-support.js';

const NO_CLONES = new Map<string, string>();

describe('zfs.dataset facts', () => {
  it('present reads every property of the dataset with one zfs get -Hp, keyed by the dataset', () => {
    const q = zfsDataset.facts(zfsDataset.args.parse({ name: 'zroot/usr/jails' }), ctx());
    expect(Object.keys(q)).toEqual(['dataset']);
    expect(q.dataset?.key).toBe('host:zfs:zroot/usr/jails');
    expect(q.dataset?.script).toBe('zfs get -Hp -o name,property,value,source all zroot/usr/jails');
    expect(q.dataset?.resources).toEqual(['host:zfs:zroot/usr/jails']);
  });

  it("absent reads the subtree and the pool's clone origins", () => {
    const q = zfsDataset.facts(zfsDataset.args.parse({ name: 'zroot/usr/jails', state: 'absent' }), ctx());
    expect(q.tree?.script).toBe('zfs list -H -o name,type -r -t all zroot/usr/jails');
    expect(q.origins?.script).toBe('zfs list -H -o name,origin -r -t filesystem,volume zroot');
    expect(q.origins?.key).toBe('host:zfs:zroot:origins');
  });

  it('parses a missing dataset as null and other failures as errors', () => {
    expect(parseDataset('zroot/x', { stdout: '', stderr: "cannot open 'zroot/x': dataset does not exist\n", exitCode: 1 })).toBeNull();
    expect(() => parseDataset('zroot/x', { stdout: '', stderr: 'internal error: out of memory\n', exitCode: 1 })).toThrow(
      /zfs get zroot\/x: internal error/,
    );
    expect(
      zfsTreeQuery('zroot/x').parse({ stdout: '', stderr: "cannot open 'zroot/x': dataset does not exist\n", exitCode: 1 }),
    ).toBeNull();
    expect(zfsOriginsQuery('zroot').parse({ stdout: 'zroot\t-\nzroot/c\tzroot/a@s\n', stderr: '', exitCode: 0 })).toEqual(
      new Map([['zroot/c', 'zroot/a@s']]),
    );
  });
});

describe('zfs.dataset present', () => {
  it('creates a missing dataset with its parents and every property as -o', () => {
    const changes = plan(
      zfsDataset,
      { name: 'zroot/fj/a/b', properties: { quota: '10G', atime: false, 'com.example:role': "web 'x'" } },
      { dataset: null },
    );
    expect(scripts(changes)).toEqual([`zfs create -p -o 'quota=10G' -o 'atime=off' -o 'com.example:role=web '\\''x'\\''' zroot/fj/a/b`]);
    expect(changes[0]?.summary).toBe(`create zroot/fj/a/b (quota=10G, atime=off, com.example:role=web 'x')`);
    expect(changes[0]?.diff).toContainEqual({ type: 'value', name: 'zroot/fj/a/b quota', before: null, after: '10G' });
    expect(changes[0]?.touches).toEqual([
      'host:zfs:zroot/fj/a/b',
      'host:zfs:zroot/fj/a/b/*',
      'host:zfs:zroot/fj/a/b@*',
      'host:zfs:zroot',
      'host:zfs:zroot/fj',
      'host:zfs:zroot/fj/a',
      'host:file:*',
    ]);
  });

  it('changes nothing when the properties hold, whatever the notation', () => {
    const ds = dataset('zroot/fj', { quota: ['10737418240', 'local'], compression: ['on', 'local'], 'com.example:role': ['web', 'local'] });
    expect(
      plan(zfsDataset, { name: 'zroot/fj', properties: { quota: '10g', compression: 'on', 'com.example:role': 'web' } }, { dataset: ds }),
    ).toEqual([]);
    expect(plan(zfsDataset, { name: 'zroot/fj' }, { dataset: ds })).toEqual([]);
  });

  it('sets what drifted, one zfs set per property in one script, with a before/after diff', () => {
    const ds = dataset('zroot/fj', { quota: ['5368709120', 'local'], compression: ['off', 'local'], atime: ['on', 'default'] });
    const changes = plan(zfsDataset, { name: 'zroot/fj', properties: { quota: '10G', compression: 'on', atime: 'on' } }, { dataset: ds });
    expect(scripts(changes)).toEqual(["zfs set 'quota=10G' zroot/fj\nzfs set 'compression=on' zroot/fj\nzfs set 'atime=on' zroot/fj"]);
    expect(changes[0]?.summary).toBe('zroot/fj: quota 5G -> 10G, compression off -> on, atime on (default) -> on');
    expect(changes[0]?.diff).toEqual([
      { type: 'value', name: 'zroot/fj quota', before: '5G', after: '10G' },
      { type: 'value', name: 'zroot/fj compression', before: 'off', after: 'on' },
      { type: 'value', name: 'zroot/fj atime', before: 'on (default)', after: 'on' },
    ]);
    // Inherited values below change too; files only when the mount changes.
    expect(changes[0]?.touches).toEqual(['host:zfs:zroot/fj', 'host:zfs:zroot/fj/*', 'host:zfs:zroot/fj@*']);
    const moved = plan(
      zfsDataset,
      { name: 'zroot/fj', properties: { mountpoint: '/srv' } },
      { dataset: dataset('zroot/fj', { mountpoint: ['/zroot/fj', 'inherited from zroot'] }) },
    );
    expect(moved[0]?.touches).toContain('host:file:*');
  });

  it('refuses to change a creation-only property, and a snapshot given as a dataset', () => {
    const ds = dataset('zroot/fj', { casesensitivity: ['sensitive', '-'] });
    expect(() => plan(zfsDataset, { name: 'zroot/fj', properties: { casesensitivity: 'insensitive' } }, { dataset: ds })).toThrow(
      /casesensitivity is sensitive.*only be set when the dataset is created/,
    );
    expect(() => plan(zfsDataset, { name: 'zroot/fj' }, { dataset: dataset('zroot/fj', { type: ['snapshot', '-'] }) })).toThrow(
      /is a snapshot/,
    );
  });
});

describe('zfs.dataset absent', () => {
  const absent = (name: string, recursive = false) => ({ name, state: 'absent', recursive });

  it('does nothing when the dataset is not there', () => {
    expect(plan(zfsDataset, absent('zroot/fj'), { tree: null, origins: NO_CLONES })).toEqual([]);
  });

  it('destroys a dataset without dependents', () => {
    const changes = plan(zfsDataset, absent('zroot/fj/a'), { tree: tree('zroot/fj/a'), origins: NO_CLONES });
    expect(scripts(changes)).toEqual(['zfs destroy zroot/fj/a']);
    expect(changes[0]?.touches).toEqual(
      expect.arrayContaining(['host:zfs:zroot/fj/a', 'host:zfs:zroot/fj/a/*', 'host:zfs:zroot/fj/a@*', 'host:file:*']),
    );
  });

  it('refuses, naming them, when children, snapshots or dependent clones exist and recursive is not set', () => {
    const t = tree('zroot/fj/a', 'zroot/fj/a@s1', 'zroot/fj/a/b', 'zroot/fj/a/b@s1');
    const origins = new Map([['zroot/fj/c', 'zroot/fj/a/b@s1']]);
    expect(() => plan(zfsDataset, absent('zroot/fj/a'), { tree: t, origins })).toThrow(
      'refusing to destroy zroot/fj/a: it has children zroot/fj/a/b; snapshots zroot/fj/a@s1, zroot/fj/a/b@s1; dependent clones zroot/fj/c. Set recursive: true to destroy zroot/fj/a with them',
    );
    expect(() => plan(zfsDataset, absent('zroot/fj/a'), { tree: tree('zroot/fj/a', 'zroot/fj/a@s1'), origins: NO_CLONES })).toThrow(
      /snapshots zroot\/fj\/a@s1\. Set recursive: true to destroy zroot\/fj\/a with it/,
    );
  });

  it('recursive: -r for children and snapshots (clones inside the subtree included), -R when clones elsewhere depend on it', () => {
    const inside = plan(zfsDataset, absent('zroot/fj/a', true), {
      tree: tree('zroot/fj/a', 'zroot/fj/a@s1', 'zroot/fj/a/c'),
      origins: new Map([['zroot/fj/a/c', 'zroot/fj/a@s1']]),
    });
    expect(scripts(inside)).toEqual(['zfs destroy -r zroot/fj/a']);
    const outside = plan(zfsDataset, absent('zroot/fj/a', true), {
      tree: tree('zroot/fj/a', 'zroot/fj/a@s1'),
      origins: new Map([
        ['zroot/jails/www', 'zroot/fj/a@s1'],
        ['zroot/jails/www2', 'zroot/jails/www@x'],
        ['zroot/other', 'zroot/fj/ab@s'],
      ]),
    });
    expect(scripts(outside)).toEqual(['zfs destroy -R zroot/fj/a']);
    // Clones of clones go too; a clone of a sibling with a longer name does not.
    expect(outside[0]?.summary).toBe(
      'destroy zroot/fj/a with its snapshots zroot/fj/a@s1; dependent clones zroot/jails/www, zroot/jails/www2',
    );
    expect(outside[0]?.touches).toEqual(
      expect.arrayContaining([
        'host:zfs:zroot/jails/www',
        'host:zfs:zroot/jails/www2/*',
        'host:zfs:zroot/fj/a@s1',
        'host:zfs:zroot/jails/www@x',
      ]),
    );
    expect(outside[0]?.diff?.map((d) => (d.type === 'value' ? d.name : d.path))).toEqual([
      'zroot/fj/a',
      'zroot/fj/a@s1',
      'zroot/jails/www',
      'zroot/jails/www2',
    ]);
  });

  it('a destroyed clone touches its origin snapshot', () => {
    const changes = plan(zfsDataset, absent('zroot/jails/www'), {
      tree: tree('zroot/jails/www'),
      origins: new Map([['zroot/jails/www', 'zroot/t@p3']]),
    });
    expect(changes[0]?.touches).toContain('host:zfs:zroot/t@p3');
  });
});

describe('zfs.dataset arguments', () => {
  const ok = (a: unknown) => zfsDataset.args.safeParse(a).success;
  it('validates names and state combinations before any host is contacted', () => {
    expect(ok({ name: 'zroot/usr/jails' })).toBe(true);
    expect(ok({ name: 'zroot' })).toBe(true);
    expect(ok({ name: 'zroot/a@s' })).toBe(false);
    expect(ok({ name: '/zroot/a' })).toBe(false);
    expect(ok({ name: 'zroot/a/' })).toBe(false);
    expect(ok({ name: 'zroot/../x' })).toBe(false);
    expect(ok({ name: 'zroot/a b' })).toBe(false);
    expect(ok({ name: 'zroot', state: 'absent' })).toBe(false);
    expect(ok({ name: 'zroot/a', state: 'absent', properties: { quota: '1G' } })).toBe(false);
    expect(ok({ name: 'zroot/a', recurse: true })).toBe(false);
    expect(ok({ name: 'zroot/a', state: 'gone' })).toBe(false);
  });
});

describe('invalidation between steps', () => {
  const stored = (
    c: FactCache,
    ...qs: Array<ReturnType<typeof zfsDatasetQuery> | ReturnType<typeof zfsTreeQuery> | ReturnType<typeof zfsOriginsQuery>>
  ) => {
    for (const q of qs) c.store(q, { stdout: '', stderr: '', exitCode: 0 });
  };

  it("creating a dataset makes its own, its ancestors' and the pool's facts stale, not a sibling's", () => {
    const c = new FactCache();
    const self = zfsDatasetQuery('zroot/fj/a/b');
    const parentTree = zfsTreeQuery('zroot/fj');
    const origins = zfsOriginsQuery('zroot');
    const sibling = zfsDatasetQuery('zroot/fj/ab');
    stored(c, self, parentTree, origins, sibling);
    c.invalidate(plan(zfsDataset, { name: 'zroot/fj/a/b' }, { dataset: null })[0]?.touches ?? []);
    expect(c.needed([self, parentTree, origins, sibling])).toEqual([self, parentTree, origins]);
  });

  it('a zfs set re-reads the children (inherited values), not the parent', () => {
    const c = new FactCache();
    const child = zfsDatasetQuery('zroot/fj/a');
    const parent = zfsDatasetQuery('zroot');
    stored(c, child, parent);
    c.invalidate(
      plan(zfsDataset, { name: 'zroot/fj', properties: { compression: 'on' } }, { dataset: dataset('zroot/fj') })[0]?.touches ?? [],
    );
    expect(c.needed([child, parent])).toEqual([child]);
  });

  it("destroying a dataset re-reads its parent's tree and the pool's origins, not the parent's properties", () => {
    const c = new FactCache();
    const parent = zfsDatasetQuery('zroot/fj');
    const parentTree = zfsTreeQuery('zroot/fj');
    const origins = zfsOriginsQuery('zroot');
    stored(c, parent, parentTree, origins);
    c.invalidate(
      plan(zfsDataset, { name: 'zroot/fj/a', state: 'absent' }, { tree: tree('zroot/fj/a'), origins: NO_CLONES })[0]?.touches ?? [],
    );
    expect(c.needed([parent, parentTree, origins])).toEqual([parentTree, origins]);
  });
});
