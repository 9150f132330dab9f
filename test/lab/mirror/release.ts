/**
 * Builds one release directory of the mirror: base.txz, kernel.txz, lib32.txz and a
 * MANIFEST in FreeBSD's format (release/scripts/make-manifest.sh): one tab-separated
 * line per set: file, sha256, number of archive entries, set name, "description", on|off.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { stageBase, stageKernel, stageLib32 } from './base-tree.js';

const SETS: Array<{
  file: string;
  desc: string;
  default: 'on' | 'off';
  stage: (root: string, release: string, mirrorAddress: string) => void;
}> = [
  {
    file: 'base.txz',
    desc: 'Base system (MANDATORY)',
    default: 'on',
    stage: (r, rel, addr) => stageBase(r, { release: rel, mirrorAddress: addr }),
  },
  { file: 'kernel.txz', desc: 'Kernel (MANDATORY)', default: 'on', stage: (r, rel) => stageKernel(r, rel) },
  { file: 'lib32.txz', desc: '32-bit compatibility libraries', default: 'on', stage: (r) => stageLib32(r) },
];

/** Number of archive entries, as `tar tvf | wc -l` counts them: "." and everything below it. */
function countEntries(dir: string): number {
  let n = 1;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      n++;
      if (e.isDirectory()) walk(path.join(d, e.name));
    }
  };
  walk(dir);
  return n;
}

export function buildRelease(outDir: string, workDir: string, release: string, mirrorAddress: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  const manifest: string[] = [];
  for (const set of SETS) {
    const stage = path.join(workDir, `${release}-${set.file}`);
    fs.rmSync(stage, { recursive: true, force: true });
    fs.mkdirSync(stage, { recursive: true });
    set.stage(stage, release, mirrorAddress);
    const out = path.join(outDir, set.file);
    // FreeBSD's sets: xz tarballs of "./..." entries owned by root:wheel.
    execFileSync('bsdtar', [
      '-c',
      '-J',
      '--options',
      'xz:compression-level=1',
      '--uid',
      '0',
      '--gid',
      '0',
      '--uname',
      'root',
      '--gname',
      'wheel',
      '-f',
      out + '.tmp',
      '-C',
      stage,
      '.',
    ]);
    fs.renameSync(out + '.tmp', out);
    const sum = crypto.createHash('sha256').update(fs.readFileSync(out)).digest('hex');
    const name = set.file.replace(/\.txz$/, '');
    manifest.push([set.file, sum, String(countEntries(stage)), name.replace(/-/g, '_'), `"${set.desc}"`, set.default].join('\t'));
    fs.rmSync(stage, { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(outDir, 'MANIFEST'), manifest.join('\n') + '\n');
}
