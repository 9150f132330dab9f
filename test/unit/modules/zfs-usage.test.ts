import { describe, expect, it } from 'vitest';
import { parseMountList } from '../../../src/facts/mount-list.js';
import { parseRunningJails } from '../../../src/facts/running-jails.js';
import { zfsClone } from '../../../src/modules/zfs/clone.js';
import { zfsDataset } from '../../../src/modules/zfs/dataset.js';
import { isPathWithin, parseUsage, zfsUsageQuery, type ZfsUsage } from '../../../src/modules/zfs/usage.js';
import { reference } from '../facts/reference.js';
import { ctx, plan, scripts } from './support.js';
import { dataset, tree } from './zfs-support.js';

/** A usage fact: datasets as [name, mountpoint, mounted], jails as [name, path], mounts as mount(8) lines. */
function usage(datasets: Array<[string, string, boolean]>, jails: Array<[string, string]> = [], mounts: string[] = []): ZfsUsage {
  const zfsMounts = datasets.filter(([, mp, on]) => on && mp.startsWith('/')).map(([n, mp]) => `${n} on ${mp} (zfs, local, nfsv4acls)`);
  return {
    datasets: datasets.map(([name, mountpoint, mounted]) => ({ name, mountpoint, mounted })),
    jails: jails.map(([name, path]) => ({ name, path })),
    mounts: parseMountList([...zfsMounts, ...mounts].join('\n')),
  };
}

const mounted = (name: string, mountpoint: string, extra: Record<string, [string, string]> = {}) =>
  dataset(name, { mountpoint: [mountpoint, 'local'], mounted: ['yes', '-'], canmount: ['on', 'default'], ...extra });

/** Seed 002's layout: zroot/jails at /usr/local/jails, a template, a ZFS-clone jail and a NullFS jail. */
const SEED = usage(
  [
    ['zroot', '/zroot', true],
    ['zroot/jails', '/usr/local/jails', true],
    ['zroot/jails/templates', '/usr/local/jails/templates', true],
    ['zroot/jails/templates/14.2-RELEASE', '/usr/local/jails/templates/14.2-RELEASE', true],
    ['zroot/jails/containers', '/usr/local/jails/containers', true],
    ['zroot/jails/containers/thinjail', '/usr/local/jails/containers/thinjail', true],
    ['zroot/usr', '/usr', false],
    ['zroot/usr/home', '/usr/home', true],
  ],
  [
    ['thinjail', '/usr/local/jails/containers/thinjail'],
    ['nullfsjail', '/usr/local/jails/containers/nullfsjail'],
  ],
  [
    '/usr/local/jails/templates/14.2-RELEASE on /usr/local/jails/containers/nullfsjail (nullfs, local, read-only)',
    'devfs on /usr/local/jails/containers/nullfsjail/dev (devfs)',
    'devfs on /usr/local/jails/containers/thinjail/dev (devfs)',
  ],
);

describe('facts read for the check', () => {
  it("mount(8) lines: FreeBSD's own outputs, CRLF, blanks in paths", () => {
    expect(parseMountList(reference('mount-01.txt'))[8]).toEqual({
      source: '/usr/jails/basejail',
      target: '/usr/jails/demo_jail/basejail',
      fstype: 'nullfs',
      options: ['local', 'read-only'],
    });
    expect(parseMountList(reference('mount-01.txt'))).toHaveLength(11);
    expect(parseMountList(reference('mount-02.txt'))[2]).toEqual({
      source: 'devfs',
      target: '/jails/thinjails/thinjail1/dev',
      fstype: 'devfs',
      options: ['local', 'multilabel'],
    });
    expect(parseMountList('/a b on /x on y/c d (nullfs, local)\nfdescfs on /j/dev/fd (fdescfs)\n')).toEqual([
      { source: '/a b', target: '/x on y/c d', fstype: 'nullfs', options: ['local'] },
      { source: 'fdescfs', target: '/j/dev/fd', fstype: 'fdescfs', options: [] },
    ]);
    expect(parseMountList('/src dir on /usr/jails/my jail (nullfs, local, read-only)\n')).toEqual([
      { source: '/src dir', target: '/usr/jails/my jail', fstype: 'nullfs', options: ['local', 'read-only'] },
    ]);
    expect(() => parseMountList('what is this\n')).toThrow(/unexpected mount output line/);
  });

  it("jls --libxo json name path: the JSON FreeBSD's libxo prints (as the reference), paths with blanks and quotes intact", () => {
    const [head] = reference('jls-libxo-json-01.txt').split('"jail": [');
    const doc = (jails: string) => `${head}"jail": [${jails}]}}\n`;
    expect(parseRunningJails(doc('{"name":"classic","path":"/usr/local/jails/containers/classic"}'))).toEqual([
      { name: 'classic', path: '/usr/local/jails/containers/classic' },
    ]);
    expect(parseRunningJails(doc('{"name":"www","path":"/usr/jails/my \\"www\\""},{"name":"db","path":"/usr/jails/db"}'))).toEqual([
      { name: 'www', path: '/usr/jails/my "www"' },
      { name: 'db', path: '/usr/jails/db' },
    ]);
    expect(parseRunningJails(doc(''))).toEqual([]);
    // The reference itself lists the default columns (no name): not what the fact asks for.
    expect(() => parseRunningJails(reference('jls-libxo-json-01.txt'))).toThrow(/a jail without name or path/);
    expect(() => parseRunningJails('name=x path=/x\n')).toThrow(/not JSON/);
  });

  it('one snippet per pool: zfs list, jls --libxo json name path, mount, in sections; a missing pool is null', () => {
    const q = zfsUsageQuery('zroot/jails/www');
    expect(q.key).toBe('host:zfs:zroot:usage');
    expect(q.script).toBe(
      "echo '%zfs'\nzfs list -H -o name,mountpoint,mounted -r -t filesystem zroot || exit\necho '%jls'\njls --libxo json name path || exit\necho '%mount'\nmount || exit",
    );
    expect(q.resources).toEqual(['host:zfs:*', 'host:jail:*']);
    const out =
      '%zfs\nzroot\t/zroot\tyes\nzroot/usr\t/usr\tno\n%jls\n{"__version": "2", "jail-information": {"jail": [{"name":"www","path":"/usr/jails/www"}]}}\n%mount\nzroot on /zroot (zfs, local)\n';
    expect(q.parse({ stdout: out, stderr: '', exitCode: 0 })).toEqual(parseUsage(out));
    expect(parseUsage(out).datasets).toEqual([
      { name: 'zroot', mountpoint: '/zroot', mounted: true },
      { name: 'zroot/usr', mountpoint: '/usr', mounted: false },
    ]);
    expect(q.parse({ stdout: '%zfs\n', stderr: "cannot open 'zroot': dataset does not exist\n", exitCode: 1 })).toBeNull();
    expect(() => q.parse({ stdout: '%zfs\nzroot\t/zroot\tyes\n%jls\n', stderr: 'jls: not found\n', exitCode: 127 })).toThrow(
      /jls: not found/,
    );
    expect(() => parseUsage('%zfs\n')).toThrow(/no jls section/);
  });

  it('zfs.dataset reads it for destroys and mount-related properties only; zfs.clone likewise', () => {
    const keys = (m: typeof zfsDataset | typeof zfsClone, args: unknown) =>
      Object.values(m.facts(m.args.parse(args) as never, ctx()) as Record<string, { key: string }>).map((q) => q.key);
    expect(keys(zfsDataset, { name: 'zroot/a', properties: { atime: false } })).toEqual(['host:zfs:zroot/a']);
    expect(keys(zfsDataset, { name: 'zroot/a', properties: { mountpoint: '/a' } })).toEqual(['host:zfs:zroot/a', 'host:zfs:zroot:usage']);
    expect(keys(zfsDataset, { name: 'zroot/a', properties: { canmount: 'off' } })).toContain('host:zfs:zroot:usage');
    expect(keys(zfsDataset, { name: 'zdata/a', state: 'absent' })).toContain('host:zfs:zdata:usage');
    expect(keys(zfsClone, { name: 'zroot/c', origin: 'zroot/a@s', properties: { mountpoint: '/c' } })).toContain('host:zfs:zroot:usage');
    expect(keys(zfsClone, { name: 'zroot/c', origin: 'zroot/a@s' })).not.toContain('host:zfs:zroot:usage');
  });

  it('paths compare by component', () => {
    expect(isPathWithin('/usr/jails/www', '/usr/jails')).toBe(true);
    expect(isPathWithin('/usr/jails', '/usr/jails')).toBe(true);
    expect(isPathWithin('/usr/jails-old/www', '/usr/jails')).toBe(false);
    expect(isPathWithin('/anything', '/')).toBe(true);
  });
});

describe('zfs.dataset refuses to unmount what is in use', () => {
  const moveJails = { name: 'zroot/jails', properties: { mountpoint: '/jails' } };
  const jailsDs = mounted('zroot/jails', '/usr/local/jails');

  it('a mountpoint change under running jails names them, their roots, and how to proceed; nothing is planned', () => {
    expect(() => plan(zfsDataset, moveJails, { dataset: jailsDs, usage: SEED })).toThrow(
      'refusing to set mountpoint /usr/local/jails -> /jails on zroot/jails: zfs would unmount zroot/jails, zroot/jails/templates, zroot/jails/templates/14.2-RELEASE, ' +
        'zroot/jails/containers, zroot/jails/containers/thinjail, in use by running jails thinjail (root /usr/local/jails/containers/thinjail), ' +
        'nullfsjail (root /usr/local/jails/containers/nullfsjail); mounted datasets zroot/jails/templates (/usr/local/jails/templates), ' +
        'zroot/jails/templates/14.2-RELEASE (/usr/local/jails/templates/14.2-RELEASE), zroot/jails/containers (/usr/local/jails/containers), ' +
        'zroot/jails/containers/thinjail (/usr/local/jails/containers/thinjail). To proceed: stop the jails first, or set force: true on the step ' +
        'to let zfs try anyway (zfs itself refuses to unmount a busy file system)',
    );
  });

  it('force: true lets it through: the zfs set is planned as before', () => {
    const changes = plan(zfsDataset, { ...moveJails, force: true }, { dataset: jailsDs, usage: SEED });
    expect(scripts(changes)).toEqual(["zfs set 'mountpoint=/jails' zroot/jails"]);
  });

  it('a jail whose root is a nullfs mount of the template: the template cannot move either', () => {
    const tpl = mounted('zroot/jails/templates/14.2-RELEASE', '/usr/local/jails/templates/14.2-RELEASE');
    expect(() => plan(zfsDataset, { name: tpl.name, properties: { mountpoint: '/tpl' } }, { dataset: tpl, usage: SEED })).toThrow(
      /in use by running jail nullfsjail \(nullfs \/usr\/local\/jails\/templates\/14.2-RELEASE at \/usr\/local\/jails\/containers\/nullfsjail\)\. To proceed: stop jail nullfsjail first, or set force: true/,
    );
  });

  it('the same path set locally (inherited -> local) still remounts: refused too', () => {
    const inherited = dataset('zroot/jails/containers/thinjail', {
      mountpoint: ['/usr/local/jails/containers/thinjail', 'inherited from zroot/jails'],
      mounted: ['yes', '-'],
    });
    expect(() =>
      plan(
        zfsDataset,
        { name: inherited.name, properties: { mountpoint: '/usr/local/jails/containers/thinjail' } },
        { dataset: inherited, usage: SEED },
      ),
    ).toThrow(
      /mountpoint \/usr\/local\/jails\/containers\/thinjail \(inherited from zroot\/jails\) -> \/usr\/local\/jails\/containers\/thinjail.*running jail thinjail/,
    );
  });

  it('a mounted child alone is named too; force has zfs unmount and remount it', () => {
    const u = usage([
      ['zroot/fj', '/fj', true],
      ['zroot/fj/a', '/fj/a', true],
      ['zroot/fj/elsewhere', '/srv/x', true],
    ]);
    const fj = mounted('zroot/fj', '/fj');
    expect(() => plan(zfsDataset, { name: 'zroot/fj', properties: { mountpoint: '/fj2' } }, { dataset: fj, usage: u })).toThrow(
      'refusing to set mountpoint /fj -> /fj2 on zroot/fj: zfs would unmount zroot/fj, zroot/fj/a, in use by mounted dataset zroot/fj/a (/fj/a). To proceed: set force: true on the step to have zfs unmount and remount them',
    );
    expect(plan(zfsDataset, { name: 'zroot/fj', properties: { mountpoint: '/fj2' }, force: true }, { dataset: fj, usage: u })).toHaveLength(
      1,
    );
    // Mounted alone (the child elsewhere is not moved): nothing uses it, the change goes ahead.
    const alone = usage(
      [
        ['zroot/fj', '/fj', true],
        ['zroot/fj/elsewhere', '/srv/x', true],
      ],
      [['j', '/srv/x/j']],
    );
    expect(plan(zfsDataset, { name: 'zroot/fj', properties: { mountpoint: '/fj2' } }, { dataset: fj, usage: alone })).toHaveLength(1);
  });

  it('an unmounted parent (canmount=off, as zroot/usr) moves its mounted children: refused', () => {
    const usr = dataset('zroot/usr', { mountpoint: ['/usr', 'local'], mounted: ['no', '-'], canmount: ['off', 'local'] });
    expect(() => plan(zfsDataset, { name: 'zroot/usr', properties: { mountpoint: '/usr2' } }, { dataset: usr, usage: SEED })).toThrow(
      /zfs would unmount zroot\/usr\/home, in use by mounted dataset zroot\/usr\/home \(\/usr\/home\)/,
    );
  });

  it('canmount=off on a mounted dataset unmounts; noauto, on, or off while unmounted do not', () => {
    expect(() => plan(zfsDataset, { name: 'zroot/jails', properties: { canmount: 'off' } }, { dataset: jailsDs, usage: SEED })).toThrow(
      /refusing to set canmount on \(default\) -> off on zroot\/jails.*running jails thinjail/,
    );
    expect(plan(zfsDataset, { name: 'zroot/jails', properties: { canmount: 'noauto' } }, { dataset: jailsDs, usage: SEED })).toHaveLength(
      1,
    );
    const off = dataset('zroot/jails', { mountpoint: ['/usr/local/jails', 'local'], mounted: ['no', '-'], canmount: ['noauto', 'local'] });
    expect(plan(zfsDataset, { name: 'zroot/jails', properties: { canmount: 'off' } }, { dataset: off, usage: SEED })).toHaveLength(1);
  });

  it('jailed unmounts every descendant, wherever it is mounted', () => {
    const u = usage(
      [
        ['zroot/j', '/j', true],
        ['zroot/j/x', '/srv/x', true],
      ],
      [['x', '/srv/x/root']],
    );
    expect(() =>
      plan(
        zfsDataset,
        { name: 'zroot/j', properties: { jailed: 'on' } },
        { dataset: mounted('zroot/j', '/j', { jailed: ['off', 'default'] }), usage: u },
      ),
    ).toThrow(/zfs would unmount zroot\/j, zroot\/j\/x, in use by running jail x \(root \/srv\/x\/root\)/);
  });

  it('properties applied by a remount in place (atime, readonly, ...) are never refused', () => {
    const ds = mounted('zroot/jails', '/usr/local/jails', { atime: ['on', 'default'], readonly: ['off', 'default'] });
    expect(
      scripts(plan(zfsDataset, { name: 'zroot/jails', properties: { atime: false, readonly: true } }, { dataset: ds, usage: SEED })),
    ).toEqual(["zfs set 'atime=off' zroot/jails\nzfs set 'readonly=on' zroot/jails"]);
  });

  it('a legacy mount is found in the mount table; other mounts below are named', () => {
    const u = usage([['zroot/leg', 'legacy', true]], [], ['zroot/leg on /mnt/leg (zfs, local)', 'tmpfs on /mnt/leg/tmp (tmpfs, local)']);
    const leg = dataset('zroot/leg', { mountpoint: ['legacy', 'local'], mounted: ['yes', '-'] });
    expect(() => plan(zfsDataset, { name: 'zroot/leg', properties: { mountpoint: '/leg' } }, { dataset: leg, usage: u })).toThrow(
      /in use by mount tmpfs on \/mnt\/leg\/tmp \(tmpfs\)\. To proceed: unmount what is mounted there, or set force: true/,
    );
  });

  it('a missing pool (null usage) or a dataset to create is never refused', () => {
    expect(plan(zfsDataset, { name: 'zroot/jails', properties: { mountpoint: '/jails' } }, { dataset: jailsDs, usage: null })).toHaveLength(
      1,
    );
    expect(
      plan(zfsDataset, { name: 'zroot/new', properties: { mountpoint: '/usr/local/jails/new' } }, { dataset: null, usage: SEED }),
    ).toHaveLength(1);
  });
});

describe('zfs.dataset absent refuses to destroy what running jails use', () => {
  const origins = new Map([['zroot/jails/containers/thinjail', 'zroot/jails/templates/14.2-RELEASE@base']]);

  it('even recursive, naming the jails; force: true destroys', () => {
    const t = tree('zroot/jails/containers', 'zroot/jails/containers/thinjail');
    expect(() =>
      plan(zfsDataset, { name: 'zroot/jails/containers', state: 'absent', recursive: true }, { tree: t, origins, usage: SEED }),
    ).toThrow(
      /^refusing to destroy zroot\/jails\/containers: zfs would unmount zroot\/jails\/containers, zroot\/jails\/containers\/thinjail, in use by running jails thinjail \(root \/usr\/local\/jails\/containers\/thinjail\), nullfsjail \(root \/usr\/local\/jails\/containers\/nullfsjail\)\. To proceed: stop the jails first, or set force: true/,
    );
    expect(
      scripts(
        plan(
          zfsDataset,
          { name: 'zroot/jails/containers', state: 'absent', recursive: true, force: true },
          { tree: t, origins, usage: SEED },
        ),
      ),
    ).toEqual(['zfs destroy -r zroot/jails/containers']);
  });

  it('the dependent clones a destroy -R takes count: the template with a thin jail cloned from it', () => {
    const t = tree('zroot/jails/templates/14.2-RELEASE', 'zroot/jails/templates/14.2-RELEASE@base');
    expect(() =>
      plan(zfsDataset, { name: 'zroot/jails/templates/14.2-RELEASE', state: 'absent', recursive: true }, { tree: t, origins, usage: SEED }),
    ).toThrow(
      /zfs would unmount zroot\/jails\/templates\/14.2-RELEASE, zroot\/jails\/containers\/thinjail, in use by running jails thinjail \(root .*\), nullfsjail \(nullfs /,
    );
  });

  it('the children refusal comes first; a dataset nothing uses is destroyed', () => {
    const t = tree('zroot/jails/containers', 'zroot/jails/containers/thinjail');
    expect(() => plan(zfsDataset, { name: 'zroot/jails/containers', state: 'absent' }, { tree: t, origins, usage: SEED })).toThrow(
      /it has children/,
    );
    expect(
      scripts(plan(zfsDataset, { name: 'zroot/usr/home', state: 'absent' }, { tree: tree('zroot/usr/home'), origins, usage: SEED })),
    ).toEqual(['zfs destroy zroot/usr/home']);
  });
});

describe('zfs.clone refuses the same way', () => {
  const dev = dataset('zroot/jails/containers/dev', {
    origin: ['zroot/jails/templates/14.2-RELEASE-base@base', '-'],
    mountpoint: ['/usr/local/jails/containers/dev', 'local'],
    mounted: ['yes', '-'],
  });
  const args = { name: dev.name, origin: 'zroot/jails/templates/14.2-RELEASE-base@base', properties: { mountpoint: '/srv/dev' } };
  const u = usage([['zroot/jails/containers/dev', '/usr/local/jails/containers/dev', true]], [['dev', '/usr/local/jails/containers/dev']]);

  it('a mountpoint change under its running jail, and its destroy; force lets both through', () => {
    expect(() =>
      plan(zfsClone, args, {
        target: dev,
        origin: dataset('zroot/jails/templates/14.2-RELEASE-base@base', { type: ['snapshot', '-'] }),
        usage: u,
      }),
    ).toThrow(
      /^refusing to set mountpoint \/usr\/local\/jails\/containers\/dev -> \/srv\/dev on zroot\/jails\/containers\/dev: .*running jail dev \(root \/usr\/local\/jails\/containers\/dev\)/,
    );
    expect(scripts(plan(zfsClone, { ...args, force: true }, { target: dev, origin: null, usage: u }))).toEqual([
      "zfs set 'mountpoint=/srv/dev' zroot/jails/containers/dev",
    ]);
    const absent = { name: dev.name, state: 'absent' };
    expect(() => plan(zfsClone, absent, { tree: tree(dev.name), origins: new Map(), usage: u })).toThrow(
      /^refusing to destroy zroot\/jails\/containers\/dev: .*running jail dev/,
    );
    expect(scripts(plan(zfsClone, { ...absent, force: true }, { tree: tree(dev.name), origins: new Map(), usage: u }))).toEqual([
      'zfs destroy zroot/jails/containers/dev',
    ]);
  });
});
