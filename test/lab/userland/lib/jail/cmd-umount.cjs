'use strict';
/** umount(8): umount [-f] node ... */
const mounts = require('./mounts.cjs');

function main(argv) {
  let force = false;
  const nodes = [];
  for (const a of argv) {
    if (a === '-f') force = true;
    else if (/^-[v]+$/.test(a)) continue;
    else if (a.startsWith('-')) {
      process.stderr.write(
        'usage: umount [-fNnv] special ... | node ... | fsid ...\n       umount -a | -A [-F fstab] [-fv] [-h host] [-t type]\n',
      );
      return 1;
    } else nodes.push(a);
  }
  if (nodes.length === 0) {
    process.stderr.write(
      'usage: umount [-fNnv] special ... | node ... | fsid ...\n       umount -a | -A [-F fstab] [-fv] [-h host] [-t type]\n',
    );
    return 1;
  }
  if (process.getuid && process.getuid() !== 0) {
    for (const n of nodes) process.stderr.write(`umount: unmount of ${n} failed: Operation not permitted\n`);
    return 1;
  }
  let rc = 0;
  for (const n of nodes) {
    try {
      mounts.umountFs(n, { force });
    } catch (e) {
      if (!(e instanceof mounts.MountError)) throw e;
      process.stderr.write(e.message + '\n');
      rc = 1;
    }
  }
  return rc;
}

module.exports = { main };
