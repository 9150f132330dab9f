/**
 * Issue #11, findings 1-4, as a hostile tester reproduced them on the lab (every host: odd
 * ones log in with sh, even ones with tcsh). Each test failed on the code before the fix:
 *  1. a thin-nullfs jail's template path ran `touch` as root from exec.prestart at every start;
 *  2. `file` with `jail:` and a path with `..` wrote into the host's /tmp; the step's `jail:`
 *     name was only checked to be non-empty;
 *  3. a probe (`unless`) ending in a `# comment` or an `exit 0` read as failed: the guarded
 *     command ran;
 *  4. `owner: "-R"` reached chown as an option.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetjail } from '../../support/cli.js';
import { labHosts, labPaths, shRun } from '../../support/lab.js';
import { onAllHosts, runWithReport, scratchDir, writeFile } from '../../support/playbook.js';

const dir = scratchDir();
const JAIL = 'fjsec';
const JAIL_ROOT = `/usr/jails/${JAIL}`;
// A legal directory name (no blank: jail(8) splits fstab lines on blanks) that is shell text: ; ends
// a command, $( ) substitutes, > creates a file. Written unquoted into exec.prestart, it creates both.
const ODD_TEMPLATE = '/usr/jails/fjsec-tpl/t;>/tmp/fj-pwned-1;$(>/tmp/fj-pwned-2)x';
const NULLFS = 'fjsecn';

const CLEAN = `jail -r ${JAIL} >/dev/null 2>&1; jail -r ${NULLFS} >/dev/null 2>&1
rm -f /etc/jail.conf.d/${NULLFS}.conf /tmp/fj-pwned-1 /tmp/fj-pwned-2 /tmp/fj-escape-2 /var/tmp/fj-probe-* /var/run/jail_${NULLFS}.template-version
rm -rf ${JAIL_ROOT} /usr/jails/fjsec-tpl /usr/jails/fjsecn /usr/jails/fjsecn.skeleton /usr/jails/fjsecn.fstab /var/tmp/fj-owner; true`;

beforeAll(async () => {
  const prep = await onAllHosts(`${CLEAN}
set -e
cp -p /etc/rc.conf /var/tmp/fj-sec-rc.conf.saved
if [ -e /etc/jail.conf ]; then cp -p /etc/jail.conf /var/tmp/fj-sec-jail.conf.saved; else rm -f /var/tmp/fj-sec-jail.conf.saved; fi
sh /.sys/userland/lib/jail/mini-root.sh ${JAIL_ROOT} >/dev/null
jail -c name=${JAIL} path=${JAIL_ROOT} persist >/dev/null
mkdir -p '${ODD_TEMPLATE}' && sh /.sys/userland/lib/jail/mini-root.sh '${ODD_TEMPLATE}' >/dev/null`);
  for (const r of prep) expect(r.stderr).toBe('');
}, 120_000);

afterAll(async () => {
  await onAllHosts(`${CLEAN}
cp -p /var/tmp/fj-sec-rc.conf.saved /etc/rc.conf && rm -f /var/tmp/fj-sec-rc.conf.saved
if [ -e /var/tmp/fj-sec-jail.conf.saved ]; then mv /var/tmp/fj-sec-jail.conf.saved /etc/jail.conf; else rm -f /etc/jail.conf; fi; true`);
  fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

const play = (name: string, steps: unknown[]) => writeFile(dir, `${name}.yaml`, JSON.stringify({ name, hosts: 'all', steps }, null, 1));

describe('issue #11 findings on the lab fleet', () => {
  it('1: a thin-nullfs template path is quoted for sh inside jail.conf: the jail starts, nothing else runs', async () => {
    const pb = play('f1', [
      { name: NULLFS, jail: { name: NULLFS, type: 'thin-nullfs', template: ODD_TEMPLATE, path: `/usr/jails/${NULLFS}` } },
    ]);
    const { cli, report } = await runWithReport(pb);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    for (const h of labHosts()) {
      expect(report.hosts[h.name]?.status).toBe('changed');
      // exec.prestart copied the template's version (the path reached cp whole) and ran nothing else.
      const r = await shRun(
        h,
        `jls -j ${NULLFS} name; cmp -s '${ODD_TEMPLATE}/bin/freebsd-version' /var/run/jail_${NULLFS}.template-version && echo copied; ls /tmp/fj-pwned-1 /tmp/fj-pwned-2 2>&1 | grep -c 'No such file'`,
      );
      expect(r.stdout).toBe(`${NULLFS}\ncopied\n2\n`);
    }
    // A restart runs exec.prestart again: still nothing.
    await onAllHosts(`jail -r ${NULLFS} >/dev/null && jail -c ${NULLFS} >/dev/null`);
    for (const r of await onAllHosts('ls /tmp/fj-pwned-1 /tmp/fj-pwned-2 2>&1 | grep -c "No such file"')) expect(r.stdout).toBe('2\n');
  }, 120_000);

  it("2: a path inside a jail cannot climb out of its root, and the step's jail: is a jail name", async () => {
    const escape = play('f2', [{ name: 'escape', jail: JAIL, file: { path: '/../../../../tmp/fj-escape-2', content: 'escaped\n' } }]);
    const r = await fleetjail(['run', escape, '-i', labPaths.inventory]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/f2\.yaml:\d+:\d+: .*path.*must not climb above \/ with \.\./);
    const named = play('f2b', [{ name: 'bad jail', jail: '../fjsec', file: { path: '/etc/motd', content: 'x\n' } }]);
    const n = await fleetjail(['run', named, '-i', labPaths.inventory]);
    expect(n.code, n.stdout + n.stderr).toBe(1);
    expect(n.stderr).toMatch(/f2b\.yaml:\d+:\d+: jail: "\.\.\/fjsec" is not a jail name/);
    // A path that stays inside (a .. within it) is normalised and written inside the jail.
    const inside = play('f2c', [{ name: 'inside', jail: JAIL, file: { path: '/tmp/../tmp/fj-inside', content: 'inside\n' } }]);
    const ok = await fleetjail(['run', inside, '-i', labPaths.inventory]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    for (const res of await onAllHosts(`cat ${JAIL_ROOT}/tmp/fj-inside; ls /tmp/fj-escape-2 2>&1 | grep -c 'No such file'`))
      expect(res.stdout).toBe('inside\n1\n');
  }, 120_000);

  it('3: a probe ending in a comment, or calling exit, is read by its own exit status', async () => {
    const pb = play('f3', [
      { name: 'comment', command: { cmd: 'touch /var/tmp/fj-probe-comment', unless: 'true # a comment' } },
      { name: 'exit', command: { cmd: 'touch /var/tmp/fj-probe-exit', unless: 'exit 0' } },
      { name: 'onlyif', command: { cmd: 'touch /var/tmp/fj-probe-onlyif', onlyif: 'test -d / # runs' } },
      { name: 'in jail', 'jail.exec': { jail: JAIL, cmd: 'touch /tmp/fj-probe-jail', unless: 'true # a comment' } },
    ]);
    const { cli, report } = await runWithReport(pb);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    for (const h of labHosts())
      expect(report.hosts[h.name]?.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
        'comment:ok',
        'exit:ok',
        'onlyif:changed',
        'in jail:ok',
      ]);
    for (const r of await onAllHosts(
      `ls /var/tmp/fj-probe-comment /var/tmp/fj-probe-exit ${JAIL_ROOT}/tmp/fj-probe-jail 2>&1 | grep -c 'No such file'; ls /var/tmp/fj-probe-onlyif`,
    )) {
      expect(r.stdout).toBe('3\n/var/tmp/fj-probe-onlyif\n');
    }
  }, 120_000);

  it('4: an owner that looks like an option is refused before any host is contacted', async () => {
    await onAllHosts('mkdir -p /var/tmp/fj-owner/sub && chown -R ops /var/tmp/fj-owner');
    const pb = play('f4', [{ name: 'owner', file: { path: '/var/tmp/fj-owner', state: 'directory', owner: '-R', group: 'wheel' } }]);
    const r = await fleetjail(['run', pb, '-i', labPaths.inventory]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/f4\.yaml:\d+:\d+: .*owner.*not starting with -/);
    for (const res of await onAllHosts('stat -f %Su /var/tmp/fj-owner /var/tmp/fj-owner/sub')) expect(res.stdout).toBe('ops\nops\n');
  }, 60_000);
});
