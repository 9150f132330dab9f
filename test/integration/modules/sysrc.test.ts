/**
 * The sysrc module on every lab host: rc.conf is edited on the controller and written back in
 * one atomic write for consecutive steps, so what matters is that FreeBSD's own readers agree
 * with it: the lab's sysrc(8) and rc(8)'s way of reading the file (sourcing it with sh) see
 * exactly the values asked for, hand-written lines and comments stay, the file keeps its mode
 * and owner, and a second run changes nothing.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectChangedOnAll, onAllHosts as onAll, runWithReport as run, scratchDir, writeFile } from '../../support/playbook.js';
import { labHosts, shRun } from '../../support/lab.js';

const dir = scratchDir();
const SITE = `# site: hand-written, fleetjail must keep this
fj_t_keep="kept"   # a comment
fj_t_over="old" # trailing comment kept
fj_t_list="a b"
fj_t_gone=1; fj_t_keep2=2
`;
const TRICKY = `it's "q" $HOME \`id\` back\\slash`;
const MULTI = 'line1\nline2';
const playbook = writeFile(dir, 'sysrc.yaml', `
name: sysrc on rc.conf
hosts: all
steps:
  - sysrc: { name: fj_t_over, value: new }
  # service(8)'s enable goes through sysrc(8) on the host: the steps after it read rc.conf again
  - service: { name: pflog, enabled: true }
  - sysrc: { name: fj_t_tricky, value: ${JSON.stringify(TRICKY)} }
  - sysrc: { name: fj_t_multi, value: ${JSON.stringify(MULTI)} }
  - sysrc: { name: fj_t_list, item: c }
  - sysrc: { name: fj_t_gone, state: absent }
`);
const VARS = 'fj_t_keep fj_t_over fj_t_tricky fj_t_multi fj_t_list fj_t_gone fj_t_keep2';
/** rc(8)'s view: the file sourced by sh, each variable then printed between brackets. */
const SOURCED = `( . /etc/rc.conf; for v in ${VARS}; do eval "printf '[%s]' \\"\\\${$v-unset}\\""; done )`;

beforeAll(async () => {
  for (const r of await onAll(`set -e
cp -p /etc/rc.conf /var/tmp/fj-sysrc-rc.conf.saved
printf '%s' '${SITE}' >> /etc/rc.conf`)) expect(r.stderr).toBe('');
});

afterAll(async () => {
  await onAll('mv /var/tmp/fj-sysrc-rc.conf.saved /etc/rc.conf');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sysrc on the lab fleet', () => {
  it('first run: the sysrc steps around a service enable are two writes of rc.conf per host, read back alike by sh and by sysrc(8)', async () => {
    const { cli, report } = await run(playbook);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expectChangedOnAll(report, 6);
    // facts; fj_t_over; the service's facts again (an rc.conf change may concern any service);
    // the enable; rc.conf read again; the four other sysrc steps as one write
    for (const h of labHosts()) expect(report.hosts[h.name]?.roundTrips, h.name).toBe(6);
    const want = ['kept', 'new', TRICKY, MULTI, 'a b c', 'unset', '2'].map((v) => `[${v}]`).join('');
    for (const r of await onAll(`${SOURCED}; echo; sysrc -n fj_t_over fj_t_list fj_t_keep2; stat -f '%Mp%Lp %Su:%Sg' /etc/rc.conf; grep -c 'fleetjail must keep this' /etc/rc.conf; grep '^fj_t_over=' /etc/rc.conf; sysrc -n pflog_enable`)) {
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${want}\nnew\na b c\n2\n0644 root:wheel\n1\nfj_t_over="new" # trailing comment kept\nYES\n`);
    }
  });

  it('second run changes nothing; a hand edit on one host is the only drift --check shows', async () => {
    const again = await run(playbook);
    expectChangedOnAll(again.report, 0);
    const [first] = labHosts();
    if (!first) throw new Error('no lab hosts');
    expect((await shRun(first, 'sysrc fj_t_list="a b"')).stdout).toBe('fj_t_list: a b c -> a b\n');
    const { cli, report } = await run(playbook, '--check', '--diff');
    expect(report.hosts[first.name]?.changed).toBe(1);
    expect(report.hosts[first.name]?.steps.find((s) => s.changed)?.diff).toEqual([{ type: 'value', name: '/etc/rc.conf: fj_t_list', before: 'a b', after: 'a b c' }]);
    for (const h of labHosts().slice(1)) expect(report.hosts[h.name]?.changed, h.name).toBe(0);
    expect(cli.code).toBe(0);
    expect((await shRun(first, 'sysrc -n fj_t_list')).stdout).toBe('a b\n');
  });

  it('an assignment it cannot rewrite safely fails the step with its line, and the file is untouched', async () => {
    const [first] = labHosts();
    if (!first) throw new Error('no lab hosts');
    await shRun(first, "echo 'fj_t_a=1 fj_t_b=2' >> /etc/rc.conf; sha256 -q /etc/rc.conf > /var/tmp/fj-sysrc.sum");
    const refused = writeFile(dir, 'refused.yaml', 'hosts: all\nsteps:\n  - sysrc: { name: fj_t_b, state: absent }\n');
    const { cli, report } = await run(refused, '--limit', first.name);
    expect(cli.code).toBe(2);
    expect(report.hosts[first.name]?.steps[0]?.error).toMatch(/^line \d+: the assignment to fj_t_b shares its line in a way fleetjail does not rewrite; edit it by hand$/);
    expect((await shRun(first, '[ "$(sha256 -q /etc/rc.conf)" = "$(cat /var/tmp/fj-sysrc.sum)" ] && echo same; rm /var/tmp/fj-sysrc.sum')).stdout).toBe('same\n');
  });
});
