/**
 * A PATH directory with the lab's FreeBSD command lines for running host scripts on this
 * machine in unit tests: the lab's C stat, mktemp and sha256 (test/lab/c-commands.ts) and its
 * mv and chmod wrappers (test/lab/userland/overlay/bin), which call the machine's GNU tools.
 * Everything else comes from the machine's PATH.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCCommands } from '../lab/c-commands.js';
import { USERLAND_DIR } from '../lab/layout.js';

/** The compiled commands, kept between test runs (rebuilt when a source changes, as the lab's LABDIR/bin). */
const C_CACHE = path.join(os.tmpdir(), `fj-freebsd-tools-${process.getuid?.() ?? 'user'}`);

export interface FreebsdTools {
  /** The directory to put first in PATH. */
  bin: string;
  /** The environment for a script: PATH with bin first, and where the wrappers find GNU's tools. */
  env: NodeJS.ProcessEnv;
  remove(): void;
}

export function freebsdTools(): FreebsdTools {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-fbsd-bin-'));
  const built = buildCCommands(C_CACHE);
  for (const name of ['stat', 'mktemp', 'md5']) fs.symlinkSync(path.join(built, name), path.join(bin, name));
  fs.symlinkSync('md5', path.join(bin, 'sha256'));
  for (const name of ['mv', 'chmod']) fs.symlinkSync(path.join(USERLAND_DIR, 'overlay/bin', name), path.join(bin, name));
  return {
    bin,
    env: { PATH: `${bin}:/usr/bin:/bin`, LAB_MACHINE_BIN: '/usr/bin' },
    remove: () => fs.rmSync(bin, { recursive: true, force: true }),
  };
}

let shared: FreebsdTools | undefined;
/** One set for the whole test process (compiled on first use, removed when the process exits). */
export function sharedFreebsdTools(): FreebsdTools {
  if (shared === undefined) {
    const tools = freebsdTools();
    process.once('exit', () => tools.remove());
    shared = tools;
  }
  return shared;
}
