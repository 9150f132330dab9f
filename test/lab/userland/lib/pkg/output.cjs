'use strict';
/** pkg's output helpers: stdout/stderr writes, humanized sizes, non-tty progress. */
const fs = require('node:fs');

const out = (s) => fs.writeSync(1, s);
const errOut = (s) => fs.writeSync(2, s);
/** pkg: MESSAGE on stderr (pkg's warnx). */
const warn = (s) => errOut(`pkg: ${s}\n`);

/** humanize_number(..., "B", HN_AUTOSCALE, HN_IEC_PREFIXES): 944 B, 315 KiB, 6 MiB. */
function humanSize(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let n = bytes;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : Math.round(n)} ${units[i]}`;
}

/** A finished progress bar as pkg prints it without a terminal: dots per 10%, then " done". */
const dots = (small) => (small ? '. done' : '.......... done');

module.exports = { out, errOut, warn, humanSize, dots };
