/**
 * pkg(8) on lab hosts (issue #3 point 7, packages): the lab mirror's repositories
 * (quarterly, and latest with newer versions), pkg info / install / delete / upgrade /
 * version, pkg -j JAIL, and the bootstrap of a jail without pkg, compared with the shapes
 * of real FreeBSD output in ../shared/freebsd-reference.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lab/layout.js';
import { labHosts, sshRun } from '../../support/lab.js';

const REF = path.join(PROJECT_ROOT, '..', 'shared', 'freebsd-reference');
const reference = (name: string) =>
  fs
    .readFileSync(path.join(REF, name), 'utf8')
    .split('\n')
    .slice(2)
    .filter((l) => l !== '');

/** The host these tests use: the second one when there is one (release.test.ts uses the first). */
const host = () => labHosts()[1] ?? labHosts()[0]!;
/** Runs CMD with sh on the host (some lab hosts log in with tcsh). */
const run = (cmd: string) => sshRun(host(), `sh -c '${cmd.replace(/'/g, `'\\''`)}'`);
const LATEST =
  'mkdir -p /usr/local/etc/pkg/repos && echo \'FreeBSD: { url: "http://mirror.lab/pkg/${ABI}/latest" }\' > /usr/local/etc/pkg/repos/FreeBSD.conf';
const QUARTERLY = 'rm -f /usr/local/etc/pkg/repos/FreeBSD.conf';
const REMOVE_ALL =
  'pkg delete -y nginx pcre2 curl ca_root_nss libnghttp2 tmux libevent postgresql16-server postgresql16-client >/dev/null 2>&1';

beforeAll(async () => {
  await run(`${QUARTERLY}; ${REMOVE_ALL}; true`);
});

describe('pkg info', () => {
  it("lists installed packages in pkg info's columns (name-version in 30, then the comment)", async () => {
    const r = await run('pkg install -y tmux >/dev/null && pkg info');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('tmux-3.5a                      Terminal Multiplexer');
    const refCol = reference('pkg-info-01.txt').map((l) => l.search(/ \S/) + 1);
    for (const l of lines) {
      expect(l).toMatch(/^\S+-\S+ +\S/);
      expect(l.search(/ \S/) + 1).toBe(Math.min(...refCol));
    }
  });

  it('-e answers with the exit status only; -x prints name-version lines', async () => {
    const r = await run('pkg info -e tmux; echo rc=$?; pkg info -e nosuch; echo rc=$?; pkg info -x ^tm; pkg info -x nomatch; echo rc=$?');
    expect(r.stdout).toBe('rc=0\nrc=1\ntmux-3.5a\nrc=1\n');
    expect(reference('pkg-info-x-01.txt')[0]).toMatch(/^[\w.+-]+-[\w.,_]+$/);
  });

  it("shows one package's details", async () => {
    const r = await run('pkg info tmux');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('tmux-3.5a');
    expect(lines).toContain('Name           : tmux');
    expect(lines).toContain('Version        : 3.5a');
    expect(lines).toContain('Origin         : sysutils/tmux');
  });
});

describe('pkg install', () => {
  it("installs a package and its dependencies with pkg's output, idempotently", async () => {
    const r = await run('pkg install -y curl; echo rc=$?');
    const lines = r.stdout.split('\n');
    const ref = reference('pkg-install-jail-01.txt');
    const summary = /^The following \d+ package\(s\) will be affected \(of 0 checked\):$/;
    expect(ref.some((l) => summary.test(l))).toBe(true);
    expect(lines.some((l) => summary.test(l))).toBe(true);
    expect(lines).toContain('New packages to be INSTALLED:');
    expect(ref).toContain('New packages to be INSTALLED:');
    expect(lines).toContain('\tcurl: 8.11.1');
    expect(lines).toContain('\tca_root_nss: 3.108');
    for (const l of ref.filter((x) => x.startsWith('\t'))) expect(l).toMatch(/^\t[\w.+-]+: \S+$/);
    expect(lines).toContain('Number of packages to be installed: 3');
    expect(lines).toContain('Checking integrity... done (0 conflicting)');
    expect(lines.filter((l) => /^\[\d\/3\] Installing \S+-\S+\.\.\.$/.test(l))).toHaveLength(3);
    expect(lines.filter((l) => /^\[\d\/3\] Extracting \S+-\S+: /.test(l))).toHaveLength(3);
    expect(lines.at(-2)).toBe('rc=0');

    const again = await run('pkg install -y curl; echo rc=$?; curl --version');
    expect(again.stdout.split('\n').slice(-4)).toEqual([
      'The most recent versions of packages are already installed',
      'rc=0',
      'curl 8.11.1 (amd64-portbld-freebsd14.2) libcurl/8.11.1',
      '',
    ]);
  });

  it('fails on a package the repositories do not have', async () => {
    const r = await run('pkg install -y nosuchpackage; echo rc=$?');
    expect(r.stderr).toBe("pkg: No packages available to install matching 'nosuchpackage' have been found in the repositories\n");
    expect(r.stdout.trim().split('\n').at(-1)).toBe('rc=1');
  });

  it("creates a server's users and installs its rc.d script and @sample configuration", async () => {
    const r = await run(
      'pkg install -y nginx; ls /usr/local/etc/rc.d/nginx /usr/local/etc/nginx/nginx.conf /usr/local/etc/nginx/nginx.conf.sample; grep ^www: /etc/passwd | cut -d: -f3',
    );
    expect(r.stdout).toMatch(
      /===> Creating groups\.\n(Creating group 'www' with gid '80'\.|Using existing group 'www'\.)\n===> Creating users\n/,
    );
    expect(r.stdout.trim().split('\n').slice(-4)).toEqual([
      '/usr/local/etc/nginx/nginx.conf',
      '/usr/local/etc/nginx/nginx.conf.sample',
      '/usr/local/etc/rc.d/nginx',
      '80',
    ]);
  });
});

describe('pkg version and pkg upgrade', () => {
  it('compares installed packages with the repository like pkg version -v', async () => {
    const r = await run(`${LATEST}; pkg version -v; echo rc=$?`);
    const lines = r.stdout.split('\n');
    const nginx = lines.find((l) => l.startsWith('nginx-'));
    expect(nginx).toBe('nginx-1.26.2_1,3                   <   needs updating (remote has 1.26.3,3)');
    // pkg-version-01.txt: name-version, the key at column 36, "   needs updating (SOURCE has VERSION)"
    for (const l of reference('pkg-version-01.txt')) {
      expect(l).toMatch(/^\S+ +< {3}needs updating \(\w+ has \S+\)$/);
      expect(l.indexOf('<')).toBe(35);
    }
    expect(nginx!.indexOf('<')).toBe(35);
    expect(lines.find((l) => l.startsWith('tmux-'))).toBe('tmux-3.5a                          =   up-to-date with remote');
    const limited = await run('pkg version -ql "<"');
    expect(
      limited.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0]),
    ).toEqual(['curl-8.11.1', 'nginx-1.26.2_1,3']);
  });

  it("upgrades with pkg upgrade's output, keeping a modified configuration file", async () => {
    const r = await run('echo "# changed" >> /usr/local/etc/nginx/nginx.conf; pkg upgrade -y nginx; echo rc=$?; nginx -v');
    const lines = r.stdout.split('\n');
    const ref = reference('pkg-upgrade-jail-01.txt');
    expect(ref).toContain('Installed packages to be UPGRADED:');
    expect(lines).toContain('Installed packages to be UPGRADED:');
    expect(lines).toContain('\tnginx: 1.26.2_1,3 -> 1.26.3,3');
    expect(ref.find((l) => l.startsWith('\t'))).toMatch(/^\t\S+: \S+ -> \S+$/);
    expect(lines).toContain('Number of packages to be upgraded: 1');
    expect(lines).toContain('[1/1] Upgrading nginx from 1.26.2_1,3 to 1.26.3,3...');
    expect(lines).toContain('You may need to manually remove /usr/local/etc/nginx/nginx.conf if it is no longer needed.');
    expect(ref).toContain('You may need to manually remove /usr/local/etc/nginx/nginx.conf if it is no longer needed.');
    expect(lines.at(-2)).toBe('rc=0');
    expect(r.stderr).toBe('nginx version: nginx/1.26.3\n');
  });

  it('upgrades the rest and then reports the packages up to date', async () => {
    await run('pkg upgrade -y >/dev/null');
    const r = await run(`pkg upgrade -y; echo rc=$?; ${QUARTERLY}`);
    expect(r.stdout.trim().split('\n').slice(-3)).toEqual([
      'Checking integrity... done (0 conflicting)',
      'Your packages are up to date.',
      'rc=0',
    ]);
  });
});

describe('pkg delete', () => {
  it('removes a package with the packages that depend on it, and fails on one not installed', async () => {
    const r = await run('pkg delete -y pcre2; echo rc=$?; ls /usr/local/sbin/nginx 2>&1; pkg info -e nginx; echo nginx=$?');
    const lines = r.stdout.split('\n');
    expect(lines).toContain('Installed packages to be REMOVED:');
    expect(lines).toContain('\tnginx: 1.26.3,3');
    expect(lines).toContain('\tpcre2: 10.44');
    expect(lines).toContain('[1/2] Deinstalling nginx-1.26.3,3...');
    expect(lines.at(-2)).toBe('nginx=1');
    const again = await run('pkg delete -y pcre2; echo rc=$?');
    expect(again.stdout).toBe(
      "No packages matched for pattern 'pcre2'\n\nChecking integrity... done (0 conflicting)\n1 packages requested for removal: 0 locked, 1 missing\nrc=1\n",
    );
  });
});

describe('pkg -j', () => {
  const jail = 'labpkg';
  const root = `/usr/jails/${jail}`;

  it("fails like FreeBSD's on a jail that does not exist", async () => {
    const r = await run('pkg -j nosuchjail info; echo rc=$?');
    expect(r.stderr).toBe('pkg: jail "nosuchjail" not found\n');
    expect(reference('pkg-j-error-01.txt').at(-1)).toBe('pkg: jail "basetest" not found');
    expect(r.stdout).toBe('rc=1\n');
  });

  it("installs into a running jail's root; the jail's own pkg offers to bootstrap", async () => {
    const setup = await run(
      [
        `jail -r ${jail} >/dev/null 2>&1; rm -rf ${root} && mkdir -p ${root}`,
        'fetch -q -o /tmp/base-142.txz http://mirror.lab/pub/FreeBSD/releases/amd64/amd64/14.2-RELEASE/base.txz',
        `tar -xf /tmp/base-142.txz --unlink -C ${root}`,
        `jail -c name=${jail} path=${root} host.hostname=${jail}.lab persist`,
      ].join(' && '),
    );
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    try {
      const r = await run(
        `pkg -j ${jail} install -y vim-tiny; echo rc=$?; jexec ${jail} vim --version; pkg -j ${jail} info -e vim-tiny && echo in-jail; pkg info -e vim-tiny || echo not-on-host`,
      );
      const lines = r.stdout.split('\n');
      // pkg prefixes its job lines with the jail's hostname, as in pkg-install-jail-01.txt
      expect(lines).toContain(`[${jail}.lab] [1/1] Installing vim-tiny-9.1.0905...`);
      expect(reference('pkg-install-jail-01.txt')).toContain('[folsom] [1/10] Installing libnghttp2-1.33.0...');
      expect(lines.slice(-5)).toEqual(['rc=0', 'VIM - Vi IMproved 9.1 (patch 9.1.0905)', 'in-jail', 'not-on-host', '']);
      const b = await run(`jexec ${jail} pkg install nano; echo " rc=$?"`);
      const ref = reference('pkg-jail-bootstrap-error-01.txt');
      expect(b.stdout).toBe(`${ref[0]}\n${ref[1]!.replace(/y$/, '')} rc=1\n`);
    } finally {
      await run(`jail -r ${jail}`);
    }
  });
});
