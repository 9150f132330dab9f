'use strict';
/**
 * POSIX getopt(3) as zfs(8)/zpool(8) use it (optstring with a leading ':'): bundled flags,
 * option arguments attached or separate, "--" ends options, the first operand ends options.
 * Returns { opts: [[flag, arg]], args } or { error } with the message zfs prints.
 */
function getopt(argv, optstring) {
  const spec = optstring.replace(/^:/, '');
  const takesArg = (c) => {
    const i = spec.indexOf(c);
    return i >= 0 && spec[i + 1] === ':';
  };
  const known = (c) => c !== ':' && spec.includes(c);
  const opts = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (!known(c)) return { error: `invalid option '${c}'` };
      if (takesArg(c)) {
        let arg = a.slice(j + 1);
        if (arg === '') {
          if (i + 1 >= argv.length) return { error: `missing argument for '${c}' option` };
          arg = argv[++i];
        }
        opts.push([c, arg]);
        break;
      }
      opts.push([c, true]);
    }
  }
  return { opts, args: argv.slice(i) };
}

module.exports = { getopt };
