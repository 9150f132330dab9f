import { describe, expect, it } from 'vitest';
import { jail } from '../../../src/modules/jail/jail.js';
import { jailExec } from '../../../src/modules/jail/exec.js';
import {
  confParam,
  confString,
  fstabField,
  hasConfDInclude,
  jailConfWithInclude,
  renderFstab,
  renderJailConf,
  DEFAULT_JAIL_CONF,
} from '../../../src/modules/jail/conf.js';
import { jailStateScript } from '../../../src/modules/jail/facts.js';
import { mountPointOnHost } from '../../../src/modules/jail/plan.js';
import type { JailFacts } from '../../../src/modules/jail/facts.js';
import type { JailState } from '../../../src/facts/jail-state.js';
import type { Change } from '../../../src/modules/kit/contract.js';
import { ABSENT, ctx, plan, scripts, textFile } from './support.js';

const ZFS = {
  name: 'www',
  type: 'thin-zfs',
  template: 'zroot/templates/14.2@p3',
  dataset: 'zroot/jails/www',
  path: '/usr/jails/www',
  interface: 'lo1',
  ip4: '10.0.0.3',
};
const NULLFS = {
  name: 'dev',
  type: 'thin-nullfs',
  template: '/zdata/templates/14.2',
  path: '/zdata/jails/dev',
  vnet: { epair: 7, bridge: 'bridge0', address: '192.168.7.253/24', gateway: '192.168.7.1' },
};

const conf = (args: object) => renderJailConf(jail.args.parse(args));

function facts(args: object, st: Partial<JailState>, files: Partial<Omit<JailFacts, 'state'>> = {}): JailFacts {
  return {
    state: { running: false, root: 'absent', template: 'directory', ...st },
    conf: ABSENT,
    fstab: ABSENT,
    jailConf: textFile(DEFAULT_JAIL_CONF),
    rcConf: ABSENT,
    ...files,
  };
}

/** Facts of a jail as the first run leaves it (running, files as rendered). */
function converged(args: object, st: Partial<JailState> = {}, rc = ''): JailFacts {
  const a = jail.args.parse(args);
  const fstab = renderFstab(a);
  return facts(
    args,
    {
      running: true,
      root: 'directory',
      dataset: true,
      skeleton: true,
      snapshot: true,
      rootVersion: '14.2-RELEASE-p3',
      templateVersion: '14.2-RELEASE-p3',
      stamp: '14.2-RELEASE-p3',
      ...st,
    },
    { conf: textFile(renderJailConf(a)), fstab: fstab === undefined ? ABSENT : textFile(fstab), rcConf: textFile(rc) },
  );
}

const summaries = (cs: Change[]) => cs.map((c) => c.summary);

describe('jail arguments', () => {
  it('validates before any host is contacted', () => {
    const bad = (args: object, re: RegExp) => {
      const r = jail.args.safeParse(args);
      expect(r.success).toBe(false);
      expect(JSON.stringify(r.error?.issues)).toMatch(re);
    };
    bad({ ...ZFS, template: '/usr/jails/templates/14.2' }, /DATASET@SNAPSHOT/);
    bad({ ...ZFS, dataset: undefined }, /the jail's dataset/);
    bad({ ...NULLFS, template: 'zroot/t@base' }, /absolute path/);
    bad({ ...ZFS, name: '42' }, /all digits/);
    bad({ ...ZFS, name: 'a.b' }, /a jail name/);
    bad({ ...ZFS, params: { path: '/x' } }, /use the argument 'path'/);
    bad({ ...ZFS, params: { 'ip4.addr': '1.2.3.4' } }, /argument 'ip4'/);
    bad({ ...NULLFS, ip4: '1.2.3.4' }, /VNET jail has its own stack/);
    bad({ ...ZFS, destroy_root: true }, /only goes with state: absent/);
    bad({ ...ZFS, template: undefined }, /needs a template/);
    bad({ ...ZFS, typo: 1 }, /typo/);
    expect(
      jail.args.safeParse({ name: 'www', type: 'thin-zfs', dataset: 'zroot/jails/www', path: '/usr/jails/www', state: 'absent' }).success,
    ).toBe(true);
  });
});

describe('jail.conf rendering', () => {
  it('quotes strings as jail.conf(5) reads them and leaves ${variables} to jail(8)', () => {
    expect(confString('a "b" \\ c')).toBe('"a \\"b\\" \\\\ c"');
    expect(confString('x\ny\x01')).toBe('"x\\ny\\001"');
    expect(confString('/var/log/${name}.log')).toBe('"/var/log/${name}.log"');
  });

  it('renders booleans, numbers and lists as jail.conf wants', () => {
    expect(confParam('allow.raw_sockets', true)).toBe('allow.raw_sockets;');
    expect(confParam('allow.mount.zfs', false)).toBe('allow.mount.nozfs;');
    expect(confParam('persist', false)).toBe('nopersist;');
    expect(confParam('allow.sysvipc', 1)).toBe('allow.sysvipc = 1;');
    expect(confParam('ip4.addr', ['10.0.0.1', '10.0.0.2/24'])).toBe('ip4.addr = "10.0.0.1", "10.0.0.2/24";');
  });

  it("is deterministic: parameters sorted whatever the playbook's key order", () => {
    const a = conf({ ...ZFS, params: { 'allow.sysvipc': 1, 'allow.raw_sockets': true, 'exec.prestart': ['a', 'b'] } });
    const b = conf({ ...ZFS, params: { 'exec.prestart': ['a', 'b'], 'allow.raw_sockets': true, 'allow.sysvipc': 1 } });
    expect(a).toBe(b);
    expect(a).toBe(`# Jail www, managed by fleetjail: changes made here are overwritten.
www {
  path = "/usr/jails/www";
  host.hostname = "www";
  mount.devfs;
  interface = "lo1";
  ip4.addr = "10.0.0.3";
  allow.raw_sockets;
  allow.sysvipc = 1;
  exec.prestart = "a", "b";
}
`);
  });

  it('VNET as seed 002 does it: epair created and joined to the bridge, address and route in the jail, torn down after stop', () => {
    const text = conf({ ...NULLFS, devfs_ruleset: 5 });
    expect(text).toContain('  devfs_ruleset = 5;\n  mount.fstab = "/zdata/jails/dev.fstab";\n  vnet;\n  vnet.interface = "epair7b";\n');
    expect(text).toContain(
      '  exec.prestart += "/sbin/ifconfig epair7 create up";\n  exec.prestart += "/sbin/ifconfig epair7a up descr jail:dev";\n  exec.prestart += "/sbin/ifconfig bridge0 addm epair7a up";\n',
    );
    expect(text).toContain(
      '  exec.start += "/sbin/ifconfig epair7b 192.168.7.253/24 up";\n  exec.start += "/sbin/route add default 192.168.7.1";\n',
    );
    expect(text).toContain(
      '  exec.poststop += "/sbin/ifconfig bridge0 deletem epair7a";\n  exec.poststop += "/sbin/ifconfig epair7a destroy";\n',
    );
    // thin-nullfs: the template's version is recorded at every start
    expect(text).toContain(
      '  exec.prestart += "/bin/cp /zdata/templates/14.2/bin/freebsd-version /var/run/jail_dev.template-version";\n}\n',
    );
  });

  it('fstab: thin-nullfs mounts the template read-only and the skeleton read-write; classic shares directories read-only', () => {
    expect(renderFstab(jail.args.parse({ ...NULLFS, mounts: [{ source: '/usr/ports', target: '/usr/ports' }] })))
      .toBe(`# Mounts of jail dev, managed by fleetjail.
/zdata/templates/14.2\t/zdata/jails/dev\tnullfs\tro\t0\t0
/zdata/jails/dev.skeleton/etc\t/zdata/jails/dev/etc\tnullfs\trw\t0\t0
/zdata/jails/dev.skeleton/usr/local\t/zdata/jails/dev/usr/local\tnullfs\trw\t0\t0
/zdata/jails/dev.skeleton/tmp\t/zdata/jails/dev/tmp\tnullfs\trw\t0\t0
/zdata/jails/dev.skeleton/var\t/zdata/jails/dev/var\tnullfs\trw\t0\t0
/zdata/jails/dev.skeleton/root\t/zdata/jails/dev/root\tnullfs\trw\t0\t0
/usr/ports\t/zdata/jails/dev/usr/ports\tnullfs\tro\t0\t0
`);
    const classic = jail.args.parse({
      name: 'j1',
      type: 'classic',
      template: '/home/jail/base',
      path: '/home/jail/j1',
      shared: ['bin', 'sbin'],
      mounts: [{ source: '/home/jail/rw/distfiles', target: '/usr/ports/distfiles', options: 'rw' }],
    });
    expect(renderFstab(classic)).toBe(
      '# Mounts of jail j1, managed by fleetjail.\n/home/jail/base/bin\t/home/jail/j1/bin\tnullfs\tro\t0\t0\n/home/jail/base/sbin\t/home/jail/j1/sbin\tnullfs\tro\t0\t0\n/home/jail/rw/distfiles\t/home/jail/j1/usr/ports/distfiles\tnullfs\trw\t0\t0\n',
    );
    // jail(8) splits mount.fstab lines on blanks and does not decode \040: a path with a blank is refused.
    expect(jail.args.safeParse({ ...NULLFS, path: '/j/my dev' }).error?.issues[0]?.message).toBe(
      'no blanks (jail(8) splits mount.fstab lines on blanks)',
    );
    expect(fstabField('a b\\c')).toBe('a\\040b\\134c');
    expect(() => fstabField('a\nb')).toThrow(/not an fstab field/);
    expect(renderFstab(jail.args.parse(ZFS))).toBeUndefined();
    expect(conf(ZFS)).not.toContain('mount.fstab');
  });

  it('mount points of extra mounts are made where they live on the host', () => {
    const n = jail.args.parse(NULLFS);
    expect(mountPointOnHost(n, '/usr/local/www')).toBe('/zdata/jails/dev.skeleton/usr/local/www');
    expect(mountPointOnHost(n, '/usr/ports')).toBe('/zdata/templates/14.2/usr/ports');
    expect(mountPointOnHost(jail.args.parse(ZFS), '/data')).toBe('/usr/jails/www/data');
  });

  it('/etc/jail.conf: created when missing, the .include appended when absent, otherwise left alone', () => {
    expect(jailConfWithInclude(undefined)).toBe(DEFAULT_JAIL_CONF);
    const mine = 'exec.clean;\n.include "/etc/jail.conf.d/*.conf";\n';
    expect(jailConfWithInclude(mine)).toBe(mine);
    expect(jailConfWithInclude('exec.clean;')).toBe('exec.clean;\n\n.include "/etc/jail.conf.d/*.conf";\n');
    expect(hasConfDInclude('# .include "/etc/jail.conf.d/*.conf";\n')).toBe(false);
    expect(hasConfDInclude('/* .include "/etc/jail.conf.d/*.conf"; */ x;')).toBe(false);
    expect(hasConfDInclude('x;  .include   "/etc/jail.conf.d/*.conf" ;')).toBe(true);
  });
});

describe('jail plan', () => {
  it('first run (thin-zfs): jail.conf, clone, conf, start, rc.conf; in that order', () => {
    const cs = plan(
      jail,
      { ...ZFS, boot: true, parallel_start: true },
      facts(ZFS, { snapshot: true, dataset: false, templateVersion: '14.2-RELEASE-p3' }, { jailConf: ABSENT }),
    );
    expect(summaries(cs)).toEqual([
      'create /etc/jail.conf (common block, .include "/etc/jail.conf.d/*.conf")',
      'create root: zfs clone zroot/templates/14.2@p3 zroot/jails/www',
      'create /etc/jail.conf.d/www.conf',
      'start jail www',
      'jail_enable: (unset) -> "YES"',
      'jail_list: (unset) -> "www"',
      'jail_parallel_start: (unset) -> "YES"',
    ]);
    expect(scripts(cs)).toEqual([
      'WRITE /etc/jail.conf',
      "zfs list -H -o name zroot/jails >/dev/null 2>&1 || zfs create -p zroot/jails\nzfs clone -o 'mountpoint=/usr/jails/www' zroot/templates/14.2@p3 zroot/jails/www",
      'WRITE /etc/jail.conf.d/www.conf',
      'jail -c www',
      'EDIT /etc/rc.conf +jail_enable="YES"',
      'EDIT /etc/rc.conf +jail_list="www"',
      'EDIT /etc/rc.conf +jail_parallel_start="YES"',
    ]);
    // a step acting `jail: www` afterwards re-reads the jail's root (target.ts's jailRootQuery)
    expect(cs[3]?.touches).toEqual(['host:jail:www', 'jail=www:*']);
    expect(cs[4]?.touches).toContain('host:file:/etc/rc.conf:var=jail_enable');
  });

  it('a converged jail plans nothing', () => {
    for (const args of [ZFS, NULLFS, { ...ZFS, boot: true }]) {
      expect(plan(jail, args, converged(args, {}, 'jail_enable="YES"\njail_list="other www"\n'))).toEqual([]);
    }
  });

  it('a changed parameter restarts the running jail: stopped before the new conf is written, started after, saying why', () => {
    const cs = plan(jail, { ...ZFS, ip4: '10.0.0.4' }, converged(ZFS), ctx(undefined, { diff: true }));
    expect(summaries(cs)).toEqual([
      'restart: /etc/jail.conf.d/www.conf changed',
      'update /etc/jail.conf.d/www.conf',
      'start jail www again',
    ]);
    // Without --diff, no file diff is computed.
    expect(plan(jail, { ...ZFS, ip4: '10.0.0.4' }, converged(ZFS))[1]?.diff).toEqual([]);
    expect(scripts(cs)).toEqual(['jail -r www', 'WRITE /etc/jail.conf.d/www.conf', 'jail -c www']);
    expect(cs[1]?.diff?.[0]).toMatchObject({ type: 'file', path: '/etc/jail.conf.d/www.conf' });
    expect((cs[1]?.diff?.[0] as { unified: string }).unified).toContain('-  ip4.addr = "10.0.0.3";\n+  ip4.addr = "10.0.0.4";');
  });

  it('restart: false writes the conf and leaves the jail running, and says so', () => {
    const cs = plan(jail, { ...ZFS, ip4: '10.0.0.4', restart: false }, converged(ZFS));
    expect(summaries(cs)).toEqual(['update /etc/jail.conf.d/www.conf (running jail not restarted: restart: false)']);
  });

  it('state stopped stops a running jail before writing; a stopped jail is not started', () => {
    expect(scripts(plan(jail, { ...ZFS, state: 'stopped' }, converged(ZFS)))).toEqual(['jail -r www']);
    expect(plan(jail, { ...ZFS, state: 'stopped' }, converged(ZFS, { running: false }))).toEqual([]);
  });

  it('thin-zfs / thick: a root behind its template is updated with freebsd-update -b, then the jail restarted', () => {
    const cs = plan(jail, ZFS, converged(ZFS, { rootVersion: '14.2-RELEASE-p3', templateVersion: '14.2-RELEASE-p4' }));
    expect(summaries(cs)).toEqual([
      "restart: root updated to the template's 14.2-RELEASE-p4",
      "update root: 14.2-RELEASE-p3 -> 14.2-RELEASE-p4 (the template's patch level), freebsd-update -b /usr/jails/www",
      'start jail www again',
    ]);
    expect(scripts(cs)[1]).toBe(
      'freebsd-update -b /usr/jails/www --currently-running 14.2-RELEASE-p3 --not-running-from-cron fetch install',
    );
    expect(
      plan(jail, { ...ZFS, update: false }, converged(ZFS, { rootVersion: '14.2-RELEASE-p3', templateVersion: '14.2-RELEASE-p4' })),
    ).toEqual([]);
    // ahead of the template (freebsd-update fetched a newer patch): nothing
    expect(plan(jail, ZFS, converged(ZFS, { rootVersion: '14.2-RELEASE-p5', templateVersion: '14.2-RELEASE-p4' }))).toEqual([]);
    expect(() => plan(jail, ZFS, converged(ZFS, { rootVersion: '14.2-RELEASE-p5', templateVersion: '14.3-RELEASE-p1' }))).toThrow(
      /not release upgrades/,
    );
  });

  it('thin-nullfs: a template updated under a running jail restarts it', () => {
    const cs = plan(jail, NULLFS, converged(NULLFS, { stamp: '14.2-RELEASE-p3', templateVersion: '14.2-RELEASE-p4' }));
    expect(summaries(cs)).toEqual([
      'restart: template updated to 14.2-RELEASE-p4 (jail started on 14.2-RELEASE-p3)',
      'start jail dev again',
    ]);
  });

  it('thin-nullfs first run: mount point, skeleton copied from the template (etc last), fstab', () => {
    const cs = plan(jail, NULLFS, facts(NULLFS, { skeleton: false, templateVersion: '14.2-RELEASE-p3' }));
    expect(summaries(cs)).toEqual([
      'create root: the mount point /zdata/jails/dev and the writable skeleton /zdata/jails/dev.skeleton (etc, usr/local, tmp, var, root from /zdata/templates/14.2)',
      'create /etc/jail.conf.d/dev.conf',
      'create /zdata/jails/dev.fstab',
      'start jail dev',
    ]);
    const script = scripts(cs)[0] as string;
    expect(script.indexOf('dev.skeleton/etc')).toBeGreaterThan(script.indexOf('dev.skeleton/var'));
    expect(script).toContain(
      'if [ ! -e /zdata/jails/dev.skeleton/var ]; then mkdir -p -- /zdata/jails/dev.skeleton/var.fj-new; tar -cf - -C /zdata/templates/14.2/var . | tar -xpf - -C /zdata/jails/dev.skeleton/var.fj-new; mv -- /zdata/jails/dev.skeleton/var.fj-new /zdata/jails/dev.skeleton/var; fi',
    );
  });

  it('a missing template fails the step, except in check mode (an earlier step may create it)', () => {
    const f = facts(ZFS, { snapshot: false, dataset: false });
    expect(() => plan(jail, ZFS, f)).toThrow(/template snapshot zroot\/templates\/14.2@p3 does not exist/);
    expect(summaries(plan(jail, ZFS, f, ctx(undefined, { check: true })))[0]).toMatch(/does not exist yet/);
  });

  it('absent: stop, remove the conf and fstab, leave the root unless destroy_root', () => {
    const f = converged(NULLFS, {}, 'jail_enable="YES"\njail_list="www dev"\n');
    expect(summaries(plan(jail, { ...NULLFS, state: 'absent' }, f))).toEqual([
      'stop jail dev',
      'remove /etc/jail.conf.d/dev.conf',
      'remove /zdata/jails/dev.fstab',
      'jail_list: "www dev" -> "www"',
    ]);
    const d = plan(jail, { ...NULLFS, state: 'absent', destroy_root: true }, f);
    expect(summaries(d)).toContain('destroy root of dev: /zdata/jails/dev and /zdata/jails/dev.skeleton');
    const script = scripts(d).find((s) => s.includes('rm -rf')) as string;
    expect(script).toContain(
      "if mount | grep -F -e ' on /zdata/jails/dev.skeleton (' -e ' on /zdata/jails/dev.skeleton/' >/dev/null; then echo 'refusing to remove",
    );
    const z = scripts(plan(jail, { ...ZFS, state: 'absent', destroy_root: true }, converged(ZFS, { running: false })));
    expect(z).toContain('rm -f -- /etc/jail.conf.d/www.conf');
    expect(z.some((s) => s.includes('zfs destroy -r zroot/jails/www'))).toBe(true);
    expect(plan(jail, { ...ZFS, state: 'absent' }, facts(ZFS, {}))).toEqual([]);
  });

  it('boot: false takes the name out of jail_list; the last one out turns jail_enable off (empty means every jail)', () => {
    const cs = plan(jail, { ...ZFS, boot: false }, converged(ZFS, {}, 'jail_enable="YES"\njail_list="www"\n'));
    expect(summaries(cs)).toEqual([
      'jail_list: "www" -> ""',
      'jail_enable: "YES" -> "NO" (www was the only jail in jail_list; an empty jail_list would start every jail)',
    ]);
  });

  it('the state fact script quotes every value', () => {
    const s = jailStateScript(jail.args.parse({ ...NULLFS, path: "/j/it's" }));
    expect(s).toContain("printf 'jls '; jls -n -j dev 2>/dev/null || echo -");
    expect(s).toContain(`echo "root $(fj_kind '/j/it'\\''s')"`);
    expect(s).toContain('echo "stamp $(fj_ver /var/run/jail_dev.template-version)"');
  });
});

describe('jail.exec', () => {
  it('is command inside the jail: jexec, guards probed in the jail', () => {
    expect(scripts(plan(jailExec, { jail: 'www', cmd: 'pkg info' }, {}))).toEqual([`jexec www /bin/sh -c 'pkg info'`]);
    expect(plan(jailExec, { jail: 'www', cmd: 'x', creates: '/done' }, { creates: true })).toEqual([]);
    const q = jailExec.facts(jailExec.args.parse({ jail: 'www', cmd: 'x', unless: 'test -f /a' }), ctx());
    expect(q.unless?.script).toBe(`jexec www /bin/sh -c 'test -f /a' >/dev/null 2>&1; echo $?`);
    expect(plan(jailExec, { jail: 'www', cmd: 'x' }, {})[0]?.touches).toEqual(['jail=www:*']);
  });

  it('as another user of the jail', () => {
    expect(scripts(plan(jailExec, { jail: 'www', argv: ['id', '-un'], user: 'www', chdir: '/tmp' }, {}))).toEqual([
      `jexec -U www www /bin/sh -c 'cd /tmp && id -un'`,
    ]);
    expect(jailExec.args.safeParse({ jail: 'www' }).success).toBe(false);
  });
});
