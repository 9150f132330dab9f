import { describe, expect, it } from 'vitest';
import { sysrc } from '../../../src/modules/sysrc.js';
import { ABSENT, ctx, plan, scripts, textFile } from './support.js';

const rc = (text: string) => ({ file: textFile(text) });

describe('sysrc', () => {
  it('sets a variable by editing the file as sysrc would, the value double-quoted', () => {
    const changes = plan(sysrc, { name: 'hostname', value: "web1 'prod'" }, rc('sshd_enable="YES"\n'));
    expect(scripts(changes)).toEqual([`EDIT /etc/rc.conf +hostname="web1 'prod'"`]);
    expect(changes[0]?.action).toMatchObject({ kind: 'edit', path: '/etc/rc.conf', base: 'sshd_enable="YES"\n' });
    expect(changes[0]?.summary).toBe(`hostname: (unset) -> "web1 'prod'"`);
    expect(changes[0]?.diff).toEqual([{ type: 'value', name: '/etc/rc.conf: hostname', before: null, after: "web1 'prod'" }]);
    expect(changes[0]?.touches).toEqual(['host:file:/etc/rc.conf', 'host:file:/etc/rc.conf:var=hostname', 'host:service:*']);
  });

  it('changes nothing when the file already has the value', () => {
    expect(plan(sysrc, { name: 'sshd_enable', value: 'YES' }, rc('sshd_enable="YES"\n'))).toEqual([]);
    expect(plan(sysrc, { name: 'sshd_enable', value: true }, rc("sshd_enable='YES'\n"))).toEqual([]);
    expect(plan(sysrc, { name: 'kern_securelevel', value: 2 }, rc('kern_securelevel=2\n'))).toEqual([]);
  });

  it('booleans are YES and NO; an existing assignment is replaced in place', () => {
    expect(scripts(plan(sysrc, { name: 'sendmail_enable', value: false }, rc('')))).toEqual(['EDIT /etc/rc.conf +sendmail_enable="NO"']);
    expect(scripts(plan(sysrc, { name: 'sshd_enable', value: true }, rc('a=1\nsshd_enable="NO" # remote login\nb=2\n'))))
      .toEqual(['EDIT /etc/rc.conf -sshd_enable="NO" # remote login +sshd_enable="YES" # remote login']);
  });

  it('removes a variable, and does nothing when it is not set', () => {
    expect(scripts(plan(sysrc, { name: 'ntpd_enable', state: 'absent' }, rc('ntpd_enable="YES"\nx=1\n')))).toEqual(['EDIT /etc/rc.conf -ntpd_enable="YES"']);
    expect(plan(sysrc, { name: 'ntpd_enable', state: 'absent' }, rc('x=1\n'))).toEqual([]);
    expect(plan(sysrc, { name: 'ntpd_enable', state: 'absent' }, { file: ABSENT })).toEqual([]);
  });

  it('adds and removes an item of a list value, keeping the other items', () => {
    const jails = rc('jail_list="www db"\n');
    expect(scripts(plan(sysrc, { name: 'jail_list', item: 'mail' }, jails))).toEqual(['EDIT /etc/rc.conf -jail_list="www db" +jail_list="www db mail"']);
    expect(plan(sysrc, { name: 'jail_list', item: 'db' }, jails)).toEqual([]);
    expect(scripts(plan(sysrc, { name: 'jail_list', item: 'www', state: 'absent' }, jails))).toEqual(['EDIT /etc/rc.conf -jail_list="www db" +jail_list="db"']);
    expect(scripts(plan(sysrc, { name: 'cloned_interfaces', item: 'lo1' }, rc('')))).toEqual(['EDIT /etc/rc.conf +cloned_interfaces="lo1"']);
    expect(scripts(plan(sysrc, { name: 'list', item: 'c', delimiter: ',' }, rc('list="a,b"\n')))).toEqual(['EDIT /etc/rc.conf -list="a,b" +list="a,b,c"']);
  });

  it('edits /boot/loader.conf too, creating it when missing', () => {
    const changes = plan(sysrc, { name: 'zfs_load', value: 'YES', file: '/boot/loader.conf' }, { file: ABSENT });
    expect(scripts(changes)).toEqual(['EDIT /boot/loader.conf +zfs_load="YES"']);
    expect(changes[0]?.action).toMatchObject({ base: null });
  });

  it('in a jail: reads the jail root and edits the file under it', () => {
    const t = { kind: 'jail' as const, name: 'www' };
    const facts = sysrc.facts(sysrc.args.parse({ name: 'x', value: '1' }), ctx(t));
    expect(Object.keys(facts)).toEqual(['file', 'root']);
    expect(facts.file.script).toContain(`fj_root=$(jls -j www path 2>/dev/null)`);
    expect(facts.file.script).toContain(`fj_p="$fj_root"/etc/rc.conf`);
    const changes = plan(sysrc, { name: 'x', value: '1' }, { file: textFile(''), root: '/usr/jails/www' }, ctx(t));
    expect(scripts(changes)).toEqual(['EDIT /usr/jails/www/etc/rc.conf +x="1"']);
    expect(changes[0]?.touches).toEqual(['jail=www:file:/etc/rc.conf', 'jail=www:file:/etc/rc.conf:var=x', 'jail=www:service:*']);
  });

  it('refuses, at plan time, an assignment it cannot rewrite safely', () => {
    expect(() => plan(sysrc, { name: 'b', state: 'absent' }, rc('a=1 b=2\n'))).toThrow(/line 1: .*b.*edit it by hand/);
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
