import { describe, expect, it } from 'vitest';
import { parseRcConf } from '../../../src/facts/rc-conf.js';
import { listValue } from '../../../src/modules/kit/rc-variable.js';
import { sysrc } from '../../../src/modules/system/sysrc.js';
import { ABSENT, ctx, plan, scripts, textFile } from './support.js';

const DEFAULTS = 'rc_conf_files="/etc/rc.conf /etc/rc.conf.local"\nsyslogd_flags="-s"\t\t# Flags to syslogd\njail_list=""\n';
/** rc(8)'s files: /etc/rc.conf with TEXT, and by default no defaults file and no rc.conf.local. */
const rc = (text: string, more: { defaults?: string; local?: string } = {}) => ({
  defaults: more.defaults === undefined ? ABSENT : textFile(more.defaults),
  rc: textFile(text),
  rcLocal: more.local === undefined ? ABSENT : textFile(more.local),
});

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
    expect(scripts(plan(sysrc, { name: 'sshd_enable', value: true }, rc('a=1\nsshd_enable="NO" # remote login\nb=2\n')))).toEqual([
      'EDIT /etc/rc.conf -sshd_enable="NO" # remote login +sshd_enable="YES" # remote login',
    ]);
  });

  it('removes a variable, and does nothing when it is not set', () => {
    expect(scripts(plan(sysrc, { name: 'ntpd_enable', state: 'absent' }, rc('ntpd_enable="YES"\nx=1\n')))).toEqual([
      'EDIT /etc/rc.conf -ntpd_enable="YES"',
    ]);
    expect(plan(sysrc, { name: 'ntpd_enable', state: 'absent' }, rc('x=1\n'))).toEqual([]);
    expect(plan(sysrc, { name: 'ntpd_enable', state: 'absent' }, { file: ABSENT })).toEqual([]);
  });

  it('adds and removes an item of a list value, keeping the other items', () => {
    const jails = rc('jail_list="www db"\n');
    expect(scripts(plan(sysrc, { name: 'jail_list', item: 'mail' }, jails))).toEqual([
      'EDIT /etc/rc.conf -jail_list="www db" +jail_list="www db mail"',
    ]);
    expect(plan(sysrc, { name: 'jail_list', item: 'db' }, jails)).toEqual([]);
    expect(scripts(plan(sysrc, { name: 'jail_list', item: 'www', state: 'absent' }, jails))).toEqual([
      'EDIT /etc/rc.conf -jail_list="www db" +jail_list="db"',
    ]);
    expect(scripts(plan(sysrc, { name: 'cloned_interfaces', item: 'lo1' }, rc('')))).toEqual([
      'EDIT /etc/rc.conf +cloned_interfaces="lo1"',
    ]);
    expect(scripts(plan(sysrc, { name: 'list', item: 'c', delimiter: ',' }, rc('list="a,b"\n')))).toEqual([
      'EDIT /etc/rc.conf -list="a,b" +list="a,b,c"',
    ]);
  });

  it('edits /boot/loader.conf too, creating it when missing', () => {
    const changes = plan(sysrc, { name: 'zfs_load', value: 'YES', file: '/boot/loader.conf' }, { file: ABSENT });
    expect(Object.keys(sysrc.facts(sysrc.args.parse({ name: 'zfs_load', value: 'YES', file: '/boot/loader.conf' }), ctx()))).toEqual([
      'file',
    ]);
    expect(scripts(changes)).toEqual(['EDIT /boot/loader.conf +zfs_load="YES"']);
    expect(changes[0]?.action).toMatchObject({ base: null });
  });

  it('in a jail: reads the jail root and edits the file under it', () => {
    const t = { kind: 'jail' as const, name: 'www' };
    const facts = sysrc.facts(sysrc.args.parse({ name: 'x', value: '1' }), ctx(t));
    expect(Object.keys(facts)).toEqual(['defaults', 'rc', 'rcLocal', 'root']);
    expect(facts.rc?.script).toContain(`fj_root=$(jls -j www path 2>/dev/null)`);
    expect(facts.rc?.script).toContain(`cd -P -- "$fj_root"/etc\n`);
    expect(facts.rc?.script).toContain('fj_p=./rc.conf\n');
    expect(facts.defaults?.script).toContain(`cd -P -- "$fj_root"/etc/defaults\n`);
    const changes = plan(sysrc, { name: 'x', value: '1' }, { ...rc(''), root: '/usr/jails/www' }, ctx(t));
    expect(scripts(changes)).toEqual(['EDIT /usr/jails/www/etc/rc.conf +x="1"']);
    expect(changes[0]?.touches).toEqual(['jail=www:file:/etc/rc.conf', 'jail=www:file:/etc/rc.conf:var=x', 'jail=www:service:*']);
  });

  it('refuses, at plan time, an assignment it cannot rewrite safely', () => {
    expect(() => plan(sysrc, { name: 'b', state: 'absent' }, rc('a=1 b=2\n'))).toThrow(/^\/etc\/rc.conf:1: .*b.*edit it by hand/);
    expect(() => plan(sysrc, { name: 'b', value: 1 }, rc('x=1\nif true; then b=2; fi\n'))).toThrow(
      '/etc/rc.conf:2: b cannot be edited exactly: it is set inside a compound command or function; edit it by hand',
    );
    expect(() => plan(sysrc, { name: 'b', value: 1 }, rc('x="unterminated\n'))).toThrow(
      '/etc/rc.conf:1: an unterminated double quote; fleetjail cannot read this file as sh does',
    );
    expect(() => plan(sysrc, { name: 'l', item: 'x' }, rc('x=1\nl="$(cat /etc/l) a"\n'))).toThrow(
      '/etc/rc.conf:2: $(cat /etc/l): the value of l needs running sh',
    );
  });

  it('reads rc.conf as sh does: an expansion with blanks is replaced whole, a quote in a comment hides nothing', () => {
    expect(scripts(plan(sysrc, { name: 'hostname', value: 'web1' }, rc('hostname=$(cat /etc/my name) # from a file\n')))).toEqual([
      'EDIT /etc/rc.conf -hostname=$(cat /etc/my name) # from a file +hostname="web1" # from a file',
    ]);
    expect(scripts(plan(sysrc, { name: 'n', value: '1' }, rc('n=$((1 + 2))\n')))).toEqual(['EDIT /etc/rc.conf -n=$((1 + 2)) +n="1"']);
    const commented = rc('# don\'t start db here\njail_list="www db"\n');
    expect(scripts(plan(sysrc, { name: 'jail_list', item: 'db', state: 'absent' }, commented))).toEqual([
      'EDIT /etc/rc.conf -jail_list="www db" +jail_list="www"',
    ]);
    expect(scripts(plan(sysrc, { name: 'jail_list', state: 'absent' }, commented))).toEqual(['EDIT /etc/rc.conf -jail_list="www db"']);
  });

  it('splits a list on any whitespace with the default delimiter, as sysrc += and -= do', () => {
    const multi = rc('jail_list="\n  www\n\tdb\n"\n');
    expect(plan(sysrc, { name: 'jail_list', item: 'db' }, multi)).toEqual([]);
    expect(scripts(plan(sysrc, { name: 'jail_list', item: 'db', state: 'absent' }, multi))).toEqual([
      'EDIT /etc/rc.conf -jail_list=" -  www -\tdb -" +jail_list="www"',
    ]);
    expect(plan(sysrc, { name: 'jail_list', item: 'db' }, multi)[0]).toBeUndefined();
    expect(plan(sysrc, { name: 'jail_list', item: 'mail' }, multi)[0]?.summary).toBe(
      String.raw`jail_list: "\n  www\n\tdb\n" -> "\n  www\n\tdb\n mail"`,
    );
    expect(sysrc.args.safeParse({ name: 'l', item: 'a b' }).success).toBe(false);
    expect(sysrc.args.safeParse({ name: 'l', item: 'a b', delimiter: ',' }).success).toBe(true);
    expect(sysrc.args.safeParse({ name: 'l', item: 'a,b', delimiter: ',' }).success).toBe(false);
  });

  it('sees what rc(8) sees: the defaults, then rc_conf_files; writes where sysrc(8) would', () => {
    // Only the defaults set it: the item is added to the default value, in /etc/rc.conf.
    const add = plan(sysrc, { name: 'syslogd_flags', item: '-c' }, rc('x=1\n', { defaults: DEFAULTS }));
    expect(scripts(add)).toEqual(['EDIT /etc/rc.conf +syslogd_flags="-s -c"']);
    expect(add[0]?.summary).toBe('syslogd_flags: "-s" -> "-s -c"');
    expect(plan(sysrc, { name: 'syslogd_flags', value: '-s' }, rc('', { defaults: DEFAULTS }))).toEqual([]);
    // The last file of rc_conf_files that sets it gets the change.
    const both = rc('sshd_enable="NO"\n', { defaults: DEFAULTS, local: 'sshd_enable="NO"\n' });
    expect(scripts(plan(sysrc, { name: 'sshd_enable', value: true }, both))).toEqual([
      'EDIT /etc/rc.conf.local -sshd_enable="NO" +sshd_enable="YES"',
    ]);
    expect(plan(sysrc, { name: 'sshd_enable', value: true }, both)[0]?.summary).toBe('sshd_enable: "NO" -> "YES" in /etc/rc.conf.local');
    expect(plan(sysrc, { name: 'y', value: 2 }, rc('', { defaults: DEFAULTS, local: 'x=1\n' }))[0]?.action).toMatchObject({
      path: '/etc/rc.conf',
    });
    // Removing: out of every file that sets it (sysrc -x); the default stays.
    const gone = plan(
      sysrc,
      { name: 'syslogd_flags', state: 'absent' },
      rc('syslogd_flags="-ss"\n', { defaults: DEFAULTS, local: 'syslogd_flags="-c"\n' }),
    );
    expect(scripts(gone)).toEqual(['EDIT /etc/rc.conf -syslogd_flags="-ss"', 'EDIT /etc/rc.conf.local -syslogd_flags="-c"']);
    expect(gone.map((c) => c.summary)).toEqual(['syslogd_flags: "-c" -> "-s"', 'syslogd_flags: "-c" -> "-s" in /etc/rc.conf.local']);
    expect(plan(sysrc, { name: 'syslogd_flags', state: 'absent' }, rc('', { defaults: DEFAULTS }))).toEqual([]);
    // A reference to an earlier value is resolved as sh would.
    expect(plan(sysrc, { name: 'syslogd_flags', item: '-c' }, rc('syslogd_flags="${syslogd_flags} -c"\n', { defaults: DEFAULTS }))).toEqual(
      [],
    );
    // rc_conf_files naming other files: refused, with its line.
    expect(() => plan(sysrc, { name: 'x', value: 1 }, rc('', { defaults: 'rc_conf_files="/etc/rc.conf /etc/rc.conf.site"\n' }))).toThrow(
      '/etc/defaults/rc.conf:1: rc_conf_files is "/etc/rc.conf /etc/rc.conf.site"; fleetjail reads /etc/rc.conf and /etc/rc.conf.local only: give the step a file',
    );
  });

  it('asks the host to check the new text with its own sh before it replaces the file', () => {
    const [change] = plan(sysrc, { name: 'x', value: "it's %s" }, rc(''));
    expect(change?.action).toMatchObject({
      kind: 'edit',
      validate: expect.stringMatching(
        /^\/bin\/sh -n %s && \[ "\$\( unset x 2>\/dev\/null; \. %s .* && echo fj-read-back \)" = fj-read-back \]$/,
      ),
    });
    // In a jail, the file is read back inside the jail, at its path there.
    const [inJail] = plan(sysrc, { name: 'x', value: '1' }, { ...rc(''), root: '/usr/jails/www' }, ctx({ kind: 'jail', name: 'www' }));
    expect(inJail?.action).toMatchObject({
      validate: expect.stringMatching(
        /^\/bin\/sh -n %s && fj_t=%s && fj_r=\/usr\/jails\/www && \[ "\$\(printf '%''sx' .* \| jexec -- www \/bin\/sh -c '.*' sh "\$\{fj_t#"\$fj_r"\}"\)" = fj-read-back \]$/,
      ),
    });
  });

  it('refuses values sh cannot hold before any host is contacted', () => {
    expect(sysrc.args.safeParse({ name: 'x', value: 'a\0b' }).error?.issues[0]?.message).toBe(
      'an rc.conf value contains a NUL byte, which no sh variable can hold',
    );
    expect(sysrc.args.safeParse({ name: 'x', item: 'a\0b' }).success).toBe(false);
    expect(sysrc.args.safeParse({ name: 'x', value: 'a\uD800b' }).success).toBe(false);
  });

  it('validates its arguments', () => {
    expect(sysrc.args.safeParse({ name: 'bad-name', value: 1 }).success).toBe(false);
    expect(sysrc.args.safeParse({ name: 'x' }).success).toBe(false);
    expect(sysrc.args.safeParse({ name: 'x', value: 1, item: 2 }).success).toBe(false);
    expect(sysrc.args.safeParse({ name: 'x', file: 'relative' }).success).toBe(false);
  });

  it('refuses a file it cannot read as text', () => {
    expect(() => plan(sysrc, { name: 'x', value: 1 }, { ...rc(''), rc: { type: 'directory' } })).toThrow(/is a directory/);
    expect(() => plan(sysrc, { name: 'x', value: 1 }, rc('a=\uFFFD'))).toThrow(/not UTF-8/);
  });

  it('listValue (jail_list, cloned_interfaces for the jail and interface modules): a value only sh can compute is an error with its line', () => {
    expect(listValue(parseRcConf('jail_list="www db"\n'), 'jail_list')).toBe('www db');
    expect(listValue(parseRcConf(''), 'jail_list')).toBeUndefined();
    expect(() => listValue(parseRcConf('x=1\njail_list="$(ls /usr/jails)"\n'), 'jail_list')).toThrow(
      '/etc/rc.conf:2: $(ls /usr/jails): the value of jail_list needs running sh, so fleetjail cannot add or remove an item of it; edit it by hand',
    );
  });
});
