'use strict';
/** mount(8): list mounts in FreeBSD's format, or mount -t TYPE [-o OPTS] SPECIAL NODE. */
const mounts = require('./mounts.cjs');
const kld = require('./kld.cjs');

const USAGE = `usage: mount [-adflpruvw] [-F fstab] [-o options] [-t ufs | external_type]
       mount [-dfpruvw] special | node
       mount [-dfpruvw] [-o options] [-t ufs | external_type] special node
`;
const FS_MODULES = { nullfs: 'nullfs', tmpfs: 'tmpfs', fdescfs: 'fdescfs', linprocfs: 'linprocfs', linsysfs: 'linsysfs' };

function main(argv, prog = 'mount') {
  let type = null;
  const opts = [];
  const args = [];
  let ro = false;
  let pflag = false;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '-t') {
      type = argv[++k];
      continue;
    }
    if (a.startsWith('-t') && a.length > 2) {
      type = a.slice(2);
      continue;
    }
    if (a === '-o') {
      opts.push(argv[++k]);
      continue;
    }
    if (a.startsWith('-o') && a.length > 2) {
      opts.push(a.slice(2));
      continue;
    }
    if (a === '-r') {
      ro = true;
      continue;
    }
    if (a === '-p') {
      pflag = true;
      continue;
    }
    if (/^-[dfluvw]+$/.test(a)) continue;
    if (a.startsWith('-') && a.length > 1) {
      process.stderr.write(`${prog}: illegal option -- ${a[1]}\n${USAGE}`);
      return 1;
    }
    args.push(a);
  }
  if (ro) opts.push('ro');
  if (args.length === 0) {
    let list = mounts.freebsdMounts();
    if (type) list = list.filter((m) => type.split(',').includes(m.fstype));
    if (pflag) {
      process.stdout.write(
        list.map((m) => `${m.source}\t\t${m.target}\t\t${m.fstype}\t${m.flags.includes('read-only') ? 'ro' : 'rw'}\t\t0 0\n`).join(''),
      );
    } else process.stdout.write(list.map((m) => mounts.formatMount(m) + '\n').join(''));
    return 0;
  }
  if (args.length === 1) {
    process.stderr.write(`${prog}: ${args[0]}: unknown special file or file system\n`);
    return 1;
  }
  if (args.length !== 2) {
    process.stderr.write(USAGE);
    return 1;
  }
  if (process.getuid && process.getuid() !== 0) {
    process.stderr.write(`${type === 'nullfs' ? 'mount_nullfs' : prog}: ${args[1]}: Operation not permitted\n`);
    return 1;
  }
  const fstype = type || 'ufs';
  if (FS_MODULES[fstype]) kld.ensure(FS_MODULES[fstype]);
  try {
    mounts.mountFs(fstype, args[0], args[1], opts);
    return 0;
  } catch (e) {
    if (!(e instanceof mounts.MountError)) throw e;
    process.stderr.write(e.message + '\n');
    return e.exitCode;
  }
}

module.exports = { main };
