/**
 * Every module, by the name a step uses. Later modules (zfs.*, release, jail, ...) are
 * added to MODULES; nothing else needs to know about them.
 */
import type { AnyModule } from './kit/contract.js';
import { sysrc } from './system/sysrc.js';
import { pf } from './pf/pf.js';
import { archive } from './files/archive.js';
import { file } from './files/file.js';
import { line } from './files/line.js';
import { service } from './system/service.js';
import { pkg } from './system/pkg.js';
import { command } from './system/command.js';
import { release } from './release/release.js';
import { zfsDataset } from './zfs/dataset.js';
import { zfsSnapshot } from './zfs/snapshot.js';
import { zfsClone } from './zfs/clone.js';
import { jail } from './jail/jail.js';
import { jailExec } from './jail/exec.js';
import { devfsRuleset } from './devfs/ruleset.js';
import { networkInterface } from './interface/interface.js';

export const MODULES: readonly AnyModule[] = [
  sysrc,
  file,
  line,
  service,
  pkg,
  command,
  zfsDataset,
  zfsSnapshot,
  zfsClone,
  release,
  jail,
  jailExec,
  devfsRuleset,
  networkInterface,
  pf,
  archive,
];

const byName = new Map(MODULES.map((m) => [m.name, m]));

export function findModule(name: string): AnyModule | undefined {
  return byName.get(name);
}

export function moduleNames(): string[] {
  return [...byName.keys()];
}
