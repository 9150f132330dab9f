/** Pure parts of the lab's ZFS (test/lab/userland/lib/zfs): number formats, getopt, the emulation's rules. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const lib = '../../lab/userland/lib/zfs/';
const format = require(`${lib}format.cjs`);
const { getopt } = require(`${lib}getopt.cjs`);
const model = require(`${lib}emul-model.cjs`);

describe('zfs number formats', () => {
  it('prints sizes like zfs_nicenum (at most 5 characters, B below 1K for sizes)', () => {
    const cases: Array<[number, string]> = [
      [0, '0B'],
      [512, '512B'],
      [1024, '1K'],
      [1536, '1.50K'],
      [123456, '121K'],
      [1048576, '1M'],
      [2126008811, '1.98G'],
      [Math.round(93.2 * 2 ** 30), '93.2G'],
      [3166535424, '2.95G'],
    ];
    for (const [n, s] of cases) expect(format.nicenum(n, { bytes: true }), String(n)).toBe(s);
    expect(format.nicenum(0)).toBe('0');
  });

  it('parses sizes like zfs_nicestrtonum, with its messages', () => {
    expect(format.nicestrtonum('10M')).toBe(10485760n);
    expect(format.nicestrtonum('1.5G')).toBe(1610612736n);
    expect(format.nicestrtonum('2GiB')).toBe(2147483648n);
    expect(() => format.nicestrtonum('abc')).toThrow("bad numeric value 'abc'");
    expect(() => format.nicestrtonum('10Q')).toThrow("invalid numeric suffix 'Q'");
  });

  it('lays out zfs list and zfs get like OpenZFS', () => {
    const cols = [{ header: 'NAME' }, { header: 'USED', width: 5, right: true }, { header: 'MOUNTPOINT' }];
    expect(format.renderList(cols, [['z/data/VMs', '2.95G', '/data/VMs']])).toBe(
      'NAME         USED  MOUNTPOINT\nz/data/VMs  2.95G  /data/VMs\n',
    );
    expect(format.renderList(cols, [['a', '1K', '/a']], { scripted: true })).toBe('a\t1K\t/a\n');
    expect(format.renderList(cols, [])).toBe('');
    const rows = [{ name: 'mypool/var/tmp', property: 'snapdir', value: 'hidden', source: 'default' }];
    expect(format.renderGet(['name', 'property', 'value', 'source'], rows, { widths: { name: 14, value: 7 } })).toBe(
      'NAME            PROPERTY  VALUE    SOURCE\nmypool/var/tmp  snapdir   hidden   default\n',
    );
  });
});

describe('getopt as zfs uses it', () => {
  it('bundles flags, takes attached or separate arguments, stops at the first operand', () => {
    expect(getopt(['-Hpo', 'name', '-r', 'pool', '-H'], ':Hpo:r')).toEqual({
      opts: [
        ['H', true],
        ['p', true],
        ['o', 'name'],
        ['r', true],
      ],
      args: ['pool', '-H'],
    });
    expect(getopt(['-Z'], ':H')).toEqual({ error: "invalid option 'Z'" });
    expect(getopt(['-o'], ':o:')).toEqual({ error: "missing argument for 'o' option" });
  });
});

describe('emulated ZFS rules', () => {
  const fresh = () => {
    const st = model.emptyState();
    model.createPool(st, 'zroot', { mountpoint: '/zroot' });
    return st;
  };

  it('validates names with libzfs messages', () => {
    expect(model.nameError('zroot/a@b')).toBe("snapshot delimiter '@' is not expected here");
    expect(model.nameError('zroot/a%b')).toBe("invalid character '%' in name");
    expect(model.nameError('zroot//a')).toBe("empty component or misplaced '@' or '#' delimiter in name");
    expect(model.nameError('zroot/a', { snapshot: true })).toBe("missing '@' delimiter in snapshot name");
    expect(model.nameError('zroot/ok name-1.2_x:y')).toBeNull();
  });

  it('creates parents only with -p and refuses to destroy datasets with children or clones', () => {
    const st = fresh();
    expect(() => model.create(st, 'zroot/a/b')).toThrow("cannot create 'zroot/a/b': parent does not exist");
    model.create(st, 'zroot/a/b', { parents: true });
    model.snapshot(st, ['zroot/a@s1']);
    model.clone(st, 'zroot/a@s1', 'zroot/c');
    expect(() => model.destroy(st, 'zroot/a')).toThrow(
      "cannot destroy 'zroot/a': filesystem has children\nuse '-r' to destroy the following datasets:\nzroot/a/b\nzroot/a@s1",
    );
    expect(() => model.destroy(st, 'zroot/a', { recursive: true })).toThrow(
      "cannot destroy 'zroot/a': filesystem has dependent clones\nuse '-R' to destroy the following datasets:\nzroot/c",
    );
    model.destroy(st, 'zroot/a', { recursive: true, dependentsToo: true });
    expect(Object.keys(st.datasets)).toEqual(['zroot']);
  });

  it('inherits mountpoints and properties, with their sources', () => {
    const st = fresh();
    model.create(st, 'zroot/jails', {
      assignments: [
        ['mountpoint', '/usr/jails'],
        ['atime', 'off'],
      ],
    });
    model.create(st, 'zroot/jails/web');
    expect(model.getProperty(st, 'zroot/jails/web', 'mountpoint')).toEqual({
      value: '/usr/jails/web',
      source: 'inherited from zroot/jails',
    });
    expect(model.getProperty(st, 'zroot/jails/web', 'atime')).toEqual({ value: 'off', source: 'inherited from zroot/jails' });
    expect(model.getProperty(st, 'zroot/jails/web', 'quota')).toEqual({ value: 'none', source: 'default' });
    expect(model.getProperty(st, 'zroot/jails/web', 'quota', { literal: true })).toEqual({ value: '0', source: 'default' });
    expect(() => model.setProperty(st, 'zroot/jails', 'compression', 'fast')).toThrow(/'compression' must be one of 'on \| off \| lzjb/);
  });

  it('lists like libzfs sorts: a file system, its snapshots by creation, then its children', () => {
    const st = fresh();
    model.create(st, 'zroot/a/b', { parents: true });
    model.snapshot(st, ['zroot/a@z']);
    model.snapshot(st, ['zroot/a@a']);
    expect(model.select(st, ['zroot/a'], { recursive: true, types: ['filesystem', 'snapshot'] })).toEqual([
      'zroot/a',
      'zroot/a@z',
      'zroot/a@a',
      'zroot/a/b',
    ]);
    const errors: string[] = [];
    expect(model.select(st, ['-r'], { errors })).toEqual([]);
    expect(errors).toEqual(["cannot open '-r': dataset does not exist"]);
  });

  it('refuses a rollback past later snapshots unless -r', () => {
    const st = fresh();
    model.create(st, 'zroot/t');
    model.snapshot(st, ['zroot/t@1']);
    model.snapshot(st, ['zroot/t@2']);
    expect(() => model.rollback(st, 'zroot/t@1')).toThrow(
      "cannot rollback to 'zroot/t@1': more recent snapshots exist\nuse '-r' to force deletion of the following snapshots:\nzroot/t@2",
    );
    expect(model.rollback(st, 'zroot/t@1', { recursive: true }).map((o: { op: string }) => o.op)).toEqual(['rmsnap', 'rollback']);
  });
});
