/**
 * The atomic-write script run by a local /bin/sh in a temp directory: the same script
 * the transport sends to hosts, with the content on stdin, and the lab's FreeBSD command
 * lines (stat -f, sha256, mv -h, chmod -h) first in PATH.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomicWriteScript } from '../../../src/transport/atomic-write.js';
import { freebsdTools, type FreebsdTools } from '../../support/freebsd-tools.js';

let tools: FreebsdTools;
beforeAll(() => {
  tools = freebsdTools();
});
afterAll(() => tools.remove());

function run(script: string, stdin: string | Buffer) {
  return spawnSync('/bin/sh', ['-c', script], { input: stdin, env: tools.env });
}
const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fj-aw-'));

describe('atomicWriteScript', () => {
  it('creates a new file 0644 with exactly the given bytes', () => {
    const f = path.join(dir(), 'rc.conf');
    const content = Buffer.from('a="1"\n\0binary\xff\n', 'latin1');
    expect(run(atomicWriteScript(f), content).status).toBe(0);
    expect(fs.readFileSync(f)).toEqual(content);
    expect(fs.statSync(f).mode & 0o777).toBe(0o644);
  });

  it("keeps an existing file's mode unless a mode is given", () => {
    const f = path.join(dir(), 'secret');
    fs.writeFileSync(f, 'old');
    fs.chmodSync(f, 0o600);
    run(atomicWriteScript(f), 'new');
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    run(atomicWriteScript(f, { mode: '0640' }), 'newer');
    expect(fs.statSync(f).mode & 0o777).toBe(0o640);
    expect(fs.readFileSync(f, 'utf8')).toBe('newer');
  });

  it("the temp file is 0600 and the writer's until its content is written, verified and validated", () => {
    const d = dir();
    const f = path.join(d, 'secret');
    fs.writeFileSync(f, 'old');
    fs.chmodSync(f, 0o644);
    fs.chownSync(f, 1234, 1234);
    // The validator sees the temp file as every other user would while it is written.
    const r = run(atomicWriteScript(f, { mode: '0640', validate: "stat -f 'during %Lp %u' %s" }), 'new secret');
    expect(r.stderr.toString()).toBe('during 600 0\n');
    expect(r.status).toBe(0);
    // Then the old owner and the requested mode.
    expect(fs.statSync(f).mode & 0o7777).toBe(0o640);
    expect([fs.statSync(f).uid, fs.statSync(f).gid]).toEqual([1234, 1234]);
  });

  it("carries the old file's set-id bits, owner and group, and its flags (chflags -h)", () => {
    const d = dir();
    const f = path.join(d, 'tool');
    fs.writeFileSync(f, 'old');
    fs.chownSync(f, 1234, 5678);
    fs.chmodSync(f, 0o4750);
    run(atomicWriteScript(f, { group: '99' }), 'new');
    expect(fs.statSync(f).mode & 0o7777).toBe(0o4750);
    expect([fs.statSync(f).uid, fs.statSync(f).gid]).toEqual([1234, 99]);
    // The lab's stat reports no flags (Linux has none): a stand-in reports FreeBSD's uarch.
    const stub = path.join(d, 'stub');
    fs.mkdirSync(stub);
    fs.writeFileSync(
      path.join(stub, 'stat'),
      `#!/bin/sh\ncase "$2" in *%Of) ${tools.bin}/stat "$@" | sed 's/ 0$/ 4000000/' ;; *) exec ${tools.bin}/stat "$@" ;; esac\n`,
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(stub, 'chflags'), `#!/bin/sh\necho "chflags $*" >&2\n`, { mode: 0o755 });
    const r = spawnSync('/bin/sh', ['-c', atomicWriteScript(f)], {
      input: 'newer',
      env: { ...tools.env, PATH: `${stub}:${tools.env.PATH}` },
    });
    expect(r.stderr.toString()).toMatch(/^chflags -h -- 4000000 \.\/\.tool\.fleetjail\.[0-9a-f]{12}\n$/);
    expect(fs.readFileSync(f, 'utf8')).toBe('newer');
  });

  it('replaces the file by rename: a reader holding the old file still sees the old content', () => {
    const f = path.join(dir(), 'conf');
    fs.writeFileSync(f, 'old');
    const before = fs.statSync(f).ino;
    run(atomicWriteScript(f), 'new');
    expect(fs.statSync(f).ino).not.toBe(before);
  });

  it('validate: the new content is checked before the rename; a failed check keeps the old file', () => {
    const d = dir();
    const f = path.join(d, 'pf.conf');
    fs.writeFileSync(f, 'pass all\n');
    const check = "grep -q '^pass' %s && echo checked %s";
    const bad = run(atomicWriteScript(f, { validate: check }), 'block all\n');
    expect(bad.status).toBe(1);
    expect(bad.stderr.toString()).toBe(`validation failed (${check}): the file was not changed\n`);
    expect(fs.readFileSync(f, 'utf8')).toBe('pass all\n');
    expect(fs.readdirSync(d)).toEqual(['pf.conf']);
    const good = run(atomicWriteScript(f, { validate: check }), 'pass in all\n');
    expect(good.status).toBe(0);
    expect(good.stderr.toString()).toMatch(/^checked .*\/\.pf\.conf\.fleetjail\.\w+\n$/);
    expect(fs.readFileSync(f, 'utf8')).toBe('pass in all\n');
  });

  it('leaves the old file and no temp file behind when a step fails', () => {
    const d = dir();
    const f = path.join(d, 'pf.conf');
    fs.writeFileSync(f, 'old');
    const r = run(atomicWriteScript(f, { owner: 'no-such-user-fj' }), 'new');
    expect(r.status).not.toBe(0);
    expect(fs.readFileSync(f, 'utf8')).toBe('old');
    expect(fs.readdirSync(d)).toEqual(['pf.conf']);
  });

  it('handles paths with spaces and quotes, and refuses relative paths and bad modes', () => {
    const f = path.join(dir(), "it's a file");
    expect(run(atomicWriteScript(f), 'x').status).toBe(0);
    expect(fs.readFileSync(f, 'utf8')).toBe('x');
    expect(() => atomicWriteScript('etc/rc.conf')).toThrow(/absolute/);
    expect(() => atomicWriteScript('/etc/x', { mode: '999' })).toThrow(/octal/);
  });
});

describe('atomicWriteScript: expect and confineTo', () => {
  it('writes only when the file is still what the content was computed from', () => {
    const f = path.join(dir(), 'rc.conf');
    fs.writeFileSync(f, 'a=1\n');
    const stale = run(atomicWriteScript(f, { expect: { sha256: '0'.repeat(64) } }), 'b=2\n');
    expect(stale.status).toBe(1);
    expect(stale.stderr.toString()).toContain(`${f} changed on the host after fleetjail read it; nothing was written`);
    expect(fs.readFileSync(f, 'utf8')).toBe('a=1\n');
    expect(run(atomicWriteScript(f, { expect: 'absent' }), 'b=2\n').status).toBe(1);
    const sum = spawnSync('sha256sum', [f]).stdout.toString().split(' ')[0] as string;
    const ok = run(atomicWriteScript(f, { expect: { sha256: sum } }), 'b=2\n');
    expect(ok.status).toBe(0);
    expect(fs.readFileSync(f, 'utf8')).toBe('b=2\n');
  });

  it('inside a jail, refuses a path through a symlink (it would lead into the host) and writes nothing', () => {
    const root = dir();
    const host = dir();
    fs.writeFileSync(path.join(host, 'passwd'), 'host secret\n');
    fs.symlinkSync(host, path.join(root, 'etc'));
    const r = run(atomicWriteScript(path.join(root, 'etc', 'passwd'), { confineTo: root }), 'pwned\n');
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toBe(
      `${root}/etc: a symlink inside the jail; fleetjail does not follow symlinks in a jail from the host\n`,
    );
    expect(fs.readFileSync(path.join(host, 'passwd'), 'utf8')).toBe('host secret\n');
    fs.rmSync(path.join(root, 'etc'));
    fs.mkdirSync(path.join(root, 'etc'));
    expect(run(atomicWriteScript(path.join(root, 'etc', 'motd'), { confineTo: root }), 'hi\n').status).toBe(0);
    expect(() => atomicWriteScript('/elsewhere/x', { confineTo: root })).toThrow(/is not inside/);
  });
});
