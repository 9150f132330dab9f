'use strict';
/** route(8) on the lab's emulated routing table (recorded, not used for packets). */
const ifnet = require('./ifnet.cjs');
const state = require('./state.cjs');

function main(argv) {
  let args = argv.slice();
  let jid = 0;
  if (args[0] === '-j') {
    const j = state.findJail(args[1] || '');
    if (!j) {
      process.stderr.write(`route: jail "${args[1]}" not found\n`);
      return 1;
    }
    jid = j.jid;
    args = args.slice(2);
  }
  while (args[0] && /^-[46dnqtv]+$/.test(args[0])) args.shift();
  const mutating = ['add', 'delete', 'del', 'change', 'flush'].includes(args[0]);
  if (mutating && process.getuid && process.getuid() !== 0) {
    process.stderr.write('route: must be root to alter routing table\n');
    return 1;
  }
  try {
    const r = mutating ? ifnet.update((net) => ifnet.routeCmd(net, args, jid)) : ifnet.routeCmd(ifnet.load(), args, jid);
    if (r.out.length) process.stdout.write(r.out.join('\n') + '\n');
    return 0;
  } catch (e) {
    if (!(e instanceof ifnet.NetError)) throw e;
    process.stderr.write(e.message + '\n');
    return e.exitCode;
  }
}

module.exports = { main };
