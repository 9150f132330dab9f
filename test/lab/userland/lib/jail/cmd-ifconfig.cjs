'use strict';
/** ifconfig(8) on the lab's emulated interfaces (see ifnet.cjs). */
const ifnet = require('./ifnet.cjs');
const kld = require('./kld.cjs');
const state = require('./state.cjs');

function main(argv) {
  let args = argv.slice();
  let jid = 0;
  if (args[0] === '-j') {
    const j = state.findJail(args[1] || '');
    if (!j) {
      process.stderr.write(`ifconfig: jail "${args[1]}" not found\n`);
      return 1;
    }
    jid = j.jid;
    args = args.slice(2);
  }
  const net = ifnet.load();
  const stack = ifnet.stackIfaces(net, jid);
  if (args.length === 0 || args[0] === '-a') {
    process.stdout.write(stack.map((i) => ifnet.show(net, i) + '\n').join(''));
    return 0;
  }
  if (args[0] === '-l') {
    let list = stack;
    if (args[1] === 'ether') list = list.filter((i) => i.ether);
    process.stdout.write(list.map((i) => i.name).join(' ') + '\n');
    return 0;
  }
  if (args[0] === '-u' || args[0] === '-d') {
    process.stdout.write(
      stack
        .filter((i) => i.up === (args[0] === '-u'))
        .map((i) => ifnet.show(net, i) + '\n')
        .join(''),
    );
    return 0;
  }
  if (args[0] === '-g') {
    const names = stack.filter((i) => i.groups.includes(args[1])).map((i) => i.name);
    if (names.length) process.stdout.write(names.join('\n') + '\n');
    return 0;
  }
  if (args[0].startsWith('-')) {
    process.stderr.write(
      'usage: ifconfig [-j jail] [-f type:format] [-L] [-C] [-g groupname] interface address_family\n                [address [dest_address]] [parameters]\n',
    );
    return 1;
  }
  const [name, ...rest] = args;
  if (rest.length === 0) {
    const i = stack.find((x) => x.name === name);
    if (!i) {
      process.stderr.write(`ifconfig: interface ${name} does not exist\n`);
      return 1;
    }
    process.stdout.write(ifnet.show(net, i) + '\n');
    return 0;
  }
  if (process.getuid && process.getuid() !== 0) {
    process.stderr.write(`ifconfig: ioctl (SIOCAIFADDR): Operation not permitted\n`);
    return 1;
  }
  if (rest[0] === 'create') {
    if (/^epair/.test(name)) kld.ensure('if_epair');
    if (/^bridge/.test(name)) kld.ensure('if_bridge');
  }
  try {
    const out = ifnet.update((n) => ifnet.configure(n, name, rest, jid));
    if (out.length) process.stdout.write(out.join('\n') + '\n');
    return 0;
  } catch (e) {
    if (!(e instanceof ifnet.NetError)) throw e;
    process.stderr.write(e.message + '\n');
    return e.exitCode;
  }
}

module.exports = { main };
