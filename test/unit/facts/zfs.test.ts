/** zfs get -Hp / zfs list -H parsers: the lab's (zfs-fuse) output and real FreeBSD outputs. */
import { describe, expect, it } from 'vitest';
import { ancestorsOf, isDatasetMissing, isWithin, parseZfsGet, parseZfsList, poolOf, snapshotDataset } from '../../../src/facts/zfs.js';
import { reference } from './reference.js';

describe('zfs get -Hp -o name,property,value,source', () => {
  it('reads tab-separated rows, sources with spaces kept whole', () => {
    const out =
      'zroot/t1/a/b\tquota\t10737418240\tlocal\nzroot/t1/a/b\tmountpoint\t/zroot/t1/a/b\tinherited from zroot\nzroot/t1/a/b\tcom.example:foo\ta value  with spaces\tlocal\n';
    expect(parseZfsGet(out)).toEqual([
      { name: 'zroot/t1/a/b', property: 'quota', value: '10737418240', source: 'local' },
      { name: 'zroot/t1/a/b', property: 'mountpoint', value: '/zroot/t1/a/b', source: 'inherited from zroot' },
      { name: 'zroot/t1/a/b', property: 'com.example:foo', value: 'a value  with spaces', source: 'local' },
    ]);
  });

  it('reads an unset user property and a read-only statistic as "-"', () => {
    expect(parseZfsGet('zroot/t1\tcom.x:y\t-\t-\nzroot/t1\tused\t114688\t-\n').map((r) => [r.value, r.source])).toEqual([
      ['-', '-'],
      ['114688', '-'],
    ]);
  });

  it('reads FreeBSD zfs get -H output whose tabs were expanded (zfs-get-H-01: a user property one space from its value)', () => {
    const rows = parseZfsGet(reference('zfs-get-H-01.txt'));
    const name = 'tank/iocage/jails/bbf26bee-5ef5-11e5-a368-d05099728dbf';
    expect(rows).toEqual([
      { name, property: 'quota', value: 'none', source: 'local' },
      { name, property: 'refquota', value: 'none', source: 'default' },
      { name, property: 'org.freebsd.iocage:allow_quotas', value: '0', source: 'local' },
    ]);
  });

  it('rejects a line that is not four columns', () => {
    expect(() => parseZfsGet('zroot\tquota\t0\n')).toThrow(/4 columns expected/);
  });
});

describe('zfs list -H -o ...', () => {
  it('reads columns by the names asked for', () => {
    const out = 'zroot/t1\tfilesystem\t-\nzroot/t1/a@s1\tsnapshot\t-\nzroot/t1/c\tfilesystem\tzroot/t1/a@s1\n';
    expect(parseZfsList(out, ['name', 'type', 'origin'])).toEqual([
      { name: 'zroot/t1', type: 'filesystem', origin: '-' },
      { name: 'zroot/t1/a@s1', type: 'snapshot', origin: '-' },
      { name: 'zroot/t1/c', type: 'filesystem', origin: 'zroot/t1/a@s1' },
    ]);
    expect(parseZfsList('zroot\nzroot/usr\n', ['name'])).toEqual([{ name: 'zroot' }, { name: 'zroot/usr' }]);
  });

  it('reads FreeBSD 14 zfs list -Hp (tabs preserved: zfs-list-Hp-01, -02)', () => {
    const cols = ['name', 'avail', 'used', 'usedsnap', 'usedds'] as const;
    const a = parseZfsList(reference('zfs-list-Hp-01.txt'), cols);
    expect(a).toHaveLength(4);
    expect(a[3]).toEqual({
      name: 'zata/storage',
      avail: '10741741326336',
      used: '8556084379648',
      usedsnap: '3601138999296',
      usedds: '4954945380352',
    });
    const b = parseZfsList(reference('zfs-list-Hp-02.txt'), cols);
    expect(b.map((r) => r.name)).toContain('zroot/ROOT/default');
    expect(b).toHaveLength(14);
    expect(b[0]).toEqual({ name: 'zroot', avail: '53069045760', used: '11959443456', usedsnap: '-', usedds: '-' });
  });

  it('reads pasted zfs list -H / -Hp output with expanded tabs (zfs-list-H-01, zfs-list-Hp-03)', () => {
    const cols = ['name', 'used', 'usedbydataset', 'usedbyrefreservation', 'usedbysnapshots', 'usedbychildren', 'lrefer'] as const;
    expect(parseZfsList(reference('zfs-list-H-01.txt'), cols)).toEqual([
      {
        name: 'z/data/VMs',
        used: '2.95G',
        usedbydataset: '2.59G',
        usedbyrefreservation: '0B',
        usedbysnapshots: '363M',
        usedbychildren: '0B',
        lrefer: '3.80G',
      },
      {
        name: 'z/data/share',
        used: '2.90T',
        usedbydataset: '-',
        usedbyrefreservation: '-',
        usedbysnapshots: '-',
        usedbychildren: '-',
        lrefer: '2.31T',
      },
    ]);
    expect(parseZfsList(reference('zfs-list-Hp-03.txt'), cols)[1]).toMatchObject({
      name: 'z/data/share',
      used: '3189260421888',
      lrefer: '2535836658176',
    });
  });
});

describe('names', () => {
  it('splits snapshots, pools and ancestors', () => {
    expect(snapshotDataset('zroot/jails/t@p3')).toBe('zroot/jails/t');
    expect(snapshotDataset('zroot/jails/t')).toBe('zroot/jails/t');
    expect(poolOf('zdata/a/b@s')).toBe('zdata');
    expect(ancestorsOf('zroot/a/b/c')).toEqual(['zroot', 'zroot/a', 'zroot/a/b']);
    expect(ancestorsOf('zroot')).toEqual([]);
  });

  it('knows what lies within a dataset, and that a sibling with a longer name does not', () => {
    expect(isWithin('zroot/a', 'zroot/a')).toBe(true);
    expect(isWithin('zroot/a/b', 'zroot/a')).toBe(true);
    expect(isWithin('zroot/a@s', 'zroot/a')).toBe(true);
    expect(isWithin('zroot/ab', 'zroot/a')).toBe(false);
    expect(isWithin('zroot/ab@s', 'zroot/a')).toBe(false);
  });

  it('recognises the missing-dataset message of OpenZFS and zfs-fuse', () => {
    expect(isDatasetMissing("cannot open 'zroot/nope': dataset does not exist\n")).toBe(true);
    expect(isDatasetMissing("cannot open 'zroot/x': permission denied\n")).toBe(false);
  });
});
