'use strict';
/**
 * Debian's busybox sh runs its own applet before PATH (`ps` is busybox's even when /bin/ps is
 * a lab script). mini-root.sh hides the applets its jail-side tools replace by renaming them
 * in the busybox copy's sorted name table: the last letter becomes '~', or the highest letter
 * that keeps the table sorted (ps before pwd). The release base does the same
 * (test/lab/mirror/base-tree.ts hideApplets).
 *   node hide-applets.cjs BUSYBOX NAME...
 */
const fs = require('node:fs');

function hideApplets(busybox, names) {
  const data = fs.readFileSync(busybox);
  const start = data.indexOf(Buffer.from('[\0[[\0', 'binary'));
  if (start < 0) return;
  let end = start;
  while (end < data.length && !(data[end] === 0 && data[end + 1] === 0)) end++;
  const sorted = () =>
    data
      .subarray(start, end)
      .toString('latin1')
      .split('\0')
      .every((n, k, t) => k === 0 || t[k - 1] < n);
  let changed = false;
  for (const name of names) {
    const at = data.indexOf(Buffer.from(`\0${name}\0`, 'latin1'), start - 1);
    if (at < 0 || at > end) continue;
    const last = at + name.length;
    const saved = data[last];
    for (let c = 0x7e; c > 0x20; c--) {
      if (c === saved) continue;
      data[last] = c;
      if (sorted()) {
        changed = true;
        break;
      }
      data[last] = saved;
    }
  }
  if (changed) fs.writeFileSync(busybox, data);
}

if (require.main === module) hideApplets(process.argv[2], process.argv.slice(3));
module.exports = { hideApplets };
