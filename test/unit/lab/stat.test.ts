/**
 * The lab's stat(1) in C (userland/lib/posix/stat.c) against its first, node version
 * (stat.cjs, kept as the reference): the same invocations (formats, flags, file types,
 * errors) through both, stdout, stderr and exit codes compared. Where the node version
 * was not FreeBSD's, the C one is checked against FreeBSD's behaviour instead.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../lab/c-commands.js';
import { USERLAND_DIR } from '../../lab/layout.js';

let dir: string;
let cStat: string;
let runner: string;
const MTIME = 1700000000; // whole seconds: the node version had millisecond precision only

interface Result {
  stdout: string;
  stderr: string;
  code: number | null;
}

function run(cmd: string, args: string[], stdin?: string): Result {
  const r = spawnSync(cmd, args, {
    cwd: path.join(dir, 'files'),
    env: { PATH: process.env.PATH, TZ: 'UTC' },
    input: stdin,
    encoding: 'utf8',
  });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}
const viaC = (args: string[], stdin?: string) => run(cStat, args, stdin);
const viaNode = (args: string[], stdin?: string) => run(process.execPath, [runner, ...args], stdin);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-stat-'));
  cStat = path.join(dir, 'stat');
  compile([path.join(USERLAND_DIR, 'lib/posix/stat.c')], cStat);
  runner = path.join(dir, 'runner.cjs');
  fs.writeFileSync(
    runner,
    `process.exitCode = require(${JSON.stringify(path.join(USERLAND_DIR, 'lib/posix/stat.cjs'))}).main(process.argv.slice(2));\n`,
  );
  const f = path.join(dir, 'files');
  fs.mkdirSync(f);
  const put = (name: string, content: string, mode: number) => {
    fs.writeFileSync(path.join(f, name), content);
    fs.chmodSync(path.join(f, name), mode);
  };
  put('plain', '12345', 0o640);
  put('exec', '#!/bin/sh\n', 0o4755);
  fs.mkdirSync(path.join(f, 'dir'));
  fs.chmodSync(path.join(f, 'dir'), 0o1777);
  fs.symlinkSync('plain', path.join(f, 'link'));
  fs.symlinkSync('nowhere', path.join(f, 'dangling'));
  spawnSync('mkfifo', [path.join(f, 'fifo')]);
  for (const name of ['plain', 'exec', 'dir', 'fifo']) fs.utimesSync(path.join(f, name), MTIME, MTIME);
  for (const name of ['link', 'dangling']) fs.lutimesSync(path.join(f, name), MTIME, MTIME);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const FILES = ['plain', 'exec', 'dir', 'link', 'fifo', '/dev/null'];

/** Invocations whose output the node version already had right. */
const SAME: string[][] = [
  ...FILES.map((f) => ['-f', '%Mp%Lp %u %g %Su %Sg %z', f]),
  ...FILES.map((f) => ['-f', '%N %T %HT %Sp %p %#p %Lp %#Lp %Mp %Hp %OLp %XLp', f]),
  ...FILES.map((f) => ['-l', f]),
  ...FILES.map((f) => ['-s', f]),
  ...FILES.map((f) => ['-r', f]),
  ['-L', '-f', '%N %HT %z', 'link'],
  ['-L', '-l', 'link', 'dir'],
  ['-f', '%Y|%SY|%N', 'link', 'plain'],
  ['-f', '%i %l %d %k %b %r %Z', '/dev/null', 'plain'],
  ['-f', '%a %m %c %Sa %Sm %Sc', 'plain', 'dir'],
  ['-f', '%Fm %.3Fm %.0Fm', 'plain'],
  ['-t', '%Y-%m-%d %H:%M:%S', '-f', '%Sm', 'plain'],
  ['-t', '%s %j %a %d %e %b %F %T %y %%', '-f', '%Sm|%Sa', 'plain'],
  ['-f', '%-8z|%8z|%08z|%-6Su|%6Sg', 'plain', 'exec'],
  ['-f', '%Oz %Xz %#Oz %#Xz %Dz %Uz', 'plain'],
  ['-f', '%%%n%t', 'plain'],
  ['-n', '-f', '%z', 'plain', 'exec'],
  ['-f', '%z', 'plain', 'missing', 'exec'],
  ['-q', '-f', '%z', 'missing', 'plain'],
  ['-L', '-f', '%z', 'missing'],
  ['missing'],
  ['-f', '%z', 'missing/x'],
  ['-c', '%s', 'plain'],
  ['--format=%s', 'plain'],
  ['-f'],
  ['-t'],
  ['-f%z', 'plain'],
  ['-Lf', '%z', 'link'],
  ['-f', '%z', '--', 'plain'],
];

describe('stat(1) in C against the node reference', () => {
  it.each(SAME.map((a) => [a.join(' '), a]))('stat %s', (_name, args) => {
    expect(viaC(args as string[])).toEqual(viaNode(args as string[]));
  });

  it('stdin without operands', () => {
    expect(viaC(['-f', '%N %z'], 'abc')).toEqual(viaNode(['-f', '%N %z'], 'abc'));
  });

  it('the default format differs only in %#Xf: FreeBSD prints 0 for no flags, the node version 0x0', () => {
    for (const f of FILES) {
      const node = viaNode([f]);
      expect(node.stdout).toMatch(/ 0x0 /);
      expect(viaC([f])).toEqual({ ...node, stdout: node.stdout.replace(' 0x0 ', ' 0 ') });
      expect(viaC(['-x', f])).toEqual(viaC([f])); // lab: -x prints the default format
    }
  });
});

describe("stat(1) in C where the node version was not FreeBSD's", () => {
  it('adds a newline only when the output does not end with one; an empty format prints nothing', () => {
    expect(viaC(['-f', '%z%n', 'plain']).stdout).toBe('5\n');
    expect(viaC(['-f', '', 'plain']).stdout).toBe('');
  });

  it('rejects unknown fields and unsupported output forms: "bad format", exit 1', () => {
    expect(viaC(['-f', 'x%Q', 'plain'])).toEqual({ stdout: 'x', stderr: 'stat: %Q: bad format\n', code: 1 });
    expect(viaC(['-f', '%Fz', 'plain'])).toEqual({ stdout: '', stderr: 'stat: %Fz: bad format\n', code: 1 });
    expect(viaC(['-f', '%SMT', 'plain']).stderr).toBe('stat: %SMT: bad format\n');
    expect(viaC(['-f', '%F ', 'plain']).stderr).toBe('stat: %F : bad format\n');
  });

  it('refuses two output formats and -F with another one', () => {
    expect(viaC(['-l', '-s', 'plain'])).toEqual({ stdout: '', stderr: "stat: can't use format 'l' with 's'\n", code: 1 });
    expect(viaC(['-F', '-r', 'plain'])).toEqual({ stdout: '', stderr: "stat: can't use format 'r' with -F\n", code: 1 });
  });

  it("-F is ls -F: the type character before a symlink's target", () => {
    expect(viaC(['-F', 'exec', 'link', 'dir']).stdout).toBe(
      viaNode(['-l', 'exec', 'link', 'dir'])
        .stdout.replace('exec\n', 'exec*\n')
        .replace('link -> ', 'link@ -> ')
        .replace('dir\n', 'dir/\n'),
    );
  });

  it('-L on a dangling symlink shows the link itself', () => {
    expect(viaC(['-L', '-f', '%HT %Y', 'dangling'])).toEqual({ stdout: 'Symbolic Link nowhere\n', stderr: '', code: 0 });
  });

  it('%+z is unsigned (no sign), %+Dz signed; %Sf is "-"; %@ numbers the operands', () => {
    expect(viaC(['-f', '%+z %+Dz %Sf %f %v %@', 'plain', 'exec']).stdout).toBe('5 +5 - 0 0 1\n10 +10 - 0 0 2\n');
  });

  it('%SHp %SMp %SLp are the owner, group and other permission triplets; a precision cuts strings', () => {
    expect(viaC(['-f', '%SHp|%SMp|%SLp|%.4Sp', 'exec']).stdout).toBe('rws|r-x|r-x|-rws\n');
  });

  it('%R is the real path', () => {
    expect(viaC(['-f', '%R|%SR', 'link']).stdout).toBe(
      `${fs.realpathSync(path.join(dir, 'files/plain'))}| -> ${fs.realpathSync(path.join(dir, 'files/plain'))}\n`,
    );
  });

  it.runIf(process.getuid?.() === 0)('owners without a name print as (ID)', () => {
    const f = path.join(dir, 'files', 'orphan');
    fs.writeFileSync(f, 'x');
    fs.chownSync(f, 4242, 4243);
    expect(viaC(['-f', '%Su %Sg %u %g', 'orphan']).stdout).toBe('(4242) (4243) 4242 4243\n');
  });
});
