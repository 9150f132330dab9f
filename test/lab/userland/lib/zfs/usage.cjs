'use strict';
/** OpenZFS 2.2's usage texts for the subcommands the lab knows (printed on bad flags, exit 2). */
const { PROPS } = require('./props.cjs');

const ZFS = {
  create:
    '\tcreate [-Pnpuv] [-o property=value] ... <filesystem>\n\tcreate [-Pnpsv] [-b blocksize] [-o property=value] ... -V <size> <volume>\n',
  destroy:
    '\tdestroy [-fnpRrv] <filesystem|volume>\n\tdestroy [-dnpRrv] <filesystem|volume>@<snap>[%<snap>][,...]\n\tdestroy <filesystem|volume>#<bookmark>\n',
  snapshot: '\tsnapshot [-r] [-o property=value] ... <filesystem|volume>@<snap> ...\n',
  rollback: '\trollback [-rRf] <snapshot>\n',
  clone: '\tclone [-p] [-o property=value] ... <snapshot> <filesystem|volume>\n',
  promote: '\tpromote <clone-filesystem>\n',
  rename:
    '\trename [-f] <filesystem|volume|snapshot> <filesystem|volume|snapshot>\n\trename -p [-f] <filesystem|volume> <filesystem|volume>\n\trename -u [-f] <filesystem> <filesystem>\n\trename -r <snapshot> <snapshot>\n',
  list: '\tlist [-Hp] [-r|-d max] [-o property[,...]] [-s property]...\n\t    [-S property]... [-t type[,...]] [filesystem|volume|snapshot] ...\n',
  set: '\tset [-u] <property=value> ... <filesystem|volume|snapshot> ...\n',
  get: '\tget [-rHp] [-d max] [-o "all" | field[,...]]\n\t    [-t type[,...]] [-s source[,...]]\n\t    <"all" | property[,...]> [filesystem|volume|snapshot|bookmark] ...\n',
  inherit: '\tinherit [-rS] <property> <filesystem|volume|snapshot> ...\n',
  mount: '\tmount\n\tmount [-flvO] [-o opts] <-a|-R filesystem|filesystem>\n',
  unmount: '\tunmount [-fu] <-a | filesystem|mountpoint>\n',
};
ZFS.umount = ZFS.unmount;
ZFS.snap = ZFS.snapshot;

const ZPOOL = {
  list: '\tlist [-gHLpPv] [-o property[,...]] [-T d|u] [pool] ... \n\t    [interval [count]]\n',
  status: '\tstatus [--power] [-c [script1,script2,...]] [-DegiLpPstvx] [-T d|u] [pool] ...\n\t    [interval [count]]\n',
  get: '\tget [-Hp] [-o "all" | field[,...]] <"all" | property[,...]> <pool> ...\n',
};

const WITH_PROPS = new Set(['list', 'set', 'get', 'inherit']);

function propertyTable() {
  const rows = [];
  for (const p of PROPS.values()) {
    if (p.hidden) continue;
    const values =
      p.kind === 'index' ? p.values.slice(0, 6).join(' | ') : p.bytes ? '<size>' : p.kind === 'number' ? '<number>' : '<string>';
    rows.push(`\t${p.name.padEnd(21)}  ${p.ro ? ' NO ' : 'YES '}  ${p.inherit ? '    YES' : '     NO'}   ${values}\n`);
  }
  return rows.join('');
}

/** The text `zfs CMD` prints on a usage error. */
function zfsUsage(cmd) {
  let s = 'usage:\n' + (ZFS[cmd] || '');
  if (WITH_PROPS.has(cmd)) {
    s += '\nThe following properties are supported:\n\n\tPROPERTY               EDIT  INHERIT   VALUES\n\n' + propertyTable();
    s += '\nSizes are specified in bytes with standard units such as K, M, G, etc.\n';
    s += '\nUser-defined properties can be specified by using a name containing a colon (:).\n';
  } else {
    s +=
      '\nFor the property list, run: zfs set|get\n\nFor the delegated permission list, run: zfs allow|unallow\n\nFor further help on a command or topic, run: zfs help [<topic>]\n';
  }
  return s;
}

function zfsTopUsage() {
  return (
    "usage: zfs command args ...\nwhere 'command' is one of the following:\n\n" +
    [
      'create',
      'destroy',
      null,
      'snapshot',
      'rollback',
      'clone',
      'promote',
      'rename',
      null,
      'list',
      'set',
      'get',
      'inherit',
      null,
      'mount',
      'unmount',
    ]
      .map((c) => (c ? ZFS[c] : '\n'))
      .join('') +
    '\nEach dataset is of the form: pool/[dataset/]*dataset[@name]\n\nFor the property list, run: zfs set|get\n\nFor the delegated permission list, run: zfs allow|unallow\n\nFor further help on a command or topic, run: zfs help [<topic>]\n'
  );
}

function zpoolUsage(cmd) {
  return (
    'usage:\n' +
    (ZPOOL[cmd] || '') +
    (cmd === 'list' || cmd === 'get' ? '\nthe following properties are supported:\n\n\tPROPERTY             EDIT   VALUES\n\n' : '')
  );
}
function zpoolTopUsage() {
  return (
    "usage: zpool command args ...\nwhere 'command' is one of the following:\n\n" +
    Object.values(ZPOOL).join('') +
    '\nFor further help on a command or topic, run: zpool help [<topic>]\n'
  );
}

module.exports = { zfsUsage, zfsTopUsage, zpoolUsage, zpoolTopUsage };
