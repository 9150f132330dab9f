/**
 * Confinement to a jail's tree for file operations done from the host. A jail's root user
 * can swap any directory of the jail for a symlink at any time, and a symlink resolved from
 * the host leads into the host's tree: so a script checks the path for links once (a clear
 * error for the common case), then enters the directory with `cd -P`, checks that where it
 * landed (`pwd -P`) is inside the jail's root, and from there on names files relative to it.
 * A swap after that cannot move the script's working directory.
 */
import { sh, type ShellFragment } from './quote.js';

/**
 * Shell lines that stop (exit 1) when a component of PATH inside a jail, as the host sees it
 * under ROOT, is a symlink: resolved from the host, a jail's symlink points into the HOST's
 * tree (a jail's root user could make /etc a link to the host's /etc). With `last: false` the
 * path itself is left to the caller (a fact reports a link as a link). Checked just before
 * use; a jail that swaps a directory for a link in between is not stopped by this alone: a
 * change then works from the directory it entered with enterJailDir.
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

/**
 * Shell lines that make DIR (a directory under ROOT, as the host sees it) the working
 * directory, and stop (exit 1) when it is not, physically, inside ROOT.
 */
export function enterJailDir(root: string, dir: string): string {
  const outside = `${dir}: leads outside the jail's root from the host; fleetjail does not follow symlinks in a jail from the host`;
  return sh`cd -P -- ${dir}
fj_top=$(cd -P -- ${root} && pwd -P) && fj_here=$(pwd -P)
case "$fj_here/" in "\${fj_top%/}/"*) ;; *) echo ${outside} >&2; exit 1 ;; esac
`;
}

/**
 * Shell lines that make the directory INSIDE (a path in the jail) the working directory,
 * creating what is missing of it one component at a time (as `mkdir -p`, mode by the umask),
 * each created in and entered from a directory checked to be inside ROOT.
 */
export function enterJailDirCreating(root: string, inside: string): string {
  const outside = `${root}${inside}: leads outside the jail's root from the host; fleetjail does not follow symlinks in a jail from the host`;
  const check = sh`fj_here=$(pwd -P); case "$fj_here/" in "\${fj_top%/}/"*) ;; *) echo ${outside} >&2; exit 1 ;; esac`;
  const steps = inside
    .split('/')
    .filter((p) => p !== '')
    .map((part) => sh`[ -d ${`./${part}`} ] || mkdir -- ${`./${part}`}; cd -P -- ${`./${part}`}; ` + check);
  return [sh`cd -P -- ${root}`, 'fj_top=$(pwd -P)', ...steps].join('\n') + '\n';
}
