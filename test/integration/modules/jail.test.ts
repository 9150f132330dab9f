/**
 * The jail module on every host of the lab (#5 point 3), through the CLI as an operator runs
 * it: a thin-zfs jail on an lo1 address, a VNET thin-nullfs jail and a thick jail, made from a 14.2-RELEASE
 * template on ZFS that the test extracts and snapshots itself (independent of the release
 * module). Checked over plain ssh: jls, jexec freebsd-version, mounts, the conf files,
 * rc.conf; the second run changes nothing; --check changes nothing; a changed parameter
 * restarts the jail and says why; a template update moves both jails to the new patch
 * level; steps of other modules act inside the jail; stopped and absent (destroy_root).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changesOf, expectChangedOnAll, onAllHosts as onAll, runWithReport as run } from '../../support/playbook.js';
import { labHosts, shRun } from '../../support/lab.js';

const BASE_URL = 'http://mirror.lab/pub/FreeBSD/releases/amd64/amd64/14.2-RELEASE/base.txz';
const TEMPLATE_DS = 'zroot/usr/jails/fjt/14.2-RELEASE';
const TEMPLATE = '/usr/jails/fjt/14.2-RELEASE';
const ZJ = 'fjzfs';
const NJ = 'fjnull';
const TJ = 'fjthick';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-jail-'));

interface Variant {
  raw?: boolean;
  state?: 'running' | 'stopped' | 'absent';
  destroy?: boolean;
}

/** The playbook; VARIANT changes one parameter or the state of both jails. */
function playbook(v: Variant = {}): string {
  const state = v.state ?? 'running';
  const file = path.join(tmp, `jails-${v.raw ? 'raw' : 'plain'}-${state}${v.destroy ? '-destroy' : ''}.yaml`);
  const extra =
    state === 'running'
      ? `
  - name: sendmail off in ${ZJ}
    jail: ${ZJ}
    sysrc: { name: sendmail_enable, value: NO }  # not the jail's default (NONE): a change
  - name: motd in ${NJ}
    jail: ${NJ}
    file: { path: /etc/motd.template, content: "fleetjail lab jail\\n" }
  - name: marker in ${ZJ}
    jail.exec: { jail: ${ZJ}, cmd: "hostname > /root/made-by-jail-exec", creates: /root/made-by-jail-exec }
`
      : '';
  fs.writeFileSync(
    file,
    `
name: jails
hosts: all
steps:
  - name: ${ZJ}
    jail:
      name: ${ZJ}
      type: thin-zfs
      state: ${state}
      template: ${TEMPLATE_DS}@base
      dataset: zroot/usr/jails/fj/${ZJ}
      path: /usr/jails/fj/${ZJ}
      interface: lo1
      ip4: 10.64.0.10
      params: { allow.sysvipc: 1${v.raw ? ', allow.raw_sockets: true' : ''} }
      boot: ${state !== 'absent'}
      destroy_root: ${v.destroy === true}
  - name: ${NJ}
    jail:
      name: ${NJ}
      type: thin-nullfs
      state: ${state}
      template: ${TEMPLATE}
      path: /usr/jails/fj/${NJ}
      vnet: { epair: 17, bridge: bridge7, address: 192.168.7.17/24, gateway: 192.168.7.1 }
      devfs_ruleset: 5
      boot: ${state !== 'absent'}
      parallel_start: ${state !== 'absent' ? 'true' : 'null'}
      destroy_root: ${v.destroy === true}
  - name: ${TJ}
    jail: { name: ${TJ}, type: thick, state: ${state}, template: ${TEMPLATE}, dataset: zroot/usr/jails/fj/${TJ}, path: /usr/jails/fj/${TJ}, interface: lo1, ip4: 10.64.0.11, destroy_root: ${v.destroy === true} }
${extra}`.replace(/\n\s+parallel_start: null/, ''),
  );
  return file;
}

const CLEAN = `jail -r ${ZJ} >/dev/null 2>&1; jail -r ${NJ} >/dev/null 2>&1; jail -r ${TJ} >/dev/null 2>&1
rm -f /etc/jail.conf.d/${ZJ}.conf /etc/jail.conf.d/${NJ}.conf /etc/jail.conf.d/${TJ}.conf /usr/jails/fj/${NJ}.fstab
zfs destroy -r zroot/usr/jails/fj >/dev/null 2>&1; rm -rf /usr/jails/fj
zfs destroy -r zroot/usr/jails/fjt >/dev/null 2>&1; rm -rf /usr/jails/fjt
# zroot/usr/jails was made (zfs create -p) for these datasets: gone too once empty, so /usr/jails is a plain directory again.
[ "$(zfs list -H -o name -r zroot/usr/jails 2>/dev/null | wc -l)" -eq 1 ] && zfs destroy zroot/usr/jails
ifconfig epair17a destroy >/dev/null 2>&1; ifconfig bridge7 destroy >/dev/null 2>&1; true`;

beforeAll(async () => {
  // Each host keeps what it had: /etc/jail.conf, rc.conf and lo1 are restored in afterAll.
  const prep = await onAll(`${CLEAN}
set -e
cp -p /etc/rc.conf /var/tmp/fj-jail-rc.conf.saved
if [ -e /etc/jail.conf ]; then cp -p /etc/jail.conf /var/tmp/fj-jail-jail.conf.saved; else rm -f /var/tmp/fj-jail-jail.conf.saved; fi
if ifconfig lo1 >/dev/null 2>&1; then rm -f /var/tmp/fj-jail-made-lo1; else ifconfig lo1 create >/dev/null; touch /var/tmp/fj-jail-made-lo1; fi
ifconfig bridge7 create >/dev/null; ifconfig bridge7 up
mkdir -p /var/cache/fj-jail; fetch -q -o /var/cache/fj-jail/base.txz ${BASE_URL}
# The parent is not mounted (canmount=off, as bsdinstall makes zroot/usr): other test files use /usr/jails,
# and zfs-fuse cannot mount over a non-empty directory.
zfs list -H -o name zroot/usr/jails >/dev/null 2>&1 || zfs create -o canmount=off zroot/usr/jails
zfs create -p ${TEMPLATE_DS}
tar -xf /var/cache/fj-jail/base.txz --unlink -C ${TEMPLATE}
zfs snapshot ${TEMPLATE_DS}@base`);
  for (const r of prep) expect(r.stderr).toBe('');
}, 120_000);

afterAll(async () => {
  await onAll(`${CLEAN}
cp -p /var/tmp/fj-jail-rc.conf.saved /etc/rc.conf && rm -f /var/tmp/fj-jail-rc.conf.saved
if [ -e /var/tmp/fj-jail-jail.conf.saved ]; then mv /var/tmp/fj-jail-jail.conf.saved /etc/jail.conf; else rm -f /etc/jail.conf; fi
if [ -e /var/tmp/fj-jail-made-lo1 ]; then ifconfig lo1 destroy; rm -f /var/tmp/fj-jail-made-lo1; fi
rm -rf /var/cache/fj-jail; true`);
  fs.rmSync(tmp, { recursive: true, force: true });
}, 120_000);

describe('jail module on the lab fleet', () => {
  it("first run: the three jails up on every host, at the template's version; other modules act inside them", async () => {
    const { cli, report } = await run(playbook());
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expectChangedOnAll(report, 6);
    for (const h of labHosts()) {
      expect(changesOf(cli, h.name, TJ)[0]).toBe(`create root: a copy of ${TEMPLATE} on zroot/usr/jails/fj/${TJ}`);
      expect(changesOf(cli, h.name, ZJ)).toContain(`create root: zfs clone ${TEMPLATE_DS}@base zroot/usr/jails/fj/${ZJ}`);
      const r = await shRun(
        h,
        `jls name path | sort; jexec ${ZJ} freebsd-version; jexec ${NJ} freebsd-version; jexec ${TJ} freebsd-version; jexec ${NJ} ifconfig epair17b | grep inet; ` +
          `jls -j ${ZJ} allow.sysvipc; cat /usr/jails/fj/${ZJ}/etc/rc.conf; cat /usr/jails/fj/${NJ}.skeleton/etc/motd.template; cat /usr/jails/fj/${ZJ}/root/made-by-jail-exec; ` +
          `grep -E '^jail_(enable|list|parallel_start)=' /etc/rc.conf; mount | grep -c ' on /usr/jails/fj/${NJ}'`,
      );
      expect(r.stdout).toBe(
        [
          `${NJ} /usr/jails/fj/${NJ}`,
          `${TJ} /usr/jails/fj/${TJ}`,
          `${ZJ} /usr/jails/fj/${ZJ}`,
          '14.2-RELEASE',
          '14.2-RELEASE',
          '14.2-RELEASE',
          '\tinet 192.168.7.17 netmask 0xffffff00',
          'true', // allow.sysvipc
          'sendmail_enable="NO"',
          'fleetjail lab jail',
          ZJ,
          'jail_enable="YES"',
          `jail_list="${ZJ} ${NJ}"`,
          'jail_parallel_start="YES"',
          '7', // template ro, 5 skeleton dirs rw, devfs
        ].join('\n') + '\n',
      );
    }
  }, 120_000);

  it('second run: 0 changed on every host', async () => {
    const { cli, report } = await run(playbook());
    expect(cli.code).toBe(0);
    expectChangedOnAll(report, 0);
  }, 60_000);

  it('a symlink planted inside a jail is not followed from the host: steps acting in the jail refuse it', async () => {
    // From the host, the jail's /root/hostetc -> /etc would be the HOST's /etc.
    for (const r of await onAll(`jexec ${ZJ} ln -s /etc /root/hostetc`)) expect(r.stderr).toBe('');
    const escape = path.join(tmp, 'escape.yaml');
    fs.writeFileSync(
      escape,
      `
hosts: all
steps:
  - jail: ${ZJ}
    file: { path: /root/hostetc/fj-escape, content: "x" }
    ignore_errors: true
  - jail: ${ZJ}
    sysrc: { name: fj_escape, value: "1", file: /root/hostetc/rc.conf }
`,
    );
    const { report } = await run(escape);
    for (const h of labHosts()) {
      const errors = report.hosts[h.name]?.steps.map((s) => s.error);
      const refused = `/usr/jails/fj/${ZJ}/root/hostetc: a symlink inside the jail; fleetjail does not follow symlinks in a jail from the host`;
      expect(errors).toEqual([`reading /root/hostetc/fj-escape: ${refused}`, `reading /root/hostetc/rc.conf: ${refused}`]);
    }
    for (const r of await onAll(
      `test -e /etc/fj-escape && echo escaped || echo absent; grep -c fj_escape /etc/rc.conf; rm /usr/jails/fj/${ZJ}/root/hostetc`,
    )) {
      expect(r.stdout).toBe('absent\n0\n');
    }
  });

  it('--check with a changed parameter reports the restart and changes nothing', async () => {
    const before = await onAll(`jls -j ${ZJ} jid; sha256 -q /etc/jail.conf.d/${ZJ}.conf`);
    const { cli, report } = await run(playbook({ raw: true }), '--check');
    expect(cli.code).toBe(0);
    for (const h of labHosts()) {
      expect(report.hosts[h.name]?.changed).toBe(1);
      expect(changesOf(cli, h.name, ZJ)).toEqual([
        `restart: /etc/jail.conf.d/${ZJ}.conf changed`,
        `update /etc/jail.conf.d/${ZJ}.conf`,
        `start jail ${ZJ} again`,
      ]);
    }
    expect(await onAll(`jls -j ${ZJ} jid; sha256 -q /etc/jail.conf.d/${ZJ}.conf`)).toEqual(before);
  }, 60_000);

  it('a changed parameter restarts the running jail, and the report says why', async () => {
    const before = await onAll(`jls -j ${ZJ} jid`);
    const { cli, report } = await run(playbook({ raw: true }), '--diff');
    expect(cli.code).toBe(0);
    expectChangedOnAll(report, 1);
    const after = await onAll(`jls -j ${ZJ} jid; jls -j ${ZJ} allow.raw_sockets; grep raw_sockets /etc/jail.conf.d/${ZJ}.conf`);
    labHosts().forEach((h, i) => {
      expect(changesOf(cli, h.name, ZJ)[0]).toBe(`restart: /etc/jail.conf.d/${ZJ}.conf changed`);
      expect(cli.stdout).toContain(`${h.name} |   +  allow.raw_sockets;`);
      const [jid, raw, line] = after[i]!.stdout.trim().split('\n');
      expect(Number(jid)).toBeGreaterThan(Number(before[i]!.stdout.trim()));
      expect(raw).toBe('true');
      expect(line).toBe('  allow.raw_sockets;');
    });
    expectChangedOnAll((await run(playbook({ raw: true }))).report, 0);
  }, 90_000);

  it('after a template update, a re-run brings every jail to the new patch level', async () => {
    const up = await onAll(
      `freebsd-update --not-running-from-cron -b ${TEMPLATE} fetch install >/dev/null && chroot ${TEMPLATE} /bin/freebsd-version && zfs snapshot ${TEMPLATE_DS}@p3`,
    );
    for (const r of up) expect(r.stdout).toBe('14.2-RELEASE-p3\n');
    const { cli, report } = await run(playbook({ raw: true }));
    expect(cli.code, cli.stdout).toBe(0);
    expectChangedOnAll(report, 3);
    for (const h of labHosts()) {
      expect(changesOf(cli, h.name, TJ)).toContain(
        `update root: 14.2-RELEASE -> 14.2-RELEASE-p3 (the template's patch level), freebsd-update -b /usr/jails/fj/${TJ}`,
      );
      expect(changesOf(cli, h.name, ZJ)).toContain(
        `update root: 14.2-RELEASE -> 14.2-RELEASE-p3 (the template's patch level), freebsd-update -b /usr/jails/fj/${ZJ}`,
      );
      expect(changesOf(cli, h.name, NJ)[0]).toBe('restart: template updated to 14.2-RELEASE-p3 (jail started on 14.2-RELEASE)');
      const r = await shRun(h, `jexec ${ZJ} freebsd-version; jexec ${NJ} freebsd-version; jexec ${TJ} freebsd-version`);
      expect(r.stdout).toBe('14.2-RELEASE-p3\n14.2-RELEASE-p3\n14.2-RELEASE-p3\n');
    }
    expectChangedOnAll((await run(playbook({ raw: true }))).report, 0);
  }, 120_000);

  it('state stopped stops every jail (and their epair goes); a re-run changes nothing', async () => {
    const { cli, report } = await run(playbook({ raw: true, state: 'stopped' }));
    expect(cli.code).toBe(0);
    expectChangedOnAll(report, 3);
    for (const r of await onAll(`jls name; ifconfig -l; mount | grep -c ' on /usr/jails/fj/' || true`)) {
      expect(r.stdout).not.toMatch(/fjzfs|fjnull|fjthick/);
      expect(r.stdout).not.toContain('epair17');
    }
    expectChangedOnAll((await run(playbook({ raw: true, state: 'stopped' }))).report, 0);
  }, 90_000);

  it('absent without destroy_root keeps the roots; with destroy_root removes them', async () => {
    const kept = await run(playbook({ state: 'absent' }));
    expect(kept.cli.code).toBe(0);
    expectChangedOnAll(kept.report, 3);
    for (const r of await onAll(
      `ls /etc/jail.conf.d; zfs list -H -o name zroot/usr/jails/fj/${TJ} zroot/usr/jails/fj/${ZJ}; ls /usr/jails/fj/${NJ}.skeleton; grep '^jail_list=' /etc/rc.conf`,
    )) {
      expect(r.stdout).toBe(`zroot/usr/jails/fj/${TJ}\nzroot/usr/jails/fj/${ZJ}\netc\nroot\ntmp\nusr\nvar\njail_list=""\n`);
    }
    const gone = await run(playbook({ state: 'absent', destroy: true }));
    expect(gone.cli.code, gone.cli.stdout).toBe(0);
    expectChangedOnAll(gone.report, 3);
    for (const r of await onAll(`zfs list -H -o name -r zroot/usr/jails/fj; ls /usr/jails/fj; ls ${TEMPLATE}/bin/freebsd-version`)) {
      expect(r.stdout).toBe(`zroot/usr/jails/fj\n${TEMPLATE}/bin/freebsd-version\n`);
    }
    expectChangedOnAll((await run(playbook({ state: 'absent', destroy: true }))).report, 0);
  }, 90_000);
});
