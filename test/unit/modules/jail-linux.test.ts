/** The jail module's Linux option (seed 004): host ABI, the userland's mounts, mount points. */
import { describe, expect, it } from 'vitest';
import { jail } from '../../../src/modules/jail/jail.js';
import { DEFAULT_JAIL_CONF, renderFstab, renderJailConf } from '../../../src/modules/jail/conf.js';
import { jailStateScript } from '../../../src/modules/jail/facts.js';
import { parseJailState } from '../../../src/facts/jail-state.js';
import type { JailFacts } from '../../../src/modules/jail/facts.js';
import type { JailState } from '../../../src/facts/jail-state.js';
import { ABSENT, plan, scripts, textFile } from './support.js';

// Seed 004's d2l: a thin jail cloned from the template's snapshot, Debian under compat/debian.
const D2L = {
  name: 'd2l',
  type: 'thin-zfs',
  template: 'zroot/jails/templates/14.2-RELEASE@base',
  dataset: 'zroot/jails/containers/d2l',
  path: '/usr/local/jails/containers/d2l',
  interface: 'em0',
  ip4: '192.168.1.155',
  linux: true,
  params: { 'allow.raw_sockets': true },
};

function facts(args: object, st: Partial<JailState>, rc = ''): JailFacts {
  const a = jail.args.parse(args);
  const fstab = renderFstab(a);
  return {
    state: {
      running: true,
      root: 'directory',
      template: 'directory',
      dataset: true,
      snapshot: true,
      rootVersion: '14.2-RELEASE',
      templateVersion: '14.2-RELEASE',
      ...st,
    },
    conf: textFile(renderJailConf(a)),
    fstab: fstab === undefined ? ABSENT : textFile(fstab),
    jailConf: textFile(DEFAULT_JAIL_CONF),
    rcConf: textFile(rc),
  };
}

describe('jail: linux option', () => {
  it('mounts devfs, tmpfs on dev/shm, linprocfs and linsysfs under the userland, as seed 004', () => {
    expect(renderFstab(jail.args.parse(D2L))).toBe(`# Mounts of jail d2l, managed by fleetjail.
devfs\t/usr/local/jails/containers/d2l/compat/debian/dev\tdevfs\trw\t0\t0
tmpfs\t/usr/local/jails/containers/d2l/compat/debian/dev/shm\ttmpfs\trw,size=1g,mode=1777\t0\t0
linprocfs\t/usr/local/jails/containers/d2l/compat/debian/proc\tlinprocfs\trw\t0\t0
linsysfs\t/usr/local/jails/containers/d2l/compat/debian/sys\tlinsysfs\trw\t0\t0
`);
    const custom = renderFstab(
      jail.args.parse({
        ...D2L,
        linux: { userland: 'compat/ubuntu', shm_size: false },
        mounts: [{ source: '/home', target: '/compat/ubuntu/home', options: 'rw' }],
      }),
    );
    expect(
      custom
        ?.split('\n')
        .slice(1, -1)
        .map((l) => l.split('\t').slice(0, 3).join(' ')),
    ).toEqual([
      'devfs /usr/local/jails/containers/d2l/compat/ubuntu/dev devfs',
      'linprocfs /usr/local/jails/containers/d2l/compat/ubuntu/proc linprocfs',
      'linsysfs /usr/local/jails/containers/d2l/compat/ubuntu/sys linsysfs',
      '/home /usr/local/jails/containers/d2l/compat/ubuntu/home nullfs',
    ]);
    expect(renderJailConf(jail.args.parse(D2L))).toContain('mount.fstab = "/usr/local/jails/containers/d2l.fstab";');
  });

  it('validates', () => {
    expect(jail.args.safeParse({ ...D2L, linux: { userland: '/compat/debian' } }).success).toBe(false);
    expect(jail.args.safeParse({ ...D2L, linux: { shm_size: '1 g' } }).success).toBe(false);
    const r = jail.args.safeParse({ name: 'n', type: 'thin-nullfs', template: '/t', path: '/j', linux: true });
    expect(JSON.stringify(r.error?.issues)).toMatch(/read-only template/);
  });

  it('reads whether linux64 is loaded only for Linux jails', () => {
    expect(jailStateScript(jail.args.parse(D2L))).toContain('echo "linux $(fj_yes kldstat -q -n linux64)"');
    expect(jailStateScript(jail.args.parse({ ...D2L, linux: undefined }))).not.toContain('linux64');
    expect(parseJailState('jls -\nroot absent\nlinux yes\n').linuxLoaded).toBe(true);
  });

  it('a new Linux jail: linux_enable and linux64 first, then the root, conf, fstab, and the mount points before jail -c', () => {
    const f = facts(D2L, { running: false, root: 'absent', dataset: false, linuxLoaded: false });
    f.conf = ABSENT;
    f.fstab = ABSENT;
    const cs = plan(jail, D2L, f);
    expect(cs.map((c) => c.summary).slice(0, 3)).toEqual([
      'linux_enable: (unset) -> "YES" (Linux jail d2l)',
      'kldload linux64 (the Linux ABI)',
      'create root: zfs clone zroot/jails/templates/14.2-RELEASE@base zroot/jails/containers/d2l',
    ]);
    expect(scripts(cs).slice(0, 2)).toEqual(['EDIT /etc/rc.conf +linux_enable="YES"', 'kldload -n linux64']);
    expect(scripts(cs).at(-1)).toBe(
      'mkdir -p -- /usr/local/jails/containers/d2l/compat/debian/dev /usr/local/jails/containers/d2l/compat/debian/proc /usr/local/jails/containers/d2l/compat/debian/sys\njail -c d2l',
    );
  });

  it('converged: nothing; linux64 unloaded (a reboot without linux_enable): loaded again', () => {
    expect(plan(jail, D2L, facts(D2L, { linuxLoaded: true }, 'linux_enable="YES"\n'))).toEqual([]);
    expect(scripts(plan(jail, D2L, facts(D2L, { linuxLoaded: false }, 'linux_enable="YES"\n')))).toEqual(['kldload -n linux64']);
  });
});
