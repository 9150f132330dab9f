'use strict';
/**
 * Boot-time setup of a lab host's FreeBSD identity (run by boot.d/release.sh, outside the
 * chroot, with the machine's node):  install-host.cjs ROOT
 * - the installed userland and kernel: real files /bin/freebsd-version and /boot/kernel/kernel
 *   of the host's release (LAB_RELEASE, default 14.2-RELEASE-p3), written once, so that
 *   freebsd-update can later replace them like on FreeBSD;
 * - the running kernel: /.lab/kernel, copied from /boot/kernel/kernel at every boot (uname);
 * - mirror.lab in /etc/hosts; freebsd-update's and pkg's state directories; pkg registered
 *   as installed (a FreeBSD host where pkg was bootstrapped).
 */
const fs = require('node:fs');
const path = require('node:path');
const content = require('./content.cjs');

const root = process.argv[2];
if (!root) throw new Error('usage: install-host.cjs ROOT');
const env = Object.fromEntries(
  fs
    .readFileSync(path.join(root, '.lab/host.env'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

const m = /^(\d+\.\d+-[A-Z]+)(?:-p(\d+))?$/.exec(env.LAB_RELEASE || '14.2-RELEASE-p3');
if (!m) throw new Error(`LAB_RELEASE=${env.LAB_RELEASE} is not a FreeBSD version`);
const release = m[1];
const patch = Number(m[2] || 0);

function writeFile(rel, data, mode) {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.rmSync(p, { force: true });
  fs.writeFileSync(p, data, { mode });
  fs.chmodSync(p, mode);
}

// A symlink here is the overlay's or the machine's: replace it with the release's real file.
const fv = path.join(root, 'bin/freebsd-version');
if (!fs.existsSync(fv) || fs.lstatSync(fv).isSymbolicLink()) {
  writeFile('bin/freebsd-version', content.freebsdVersionScript(content.versionString(release, patch)), 0o555);
}
const kernel = path.join(root, 'boot/kernel/kernel');
if (!fs.existsSync(kernel)) writeFile('boot/kernel/kernel', content.kernelFile(release, patch), 0o555);
writeFile(
  '.lab/kernel',
  fs
    .readFileSync(kernel, 'utf8')
    .split('\n')
    .filter((l) => /^(KERN|HW)_/.test(l))
    .join('\n') + '\n',
  0o644,
);

const address = env.HOST_ADDRESS || '';
const mirror = `${address.split('.').slice(0, 2).join('.')}.0.2`;
const hostsFile = path.join(root, 'etc/hosts');
const hosts = fs.existsSync(hostsFile) ? fs.readFileSync(hostsFile, 'utf8') : '';
if (!/\smirror\.lab(\s|$)/m.test(hosts)) fs.appendFileSync(hostsFile, `${mirror}\tmirror.lab\n`);

for (const d of ['var/db/freebsd-update', 'var/db/pkg']) fs.mkdirSync(path.join(root, d), { recursive: true });
const db = path.join(root, 'var/db/pkg/local.json');
if (!fs.existsSync(db)) {
  const pkg = {
    name: 'pkg',
    origin: 'ports-mgmt/pkg',
    version: '1.21.3',
    comment: 'Package manager',
    maintainer: 'pkg@FreeBSD.org',
    www: 'https://github.com/freebsd/pkg',
    abi: 'FreeBSD:14:amd64',
    arch: 'freebsd:14:x86:64',
    prefix: '/usr/local',
    flatsize: 0,
    licenselogic: 'single',
    licenses: ['BSD2CLAUSE'],
    desc: 'Package management tool',
    deps: {},
    categories: ['ports-mgmt'],
    users: [],
    groups: [],
    annotations: { FreeBSD_version: '1402000', repo_type: 'binary', repository: 'FreeBSD' },
    files: {},
    automatic: false,
    timestamp: Math.floor(Date.now() / 1000),
    lab: { users: [], groups: [], samples: [], modes: {} },
  };
  fs.writeFileSync(db, JSON.stringify({ packages: { pkg } }, null, 1) + '\n');
}
