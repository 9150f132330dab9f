/** The lab's mktemp(1) in C (userland/lib/posix/mktemp.c): FreeBSD's command line and results. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../lab/c-commands.js';
import { USERLAND_DIR } from '../../lab/layout.js';

let dir: string;
let bin: string;
const run = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(bin, args, { cwd: dir, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
};
const mode = (p: string) => fs.statSync(p).mode & 0o7777;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-mktemp-'));
  bin = path.join(dir, 'mktemp');
  compile([path.join(USERLAND_DIR, 'lib/posix/mktemp.c')], bin);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('mktemp(1) in C', () => {
  it('replaces every trailing X of a template and creates a 0600 file', () => {
    const r = run([`${dir}/a.XXX`, `${dir}/b.XXXXXXXXXX`]);
    expect(r.code).toBe(0);
    const [a, b] = r.stdout.trim().split('\n') as [string, string];
    expect(a).toMatch(new RegExp(`^${dir}/a\\.[0-9A-Za-z]{3}$`));
    expect(b).toMatch(new RegExp(`^${dir}/b\\.[0-9A-Za-z]{10}$`));
    expect(fs.statSync(a).isFile() && mode(a)).toBe(0o600);
  });

  it('-t PREFIX is TMPDIR/PREFIX.XXXXXXXX (-p wins over $TMPDIR); no template means -t tmp', () => {
    expect(run(['-t', 'fleetjail'], { TMPDIR: dir }).stdout).toMatch(new RegExp(`^${dir}/fleetjail\\.[0-9A-Za-z]{8}\\n$`));
    expect(run([], { TMPDIR: `${dir}/` }).stdout).toMatch(new RegExp(`^${dir}/tmp\\.[0-9A-Za-z]{8}\\n$`));
    fs.mkdirSync(`${dir}/p`);
    expect(run(['-p', `${dir}/p`, '-t', 'x'], { TMPDIR: dir }).stdout).toMatch(new RegExp(`^${dir}/p/x\\.[0-9A-Za-z]{8}\\n$`));
    expect(run(['-p', `${dir}/p`, 'rel.XXXX']).stdout).toMatch(new RegExp(`^${dir}/p/rel\\.[0-9A-Za-z]{4}\\n$`));
  });

  it('-d makes a 0700 directory; -u only prints a name', () => {
    const d = run(['-d', `${dir}/d.XXXXXX`]).stdout.trim();
    expect(fs.statSync(d).isDirectory() && mode(d)).toBe(0o700);
    const u = run(['-u', `${dir}/u.XXXXXX`]).stdout.trim();
    expect(u).toMatch(/u\.[0-9A-Za-z]{6}$/);
    expect(fs.existsSync(u)).toBe(false);
  });

  it("fails as FreeBSD's: mkstemp/mkdtemp failed on NAME: reason, exit 1; -q is silent", () => {
    expect(run([`${dir}/none/x.XXXX`])).toEqual({
      stdout: '',
      stderr: `mktemp: mkstemp failed on ${dir}/none/x.XXXX: No such file or directory\n`,
      code: 1,
    });
    expect(run(['-d', `${dir}/none/x.XXXX`]).stderr).toBe(`mktemp: mkdtemp failed on ${dir}/none/x.XXXX: No such file or directory\n`);
    expect(run(['-q', `${dir}/none/x.XXXX`])).toEqual({ stdout: '', stderr: '', code: 1 });
    fs.writeFileSync(`${dir}/fixed`, '');
    expect(run([`${dir}/fixed`]).stderr).toBe(`mktemp: mkstemp failed on ${dir}/fixed: File exists\n`);
  });

  it("rejects GNU's long options and unknown flags with the usage", () => {
    const r = run(['--tmpdir']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'mktemp: illegal option -- -\nusage: mktemp [-d] [-p tmpdir] [-q] [-t prefix] [-u] template ...\n       mktemp [-d] [-p tmpdir] [-q] [-u] -t prefix \n',
    );
  });
});
