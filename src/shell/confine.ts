/**
 * Confinement to a jail's tree for file operations done from the host.
 */
import { sh, type ShellFragment } from './quote.js';

/**
 * Shell lines that stop (exit 1) when a component of PATH inside a jail, as the host sees it
 * under ROOT, is a symlink: resolved from the host, a jail's symlink points into the HOST's
 * tree (a jail's root user could make /etc a link to the host's /etc). With `last: false` the
 * path itself is left to the caller (a fact reports a link as a link). Checked just before
 * use; a jail that swaps a directory for a link in between is not stopped by this.
 */
export function noSymlinksBelow(root: ShellFragment | string, path: string, last = true): string {
  const parts = path.split('/').filter((p) => p !== '');
  const checked = last ? parts : parts.slice(0, -1);
  if (checked.length === 0) return '';
  return sh`fj_at=${root}
for fj_part in ${checked}; do
  fj_at="$fj_at/$fj_part"
  if [ -L "$fj_at" ]; then printf '%s: a symlink inside the jail; fleetjail does not follow symlinks in a jail from the host\\n' "$fj_at" >&2; exit 1; fi
done
`;
}
