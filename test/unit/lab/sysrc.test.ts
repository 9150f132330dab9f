/**
 * The lab's sysrc(8) (test/lab/userland/overlay/usr/sbin/sysrc, POSIX sh + awk) run on
 * this machine against temporary files: FreeBSD's output shapes, list += / -=, the last
 * assignment rewritten in place, multi-line quoted values kept whole.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

const overlay = path.resolve(__dirname, '../../lab/userland/overlay');
const SYSRC = path.join(overlay, 'usr/sbin/sysrc');
const DEFAULTS = path.join(overlay, 'etc/defaults/rc.conf');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sysrc-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function sysrc(file: string, ...args: string[]) {
  const r = spawnSync('/bin/sh', [SYSRC, '-f', file, ...args], {
    env: { PATH: process.env.PATH, RC_DEFAULTS: DEFAULTS },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function conf(name: string, text: string) {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
}

describe('sysrc', () => {
  it('prints name: value, -n, -e, and the default from /etc/defaults/rc.conf', () => {
    const f = conf('a.conf', 'hostname="h01"\nsshd_enable="YES"\n');
    expect(sysrc(f, 'sshd_enable').stdout).toBe('sshd_enable: YES\n');
    expect(sysrc(f, '-n', 'hostname').stdout).toBe('h01\n');
    expect(sysrc(f, '-e', 'hostname').stdout).toBe('hostname="h01"\n');
    expect(sysrc(f, '-n', 'pf_rules').stdout).toBe('/etc/pf.conf\n');
  });

  it('fails like FreeBSD on an unknown variable (stderr, exit 1), silently with -i or -q', () => {
    const f = conf('b.conf', 'x=1\n');
    expect(sysrc(f, '-n', 'linprocfs_load')).toEqual({ code: 1, stdout: '', stderr: "sysrc: unknown variable 'linprocfs_load'\n" });
    expect(sysrc(f, '-i', 'nope')).toMatchObject({ code: 1, stderr: '' });
  });

  it('sets values: "name: old -> new", an empty old value gives two spaces; other lines untouched', () => {
    const f = conf('c.conf', '# keep this comment\nsshd_enable="NO"   # trailing comment\nifconfig_em0=\'inet 10.0.0.1\'\nplain=word\n');
    expect(sysrc(f, 'sshd_enable=YES').stdout).toBe('sshd_enable: NO -> YES\n');
    expect(sysrc(f, 'vm_list+=ubuntu').stdout).toBe('vm_list:  -> ubuntu\n');
    expect(sysrc(f, 'pf_enable=YES').stdout).toBe('pf_enable: NO -> YES\n');
    expect(sysrc(f, 'ifconfig_em0=inet 10.0.0.2', 'plain=two words').stdout).toBe(
      'ifconfig_em0: inet 10.0.0.1 -> inet 10.0.0.2\nplain: word -> two words\n',
    );
    expect(fs.readFileSync(f, 'utf8')).toBe(
      '# keep this comment\nsshd_enable="YES"   # trailing comment\nifconfig_em0=\'inet 10.0.0.2\'\nplain="two words"\nvm_list="ubuntu"\npf_enable="YES"\n',
    );
  });

  it('+= and -= keep a space-separated list without duplicates', () => {
    const f = conf('d.conf', 'jail_list="a b"\n');
    expect(sysrc(f, 'jail_list+=b c').stdout).toBe('jail_list: a b -> a b c\n');
    expect(sysrc(f, 'jail_list-=a').stdout).toBe('jail_list: a b c -> b c\n');
    expect(sysrc(f, 'jail_list-=zz').stdout).toBe('jail_list: b c -> b c\n');
  });

  it('rewrites the last assignment and keeps multi-line quoted values whole', () => {
    const f = conf('e.conf', 'a="1"\nml="x\nb=2\ny"\na="2"\nz="q # not a comment"\n');
    expect(sysrc(f, 'ml', 'a').stdout).toBe('ml: x\nb=2\ny\na: 2\n');
    expect(sysrc(f, 'b').code).toBe(1); // b=2 is inside ml's quotes
    sysrc(f, 'a=3');
    sysrc(f, 'ml=one line');
    expect(fs.readFileSync(f, 'utf8')).toBe('a="1"\nml="one line"\na="3"\nz="q # not a comment"\n');
    expect(sysrc(f, '-x', 'a').code).toBe(0);
    expect(fs.readFileSync(f, 'utf8')).toBe('ml="one line"\nz="q # not a comment"\n');
  });

  it('-x of a multi-line value removes all of it; -a lists what the file sets, sorted', () => {
    const f = conf('f.conf', 'clear_tmp_enable="YES"\nml="x\ny"\ndumpdev="AUTO"\n');
    expect(sysrc(f, '-a').stdout).toBe('clear_tmp_enable: YES\ndumpdev: AUTO\nml: x\ny\n');
    sysrc(f, '-x', 'ml');
    expect(fs.readFileSync(f, 'utf8')).toBe('clear_tmp_enable="YES"\ndumpdev="AUTO"\n');
  });

  it('refuses a rewrite that would break sh syntax, and names with characters sh rejects', () => {
    const f = conf('g.conf', 'x="1"\n');
    const r = sysrc(f, 'x=a"b');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`sysrc: Not overwriting \`${f}' due to previous syntax errors\n`);
    expect(fs.readFileSync(f, 'utf8')).toBe('x="1"\n');
    expect(sysrc(f, 'bad.name=1').stderr).toBe('sysrc: bad.name: name contains characters not allowed in shell\n');
  });
});
