/**
 * mount(8) without arguments: one line per mounted file system,
 *
 *   SOURCE on TARGET (FSTYPE, OPTION, ...)
 *
 * e.g. `tank/jails on /usr/jails (zfs, local, noatime, nfsv4acls)` or
 * `/usr/jails/basejail on /usr/jails/demo_jail/basejail (nullfs, local, read-only)`.
 * mount(8) does not escape blanks in paths, so the line is split at its last " on /" before
 * the option list; `mount -p` is no better (fstab format, fields separated by tabs OR one
 * space once a name reaches 24 characters).
 */

export interface MountEntry {
  source: string;
  target: string;
  fstype: string;
  options: string[];
}

const LINE = /^(.*) on (\/.*) \(([^,()]+)((?:, [^,()]+)*)\)$/;

export function parseMountList(output: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`unexpected mount output line: '${line}'`);
    const [, source, target, fstype, rest] = m as unknown as [string, string, string, string, string];
    entries.push({ source, target, fstype, options: rest === '' ? [] : rest.slice(2).split(', ') });
  }
  return entries;
}
