'use strict';
/**
 * zfs(8) / zpool(8) on a lab host. The boot hook (boot.d/10-zfs.sh) writes the host's ZFS
 * mode to /.lab/zfs/mode: "real" = Debian's zfs-fuse behind a wrapper that gives its output
 * FreeBSD's (OpenZFS 2.2) shapes; "emulated" or "none" = the emulation (none: no pools).
 */
const fs = require('node:fs');

function mode() {
  // Tests only: run the emulation in a private mount namespace of a real host (see zfs.test.ts).
  if (process.env.LAB_ZFS_MODE) return process.env.LAB_ZFS_MODE;
  try {
    return fs.readFileSync('/.lab/zfs/mode', 'utf8').trim();
  } catch {
    return 'none';
  }
}

function run(prog, argv) {
  const impl = mode() === 'real' ? `./real-${prog}.cjs` : `./emul-${prog}.cjs`;
  return require(impl).main(argv);
}

module.exports = { run, mode };
