'use strict';
/** mount_nullfs(8): mount_nullfs [-o options] target mount-point. */
const mount = require('./cmd-mount.cjs');

function main(argv) {
  const rest = [];
  const opts = [];
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === '-o') opts.push('-o', argv[++k]);
    else if (argv[k].startsWith('-o')) opts.push('-o', argv[k].slice(2));
    else rest.push(argv[k]);
  }
  if (rest.length !== 2) {
    process.stderr.write('usage: mount_nullfs [-o options] target mount-point\n');
    return 1;
  }
  return mount.main(['-t', 'nullfs', ...opts, ...rest], 'mount_nullfs');
}

module.exports = { main };
