'use strict';
/**
 * rc.d/devfs's rule loading (rc.subr's devfs_init_rulesets): read the devfs_rulesets files,
 * report errors as devfs(8) and rc.subr print them, and load the rulesets into the lab
 * "kernel" (used by later devfs mounts, e.g. a jail's mount.devfs with devfs_ruleset=N).
 *   node devfs-load.cjs [-n] FILE...      (-n: check only)
 */
const fs = require('node:fs');
const devfs = require('./devfs.cjs');

function main(argv) {
  const check = argv[0] === '-n';
  const files = (check ? argv.slice(1) : argv).filter((f) => fs.existsSync(f));
  const compiled = devfs.compileFromFiles(files);
  const failed = new Set();
  for (const e of compiled.errors) {
    if (failed.has(e.file)) continue; // rc.subr stops reading a file at its first error
    failed.add(e.file);
    if (e.msg) process.stderr.write(`${e.msg}\n`);
    if (e.warn) process.stderr.write(`/etc/rc.d/devfs: WARNING: ${e.warn}\n`);
    process.stderr.write(`/etc/rc.d/devfs: WARNING: devfs_init_rulesets: could not read rules from ${e.file}\n`);
  }
  if (!check) devfs.loadKernelRulesets(compiled);
  return failed.size ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
module.exports = { main };
