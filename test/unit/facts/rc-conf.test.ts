import { describe, expect, it } from 'vitest';
import { isRcYes, parseRcConf } from '../../../src/facts/rc-conf.js';

const values = (text: string) => Object.fromEntries([...parseRcConf(text)].map(([k, v]) => [k, v.value]));

describe('parseRcConf', () => {
  it('reads the forms sysrc and people write', () => {
    expect(values([
      'hostname="web1.example.org"',
      "ifconfig_em0='inet 10.0.0.5/24'",
      'sshd_enable=YES',
      '  zfs_enable="YES"   # trailing comment',
      '# sendmail_enable="NO"',
      'a=1; b="two words"',
      'empty=""',
      'bare=',
    ].join('\n'))).toEqual({
      hostname: 'web1.example.org',
      ifconfig_em0: 'inet 10.0.0.5/24',
      sshd_enable: 'YES',
      zfs_enable: 'YES',
      a: '1',
      b: 'two words',
      empty: '',
      bare: '',
    });
  });

  it('keeps a quoted value that spans lines, with its line of origin', () => {
    const vars = parseRcConf('x=1\njail_list="\n  www\n  db\n"\nafter=2\n');
    expect(vars.get('jail_list')).toEqual({ value: '\n  www\n  db\n', line: 2 });
    expect(vars.get('after')).toEqual({ value: '2', line: 6 });
  });

  it('applies sh escapes: backslashes in double quotes, none in single quotes, line continuation', () => {
    expect(values('a="say \\"hi\\" \\$HOME \\n"\nb=\'it\\s\'\nc=one\\\ntwo\nd=x\\ y')).toEqual({
      a: 'say "hi" $HOME \\n',
      b: 'it\\s',
      c: 'onetwo',
      d: 'x y',
    });
  });

  it('keeps expansions as written and lets the last assignment win', () => {
    expect(values('base="/usr/jails"\nroot="${base}/www"\nroot="$base/db"')).toEqual({ base: '/usr/jails', root: '$base/db' });
  });

  it('skips what is not an assignment, even with quotes spanning lines', () => {
    expect(values('. /etc/rc.conf.site\nif [ -f x ]; then\n  echo "a\nb=c"\nfi\nlast=1')).toEqual({ last: '1' });
  });

  it('isRcYes is rc.subr checkyesno', () => {
    for (const y of ['YES', 'yes', 'True', 'on', '1']) expect(isRcYes(y)).toBe(true);
    for (const n of ['NO', 'false', 'off', '0', '', 'NONE', undefined]) expect(isRcYes(n)).toBe(false);
  });
});
