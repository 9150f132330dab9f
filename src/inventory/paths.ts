import os from 'node:os';
import path from 'node:path';

/** ~ and paths relative to the file that declared them (as OpenSSH does for its config). */
export function expandPath(p: string, relativeTo: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return path.resolve(relativeTo, p);
}
