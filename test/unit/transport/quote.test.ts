import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { raw, sh, shq, wrapForRemote } from '../../../src/transport/quote.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';

/** What sshd does with our command: LOGIN_SHELL -c COMMAND. */
function viaLoginShell(shell: string, command: string): string {
  return execFileSync(shell, ['-c', command], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
}

describe('shq', () => {
  it('leaves plain words alone and quotes everything else', () => {
    expect(shq('rc.conf')).toBe('rc.conf');
    expect(shq('')).toBe("''");
    expect(shq("it's")).toBe("'it'\\''s'");
    expect(shq('$(x)')).toBe("'$(x)'");
    expect(shq(42)).toBe('42');
  });

  it('refuses NUL, which no shell argument can carry', () => {
    expect(() => shq('a\0b')).toThrow(/NUL/);
  });

  it.each(HOSTILE_STRINGS.map((s) => [JSON.stringify(s).slice(0, 40), s]))('round-trips %s through /bin/sh', (_, value) => {
    expect(viaLoginShell('/bin/sh', `printf %s ${shq(value)}`)).toBe(value);
  });
});

describe('sh template', () => {
  it('quotes every interpolated value and splices raw fragments', () => {
    const file = '/etc/rc.conf';
    const value = 'a b;c';
    expect(sh`sysrc -f ${file} name=${value}`).toBe("sysrc -f /etc/rc.conf name='a b;c'");
    expect(sh`pkg install -y ${['nginx', 'my pkg']}`).toBe("pkg install -y nginx 'my pkg'");
    expect(sh`if ${raw('true')}; then echo ${'$HOME'}; fi`).toBe("if true; then echo '$HOME'; fi");
  });

  it('never splices a plain string unquoted, even one built by sh``', () => {
    const inner = sh`echo ${'x y'}`;
    expect(sh`${inner}`).toBe(shq(inner));
  });
});

describe('wrapForRemote', () => {
  const shells = ['/bin/sh', '/usr/bin/tcsh'];

  it.each(shells)('delivers every hostile value byte for byte through a %s login shell', (shell) => {
    for (const value of HOSTILE_STRINGS) {
      expect(viaLoginShell(shell, wrapForRemote(sh`printf %s ${value}`)), JSON.stringify(value).slice(0, 60)).toBe(value);
    }
  });

  it.each(shells)('runs multi-line scripts with heredocs and exit codes under %s', (shell) => {
    const script = 'set -e\ncat <<EOF\nline "one" $((1 + 1))\nEOF\nif ! false; then echo bang!; fi\nexit 0\n';
    expect(viaLoginShell(shell, wrapForRemote(script))).toBe('line "one" 2\nbang!\n');
  });

  it('sends a command string free of newlines and csh history characters', () => {
    const command = wrapForRemote('echo "hi!"\necho ünï');
    expect(command).not.toMatch(/[\n!]/);
    expect(command).toMatch(/^\/bin\/sh -c '/);
  });

  it('wraps with doas, sudo -n and timeout(1)', () => {
    expect(wrapForRemote('id', 'doas')).toBe("doas /bin/sh -c id");
    expect(wrapForRemote('id', 'sudo')).toBe("sudo -n /bin/sh -c id");
    expect(wrapForRemote('id', 'none', { timeoutSec: 2.5 })).toBe('timeout -k 5 3 /bin/sh -c id');
  });
});
