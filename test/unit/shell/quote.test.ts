import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { raw, sh, shq, wrapForRemote } from '../../../src/shell/quote.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';

const CORPUS: string[] = [
  ...HOSTILE_STRINGS,
  "'\\''",
  '"$(id)" \'$(id)\' `id`',
  '${IFS}x${IFS}',
  'a\r\nb\r\n',
  '\t\ttabs\t',
  'a;b|c&d&&e||f>g<h',
  '*',
  '?',
  '[',
  '[!a]',
  '~',
  '~/x',
  '#',
  '!',
  '!!',
  '!$',
  '!-1',
  '!:0',
  '^a^b',
  '=1',
  '=-',
  '{a,b}',
  '$?$#$$',
  'a\\',
  '\\',
  '\\\\',
  '\\!',
  '\\\n',
  '\\c stop',
  '%s %b %%',
  '\\0101 \\n',
  '-',
  '-c',
  '+x',
  ' leading and trailing ',
  'if',
  'then',
  'a=b',
  'PATH=/nowhere',
  'é à ü ß',
  'Ω≈ç√',
  '中文字符 漢字',
  '👩‍👩‍👧 🇫🇷',
  'e\u0301',
  '\u2028\u2029\ufeff',
  Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('') + '\x7f',
  Array.from({ length: 128 }, (_, i) => String.fromCharCode(i + 128)).join(''),
];
const LONG_PLAIN = 'x'.repeat(100_000);
const LONG_HOSTILE = '\'"$(id)`id`!\n\t\\ 日🚀'.repeat(5_000); // 95k UTF-16 units, 115k bytes

/** Deterministic fuzz: strings of printable, control, Latin-1, CJK and astral characters. */
function fuzzStrings(count: number, seed = 42): string[] {
  let state = seed;
  const next = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
  const pools = [
    [1, 0x7f],
    [0x20, 0x7f],
    [0x80, 0x100],
    [0x4e00, 0x9fff],
    [0x1f300, 0x1f6ff],
  ] as const;
  return Array.from({ length: count }, () => {
    let s = '';
    for (let i = next(80); i > 0; i--) {
      const [lo, hi] = pools[next(pools.length)]!;
      s += String.fromCodePoint(lo + next(hi - lo));
    }
    return s;
  });
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-quote-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
const fakeBin = path.join(home, 'bin');
fs.mkdirSync(fakeBin);
// Stand-ins for doas and sudo -n that just run the command, to test the become prefix.
fs.writeFileSync(path.join(fakeBin, 'doas'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
fs.writeFileSync(path.join(fakeBin, 'sudo'), '#!/bin/sh\n[ "$1" = -n ] || exit 99\nshift\nexec "$@"\n', { mode: 0o755 });
// HOME without rc files, so tcsh reads no ~/.cshrc.
const env = { ...process.env, HOME: home, PATH: `${fakeBin}:${process.env.PATH ?? '/usr/bin:/bin'}` };

/** What sshd does with our command: LOGIN_SHELL -c COMMAND. */
function viaLoginShell(shell: string, command: string, input?: string) {
  const r = spawnSync(shell, ['-c', command], { env, input: input ?? '', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

/** Stdout of a command that must succeed silently; `what` names the case in a failure. */
function stdoutOf(shell: string, command: string, what = ''): string {
  const r = viaLoginShell(shell, command);
  expect({ status: r.status, stderr: r.stderr }, what).toEqual({ status: 0, stderr: '' });
  return r.stdout;
}

const label = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…(${s.length})` : s);
/** The shells among these that exist, one per real binary (/bin/sh is often dash, csh often tcsh). */
function distinctShells(candidates: string[]): string[] {
  const seen = new Set<string>();
  return candidates.filter((s) => {
    if (!fs.existsSync(s)) return false;
    const real = fs.realpathSync(s);
    return seen.has(real) ? false : (seen.add(real), true);
  });
}
const POSIX_SHELLS = distinctShells(['/bin/sh', '/bin/dash', '/bin/bash']);
const LOGIN_SHELLS = distinctShells(['/bin/sh', '/bin/bash', '/usr/bin/tcsh', '/bin/csh']);

describe('shq', () => {
  it("single-quotes anything but a plain word, writing ' as '\\''", () => {
    expect(shq('rc.conf')).toBe('rc.conf');
    expect(shq('/usr/local/etc/nginx.conf')).toBe('/usr/local/etc/nginx.conf');
    expect(shq(42)).toBe('42');
    expect(shq('')).toBe("''");
    expect(shq("it's")).toBe("'it'\\''s'");
    expect(shq('$(x)')).toBe("'$(x)'");
    expect(shq('a b')).toBe("'a b'");
  });

  it('quotes words that would change meaning bare in command position', () => {
    expect(shq('a=b')).toBe("'a=b'");
    expect(shq('if')).toBe("'if'");
    expect(shq('done')).toBe("'done'");
    expect(shq('~root')).toBe("'~root'");
  });

  it('refuses NUL, which no shell argument can carry', () => {
    expect(() => shq('a\0b')).toThrow(/NUL/);
  });

  it.each(POSIX_SHELLS)('makes exactly one word with exactly the bytes of every hostile value under %s', (shell) => {
    for (const value of [...CORPUS, LONG_PLAIN, LONG_HOSTILE]) {
      expect(stdoutOf(shell, `set -- ${shq(value)}; printf '%s:%s' "$#" "$1"`, label(value)), label(value)).toBe(`1:${value}`);
    }
  });
});

describe('sh template', () => {
  it('quotes every interpolated value and keeps the template text', () => {
    const file = '/etc/rc.conf';
    const value = 'a b;c';
    expect(sh`sysrc -f ${file} name=${value}`).toBe("sysrc -f /etc/rc.conf name='a b;c'");
    expect(sh`echo ${'$HOME'} ${7}`).toBe("echo '$HOME' 7");
  });

  it('turns an array into one quoted word per element, and an empty array into nothing', () => {
    expect(sh`pkg install -y ${['nginx', 'my pkg']}`).toBe("pkg install -y nginx 'my pkg'");
    expect(sh`ls ${[]}`).toBe('ls ');
  });

  it('splices raw() fragments as they are, and nothing else', () => {
    const inner = sh`echo ${'x y'}`;
    expect(sh`if ${raw('true')}; then ${raw(inner)}; fi`).toBe("if true; then echo 'x y'; fi");
    // A plain string is a value, even one built by sh``.
    expect(sh`${inner}`).toBe(shq(inner));
  });

  it('refuses values that are not strings or numbers instead of printing "undefined"', () => {
    for (const bad of [undefined, null, {}, true, Number.NaN, Infinity, [['nested']], [undefined]]) {
      expect(() => sh`rm -rf ${bad as never}/`, String(bad)).toThrow(TypeError);
    }
  });

  it('passes an array of hostile values as exactly that argv', () => {
    const argv = CORPUS.filter((v) => v !== '');
    const out = stdoutOf('/bin/sh', sh`printf '%s\\0' ${argv}`);
    expect(out.split('\0').slice(0, -1)).toEqual(argv);
  });
});

// Each of these starts a few hundred shells: on a loaded 2-core machine that can pass vitest's 5 s default.
describe('wrapForRemote', { timeout: 120_000 }, () => {
  const values = [...CORPUS, ...fuzzStrings(60), LONG_PLAIN, LONG_HOSTILE.slice(0, 20_000)];

  it.each(LOGIN_SHELLS)('delivers every hostile value byte for byte through a %s login shell', (shell) => {
    for (const value of values) {
      expect(stdoutOf(shell, wrapForRemote(sh`printf %s ${value}`), label(value)), label(value)).toBe(value);
    }
  });

  it.each(LOGIN_SHELLS)('delivers the script text itself byte for byte through a %s login shell', (shell) => {
    for (const value of values) {
      if (value.includes('\n')) continue; // a line of its own would end the here-document
      const script = `cat <<'FJ_EOF'\n${value}\nFJ_EOF\n`;
      expect(stdoutOf(shell, wrapForRemote(script), label(value)), label(value)).toBe(`${value}\n`);
    }
  });

  it.each(LOGIN_SHELLS)('runs multi-line scripts with heredocs, `!` and exit codes under %s', (shell) => {
    const script = 'set -e\ncat <<EOF\nline "one" $((1 + 1))\nEOF\nif ! false; then echo bang!; fi\nexit 0\n';
    expect(stdoutOf(shell, wrapForRemote(script))).toBe('line "one" 2\nbang!\n');
    expect(viaLoginShell(shell, wrapForRemote('echo out; echo err >&2\nexit 7'))).toEqual({ status: 7, stdout: 'out\n', stderr: 'err\n' });
    expect(viaLoginShell(shell, wrapForRemote('exit 3')).status).toBe(3);
  });

  it.each(LOGIN_SHELLS)('leaves stdin to the script under %s', (shell) => {
    const input = 'line 1\nl\'ne "2" !\n日本\n';
    expect(viaLoginShell(shell, wrapForRemote('cat'), input).stdout).toBe(input);
    expect(viaLoginShell(shell, wrapForRemote('read -r first\ncat'), input).stdout).toBe(input.slice(input.indexOf('\n') + 1));
  });

  it.each(LOGIN_SHELLS)('runs a script that starts with - or + as a command, not as sh options, under %s', (shell) => {
    expect(viaLoginShell(shell, wrapForRemote('-n 2>/dev/null; echo ran')).stdout).toBe('ran\n');
    expect(viaLoginShell(shell, wrapForRemote('+x 2>/dev/null; echo ran\n')).stdout).toBe('ran\n');
  });

  it.runIf(fs.existsSync('/bin/bash'))("works the same where the host's /bin/sh is bash", () => {
    const withBash = (command: string) => command.replace(/^\/bin\/sh /, '/bin/bash ');
    for (const value of values) {
      expect(stdoutOf('/usr/bin/tcsh', withBash(wrapForRemote(sh`printf %s ${value}`)), label(value)), label(value)).toBe(value);
    }
    // bash's eval, unlike sh's, takes options.
    expect(viaLoginShell('/usr/bin/tcsh', withBash(wrapForRemote('-n 2>/dev/null; echo ran'))).stdout).toBe('ran\n');
  });

  it.each(LOGIN_SHELLS)('keeps values intact through doas and sudo -n under %s', (shell) => {
    for (const become of ['doas', 'sudo'] as const) {
      for (const value of CORPUS.slice(0, 40)) {
        const command = wrapForRemote(sh`printf %s ${value}`, become);
        expect(stdoutOf(shell, command, `${become} ${label(value)}`), `${become} ${label(value)}`).toBe(value);
      }
    }
  });

  it('sends only printable ASCII without `!`, whatever the script', () => {
    for (const value of values) {
      const command = wrapForRemote(`printf %s\n${value}`, 'sudo');
      expect(command).toMatch(/^[\x20-\x7e]*$/);
      expect(command).not.toContain('!');
    }
  });

  it('sends a plain script as is, and encodes the rest readably', () => {
    expect(wrapForRemote('uname -sr')).toBe("/bin/sh -c 'uname -sr'");
    expect(wrapForRemote("echo 'a b'")).toBe("/bin/sh -c 'echo '\\''a b'\\'''");
    expect(wrapForRemote('set -e\necho hi!')).toBe(`/bin/sh -c 'eval "$(printf %b '\\''set -e\\necho hi\\0041'\\'')"'`);
  });

  it('wraps with doas and sudo -n', () => {
    expect(wrapForRemote('id', 'doas')).toBe('doas /bin/sh -c id');
    expect(wrapForRemote('id', 'sudo')).toBe('sudo -n /bin/sh -c id');
  });

  it('refuses a script with a NUL byte', () => {
    expect(() => wrapForRemote('echo a\0b')).toThrow(/NUL/);
  });
});
