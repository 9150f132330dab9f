'use strict';
/** jexec(8): run a command (default: the user's shell) inside a running jail. */
const state = require('./state.cjs');
const proc = require('./jail-proc.cjs');

const USAGE = 'usage: jexec [-l] [-d working-directory] [-u username | -U username] jail\n\t[command ...]\n';

function main(argv) {
  const o = { l: false, u: null, U: null, d: null };
  let k = 0;
  for (; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--') {
      k++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (let c = 1; c < a.length; c++) {
      const f = a[c];
      if (f === 'l') {
        o.l = true;
        continue;
      }
      if ('uUd'.includes(f)) {
        const v = a.slice(c + 1) || argv[++k];
        if (v === undefined) {
          process.stderr.write(USAGE);
          return 1;
        }
        o[f] = v;
        break;
      }
      process.stderr.write(`jexec: illegal option -- ${f}\n${USAGE}`);
      return 1;
    }
  }
  const rest = argv.slice(k);
  if (rest.length === 0 || (o.u && o.U)) {
    process.stderr.write(USAGE);
    return 1;
  }
  const [key, ...cmd] = rest;
  const j = state.findJail(key);
  if (!j || !state.alive(j.holder || 0)) {
    process.stderr.write(`jexec: jail "${key}" not found\n`);
    return 1;
  }
  if (process.getuid && process.getuid() !== 0) {
    process.stderr.write(`jexec: jail_attach(${j.jid}): Operation not permitted\n`);
    return 1;
  }
  let pw;
  if (o.u) {
    pw = proc.passwdEntry('/', o.u);
    if (!pw) {
      process.stderr.write(`jexec: getpwnam: ${o.u}: no such user\n`);
      return 1;
    }
  } else {
    pw = proc.passwdEntry(j.path, o.U || 'root');
    if (!pw) {
      process.stderr.write(`jexec: getpwnam: ${o.U}: no such user\n`);
      return 1;
    }
  }
  const env = o.l ? proc.cleanEnv(pw) : process.env;
  let argvIn = cmd;
  if (argvIn.length === 0) {
    const shell = pw.shell || '/bin/sh';
    argvIn = [shell];
  }
  if (!proc.resolveInJail(j.path, argvIn[0], env.PATH)) {
    process.stderr.write(`jexec: execvp: ${argvIn[0]}: No such file or directory\n`);
    return 1;
  }
  return proc.runInJail(j, argvIn, { env, stdio: 'inherit', pw: pw.uid === 0 ? null : pw, cwd: o.d || (o.l ? pw.home : '/') });
}

module.exports = { main };
