'use strict';
/** kldstat(8): the loaded modules, -n / -m / -q / -i. */
const kld = require('./kld.cjs');

const HEADER = 'Id Refs Address                Size Name\n';

function main(argv) {
  let q = false;
  let name = null;
  let id = null;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '-q') q = true;
    else if (a === '-v' || a === '-d' || a === '-h') continue;
    else if (a === '-n' || a === '-m') name = argv[++k];
    else if (a === '-i') id = Number(argv[++k]);
    else {
      process.stderr.write('usage: kldstat [-dhqv] [-i id] [-n filename]\n       kldstat [-dq] [-m modname]\n');
      return 1;
    }
  }
  const mods = kld.modules();
  let list = mods;
  if (name !== null) {
    list = mods.filter((m) => m.name === kld.fileName(name) || m.name === name);
    if (list.length === 0) {
      if (!q) process.stderr.write(`kldstat: can't find file ${name}: No such file or directory\n`);
      return 1;
    }
  }
  if (id !== null) {
    list = mods.filter((m) => m.id === id);
    if (list.length === 0) {
      if (!q) process.stderr.write(`kldstat: can't stat file id ${id}: No such file or directory\n`);
      return 1;
    }
  }
  if (q) return 0;
  process.stdout.write(HEADER + list.map((m) => kld.format(m) + '\n').join(''));
  return 0;
}

module.exports = { main };
