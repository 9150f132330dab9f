/**
 * Shell lines that build and remove jail roots, shared by the jail types.
 */
import { sh } from '../../shell/quote.js';

/** Copy DIR's content into DEST (both exist), keeping modes and owners: FreeBSD's tar is bsdtar. */
export function copyTree(from: string, to: string, exclude: string[] = []): string {
  const ex = exclude.map((e) => sh` --exclude ${e}`).join('');
  return sh`tar -cf - -C ${from}` + ex + sh` . | tar -xpf - -C ${to}`;
}

/** A directory may be removed only when nothing is mounted on or under it any more. */
export function noMountsUnder(dir: string, opts: { itself: boolean } = { itself: true }): string {
  const msg = `refusing to remove ${dir}: something is still mounted ${opts.itself ? 'on or ' : ''}under it`;
  const patterns = opts.itself ? ['-e', ` on ${dir} (`, '-e', ` on ${dir}/`] : ['-e', ` on ${dir}/`];
  return sh`if mount | grep -F ${patterns} >/dev/null; then echo ${msg} >&2; exit 1; fi`;
}

export function removeTree(dir: string): string[] {
  // FreeBSD's base marks some files schg (e.g. var/empty): clear flags first.
  return [noMountsUnder(dir), sh`if command -v chflags >/dev/null 2>&1; then chflags -R 0 -- ${dir}; fi`, sh`rm -rf -- ${dir}`];
}

/** A dataset's own mount is expected; a devfs or nullfs left under it is not. */
export function destroyDataset(dataset: string, path: string): string[] {
  return [noMountsUnder(path, { itself: false }), sh`zfs destroy -r ${dataset}`, sh`rmdir -- ${path} 2>/dev/null || true`];
}

/** under(/usr/local/x, usr/local): is the jail path inside that top directory? */
export function under(target: string, dir: string): boolean {
  return target === `/${dir}` || target.startsWith(`/${dir}/`);
}

/**
 * Present in a thick jail's root while its copy runs, removed when the copy has finished:
 * a copy cut short (a timeout, a lost connection) is never taken for a root.
 */
export function copyingMarker(path: string): string {
  return `${path}/.fleetjail-copying`;
}
