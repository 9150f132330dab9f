import { describe, expect, it } from 'vitest';
import { sysrc } from '../../../src/modules/sysrc.js';
import { shq } from '../../../src/transport/quote.js';
import { ABSENT, ctx, plan, scripts, textFile } from './support.js';

const rc = (text: string) => ({ file: textFile(text) });

describe('sysrc', () => {
  it('sets a variable through sysrc -f, with the value quoted', () => {
    const changes = plan(sysrc, { name: 'hostname', value: "web1 'prod'" }, rc('sshd_enable="YES"\n'));
    expect(scripts(changes)).toEqual([`sysrc -f /etc/rc.conf ${shq("hostname=web1 'prod'")}`]);
    expect(changes[0]?.summary).toBe(`hostname: (unset) -> "web1 'prod'"`);
    expect(changes[0]?.diff).toEqual([{ type: 'value', name: '/etc/rc.conf: hostname', before: null, after: "web1 'prod'" }]);
    expect(changes[0]?.touches).toEqual(['host:file:/etc/rc.conf', 'host:file:/etc/rc.conf:var=hostname', 'host:service:*']);
  });

  it('changes nothing when the file already has the value', () => {
    expect(plan(sysrc, { name: 'sshd_enable', value: 'YES' }, rc('sshd_enable="YES"\n'))).toEqual([]);
    expect(plan(sysrc, { name: 'sshd_enable', value: true }, rc("sshd_enable='YES'\n"))).toEqual([]);
    expect(plan(sysrc, { name: 'kern_securelevel', value: 2 }, rc('kern_securelevel=2\n'))).toEqual([]);
  });

  it('booleans are YES and NO', () => {
    expect(scripts(plan(sysrc, { name: 'sendmail_enable', value: false }, rc('')))).toEqual([`sysrc -f /etc/rc.conf ${shq('sendmail_enable=NO')}`]);
  });

  it('removes a variable with -x, and does nothing when it is not set', () => {
    expect(scripts(plan(sysrc, { name: 'ntpd_enable', state: 'absent' }, rc('ntpd_enable="YES"\n')))).toEqual(['sysrc -f /etc/rc.conf -x ntpd_enable']);
    expect(plan(sysrc, { name: 'ntpd_enable', state: 'absent' }, rc('x=1\n'))).toEqual([]);
    expect(plan(sysrc, { name: 'ntpd_enable', state: 'absent' }, { file: ABSENT })).toEqual([]);
  });

  it('adds and removes an item of a list value, keeping the other items', () => {
    const jails = rc('jail_list="www db"\n');
    expect(scripts(plan(sysrc, { name: 'jail_list', item: 'mail' }, jails))).toEqual([`sysrc -f /etc/rc.conf ${shq('jail_list=www db mail')}`]);
    expect(plan(sysrc, { name: 'jail_list', item: 'db' }, jails)).toEqual([]);
    expect(scripts(plan(sysrc, { name: 'jail_list', item: 'www', state: 'absent' }, jails))).toEqual([`sysrc -f /etc/rc.conf ${shq('jail_list=db')}`]);
    expect(scripts(plan(sysrc, { name: 'cloned_interfaces', item: 'lo1' }, rc('')))).toEqual([`sysrc -f /etc/rc.conf ${shq('cloned_interfaces=lo1')}`]);
    expect(scripts(plan(sysrc, { name: 'list', item: 'c', delimiter: ',' }, rc('list="a,b"\n')))).toEqual([`sysrc -f /etc/rc.conf ${shq('list=a,b,c')}`]);
  });

  it('edits /boot/loader.conf with -f, creating it when missing', () => {
    expect(scripts(plan(sysrc, { name: 'zfs_load', value: 'YES', file: '/boot/loader.conf' }, { file: ABSENT }))).toEqual([`sysrc -f /boot/loader.conf ${shq('zfs_load=YES')}`]);
  });

  it('in a jail: reads the jail root and changes it with sysrc -R', () => {
    const t = { kind: 'jail' as const, name: 'www' };
    const facts = sysrc.facts(sysrc.args.parse({ name: 'x', value: '1' }), ctx(t));
    expect(Object.keys(facts)).toEqual(['file', 'root']);
    expect(facts.file.script).toContain(`fj_root=$(jls -j www path 2>/dev/null)`);
    expect(facts.file.script).toContain(`fj_p="$fj_root"/etc/rc.conf`);
    const changes = plan(sysrc, { name: 'x', value: '1' }, { file: textFile(''), root: '/usr/jails/www' }, ctx(t));
    expect(scripts(changes)).toEqual([`sysrc -R /usr/jails/www -f /etc/rc.conf ${shq('x=1')}`]);
    expect(changes[0]?.touches).toEqual(['jail=www:file:/etc/rc.conf', 'jail=www:file:/etc/rc.conf:var=x', 'jail=www:service:*']);
  });

  it('validates its arguments', () => {
    expect(sysrc.args.safeParse({ name: 'bad-name', value: 1 }).success).toBe(false);
    expect(sysrc.args.safeParse({ name: 'x' }).success).toBe(false);
    expect(sysrc.args.safeParse({ name: 'x', value: 1, item: 2 }).success).toBe(false);
    expect(sysrc.args.safeParse({ name: 'x', file: 'relative' }).success).toBe(false);
  });

  it('refuses a file it cannot read as text', () => {
    expect(() => plan(sysrc, { name: 'x', value: 1 }, { file: { type: 'directory' } })).toThrow(/is a directory/);
    expect(() => plan(sysrc, { name: 'x', value: 1 }, { file: textFile('a=\uFFFD') })).toThrow(/not UTF-8/);
  });
});
