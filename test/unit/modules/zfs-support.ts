/** ZFS facts for module tests, built from zfs get -Hp text as the lab's zfs-fuse prints it. */
import { parseDataset, type ZfsDataset, type ZfsTreeEntry } from '../../../src/modules/zfs/common.js';

/** A dataset whose `zfs get -Hp all` printed these rows (property -> [value, source]); type filesystem unless given. */
export function dataset(name: string, props: Record<string, [string, string]> = {}): ZfsDataset {
  const rows = Object.entries({ type: ['filesystem', '-'], ...props }).map(([p, [v, s]]) => `${name}\t${p}\t${v}\t${s}`);
  return parseDataset(name, { stdout: `${rows.join('\n')}\n`, stderr: '', exitCode: 0 }) as ZfsDataset;
}

export function tree(...names: string[]): ZfsTreeEntry[] {
  return names.map((name) => ({ name, type: name.includes('@') ? 'snapshot' : 'filesystem' }));
}
