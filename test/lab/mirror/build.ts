/**
 * Builds the lab mirror's content once into LABDIR/mirror/www and reuses it while its
 * inputs (the builders, the lab's sh userland copied into base.txz, busybox, the mirror's
 * address) are unchanged: a stamp file holds a hash of them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { USERLAND_DIR } from '../layout.js';
import { BUSYBOX, JAIL_SIDE_DIR, overlayFiles } from './base-tree.js';
import { buildRelease } from './release.js';
import { buildPkgRepos } from './pkg-repo.js';

export const RELEASE_NAMES = ['14.2-RELEASE', '14.3-RELEASE'];
export const RELEASES_PATH = 'pub/FreeBSD/releases/amd64/amd64';

const MIRROR_SRC = path.dirname(fileURLToPath(import.meta.url));

function inputsHash(mirrorAddress: string): string {
  const h = crypto.createHash('sha256');
  h.update(`address ${mirrorAddress}\n`);
  const files = [
    ...fs
      .readdirSync(MIRROR_SRC)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(MIRROR_SRC, f)),
    path.join(USERLAND_DIR, 'lib/release/content.cjs'),
    ...overlayFiles(path.join(USERLAND_DIR, 'overlay')).map((f) => path.join(USERLAND_DIR, 'overlay', f)),
    ...overlayFiles(JAIL_SIDE_DIR).map((f) => path.join(JAIL_SIDE_DIR, f)),
  ].sort();
  for (const f of files) h.update(`${f}\n`).update(fs.readFileSync(f));
  const bb = fs.statSync(BUSYBOX);
  h.update(`busybox ${bb.size} ${bb.mtimeMs}\n`);
  return h.digest('hex');
}

/** Returns true when it (re)built, false when the cached content was current. */
export function buildMirror(mirrorDir: string, mirrorAddress: string): boolean {
  const www = path.join(mirrorDir, 'www');
  const stamp = path.join(mirrorDir, 'build.stamp');
  const want = inputsHash(mirrorAddress);
  if (fs.existsSync(www) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === want) return false;
  const work = path.join(mirrorDir, 'work');
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(www, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  for (const rel of RELEASE_NAMES) buildRelease(path.join(www, RELEASES_PATH, rel), work, rel, mirrorAddress);
  buildPkgRepos(www, work);
  fs.rmSync(work, { recursive: true, force: true });
  fs.writeFileSync(stamp, want + '\n');
  return true;
}
