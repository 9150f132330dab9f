'use strict';
/**
 * What a FreeBSD release looks like in the lab: its identity (osreldate, build branch), the
 * `freebsd-version` script and the stand-in kernel file of every patch level, and the update
 * feed (which files change from -pN to -pM). Shared by the mirror builder and server on the
 * machine and by freebsd-update / the boot hook inside hosts, so all agree byte for byte.
 */
const crypto = require('node:crypto');

/** The releases the lab mirror serves. `branch` is kern.version's build tag of the -RELEASE kernel. */
const RELEASES = {
  '14.2-RELEASE': { osreldate: 1402000, branch: 'releng/14.2-n269506-c8918d6c7412', buildid: '6f0c84fb2c8dd7c4a86b6e7c96bfb3c4b1cd5f11' },
  '14.3-RELEASE': { osreldate: 1403000, branch: 'releng/14.3-n271432-8c9ce319fef7', buildid: '8c9ce319fef7d4b0d2b6d0a1f5e2c3b4a5968776' },
};

/** Patch level each release's update feed announces unless the lab's control file says otherwise. */
const DEFAULT_PATCH = { '14.2-RELEASE': 3, '14.3-RELEASE': 1 };

/** 14.2-RELEASE + 3 → 14.2-RELEASE-p3; patch 0 is the bare release name. */
function versionString(release, patch) {
  return patch > 0 ? `${release}-p${patch}` : release;
}

/** kern.version's first line: -RELEASE kernels carry the build branch, freebsd-update kernels do not. */
function kernelVersion(release, patch) {
  const r = RELEASES[release];
  return patch > 0 ? `FreeBSD ${release}-p${patch} GENERIC` : `FreeBSD ${release} ${r ? r.branch : 'unknown'} GENERIC`;
}

/** X.Y-... → X0Y000 (__FreeBSD_version of a release). */
function osreldateOf(version) {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? Number(m[1]) * 100000 + Number(m[2]) * 1000 : 0;
}

/**
 * FreeBSD's /bin/freebsd-version, generated per version like newvers.sh does; the logic of
 * -k / -r / -u / -j follows the real script. `what(1)` does not exist in the lab, so the
 * kernel's version is read from its "@(#)" line with sed, which is what `what -qs` prints.
 */
function freebsdVersionScript(version) {
  return `#!/bin/sh
#-
# SPDX-License-Identifier: BSD-2-Clause
#
# freebsd-version: print the version of the installed kernel, the running kernel
# and the userland (lab build of FreeBSD's script; the version is set at build time).
set -e

USERLAND_VERSION="${version}"

: \${ROOT:=}
: \${LOADER_DIR:=$ROOT/boot/loader}
: \${LOADER_CONF_FILES:=$ROOT/boot/defaults/loader.conf $ROOT/boot/loader.conf $ROOT/boot/loader.conf.local}
LOADER_RE1='^\\([A-Z_a-z][0-9A-Z_a-z]*=[-./0-9A-Z_a-z]\\{1,\\}\\).*$'
LOADER_RE2='^\\([A-Z_a-z][0-9A-Z_a-z]*="[-./0-9A-Z_a-z]\\{1,\\}"\\).*$'
KERNEL_RE='^.*@(#)FreeBSD \\([-.0-9A-Za-z]\\{1,\\}\\) .*$'

progname=\${0##*/}

error() {
	echo "$progname: $@" >&2
	exit 1
}

kernel_file() {
	eval $(sed -n "s/$LOADER_RE1/\\\\1;/p; s/$LOADER_RE2/\\\\1;/p" \\
	    $LOADER_CONF_FILES 2>/dev/null)
	KERNEL_DIR=\${kernel:-kernel}
	kernel_file="$ROOT/boot/$KERNEL_DIR/\${bootfile:-kernel}"
	if [ ! -f "$kernel_file" -o ! -r "$kernel_file" ] ; then
		error "unable to locate kernel"
	fi
}

kernel_version() {
	kernel_file
	sed -n "s/$KERNEL_RE/\\\\1/p" "$kernel_file" | head -n 1
}

running_version() {
	if [ -r /.lab/kernel ]; then
		sed -n "s/^KERN_OSRELEASE=//p" /.lab/kernel
	else
		uname -r
	fi
}

userland_version() {
	echo $USERLAND_VERSION
}

jail_version() {
	for i in $jail; do
		jexec -- $i freebsd-version
	done
}

usage() {
	echo "usage: $progname [-kru] [-j jail]" >&2
	exit 1
}

main() {
	local OPTIND=1 OPTARG option
	opt_k= opt_r= opt_u= opt_j= jail=
	while getopts "kruj:" option ; do
		case $option in
		k) opt_k=1 ;;
		r) opt_r=1 ;;
		u) opt_u=1 ;;
		j)
			if [ $opt_j ] ; then
				jail="$jail $OPTARG"
			else
				opt_j=1
				jail="$OPTARG"
			fi
			;;
		*) usage ;;
		esac
	done
	if [ $OPTIND -le $# ] ; then
		usage
	fi
	if [ -z "$opt_k$opt_r$opt_u$opt_j" ] ; then
		opt_u=1
	fi
	if [ $opt_k ] ; then
		kernel_version
	fi
	if [ $opt_r ] ; then
		running_version
	fi
	if [ $opt_u ] ; then
		userland_version
	fi
	if [ $opt_j ] ; then
		jail_version
	fi
}

main "$@"
`;
}

/**
 * The stand-in for /boot/kernel/kernel: text with the kernel's what(1) string and the values
 * the running kernel reports (uname, sysctl kern.*). A host's boot hook copies the KERN_
 * lines to /.lab/kernel: that is "the running kernel" until the next boot.
 */
function kernelFile(release, patch) {
  const r = RELEASES[release] ?? { osreldate: osreldateOf(release), buildid: '0'.repeat(40) };
  const osrelease = versionString(release, patch);
  return [
    '# FreeBSD kernel (lab stand-in: not executable; the lines below are its identity)',
    `@(#)${kernelVersion(release, patch)}`,
    'KERN_OSTYPE=FreeBSD',
    `KERN_OSRELEASE=${osrelease}`,
    `KERN_VERSION='${kernelVersion(release, patch)}'`,
    'KERN_IDENT=GENERIC',
    `KERN_OSRELDATE=${r.osreldate}`,
    `KERN_BUILDID=${r.buildid}`,
    'HW_MACHINE=amd64',
    'HW_MACHINE_ARCH=amd64',
    '',
  ].join('\n');
}

/** Files a patch level changes, relative to the root (mode as an octal string). */
function patchedFiles(release, patch) {
  return {
    '/bin/freebsd-version': { mode: '0555', content: freebsdVersionScript(versionString(release, patch)) },
    '/boot/kernel/kernel': { mode: '0555', content: kernelFile(release, patch) },
  };
}

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

/**
 * The update feed of RELEASE at PATCH: for each file, the hash it must end up with and the
 * hashes of the earlier (unmodified) versions freebsd-update may replace; plus a hash → content map.
 */
function updateFeed(release, patch) {
  const index = [];
  const blobs = new Map();
  const latest = patchedFiles(release, patch);
  for (const [file, { mode, content }] of Object.entries(latest)) {
    const newHash = sha256(content);
    blobs.set(newHash, content);
    const old = new Set();
    for (let p = 0; p < patch; p++) old.add(sha256(patchedFiles(release, p)[file].content));
    old.delete(newHash);
    index.push({ path: file, mode, hash: newHash, old: [...old] });
  }
  return { index, blobs };
}

/** The index as text: one `path|mode|newhash|old1,old2,...` line per file, sorted. */
function feedIndexText(index) {
  return (
    index
      .map((e) => `${e.path}|${e.mode}|${e.hash}|${e.old.join(',')}`)
      .sort()
      .join('\n') + '\n'
  );
}

function parseFeedIndex(text) {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [p, mode, hash, old] = line.split('|');
      return { path: p, mode, hash, old: old ? old.split(',') : [] };
    });
}

module.exports = {
  RELEASES,
  DEFAULT_PATCH,
  versionString,
  kernelVersion,
  osreldateOf,
  freebsdVersionScript,
  kernelFile,
  patchedFiles,
  updateFeed,
  feedIndexText,
  parseFeedIndex,
  sha256,
};
