/**
 * The lab's FreeBSD commands written in C: those fleetjail runs on every host of every
 * run (stat -f in the file fact, sha256 -q for checksums, mktemp in file writes and in
 * sysrc), where a node emulation's
 * ~25 ms start-up, paid once per host on 2 shared cores, is what the benchmark measures
 * instead of fleetjail. `lab up` compiles them once per lab directory into LABDIR/bin
 * (rebuilt when a source changes); every host mounts that directory read-only at
 * /.sys/lab-bin (boot-host.sh) and its PATH links point there (host-root.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { USERLAND_DIR } from './layout.js';

interface CCommand {
  /** The binary's name in LABDIR/bin. */
  name: string;
  /** Sources and headers under test/lab/userland (the first ones ending in .c are compiled). */
  files: string[];
}

export const C_COMMANDS: CCommand[] = [
  { name: 'stat', files: ['lib/posix/stat.c'] },
  { name: 'mktemp', files: ['lib/posix/mktemp.c'] },
  { name: 'md5', files: ['lib/digest/digest.c', 'lib/digest/hashes.c', 'lib/digest/hashes.h'] },
];

/** Where hosts see LABDIR/bin. */
export const HOST_C_DIR = '/.sys/lab-bin';

/**
 * Host PATH entries → the compiled command behind them. As on FreeBSD, the md5(1) family
 * is one program that picks its algorithm from the name it was called by.
 */
export const C_LINKS: Record<string, string> = {
  'usr/bin/stat': 'stat',
  'usr/bin/mktemp': 'mktemp',
  ...Object.fromEntries(
    ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha512t224', 'sha512t256'].map((n) => [`sbin/${n}`, 'md5']),
  ),
};

const CFLAGS = ['-O2', '-Wall', '-Wextra', '-Wno-format-nonliteral', '-Werror'];

/** Compiles what is missing or stale into DIR; returns DIR. Needs cc (test/lab/setup.sh installs gcc, libc6-dev). */
export function buildCCommands(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const cmd of C_COMMANDS) {
    const files = cmd.files.map((f) => path.join(USERLAND_DIR, f));
    const h = crypto.createHash('sha256').update(CFLAGS.join(' '));
    for (const f of files) h.update(f).update(fs.readFileSync(f));
    const stamp = h.digest('hex');
    const out = path.join(dir, cmd.name);
    const stampFile = path.join(dir, `.${cmd.name}.stamp`);
    if (fs.existsSync(out) && readOr(stampFile) === stamp) continue;
    compile(
      files.filter((f) => f.endsWith('.c')),
      out,
    );
    fs.writeFileSync(stampFile, stamp);
  }
  return dir;
}

/** cc into a temporary name, then rename: hosts running the old binary are not disturbed. */
export function compile(sources: string[], out: string): void {
  const tmp = `${out}.tmp${process.pid}`;
  try {
    execFileSync('cc', [...CFLAGS, '-o', tmp, ...sources], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer };
    fs.rmSync(tmp, { force: true });
    if (e.code === 'ENOENT') throw new Error('lab: no C compiler (cc); run test/lab/setup.sh (gcc, libc6-dev)', { cause: err });
    throw new Error(`lab: compiling ${path.basename(out)} failed:\n${e.stderr?.toString() ?? String(err)}`, { cause: err });
  }
  fs.chmodSync(tmp, 0o555);
  fs.renameSync(tmp, out);
}

function readOr(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
