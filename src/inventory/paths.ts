import os from 'node:os';
import path from 'node:path';

/** `~` is the home directory; other relative paths are relative to the file that declared them. */
export function expandPath(p: string, relativeTo: string, home = os.homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return path.resolve(relativeTo, p);
}
