/**
 * A FreeBSD-shaped PATH (#3 point 2): FreeBSD's command forms work, GNU-only forms and
 * commands a FreeBSD base lacks fail, as they would on FreeBSD.
 */
import { describe, expect, it } from 'vitest';
import { labHosts, sshRun } from '../../support/lab.js';

const host = () => labHosts()[0]!;

/** Commands fleetjail (or an operator) may send in FreeBSD's forms: each must exit 0. */
const FREEBSD_FORMS = [
  'sh -c true',
  'command -v sysrc service pfctl sha256 sha512 md5 lockf tar xz zstd',
  'sha256 -q /etc/rc.conf',
  'sha512 -s abc',
  'md5 -q /etc/rc.conf',
  'stat -f "%Mp%Lp %u %g %Su %Sg %z" /etc/rc.conf',
  'stat -f %z /etc/rc.conf',
  'stat -L -f "%N %HT" /etc',
  'stat -s /etc/rc.conf',
  'cp /etc/rc.conf /tmp/p1 && sed -i "" -e "s/h0/X0/" /tmp/p1',
  'cp /etc/rc.conf /tmp/p2 && sed -i .bak "s/h0/X0/" /tmp/p2 && test -f /tmp/p2.bak',
  'sed -E -n "/^host/p" /etc/rc.conf',
  'f=$(mktemp -t fleetjail) && test -f "$f" && rm "$f"',
  'd=$(mktemp -d /tmp/fj.XXXXXX) && test -d "$d" && rmdir "$d"',
  'lockf -k /tmp/fj.lock true',
  'lockf -t 0 /tmp/fj2.lock sh -c "exit 0"',
  'readlink -f /etc',
  'tar -cf /tmp/t.tar -C /etc rc.conf && tar -tf /tmp/t.tar',
  'echo x | xz | xz -d',
  'echo x | zstd -q | zstd -dq',
  'find /etc -maxdepth 1 -name rc.conf',
  'printf "%s\\n" a b | xargs -n 1 echo',
];

/** GNU-only commands and flags: each must fail. */
const GNU_FORMS = [
  'sha256sum /etc/rc.conf',
  'md5sum /etc/rc.conf',
  'bash -c true',
  'stat -c %s /etc/rc.conf',
  'stat --format=%s /etc/rc.conf',
  'cp /etc/rc.conf /tmp/g1 && sed -i "s/h0/X0/" /tmp/g1',
  'sed --in-place "s/a/b/" /tmp/g1',
  'sed -n 1p /etc/rc.conf -i',
  'mktemp --tmpdir',
];

describe('FreeBSD-shaped PATH', () => {
  it('runs the FreeBSD forms', async () => {
    for (const cmd of FREEBSD_FORMS) {
      const r = await sshRun(host(), cmd);
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(0);
    }
  });

  it('rejects GNU-only commands and flags', async () => {
    for (const cmd of GNU_FORMS) {
      const r = await sshRun(host(), cmd);
      expect(r.code, cmd).not.toBe(0);
    }
  });

  it('has no sha256sum at all: "not found", exit 127', async () => {
    const r = await sshRun(host(), 'sha256sum /etc/rc.conf');
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/not found/);
  });

  it("stat -f speaks FreeBSD's format language", async () => {
    const r = await sshRun(
      host(),
      'printf 12345 > /tmp/st; chmod 640 /tmp/st; stat -f "%Mp%Lp %u %g %Su %Sg %z|%Sp|%#Lp|%N" /tmp/st; stat /nonexistent; echo "rc=$?"',
    );
    expect(r.stdout).toBe('0640 0 0 root wheel 5|-rw-r-----|0640|/tmp/st\nrc=1\n');
    expect(r.stderr).toBe('stat: /nonexistent: lstat: No such file or directory\n');
    const bad = await sshRun(host(), 'stat -c %s /tmp/st');
    expect(bad.stderr).toContain('stat: illegal option -- c');
  });

  it("sed -i takes the next argument as the backup suffix, as FreeBSD's does", async () => {
    const r = await sshRun(
      host(),
      'rm -rf /tmp/sedt; mkdir /tmp/sedt; cd /tmp/sedt; printf "a\\n" > s; sed -i "" s/a/b/ s; cat s; sed -i s/b/c/ s; echo "rc=$?"; cat s; ls',
    );
    // The second call uses "s/b/c/" as the suffix and "s" as the script: an error, file unchanged.
    expect(r.stdout).toBe('b\nrc=1\nb\ns\n');
  });

  it('lockf fails with EX_TEMPFAIL (75) when the lock is held and -t 0', async () => {
    const r = await sshRun(host(), 'lockf -k /tmp/held.lock sleep 3 & sleep 0.5; lockf -t 0 /tmp/held.lock true; echo "rc=$?"; wait');
    expect(r.stdout.trim()).toBe('rc=75');
    expect(r.stderr).toContain('lockf: /tmp/held.lock: already locked');
  });
});
