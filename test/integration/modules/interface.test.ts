/**
 * interface on every lab host (#5 point 4), through the CLI: seed 000's cloned loopback with
 * an alias range (on lo3 here: other test files use lo1), a tap and a bridge with the tap as
 * member, and a jail on an lo3 address started in the same run. Checked over plain ssh
 * (ifconfig, rc.conf, jls): the second run changes nothing, a lost address is seen by
 * --check and put back, a shrunk range removes only what the range had added (the jail's
 * address stays), the interface of the SSH session is never taken down, and state absent
 * removes it all. The lab's interfaces are emulated state (test/lab/README.md): nothing
 * touches the machine's network.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectChangedOnAll, onAllHosts as onAll, runWithReport as run } from '../../support/playbook.js';
import { labHosts } from '../../support/lab.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-iface-'));
const TEMPLATE = '/usr/jails/fjif-template';
const JAIL = 'fjif';

interface Variant {
  range?: string;
  state?: 'present' | 'absent';
}

function playbook(v: Variant = {}): string {
  const state = v.state ?? 'present';
  const file = path.join(tmp, `iface-${v.range ?? '0-9'}-${state}.yaml`);
  const jailStep = `
  - name: jail on lo3
    jail: { name: ${JAIL}, type: thick, template: ${TEMPLATE}, path: /usr/jails/${JAIL}, interface: lo3, ip4: 192.168.1.12, state: ${state === 'absent' ? 'absent' : 'running'}, destroy_root: ${state === 'absent'} }`;
  const ifaces =
    state === 'absent'
      ? `
  - name: lo3
    interface: { name: lo3, state: absent }
  - name: bridge3
    interface: { name: bridge3, state: absent }
  - name: tap3
    interface: { name: tap3, state: absent }`
      : `
  - name: lo3
    interface: { name: lo3, aliases: ['inet 192.168.1.${v.range ?? '0-9'}'] }
  - name: tap3
    interface: { name: tap3, up: true }
  - name: bridge3
    interface: { name: bridge3, address: 192.168.7.1/24, addm: [tap3], up: true }`;
  // Absent: the jail first (jail -r takes its address off lo3), then the interfaces.
  fs.writeFileSync(
    file,
    `
name: interfaces
hosts: all
steps:${state === 'absent' ? jailStep + ifaces : ifaces + jailStep}
`,
  );
  return file;
}

const LO3 = `ifconfig lo3 | sed -n 's/^.inet \\([0-9.]*\\) .*/\\1/p' | tr '\\n' ' '`;
const CLEAN = `jail -r ${JAIL} >/dev/null 2>&1; rm -rf /usr/jails/${JAIL} /etc/jail.conf.d/${JAIL}.conf
for i in lo3 bridge3 tap3; do ifconfig $i destroy >/dev/null 2>&1; done; true`;

beforeAll(async () => {
  const r = await onAll(`${CLEAN}
set -e
cp -p /etc/rc.conf /var/tmp/fj-iface-rc.conf.saved
if [ -e /etc/jail.conf ]; then cp -p /etc/jail.conf /var/tmp/fj-iface-jail.conf.saved; else rm -f /var/tmp/fj-iface-jail.conf.saved; fi
rm -rf ${TEMPLATE}; sh /.sys/userland/lib/jail/mini-root.sh ${TEMPLATE} >/dev/null
# The jail module knows a thick root by its freebsd-version's USERLAND_VERSION (mini-root's has none).
echo 'USERLAND_VERSION="14.2-RELEASE"' >> ${TEMPLATE}/bin/freebsd-version`);
  for (const x of r) expect(x.stderr).toBe('');
});

afterAll(async () => {
  await onAll(`${CLEAN}
mv /var/tmp/fj-iface-rc.conf.saved /etc/rc.conf
if [ -e /var/tmp/fj-iface-jail.conf.saved ]; then mv /var/tmp/fj-iface-jail.conf.saved /etc/jail.conf; else rm -f /etc/jail.conf; fi
rm -rf ${TEMPLATE}; true`);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('interface on the lab fleet', () => {
  it('first run: lo3 with the range, tap3 in bridge3, and a jail on lo3 started in the same run', async () => {
    const { cli, report } = await run(playbook());
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expectChangedOnAll(report, 4);
    for (const r of await onAll(
      `${LO3}; echo; ifconfig bridge3 | grep -E 'flags|inet |member'; grep -E '^(cloned_interfaces|ifconfig_)' /etc/rc.conf; jls name ip4.addr; jexec ${JAIL} hostname`,
    )) {
      expect(r.stdout).toBe(
        [
          `${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12].map((k) => `192.168.1.${k}`).join(' ')} `,
          'bridge3: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500',
          '\tinet 192.168.7.1 netmask 0xffffff00 broadcast 192.168.7.255',
          '\tmember: tap3 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>',
          'cloned_interfaces="lo3 tap3 bridge3"',
          'ifconfig_lo3_alias0="inet 192.168.1.0-9"',
          'ifconfig_tap3="up"',
          'ifconfig_bridge3="inet 192.168.7.1/24 addm tap3 up"',
          `${JAIL} 192.168.1.12`,
          JAIL,
        ].join('\n') + '\n',
      );
    }
  });

  it('second run: 0 changed', async () => {
    const { cli, report } = await run(playbook());
    expect(cli.code).toBe(0);
    expectChangedOnAll(report, 0);
  });

  it('a lost address: --check reports it and changes nothing; a run puts it back, with --diff', async () => {
    await onAll('ifconfig lo3 inet 192.168.1.5 -alias');
    const { cli, report } = await run(playbook(), '--check');
    expect(cli.code).toBe(0);
    expectChangedOnAll(report, 1);
    expect(cli.stdout).toContain('lo3: would change: lo3: add 192.168.1.5');
    for (const r of await onAll(LO3)) expect(r.stdout).not.toContain('192.168.1.5 ');
    const fixed = await run(playbook(), '--diff');
    expectChangedOnAll(fixed.report, 1);
    for (const h of labHosts()) expect(fixed.cli.stdout).toMatch(new RegExp(`${h.name} \\|.*lo3 addresses:.*192\\.168\\.1\\.5`));
    for (const r of await onAll(LO3)) expect(r.stdout).toContain('192.168.1.5 ');
  });

  it("a shrunk range removes what the range had added, and leaves the jail's address", async () => {
    const { cli, report } = await run(playbook({ range: '0-4' }));
    expect(cli.code, cli.stdout).toBe(0);
    expectChangedOnAll(report, 1);
    for (const r of await onAll(`${LO3}; echo; grep '^ifconfig_lo3' /etc/rc.conf`)) {
      expect(r.stdout).toBe(
        '192.168.1.0 192.168.1.1 192.168.1.2 192.168.1.3 192.168.1.4 192.168.1.12 \nifconfig_lo3_alias0="inet 192.168.1.0-4"\n',
      );
    }
    expectChangedOnAll((await run(playbook({ range: '0-4' }))).report, 0);
  });

  it('never takes down the interface the SSH session runs over', async () => {
    const file = path.join(tmp, 'down.yaml');
    fs.writeFileSync(file, 'name: down\nhosts: all\nsteps:\n  - name: em0 down\n    interface: { name: em0, up: false }\n');
    const { cli, report } = await run(file);
    expect(cli.code).toBe(2);
    for (const h of labHosts())
      expect(report.hosts[h.name]?.steps[0]?.error).toContain('refusing to bring em0 down: the SSH connection runs over em0');
    for (const r of await onAll('ifconfig em0 | head -n 1')) expect(r.stdout).toMatch(/<UP,/);
  });

  it('state absent: the jail, then lo3, bridge3 and tap3 gone from rc.conf and the system; again: 0 changed', async () => {
    const { cli, report } = await run(playbook({ state: 'absent' }));
    expect(cli.code, cli.stdout).toBe(0);
    expectChangedOnAll(report, 4);
    for (const r of await onAll(`ifconfig -l; grep -E '^(cloned_interfaces|ifconfig_)' /etc/rc.conf; jls name`)) {
      expect(r.stdout).toBe('em0 lo0\ncloned_interfaces=""\n');
    }
    expectChangedOnAll((await run(playbook({ state: 'absent' }))).report, 0);
  });
});
