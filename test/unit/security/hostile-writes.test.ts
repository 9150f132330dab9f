/**
 * Issue #11, second hostile pass: findings about file writes on hosts and in jails that pure
 * code (and a real local sh) reproduce. Each test FAILED on the code of stop 17; the comment
 * above it gives the finding as it was, and what changed. The lab half is
 * test/integration/security/hostile-writes.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { file } from '../../../src/modules/files/file.js';
import { fileStateQuery } from '../../../src/modules/kit/file-facts.js';
import { rcValidation } from '../../../src/modules/kit/rc-conf-edit.js';
import { ctx, plan, scripts } from '../modules/support.js';
import { atomicWriteScript } from '../../../src/transport/atomic-write.js';
import { freebsdTools, type FreebsdTools } from '../../support/freebsd-tools.js';

let tools: FreebsdTools;
beforeAll(() => {
  tools = freebsdTools();
});
afterAll(() => tools.remove());

const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fj-hostile-write-'));

describe('hostile pass 2: writes into a jail from the host', () => {
  // Finding (fixed): writes into a jail checked "no symlink below the jail's root" once, then
  // used the full path. The jail's root could widen the window at will (the
  // `rm -f -- DIR/.NAME.fleetjail.*` glob reads the whole directory: fill it with a million
  // entries) and swap its /etc for a symlink to / in that window: mktemp, cat and mv then
  // resolved through the link from the HOST, and the file landed in the host's /etc.
  // Now the script cds into the directory (-P), checks `pwd -P` is inside the jail's root and
  // names everything relative to it. This test plays the jail root winning the race: the swap
  // happens when the script runs that rm. Severity was: breaks a host.
  it('a jail that swaps its /etc for a symlink after the check does not get the write into the host', () => {
    const dir = scratch();
    try {
      const root = path.join(dir, 'usr/jails/web');
      const hostEtc = path.join(dir, 'host-etc');
      fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
      fs.mkdirSync(hostEtc);
      fs.writeFileSync(path.join(root, 'etc', 'app.conf'), 'old\n');
      fs.writeFileSync(path.join(hostEtc, 'app.conf'), 'host file\n');
      // The jail root's move, timed to the script's first command after the check (an rm).
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      const realRm = execFileSync('/bin/sh', ['-c', 'command -v rm'], { encoding: 'utf8' }).trim();
      fs.writeFileSync(
        path.join(bin, 'rm'),
        `#!/bin/sh
case "$*" in *.fleetjail.*) if [ ! -L ${root}/etc ]; then ${realRm} -rf ${root}/etc.real; mv ${root}/etc ${root}/etc.real && ln -s ${hostEtc} ${root}/etc; fi ;; esac
exec ${realRm} "$@"
`,
        { mode: 0o755 },
      );
      const script = atomicWriteScript(`${root}/etc/app.conf`, { confineTo: root });
      const r = execFileSync(
        '/bin/sh',
        ['-c', `PATH=${bin}:$PATH; export PATH\n( ${script} ) <<'EOF' 2>&1; echo "status $?"\nwritten by fleetjail for the jail\nEOF\n`],
        { encoding: 'utf8', env: tools.env },
      );
      expect(fs.readFileSync(path.join(hostEtc, 'app.conf'), 'utf8'), r).toBe('host file\n');
      expect(fs.readdirSync(hostEtc)).toEqual(['app.conf']);
      // The write went where the script stood: the jail's directory, wherever the jail moved it.
      expect(r).toBe('status 0\n');
      expect(fs.readFileSync(path.join(root, 'etc.real', 'app.conf'), 'utf8')).toBe('written by fleetjail for the jail\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a directory that leads out of the jail's root when the script gets there is refused", () => {
    const dir = scratch();
    try {
      const root = path.join(dir, 'jail');
      const host = path.join(dir, 'host');
      fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
      fs.mkdirSync(host);
      // The static check passes (no link yet); the link is there when the script cds.
      const script = atomicWriteScript(`${root}/etc/app.conf`, { confineTo: root }).replace(
        /^cd -P/m,
        `rmdir ${root}/etc && ln -s ${host} ${root}/etc && cd -P`,
      );
      const r = spawnSync('/bin/sh', ['-c', script], { input: 'x\n', env: tools.env, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `${root}/etc: leads outside the jail's root from the host; fleetjail does not follow symlinks in a jail from the host\n`,
      );
      expect(fs.readdirSync(host)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a link at the file's own name is replaced, never written or read through", () => {
    const dir = scratch();
    try {
      const root = path.join(dir, 'jail');
      const hostFile = path.join(dir, 'host-secret');
      fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
      fs.writeFileSync(hostFile, 'host secret\n');
      fs.chmodSync(hostFile, 0o640);
      const target = path.join(root, 'etc', 'app.conf');
      // Swapped in after the static check, as a racing jail would.
      const script = atomicWriteScript(target, { confineTo: root }).replace(/^cd -P/m, `ln -s ${hostFile} ${target} && cd -P`);
      const r = spawnSync('/bin/sh', ['-c', script], { input: 'jail content\n', env: tools.env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(fs.readFileSync(hostFile, 'utf8')).toBe('host secret\n');
      expect(fs.statSync(hostFile).mode & 0o777).toBe(0o640);
      expect(fs.lstatSync(target).isFile()).toBe(true);
      // The host file's mode did not carry over either: a link is no old file.
      expect(fs.statSync(target).mode & 0o777).toBe(0o644);
      // With an expected old content, a link fails the check without its target being read.
      fs.rmSync(target);
      fs.symlinkSync(hostFile, target);
      const sum = execFileSync('sha256sum', [hostFile], { encoding: 'utf8' }).split(' ')[0] as string;
      const e = spawnSync('/bin/sh', ['-c', atomicWriteScript(target, { expect: { sha256: sum } })], {
        input: 'x\n',
        env: tools.env,
        encoding: 'utf8',
      });
      expect(e.status).toBe(1);
      expect(e.stderr).toContain('changed on the host after fleetjail read it');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a temp file swapped for a link before its mode is set does not change the link's target", () => {
    const dir = scratch();
    try {
      const hostFile = path.join(dir, 'master.passwd');
      fs.writeFileSync(hostFile, 'root:hash\n');
      fs.chmodSync(hostFile, 0o600);
      fs.mkdirSync(path.join(dir, 'etc'));
      const target = path.join(dir, 'etc', 'app.conf');
      // The jail's move between the content and the chmod: the temp file becomes a link.
      const script = atomicWriteScript(target, { mode: '0644' }).replace(
        /^chmod -h/m,
        `rm -f -- "$tmp" && ln -s ${hostFile} "$tmp" && chmod -h`,
      );
      const r = spawnSync('/bin/sh', ['-c', script], { input: 'x\n', env: tools.env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(fs.statSync(hostFile).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(hostFile, 'utf8')).toBe('root:hash\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hostile pass 2: other changes in a jail from the host', () => {
  // The same race for file's own scripts (removal, attributes, directories): they now enter
  // the directory and check it the same way (src/modules/file.ts at(), confine.ts).
  const jail = ctx({ kind: 'jail', name: 'www' });
  const dirState = { type: 'directory' as const, mode: '0755', uid: '0', gid: '0', owner: 'root', group: 'wheel' };
  /** The change's script, with the jail's swap of DIR for a link to HOST done just before it enters DIR. */
  const raced = (script: string, dir: string, host: string) => script.replace(/^cd -P/m, `rm -rf ${dir} && ln -s ${host} ${dir} && cd -P`);

  it("removing a directory, changing a mode, creating a directory: never in the host's tree", () => {
    const d = scratch();
    try {
      const root = path.join(d, 'jail');
      const host = path.join(d, 'host');
      fs.mkdirSync(path.join(host, 'cache'), { recursive: true });
      fs.writeFileSync(path.join(host, 'cache', 'keep'), 'host data\n');
      fs.chmodSync(path.join(host, 'cache'), 0o700);
      const run = (script: string) => spawnSync('/bin/sh', ['-c', `set -e\n${script}`], { env: tools.env, encoding: 'utf8' });
      const setup = () => {
        fs.rmSync(root, { recursive: true, force: true });
        fs.mkdirSync(path.join(root, 'var', 'cache'), { recursive: true });
      };
      const cases = [
        scripts(plan(file, { path: '/var/cache', state: 'absent', recursive: true }, { state: dirState, root }, jail))[0] as string,
        scripts(plan(file, { path: '/var/cache', state: 'directory', mode: '0777' }, { state: dirState, root }, jail))[0] as string,
      ];
      for (const script of cases) {
        setup();
        const r = run(raced(script, path.join(root, 'var'), host));
        expect(r.status, script).toBe(1);
        expect(r.stderr).toContain("leads outside the jail's root from the host");
        expect(fs.readFileSync(path.join(host, 'cache', 'keep'), 'utf8')).toBe('host data\n');
        expect(fs.statSync(path.join(host, 'cache')).mode & 0o777).toBe(0o700);
      }
      // A new directory is made one level at a time, each level entered and checked.
      setup();
      const mk = scripts(
        plan(file, { path: '/var/new/deep', state: 'directory', mode: '0750' }, { state: { type: 'absent' }, root }, jail),
      )[0] as string;
      const r = run(mk.replace(/^\[ -d \.\/new \]/m, `rm -rf ${root}/var && ln -s ${host} ${root}/var && [ -d ./new ]`));
      expect(r.status).toBe(1);
      expect(fs.readdirSync(host)).toEqual(['cache']);
      setup();
      expect(run(mk).status).toBe(0);
      expect(fs.statSync(path.join(root, 'var/new/deep')).mode & 0o777).toBe(0o750);
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});

describe("hostile pass 2: reading a jail's file from the host", () => {
  // The facts read a jail's files from inside their directory too, and a file's bytes only
  // through a descriptor checked to be the file at its name.
  it("a directory or file swapped for a link while the facts run does not get the host's file read", () => {
    const d = scratch();
    try {
      const root = path.join(d, 'jail');
      const host = path.join(d, 'host');
      fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
      fs.mkdirSync(host);
      fs.writeFileSync(path.join(root, 'etc', 'app.conf'), 'jail text\n');
      fs.writeFileSync(path.join(host, 'app.conf'), 'HOST SECRET\n');
      const bin = path.join(d, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, 'jls'), `#!/bin/sh\necho ${root}\n`, { mode: 0o755 });
      const env = { ...tools.env, PATH: `${bin}:${tools.env.PATH}` };
      const q = fileStateQuery({ kind: 'jail', name: 'www' }, '/etc/app.conf', { content: true });
      const run = (script: string) => spawnSync('/bin/sh', ['-c', script], { env, encoding: 'utf8' });
      expect(run(q.script).stdout).toContain('content\njail text\n');
      const dirSwap = run(q.script.replace(/^cd -P/m, `mv ${root}/etc ${root}/etc.real && ln -s ${host} ${root}/etc && cd -P`));
      expect(dirSwap.status).toBe(1);
      expect(dirSwap.stdout + dirSwap.stderr).not.toContain('HOST SECRET');
      fs.rmSync(path.join(root, 'etc'));
      fs.renameSync(path.join(root, 'etc.real'), path.join(root, 'etc'));
      // The file itself swapped between the type test and the read.
      const fileSwap = run(
        q.script.replace(/^  printf 'sha256 '/m, `  rm ./app.conf && ln -s ${host}/app.conf ./app.conf\n  printf 'sha256 '`),
      );
      expect(fileSwap.status).toBe(1);
      expect(fileSwap.stderr).toContain('app.conf: swapped while fleetjail read it');
      expect(fileSwap.stdout).not.toContain('HOST SECRET');
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});

describe("hostile pass 2: a jail's rc.conf check", () => {
  // Finding (fixed): sysrc with `jail:` checked the new file by sourcing it inside the jail
  // with `jexec -- JAIL /bin/sh -c '...[ "$fj_v" = VALUE ]...'`: the VALUE (a password from an
  // age file, a vars_from_env token) was in the argv of jexec and of the jail's /bin/sh -c,
  // so any unprivileged user on the host saw it in `ps -ax -o args` while the check ran.
  // Now the value reaches the jail's sh on jexec's stdin, written by sh's builtin printf.
  // Severity was: leaks a secret.
  it("sysrc in a jail: the value being checked is not on jexec's command line", () => {
    const SECRET = "S3cret-db-pw-4711 it's %s\n";
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-hostile-jexec-'));
    try {
      const root = path.join(dir, 'jail');
      fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
      const tmp = path.join(root, 'etc', '.rc.conf.fleetjail.abc123');
      // A stand-in jexec(8) that records its argv (as ps would show it) and runs the command in the "jail".
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      // (`jexec -- JAIL /bin/sh -c SCRIPT sh PATH`, PATH inside the jail: here, under the root.)
      fs.writeFileSync(
        path.join(bin, 'jexec'),
        `#!/bin/sh\nprintf '%s\\n' "jexec $*" >> ${dir}/argv\nshift 2\nexec "$1" "$2" "$3" "$4" "${root}$5"\n`,
        { mode: 0o755 },
      );
      const validate = rcValidation('db_password', SECRET, { name: 'web', root });
      expect(validate.includes('S3cret')).toBe(true); // in the script (on stdin), not in argv
      // As the atomic write runs it (%s is "$tmp"). The jail's /bin/sh is the host's here.
      const check = (text: string) => {
        fs.writeFileSync(tmp, text);
        const script = `PATH=${bin}:$PATH\ntmp=${tmp}\n( ${validate.split('%s').join('"$tmp"')} ) >/dev/null 2>&1; echo "status $?"`;
        return execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
      };
      expect(check(`db_password="S3cret-db-pw-4711 it's %s\n"\n`)).toBe('status 0\n');
      expect(check('db_password="S3cret-db-pw-4711"\n')).toBe('status 1\n');
      const argv = fs.readFileSync(path.join(dir, 'argv'), 'utf8');
      expect(argv).toMatch(/^jexec -- web \/bin\/sh -c /); // the check did run through jexec
      expect(argv.includes('S3cret'), `a host user's ps shows: ${argv}`).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
