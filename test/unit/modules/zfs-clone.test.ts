import { describe, expect, it } from 'vitest';
import { zfsClone } from '../../../src/modules/zfs/clone.js';
import { ctx, plan, scripts } from './support.js';
import { dataset, tree } from './zfs-support.js';

const origin = dataset('zroot/t@p3', { type: ['snapshot', '-'] });
const args = { name: 'zroot/jails/www', origin: 'zroot/t@p3', properties: { 'com.example:role': 'web', quota: '2G' } };

describe('zfs.clone facts', () => {
  it("present reads the target and the origin snapshot; absent the subtree and the pool's origins", () => {
    const q = zfsClone.facts(zfsClone.args.parse(args), ctx());
    expect(Object.values(q).map((f) => f?.key)).toEqual(['host:zfs:zroot/jails/www', 'host:zfs:zroot/t@p3']);
    const a = zfsClone.facts(zfsClone.args.parse({ name: 'zroot/jails/www', state: 'absent' }), ctx());
    expect(Object.values(a).map((f) => f?.key)).toEqual([
      'host:zfs:zroot/jails/www:tree',
      'host:zfs:zroot:origins',
      'host:zfs:zroot:usage',
    ]);
  });
});

describe('zfs.clone present', () => {
  it('clones with parents created and the properties as -o', () => {
    const changes = plan(zfsClone, args, { target: null, origin });
    expect(scripts(changes)).toEqual(["zfs clone -p -o 'com.example:role=web' -o 'quota=2G' zroot/t@p3 zroot/jails/www"]);
    expect(changes[0]?.summary).toBe('clone zroot/t@p3 to zroot/jails/www (com.example:role=web, quota=2G)');
    expect(changes[0]?.touches).toEqual(
      expect.arrayContaining(['host:zfs:zroot/jails/www', 'host:zfs:zroot/jails', 'host:zfs:zroot/t@p3', 'host:file:*']),
    );
  });

  it('fails clearly when the origin snapshot does not exist', () => {
    expect(() => plan(zfsClone, args, { target: null, origin: null })).toThrow('cannot clone zroot/t@p3: the snapshot does not exist');
  });

  it('keeps the properties of an existing clone like zfs.dataset', () => {
    const www = (role: string) =>
      dataset('zroot/jails/www', { origin: ['zroot/t@p3', '-'], 'com.example:role': [role, 'local'], quota: ['2147483648', 'local'] });
    expect(plan(zfsClone, args, { target: www('web'), origin })).toEqual([]);
    expect(scripts(plan(zfsClone, args, { target: www('db'), origin }))).toEqual(["zfs set 'com.example:role=web' zroot/jails/www"]);
  });

  it('refuses a target that is not a clone of that origin instead of re-cloning it', () => {
    expect(() => plan(zfsClone, args, { target: dataset('zroot/jails/www'), origin })).toThrow(
      'zroot/jails/www exists but is not a clone of zroot/t@p3 (it is not a clone); refusing to replace it',
    );
    expect(() => plan(zfsClone, args, { target: dataset('zroot/jails/www', { origin: ['zroot/t@p2', '-'] }), origin })).toThrow(
      /\(it is a clone of zroot\/t@p2\)/,
    );
  });
});

describe('zfs.clone absent', () => {
  const origins = new Map([['zroot/jails/www', 'zroot/t@p3']]);
  it('destroys the clone (touching its origin); nothing when it is gone', () => {
    const changes = plan(
      zfsClone,
      { name: 'zroot/jails/www', origin: 'zroot/t@p3', state: 'absent' },
      { tree: tree('zroot/jails/www'), origins },
    );
    expect(scripts(changes)).toEqual(['zfs destroy zroot/jails/www']);
    expect(changes[0]?.touches).toContain('host:zfs:zroot/t@p3');
    expect(plan(zfsClone, { name: 'zroot/jails/www', state: 'absent' }, { tree: null, origins })).toEqual([]);
  });

  it('needs recursive for a clone with snapshots, and refuses a dataset that is not that clone', () => {
    expect(() =>
      plan(zfsClone, { name: 'zroot/jails/www', state: 'absent' }, { tree: tree('zroot/jails/www', 'zroot/jails/www@x'), origins }),
    ).toThrow(/recursive: true/);
    expect(() =>
      plan(zfsClone, { name: 'zroot/jails/www', origin: 'zroot/t@p2', state: 'absent' }, { tree: tree('zroot/jails/www'), origins }),
    ).toThrow(/not a clone of zroot\/t@p2/);
  });
});

describe('zfs.clone arguments', () => {
  it('needs an origin snapshot to be present', () => {
    const ok = (a: unknown) => zfsClone.args.safeParse(a).success;
    expect(ok(args)).toBe(true);
    expect(ok({ name: 'zroot/jails/www' })).toBe(false);
    expect(ok({ name: 'zroot/jails/www', origin: 'zroot/t' })).toBe(false);
    expect(ok({ name: 'zroot/jails/www', state: 'absent' })).toBe(true);
  });
});
