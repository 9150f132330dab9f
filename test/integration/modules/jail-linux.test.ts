/**
 * The jail module's Linux option on every lab host (#5 point 3, seed 004), through the CLI:
 * a thin-zfs jail cloned from a template snapshot, linux_enable=YES and linux64 loaded on the
 * host, devfs / linprocfs / linsysfs mounted under compat/debian; the Debian userland is the
 * operator's own step (debootstrap on FreeBSD; here a command step puts a busybox /bin/sh
 * there). Checked over plain ssh: `jexec NAME chroot /compat/debian /bin/sh -c 'echo ok'`,
 * the mounts in the host's `mount`, rc.conf, kldstat; the second run changes nothing;
 * --check changes nothing; --diff shows the fstab's change and the jail restarts.
 *
 * The jail keeps the default 1g tmpfs on compat/debian/dev/shm: the lab's devfs has a shm
 * directory once linux64 is loaded, as FreeBSD's linux_common.ko gives every devfs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectChangedOnAll, onAllHosts as onAll, runWithReport as run } from '../../support/playbook.js';
import { labHosts } from '../../support/lab.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-linux-'));
const TEMPLATE_DS = 'zroot/usr/jails/fjlxt';
const TEMPLATE = '/usr/jails/fjlxt';
const J = 'fjlx';
const ROOT = `/usr/jails/fjlx/${J}`;
const DEB = `${ROOT}/compat/debian`;

interface Variant {
  home?: boolean;
  state?: 'running' | 'absent';
}

function playbook(v: Variant = {}): string {
  const state = v.state ?? 'running';
  const file = path.join(tmp, `linux-${v.home ? 'home' : 'plain'}-${state}.yaml`);
  const mounts = v.home ? `\n      mounts: [{ source: /usr/jails/fjlx-home, target: /compat/debian/home, options: rw }]` : '';
  const userland =
    state === 'running'
      ? `
  - name: Debian userland (debootstrap's place)
    command:
      cmd: mkdir -p ${DEB}/bin ${DEB}/etc && cp ${ROOT}/bin/busybox ${DEB}/bin/busybox && ln -s busybox ${DEB}/bin/sh && echo 12.8 > ${DEB}/etc/debian_version
      creates: ${DEB}/bin/sh`
      : '';
  fs.writeFileSync(
    file,
    `
name: linux jail
hosts: all
steps:
  - name: ${J}
    jail:
      name: ${J}
      type: thin-zfs
      state: ${state}
      template: ${TEMPLATE_DS}@base
      dataset: zroot/usr/jails/fjlx/${J}
      path: ${ROOT}
      linux: { userland: compat/debian }
      params: { allow.raw_sockets: true }${mounts}
      destroy_root: ${state === 'absent'}
${userland}
`,
  );
  return file;
}

const MOUNTS = `mount | grep -F ' on ${DEB}/' | sed 's/ (.*//'`;
const CLEAN = `jail -r ${J} >/dev/null 2>&1; rm -f /etc/jail.conf.d/${J}.conf ${ROOT}.fstab
zfs destroy -r zroot/usr/jails/fjlx >/dev/null 2>&1; rm -rf /usr/jails/fjlx /usr/jails/fjlx-home
zfs destroy -r ${TEMPLATE_DS} >/dev/null 2>&1; rm -rf ${TEMPLATE}
# zroot/usr/jails was made (zfs create -p) for these datasets: gone too once empty, so /usr/jails is a plain directory again.
[ "$(zfs list -H -o name -r zroot/usr/jails 2>/dev/null | wc -l)" -eq 1 ] && zfs destroy zroot/usr/jails
true`;

beforeAll(async () => {
  const r = await onAll(`${CLEAN}
set -e
cp -p /etc/rc.conf /var/tmp/fj-linux-rc.conf.saved
if [ -e /etc/jail.conf ]; then cp -p /etc/jail.conf /var/tmp/fj-linux-jail.conf.saved; else rm -f /var/tmp/fj-linux-jail.conf.saved; fi
# The parent is not mounted (canmount=off, as bsdinstall makes zroot/usr): other test files use /usr/jails,
# and zfs-fuse cannot mount over a non-empty directory.
zfs list -H -o name zroot/usr/jails >/dev/null 2>&1 || zfs create -o canmount=off zroot/usr/jails
zfs create -p ${TEMPLATE_DS}
sh /.sys/userland/lib/jail/mini-root.sh ${TEMPLATE} >/dev/null
mkdir -p /usr/jails/fjlx-home/admin
zfs snapshot ${TEMPLATE_DS}@base`);
  for (const x of r) expect(x.stderr).toBe('');
}, 120_000);

afterAll(async () => {
  await onAll(`${CLEAN}
mv /var/tmp/fj-linux-rc.conf.saved /etc/rc.conf
if [ -e /var/tmp/fj-linux-jail.conf.saved ]; then mv /var/tmp/fj-linux-jail.conf.saved /etc/jail.conf; else rm -f /etc/jail.conf; fi; true`);
  fs.rmSync(tmp, { recursive: true, force: true });
}, 120_000);

describe('Linux jail on the lab fleet', () => {
  it('first run: Linux ABI on the host, the jail up with its Linux mounts, chroot into the userland works', async () => {
    const { cli, report } = await run(playbook());
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expectChangedOnAll(report, 2);
    for (const r of await onAll(`sysrc -n linux_enable; kldstat -q -n linux64 && echo linux64 loaded; jls name; ${MOUNTS}
jexec ${J} chroot /compat/debian /bin/sh -c 'echo ok; cat /etc/debian_version; test -r /proc/version && echo proc; test -d /sys/kernel && echo sys; test -e /dev/null && echo dev'`)) {
      expect(r.stdout).toBe(
        [
          'YES',
          'linux64 loaded',
          J,
          `devfs on ${DEB}/dev`,
          `tmpfs on ${DEB}/dev/shm`,
          `linprocfs on ${DEB}/proc`,
          `linsysfs on ${DEB}/sys`,
          'ok',
          '12.8',
          'proc',
          'sys',
          'dev',
        ].join('\n') + '\n',
      );
    }
  });

  it('second run: 0 changed', async () => {
    const { cli, report } = await run(playbook());
    expect(cli.code).toBe(0);
    expectChangedOnAll(report, 0);
  });

  it('--check with a new mount reports the restart and changes nothing', async () => {
    const before = await onAll(`jls -j ${J} jid; sha256 -q ${ROOT}.fstab`);
    const { cli, report } = await run(playbook({ home: true }), '--check');
    expect(cli.code).toBe(0);
    expectChangedOnAll(report, 1);
    expect(cli.stdout).toContain(`would change: restart: ${ROOT}.fstab changed`);
    expect(await onAll(`jls -j ${J} jid; sha256 -q ${ROOT}.fstab`)).toEqual(before);
  });

  it('--diff shows the fstab change; the jail restarts with the home mount', async () => {
    const before = await onAll(`jls -j ${J} jid`);
    const { cli, report } = await run(playbook({ home: true }), '--diff');
    expect(cli.code).toBe(0);
    expectChangedOnAll(report, 1);
    const after = await onAll(`jls -j ${J} jid; ${MOUNTS}; jexec ${J} chroot /compat/debian /bin/sh -c 'echo ok'`);
    labHosts().forEach((h, i) => {
      expect(cli.stdout).toMatch(new RegExp(`${h.name} \\|   \\+/usr/jails/fjlx-home\\s+${DEB}/home\\s+nullfs\\s+rw`));
      const [jid, ...rest] = after[i]!.stdout.trim().split('\n');
      expect(Number(jid)).toBeGreaterThan(Number(before[i]!.stdout.trim()));
      expect(rest).toEqual([
        `devfs on ${DEB}/dev`,
        `tmpfs on ${DEB}/dev/shm`,
        `linprocfs on ${DEB}/proc`,
        `linsysfs on ${DEB}/sys`,
        `/usr/jails/fjlx-home on ${DEB}/home`,
        'ok',
      ]);
    });
    expectChangedOnAll((await run(playbook({ home: true }))).report, 0);
  });

  it('state absent with destroy_root: the jail, its mounts and its root are gone; linux_enable stays', async () => {
    const { cli, report } = await run(playbook({ state: 'absent' }));
    expect(cli.code, cli.stdout).toBe(0);
    expectChangedOnAll(report, 1);
    for (const r of await onAll(`jls name; ${MOUNTS}; ls /usr/jails/fjlx; sysrc -n linux_enable`)) expect(r.stdout).toBe('YES\n');
    expectChangedOnAll((await run(playbook({ state: 'absent' }))).report, 0);
  });
});
