/** sysrc(8) on a lab host (#3 point 5): FreeBSD's semantics, output and the reference shapes. */
import { afterAll, describe, expect, it } from 'vitest';
import { labHosts, sshRun } from '../../support/lab.js';
import { referenceLines } from './reference.js';

const host = () => labHosts()[0]!;
const run = async (cmd: string) => sshRun(host(), cmd);

afterAll(async () => {
  await run(
    'sysrc -x pf_enable pflog_enable linux_enable firewall_enable nginx_enable 2>/dev/null; rm -f /etc/rc.conf.local /boot/loader.conf /usr/local/etc/rc.conf.d/vm',
  );
});

describe('sysrc', () => {
  it("reads the host's rc.conf, falls back to /etc/defaults/rc.conf, and prints FreeBSD's unknown-variable error", async () => {
    const r = await run('sysrc sshd_enable hostname; sysrc -n pf_rules; sysrc -f /boot/loader.conf -n linprocfs_load; echo "rc=$?"');
    expect(r.stdout).toBe(`sshd_enable: YES\nhostname: ${host().name}\n/etc/pf.conf\nrc=1\n`);
    expect(r.stderr).toBe(referenceLines('sysrc-unknown-01.txt')[0] + '\n');
  });

  it('prints "name: old -> new" like the reference outputs (set-01 .. set-06)', async () => {
    const r = await run(`sysrc linux_enable=YES; sysrc -f /boot/loader.conf linprocfs_load=YES; sysrc -f /boot/loader.conf linsysfs_load=YES
sysrc -f /boot/loader.conf tmpfs_load=YES; sysrc pf_enable="YES"; sysrc pflog_enable="YES"; sysrc firewall_enable="YES"
mkdir -p /usr/local/etc/rc.conf.d; sysrc -f /usr/local/etc/rc.conf.d/vm vm_list+=ubuntu`);
    expect(r.code, r.stderr).toBe(0);
    // sysrc-set-01 comes from a system whose defaults lacked linux_enable (old value empty);
    // FreeBSD 14's /etc/defaults/rc.conf has linux_enable="NO".
    const set01 = referenceLines('sysrc-set-01.txt');
    expect(set01[0]).toBe('linux_enable:  -> YES');
    expect(r.stdout.trim().split('\n')).toEqual([
      'linux_enable: NO -> YES',
      ...set01.slice(1),
      ...referenceLines('sysrc-set-03.txt'),
      ...referenceLines('sysrc-set-04.txt'),
      ...referenceLines('sysrc-set-05.txt'),
      ...referenceLines('sysrc-set-06.txt'),
    ]);
    const again = await run('sysrc nginx_enable=NO >/dev/null; sysrc nginx_enable="YES"');
    expect(again.stdout.trim()).toBe(referenceLines('sysrc-set-02.txt')[1]);
  });

  it('-a lists the non-default variables in FreeBSD\'s "name: value" shape, sorted', async () => {
    const r = await run('printf \'clear_tmp_enable="YES"\\ndumpdev="AUTO"\\n\' > /tmp/rc-a; sysrc -f /tmp/rc-a -a');
    expect(r.stdout.trim().split('\n')).toEqual(referenceLines('sysrc-a-01.txt'));
  });

  it('-x removes, -i ignores unknowns, -e prints sh syntax', async () => {
    const r = await run('sysrc -x firewall_enable; sysrc -n firewall_enable; sysrc -i nosuchvar; echo "rc=$?"; sysrc -e sshd_enable');
    expect(r.stdout).toBe('NO\nrc=1\nsshd_enable="YES"\n');
    expect(r.stderr).toBe('');
  });

  it('rewrites multi-line quoted values without corrupting the file', async () => {
    const r = await run(`printf 'a="1"\\nml="x\\ny=2\\nz"\\nb="2"  # note\\n' > /etc/rc.conf.local
sysrc ml; sysrc ml="one"; sysrc b=3; cat /etc/rc.conf.local; sysrc -n y; echo "rc=$?"`);
    expect(r.stdout).toBe('ml: x\ny=2\nz\nml: x\ny=2\nz -> one\nb: 2 -> 3\na="1"\nml="one"\nb="3"  # note\nrc=1\n');
  });

  it("-R ROOT and -j JAIL run sysrc inside another root, as FreeBSD's (chroot / jexec)", async () => {
    const setup = await run(
      'rm -rf /tmp/r && sh /.sys/userland/lib/jail/mini-root.sh /tmp/r >/dev/null 2>&1; mkdir -p /tmp/r/etc/defaults; cp /etc/defaults/rc.conf /tmp/r/etc/defaults/; cp /etc/rc.subr /tmp/r/etc/; : > /tmp/r/etc/rc.conf; echo ok',
    );
    expect(setup.stdout.trim()).toBe('ok');
    const r = await run('sysrc -R /tmp/r sshd_enable=YES; sysrc -R /tmp/r -n sshd_enable; cat /tmp/r/etc/rc.conf; sysrc -n sshd_flags');
    expect(r.stdout, r.stderr).toBe('sshd_enable: NO -> YES\nYES\nsshd_enable="YES"\n\n');
    const jailed =
      await run(`jail -c name=sysrcj path=/tmp/r persist >/dev/null && sysrc -j sysrcj sshd_enable=NO && sysrc -j sysrcj -n sshd_enable
cat /tmp/r/etc/rc.conf; jail -r sysrcj >/dev/null`);
    expect(jailed.stdout, jailed.stderr).toBe('sshd_enable: YES -> NO\nNO\nsshd_enable="NO"\n');
    const missing = await run('sysrc -j nosuchjail sshd_enable; echo "rc=$?"');
    expect(missing.stderr).toContain('jexec: jail "nosuchjail" not found');
    expect(missing.stdout.trim()).toBe('rc=1');
  });
});
