/**
 * The lab mirror as a machine-level service of the lab: started at `lab up` (after building
 * its content, see build.ts), stopped at `lab down`. It listens on SUBNET.0.2:80, an address
 * of the lab's own loopback range that every host reaches (hosts share the machine's network
 * stack) and knows as `mirror.lab`. Its pid and address are in LABDIR/mirror/server.json.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LabLayout } from '../layout.js';
import { buildMirror } from './build.js';

export const MIRROR_PORT = 80;
export const MIRROR_NAME = 'mirror.lab';

export const mirrorAddress = (layout: LabLayout) => `${layout.subnet}.0.2`;

export const mirrorPaths = (layout: LabLayout) => {
  const dir = path.join(layout.dir, 'mirror');
  return {
    dir,
    www: path.join(dir, 'www'),
    /** UPDATES/REL holds the patch level the update feed of REL announces. */
    updates: path.join(dir, 'updates'),
    state: path.join(dir, 'server.json'),
    log: path.join(dir, 'server.log'),
  };
};

interface MirrorState {
  pid: number;
  address: string;
  port: number;
}

function readMirrorState(layout: LabLayout): MirrorState | undefined {
  try {
    return JSON.parse(fs.readFileSync(mirrorPaths(layout).state, 'utf8')) as MirrorState;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port, timeout: 500 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(false));
  });
}

/** Builds the mirror's content if needed and starts its server unless it already runs. */
export async function startMirror(layout: LabLayout, log: (m: string) => void = () => {}): Promise<void> {
  const p = mirrorPaths(layout);
  const address = mirrorAddress(layout);
  fs.mkdirSync(p.updates, { recursive: true });
  const t0 = Date.now();
  if (buildMirror(p.dir, address)) log(`lab: mirror content built in ${Date.now() - t0} ms`);
  const running = readMirrorState(layout);
  if (running && alive(running.pid) && (await accepts(address, MIRROR_PORT))) return;
  if (await accepts(address, MIRROR_PORT)) throw new Error(`lab: ${address}:${MIRROR_PORT} is already in use (another lab's mirror?)`);
  const logFd = fs.openSync(p.log, 'a');
  const child = spawn(
    process.execPath,
    [path.join(path.dirname(fileURLToPath(import.meta.url)), 'serve.cjs'), p.www, p.updates, address, String(MIRROR_PORT)],
    { detached: true, stdio: ['ignore', logFd, logFd] },
  );
  fs.closeSync(logFd);
  child.unref();
  if (!child.pid) throw new Error('lab: could not start the mirror');
  fs.writeFileSync(p.state, JSON.stringify({ pid: child.pid, address, port: MIRROR_PORT }) + '\n');
  for (let i = 0; i < 100; i++) {
    if (await accepts(address, MIRROR_PORT)) {
      log(`lab: mirror on http://${address}/ (${MIRROR_NAME})`);
      return;
    }
    if (!alive(child.pid)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`lab: the mirror did not start; see ${p.log}`);
}

export async function stopMirror(layout: LabLayout): Promise<void> {
  const state = readMirrorState(layout);
  if (!state) return;
  if (alive(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    for (let i = 0; i < 60 && alive(state.pid); i++) await new Promise((r) => setTimeout(r, 50));
    if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
  }
  fs.rmSync(mirrorPaths(layout).state, { force: true });
}

/** Makes the update feed of RELEASE announce PATCH (a "new patch appears"); undefined restores the default. */
export function setUpdatePatchLevel(layout: LabLayout, release: string, patch: number | undefined): void {
  const file = path.join(mirrorPaths(layout).updates, release);
  if (patch === undefined) fs.rmSync(file, { force: true });
  else fs.writeFileSync(file, `${patch}\n`);
}
