import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { editRcVariable, rcQuote, rcValidation } from '../../../src/modules/kit/rc-conf-edit.js';

/** What sh itself makes of NAME after sourcing TEXT: the check that our quoting means what we think. */
function shValue(text: string, name: string): string {
  return execFileSync('/bin/sh', ['-c', `eval "$1"; printf '%s' "\${${name}-<unset>}"`, 'sh', text], { encoding: 'utf8' });
}

describe('editRcVariable', () => {
  it('appends a new variable as NAME="VALUE", adding a missing final newline first', () => {
    expect(editRcVariable('', 'a', '1')).toBe('a="1"\n');
    expect(editRcVariable('x="y"\n', 'a', '1')).toBe('x="y"\na="1"\n');
    expect(editRcVariable('x="y"', 'a', '1')).toBe('x="y"\na="1"\n');
  });

  it('replaces the last assignment in place, keeping the rest of the line and the other lines', () => {
    const text = '# hosts\nsshd_enable="NO"\nntpd_enable=YES\nsshd_enable="NO" # remote login\n\nz=1\n';
    expect(editRcVariable(text, 'sshd_enable', 'YES')).toBe(
      '# hosts\nsshd_enable="NO"\nntpd_enable=YES\nsshd_enable="YES" # remote login\n\nz=1\n',
    );
    expect(editRcVariable('  ifconfig_em0=DHCP\n', 'ifconfig_em0', 'inet 10.0.0.2/24')).toBe('  ifconfig_em0="inet 10.0.0.2/24"\n');
  });

  it('keeps single quotes when the value was single-quoted and the new one allows it', () => {
    expect(editRcVariable("a='1'\n", 'a', '2')).toBe("a='2'\n");
    expect(editRcVariable("a='1'\n", 'a', "it's")).toBe(`a="it's"\n`);
  });

  it('replaces a multi-line value whole', () => {
    const text = 'x=1\njail_list="\n  www\n  db\n"\nafter=2\n';
    expect(editRcVariable(text, 'jail_list', 'www')).toBe('x=1\njail_list="www"\nafter=2\n');
    expect(editRcVariable(text, 'jail_list', undefined)).toBe('x=1\nafter=2\n');
  });

  it('removes every assignment of the variable, and nothing when there is none', () => {
    expect(editRcVariable('a=1\nb=2\n  a="3" # again\nc=4\n', 'a', undefined)).toBe('b=2\nc=4\n');
    expect(editRcVariable('b=2\n', 'a', undefined)).toBe('b=2\n');
    expect(editRcVariable('a=1', 'a', undefined)).toBe('');
  });

  it('takes one statement out of a line that holds several, with its semicolon', () => {
    expect(editRcVariable('a=1; b=2\n', 'a', undefined)).toBe('b=2\n');
    expect(editRcVariable('a=1; b=2 # c\n', 'b', undefined)).toBe('a=1 # c\n');
    expect(editRcVariable('a=1; b=2\n', 'b', '3')).toBe('a=1; b="3"\n');
  });

  it('refuses what it cannot rewrite without changing something else, naming the line', () => {
    expect(() => editRcVariable('x=0\na=1 b=2\n', 'b', undefined)).toThrow('line 2: the assignment to b shares its line');
  });

  it('leaves the text as it is when the variable already has the value', () => {
    const text = 'a="1"   # same\n';
    expect(editRcVariable(text, 'a', '1')).toBe(text);
  });

  it('quotes any value so that sh reads it back exactly', () => {
    const tricky = [
      'plain',
      '',
      'two words',
      `it's "quoted"`,
      '$HOME and ${x} and `id`',
      'back\\slash\\',
      'multi\nline',
      'tab\there',
      'ünï 🚀',
      '#not a comment',
      'a;b|c&d',
    ];
    for (const value of tricky) {
      const text = editRcVariable('before="x"\nv="old"\nafter=1\n', 'v', value);
      expect(shValue(text, 'v')).toBe(value);
      expect(shValue(text, 'before')).toBe('x');
      expect(shValue(text, 'after')).toBe('1');
      expect(editRcVariable(text, 'v', value)).toBe(text);
    }
    expect(rcQuote('$x')).toBe('"\\$x"');
  });
});

describe('rcValidation: the host-side check of a new rc.conf-family file', () => {
  /** The check as the atomic write runs it (%s is "$tmp"), in real sh; JEXEC: a stand-in for jexec(8). */
  function runs(validate: string, file: string, text: string, jexec = ''): boolean {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-rcval-'));
    try {
      fs.mkdirSync(path.join(dir, 'root/etc'), { recursive: true });
      const tmp = path.join(dir, file);
      fs.writeFileSync(tmp, text);
      const script = `${jexec}\ntmp=$1\nif ( ${validate.split('%s').join('"$tmp"')} ) >/dev/null 2>&1; then echo ok; else echo refused; fi`;
      return execFileSync('/bin/sh', ['-c', script, 'sh', tmp, dir], { encoding: 'utf8' }) === 'ok\n';
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("accepts only a text sh parses and that gives the variable its value (or none); a value's own %s stays itself", () => {
    for (const v of ["it's %s", '', 'a\nb', '$x `y` \\z']) {
      expect(runs(rcValidation('v', v), 'rc.conf', `x=1\nv=${rcQuote(v)}\n`), JSON.stringify(v)).toBe(true);
      expect(runs(rcValidation('v', v), 'rc.conf', `v=${rcQuote(`${v}.`)}\n`)).toBe(false);
    }
    expect(runs(rcValidation('v', 'YES'), 'rc.conf', 'v="YES"\nfi\n')).toBe(false); // sh -n
    expect(runs(rcValidation('v', undefined), 'rc.conf', 'x=1\n')).toBe(true);
    expect(runs(rcValidation('v', undefined), 'rc.conf', 'v=\n')).toBe(false);
    expect(runs(rcValidation('do', 'x'), 'rc.conf', 'do=x\n')).toBe(true);
    // A file that exits while sourced never reaches the check: refused, whatever its status.
    expect(runs(rcValidation('v', 'x'), 'rc.conf', 'exit 0\nv=x\n')).toBe(false);
    expect(runs(rcValidation('v', undefined), 'rc.conf', 'exit 0\n')).toBe(false);
  });

  it("reads a jail's file back inside the jail (jexec), at its path there", () => {
    // jexec -- www /bin/sh -c SCRIPT sh PATH, with PATH inside the jail: here, under $2/root.
    const jexec = 'root=$2/root\njexec() { [ "$1" = -- ] && [ "$2" = www ] || return 99; shift 2; "$1" "$2" "$3" "$4" "$root$5"; }';
    const v = rcValidation('v', 'YES', { name: 'www', root: '/will/be/replaced' });
    expect(v).toContain("jexec -- www /bin/sh -c '");
    const real = (root: string) => rcValidation('v', 'YES', { name: 'www', root });
    // The stand-in's root is only known at run time; the validation strips the root it was given.
    const dirVar = '"$2/root"';
    const check = real('ROOT').replace('fj_r=ROOT', `fj_r=${dirVar}`);
    expect(runs(check, 'root/etc/rc.conf', 'v="YES"\n', jexec)).toBe(true);
    expect(runs(check, 'root/etc/rc.conf', 'v="NO"\n', jexec)).toBe(false);
  });
});
