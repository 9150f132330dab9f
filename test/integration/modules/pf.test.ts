/**
 * The pf module on every lab host. The lab's pfctl emulates a lockout (a loaded ruleset that
 * blocks a new SSH connection to port 22 stops the host's sshd listener, while open sessions
 * go on), so these tests show the promise for real: a ruleset that would lock fleetjail out is
 * rolled back over the session that loaded it, and the host's own timer rolls back a change
 * nobody confirmed.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyScript } from '../../../src/modules/pf/scripts.js';
import { sha256Hex } from '../../../src/util/digest.js';
import { expectChangedOnAll, onAllHosts as onAll, runWithReport as run, scratchDir, writeFile } from '../../support/playbook.js';
import { labHosts, shRun } from '../../support/lab.js';

const dir = scratchDir();
const GOOD = `# fleetjail pf test
set skip on lo0
pass in on em0 proto tcp to port 22 keep state
block in on em0 proto tcp to port 5999
pass out keep state
`;
const LOCKOUT = 'block in all\npass out keep state\n';
const playbook = (name: string, args: string) => writeFile(dir, `${name}.yaml`, `hosts: all\nsteps:\n  - pf: ${args}\n`);
const good = playbook('good', JSON.stringify({ rules: GOOD, confirm_timeout: 30 }));
const lockout = playbook('lockout', JSON.stringify({ rules: LOCKOUT, confirm_timeout: 30 }));
const off = playbook('off', '{ enabled: false }');
/** What each host shows of pf: status, rules loaded, rc.conf, the file, and leftovers. */
const STATE = `pfctl -s info | head -n 1 | cut -d' ' -f2; pfctl -s rules | grep -c 5999; sysrc -n pf_enable; sha256 -q /etc/pf.conf; ls /etc/pf.conf.fleetjail-new /var/run/fleetjail-pf.pending 2>&1 | grep -c 'No such file'`;

beforeAll(async () => {
  for (const r of await onAll(`set -e
if [ -e /etc/pf.conf ]; then cp -p /etc/pf.conf /var/tmp/fj-pf.conf.saved; else rm -f /var/tmp/fj-pf.conf.saved; fi
cp -p /etc/rc.conf /var/tmp/fj-pf-rc.conf.saved
if pfctl -s info 2>/dev/null | grep -q 'Status: Enabled'; then pfctl -q -d; echo enabled > /var/tmp/fj-pf.was; else rm -f /var/tmp/fj-pf.was; fi`))
    expect(r.stderr).toBe('');
});

afterAll(async () => {
  await onAll(`pfctl -q -d 2>/dev/null
if [ -e /var/tmp/fj-pf.conf.saved ]; then mv /var/tmp/fj-pf.conf.saved /etc/pf.conf; else rm -f /etc/pf.conf; fi
mv /var/tmp/fj-pf-rc.conf.saved /etc/rc.conf
rm -f /etc/pf.conf.fleetjail-new /var/run/fleetjail-pf.pending
if [ -e /var/tmp/fj-pf.was ]; then pfctl -q -f /etc/pf.conf; pfctl -q -e; rm /var/tmp/fj-pf.was; fi`);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('pf on the lab fleet', () => {
  it('first run: pf_enable, the ruleset loaded and pf enabled, confirmed over a new session', async () => {
    const { cli, report } = await run(good);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expectChangedOnAll(report, 1);
    for (const r of await onAll(STATE)) expect(r.stdout).toBe(`Enabled\n1\nYES\n${sha256Hex(GOOD)}\n2\n`);
  });

  it('second run changes nothing, in one round trip', async () => {
    const { report } = await run(good);
    expectChangedOnAll(report, 0);
    for (const h of labHosts()) expect(report.hosts[h.name]?.roundTrips, h.name).toBe(1);
  });

  it('a ruleset that would lock SSH out is rolled back at once on every host; nothing of it stays', async () => {
    const { cli, report } = await run(lockout);
    expect(cli.code).toBe(2);
    for (const h of labHosts()) {
      const step = report.hosts[h.name]?.steps[0];
      expect(step?.status, h.name).toBe('failed');
      expect(step?.error).toMatch(/^a new SSH session could not get in after the change \(.*\); the change was rolled back at once$/);
    }
    // These checks are themselves new SSH sessions: the hosts let them in again.
    for (const r of await onAll(STATE)) expect(r.stdout).toBe(`Enabled\n1\nYES\n${sha256Hex(GOOD)}\n2\n`);
  });

  it("a change nobody confirms is undone by the host's own timer", async () => {
    const [h] = labHosts();
    if (!h) throw new Error('no lab hosts');
    await shRun(h, `printf '%s' '${LOCKOUT}' > /var/tmp/fj-lockout.conf`);
    // The apply half alone, with a 2 s timer, as if fleetjail had died right after it.
    const applied = await shRun(
      h,
      `( ${applyScript({ path: '/etc/pf.conf', wasEnabled: true, timeoutSec: 2 })} ) < /var/tmp/fj-lockout.conf`,
    );
    expect(applied.stderr).toBe('');
    expect((await shRun(h, 'true')).code).toBe(255); // locked out
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect((await shRun(h, `${STATE}; rm /var/tmp/fj-lockout.conf`)).stdout).toBe(`Enabled\n1\nYES\n${sha256Hex(GOOD)}\n2\n`);
  });

  it('enabled: false disables pf and pf_enable', async () => {
    const { report } = await run(off, '--diff');
    expectChangedOnAll(report, 1);
    for (const h of labHosts()) {
      expect(report.hosts[h.name]?.steps[0]?.diff, h.name).toEqual([
        { type: 'value', name: '/etc/rc.conf: pf_enable', before: 'YES', after: 'NO' },
        { type: 'value', name: 'pf', before: 'enabled', after: 'disabled' },
      ]);
    }
    for (const r of await onAll('pfctl -s info | head -n 1 | cut -d" " -f2; sysrc -n pf_enable')) expect(r.stdout).toBe('Disabled\nNO\n');
  });
});
