/**
 * `jls -n name path`: the running jails with their root directories, one line each
 * (`name=www path=/usr/local/jails/containers/www`; values with blanks double-quoted).
 * FreeBSD stores a jail's path as the kernel resolved it (symlinks followed, no trailing
 * slash), so paths compare with mount points as they are.
 */
import { parseJlsParamLine } from './jail-jls.js';

export interface RunningJail {
  name: string;
  path: string;
}

export function parseRunningJails(output: string): RunningJail[] {
  const jails: RunningJail[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const p = parseJlsParamLine(line);
    const name = p.get('name');
    const path = p.get('path');
    if (typeof name !== 'string' || typeof path !== 'string' || !path.startsWith('/')) throw new Error(`unexpected jls line: '${line}'`);
    jails.push({ name, path });
  }
  return jails;
}
