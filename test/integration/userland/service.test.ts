/** service(8), rc.subr and rc.d/sshd on a lab host (#3 point 5), against the service-* references. */
import { afterAll, describe, expect, it } from 'vitest';
import { labHosts, sshRun } from '../../support/lab.js';
import { referenceLines } from './reference.js';

const host = () => labHosts()[0]!;
const run = async (cmd: string) => sshRun(host(), cmd);

afterAll(async () => {
  await run(
    'sysrc sshd_enable=YES >/dev/null; sysrc -x pflog_enable 2>/dev/null; service pflog onestop >/dev/null 2>&1; rm -f /usr/local/etc/rc.d/labdemo',
  );
});

describe('service', () => {
  it("reports the real sshd: status with its pid, rcvar in rc.subr's shape, enabled", async () => {
    const r = await run('service sshd status; cat /var/run/sshd.pid; service sshd rcvar; service sshd enabled; echo "enabled=$?"');
    const [status, pid, ...rest] = r.stdout.split('\n');
    expect(status).toBe(`sshd is running as pid ${pid}.`);
    expect(rest.join('\n')).toBe('# sshd : Secure Shell Daemon\n#\nsshd_enable="YES"\n#   (default: "")\n\nenabled=0\n');
  });

  it("restarts the host's sshd: a new listener pid, new sessions work", async () => {
    const before = (await run('cat /var/run/sshd.pid')).stdout.trim();
    const r = await run('service sshd restart');
    expect(r.code, r.stderr).toBe(0);
    // rc.subr prints "Waiting for PIDS" only while the old listener is still alive.
    expect(r.stdout).toMatch(
      /^Performing sanity check on sshd configuration\.\nStopping sshd\.\n(Waiting for PIDS: \d+\.\n)?Starting sshd\.\n$/,
    );
    await new Promise((res) => setTimeout(res, 300));
    const after = await run('service sshd status');
    expect(after.stdout).toMatch(/^sshd is running as pid \d+\.\n$/);
    expect(after.stdout).not.toContain(`pid ${before}.`);
  });

  it("refuses start/status of a disabled service with FreeBSD's message, one* works", async () => {
    const r = await run(
      'service pflog start; echo "rc=$?"; service pflog onestart; service pflog onestatus; service pflog onestop; service pflog onestatus; echo "rc=$?"',
    );
    expect(r.stdout).toMatch(
      /^Cannot 'start' pflog\. Set pflog_enable to YES in \/etc\/rc\.conf or use 'onestart' instead of 'start'\.\nrc=0\nStarting pflogd\.\npflogd is running as pid \d+\.\nStopping pflogd\.\npflogd is not running\.\nrc=1\n$/,
    );
  });

  it('enable / disable go through sysrc; -e lists enabled scripts as paths like service-e-01', async () => {
    const r = await run('service pflog enable; sysrc -n pflog_enable; service -e; service pflog disable; service -e');
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['pflog enabled in /etc/rc.conf', 'YES']);
    const disabledAt = lines.indexOf('pflog disabled in /etc/rc.conf');
    const enabled = lines.slice(2, disabledAt);
    const after = lines.slice(disabledAt + 1);
    // Other tests may have enabled more services (jail_enable): check ours and the shape.
    expect(enabled).toContain('/etc/rc.d/pflog');
    expect(enabled).toContain('/etc/rc.d/sshd');
    expect(enabled.indexOf('/etc/rc.d/pflog')).toBeLessThan(enabled.indexOf('/etc/rc.d/sshd')); // rcorder
    expect(after).not.toContain('/etc/rc.d/pflog');
    const ref = referenceLines('service-e-01.txt');
    for (const line of [...enabled, ...ref]) expect(line).toMatch(/^(\/usr\/local)?\/etc\/rc\.d\/[a-z_0-9-]+$/);
    expect(ref).toContain('/etc/rc.d/sshd');
  });

  it("-j JAIL runs the jail's own service(8) through jexec", async () => {
    const r = await run(`rm -rf /tmp/sj && sh /.sys/userland/lib/jail/mini-root.sh /tmp/sj >/dev/null 2>&1
mkdir -p /tmp/sj/etc/defaults /tmp/sj/etc/rc.d /tmp/sj/usr/sbin && cp /etc/defaults/rc.conf /tmp/sj/etc/defaults/ && cp /etc/rc.subr /tmp/sj/etc/
cp /etc/rc.d/sshd /tmp/sj/etc/rc.d/ && cat /usr/sbin/service > /tmp/sj/usr/sbin/service && cat /usr/sbin/sysrc > /tmp/sj/usr/sbin/sysrc && chmod 755 /tmp/sj/usr/sbin/*
jail -c name=svcj path=/tmp/sj persist >/dev/null; service -j svcj sshd rcvar; service -j svcj sshd enable; service -j svcj -e; jail -r svcj >/dev/null`);
    expect(r.stdout, r.stderr).toBe(
      '# sshd : Secure Shell Daemon\n#\nsshd_enable="NO"\n#   (default: "")\n\nsshd enabled in /etc/rc.conf\n/etc/rc.d/sshd\n',
    );
  });

  it('runs /usr/local/etc/rc.d scripts written on rc.subr; -l lists; unknown scripts fail', async () => {
    const script = `#!/bin/sh
# PROVIDE: labdemo
. /etc/rc.subr
name=labdemo
rcvar=labdemo_enable
start_cmd="echo demo started"
stop_cmd=":"
load_rc_config $name
: \${labdemo_enable:=NO}
run_rc_command "$1"
`;
    await sshRun(host(), 'mkdir -p /usr/local/etc/rc.d && cat > /usr/local/etc/rc.d/labdemo && chmod 755 /usr/local/etc/rc.d/labdemo', {
      stdin: script,
    });
    const r = await run(
      'service labdemo onestart; service -l | grep -c .; service labdemo bogus; echo "rc=$?"; service nosuch start; echo "rc=$?"',
    );
    expect(r.stdout).toContain('demo started\n');
    expect(r.stderr).toContain(
      'Usage: /usr/local/etc/rc.d/labdemo [fast|force|one|quiet](start|stop|restart|rcvar|enable|disable|delete|enabled|describe|extracommands)',
    );
    expect(r.stdout).toContain(
      'rc=1\nnosuch does not exist in /etc/rc.d or the local startup\ndirectories (/usr/local/etc/rc.d), or is not executable\nrc=1\n',
    );
  });
});
