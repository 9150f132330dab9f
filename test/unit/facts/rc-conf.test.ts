import { describe, expect, it } from 'vitest';
import { isRcYes, parseRcConf, scanRcConf } from '../../../src/facts/rc-conf.js';

const values = (text: string) => Object.fromEntries([...parseRcConf(text)].map(([k, v]) => [k, v.value]));

describe('parseRcConf', () => {
  it('reads the forms sysrc and people write', () => {
    expect(
      values(
        [
          'hostname="web1.example.org"',
          "ifconfig_em0='inet 10.0.0.5/24'",
          'sshd_enable=YES',
          '  zfs_enable="YES"   # trailing comment',
          '# sendmail_enable="NO"',
          'a=1; b="two words"',
          'empty=""',
          'bare=',
        ].join('\n'),
      ),
    ).toEqual({
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

  it('resolves $x and ${x} of variables known before, keeps other expansions as written and marks them dynamic', () => {
    expect(values('base="/usr/jails"\nroot="${base}/www"\nroot="$base/db"')).toEqual({ base: '/usr/jails', root: '/usr/jails/db' });
    const vars = parseRcConf('a="$(hostname -s) x"\nb=${unknown}\nc=`id -u`\nd=$((1 + 2))\ne=${base:-x}\nf=~/x\ng=$1\n');
    expect([...vars].map(([k, v]) => [k, v.value, v.dynamic])).toEqual([
      ['a', '$(hostname -s) x', '$(hostname -s)'],
      ['b', '${unknown}', '${unknown}'],
      ['c', '`id -u`', '`id -u`'],
      ['d', '$((1 + 2))', '$((1 + 2))'],
      ['e', '${base:-x}', '${base:-x}'],
      ['f', '~/x', '~'],
      ['g', '$1', '$1'],
    ]);
    expect(parseRcConf('f="${flags} -c"\n', new Map([['flags', { value: '-s', line: 1 }]])).get('f')?.value).toBe('-s -c');
  });

  it('cuts words where sh does: expansions with blanks, quotes inside them, comments only at a word start', () => {
    const scan = scanRcConf(
      [
        'a=$(cat /etc/my name) b=1',
        'c=$((1 + 2 ))',
        'd=`echo "x y"`',
        'e=${x:-"a } b"}',
        "f=$(echo \")\" '(' # comment with ) and '",
        ')',
        "# don't: a quote in a comment",
        'g=x#not-a-comment # but this is, with a "quote',
        "h=$'it\\'s'",
        'i="$(echo "nested \\" quotes")"',
        'j=one\\',
        'two',
      ].join('\n'),
    );
    expect(scan.assignments.map((x) => [x.name, x.value, x.line])).toEqual([
      ['a', '$(cat /etc/my name)', 1],
      ['b', '1', 1],
      ['c', '$((1 + 2 ))', 2],
      ['d', '`echo "x y"`', 3],
      ['e', '${x:-"a } b"}', 4],
      ['f', "$(echo \")\" '(' # comment with ) and '\n)", 5],
      ['g', 'x#not-a-comment', 8],
      ['h', "$'it\\'s'", 9],
      ['i', '$(echo "nested \\" quotes")', 10],
      ['j', 'onetwo', 11],
    ]);
    expect(scan.assignments.map((x) => [x.alone])).toEqual([
      [false],
      [false],
      [true],
      [true],
      [true],
      [true],
      [true],
      [true],
      [true],
      [true],
    ]);
  });

  it('finds every item of a multi-line or tab-separated value', () => {
    expect(values('jail_list="www\tdb\n  mail"\n# it\'s after\nx=1')).toEqual({ jail_list: 'www\tdb\n  mail', x: '1' });
  });

  it('records what it cannot place exactly: compound commands, functions, prefixes of a command, builtins, && lists', () => {
    const scan = scanRcConf(
      [
        'if [ -r /x ]; then a=1; fi',
        'f() { b=2; }',
        'c=3 some_command',
        'export d=4; unset e; read f',
        'true && g=5',
        'h=6 &',
        '( i=7 )',
        'for j in 1 2; do :; done',
        'case $x in y) k=8 ;; esac',
        'while false; do l=9; done',
        'plain=ok',
      ].join('\n'),
    );
    expect(scan.unplaceable.map((u) => [u.name, u.line])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
      ['e', 4],
      ['f', 4],
      ['g', 5],
      ['h', 6],
      ['i', 7],
      ['j', 8],
      ['k', 9],
      ['l', 10],
    ]);
    expect(scan.assignments.map((a) => a.name)).toEqual(['plain']);
  });

  it('refuses text sh rejects or that it does not follow, naming the line', () => {
    expect(() => scanRcConf('a=1\nb="open\n')).toThrow('line 2: an unterminated double quote');
    expect(() => scanRcConf("a='x")).toThrow('line 1: an unterminated single quote');
    expect(() => scanRcConf('a=$(echo')).toThrow('line 1: an unterminated $(');
    expect(() => scanRcConf('cat <<EOF\nx=1\nEOF\n')).toThrow('line 1: a here-document');
  });

  it('skips what is not an assignment, even with quotes spanning lines', () => {
    expect(values('. /etc/rc.conf.site\nif [ -f x ]; then\n  echo "a\nb=c"\nfi\nlast=1')).toEqual({ last: '1' });
  });

  it('isRcYes is rc.subr checkyesno', () => {
    for (const y of ['YES', 'yes', 'True', 'on', '1']) expect(isRcYes(y)).toBe(true);
    for (const n of ['NO', 'false', 'off', '0', '', 'NONE', undefined]) expect(isRcYes(n)).toBe(false);
  });
});
