/**
 * thin-nullfs: the template mounted read-only as the root, with a per-jail writable skeleton
 * (etc, usr/local, tmp, var, root; a dataset of its own if given) mounted over it. Its
 * processes run the template's binaries, so a template that moved on restarts the jail.
 */
import { raw, sh } from '../../../shell/quote.js';
import { HOST } from '../../kit/target.js';
import { res } from '../../../facts/resources.js';
import { SKELETON_DIRS, skeletonPath, startStampPath } from '../args.js';
import { copyTree, noMountsUnder, removeTree, under } from '../root-scripts.js';
import type { JailKind } from './kind.js';

export const thinNullfs: JailKind = {
  stateLines(a) {
    const lines = [sh`echo "skeleton $(fj_yes test -d ${`${skeletonPath(a)}/etc`})"`];
    if (a.skeleton_dataset !== undefined) lines.push(sh`echo "skelds $(fj_yes zfs list -H -o name ${a.skeleton_dataset})"`);
    lines.push(sh`echo "stamp $(fj_ver ${startStampPath(a.name)})"`);
    return lines;
  },
  stateResources: (a) => [res.file(HOST, skeletonPath(a)), ...(a.skeleton_dataset !== undefined ? [res.zfs(a.skeleton_dataset)] : [])],
  rootTouches: (a) => [
    res.filesStartingWith(HOST, skeletonPath(a)),
    ...(a.skeleton_dataset !== undefined ? [res.zfs(a.skeleton_dataset)] : []),
  ],
  // The template's version at each start, however the jail is started: tells a later run
  // that the template moved on under a running jail (its daemons still run the old binaries).
  prestart: (a) => (a.template === undefined ? [] : [sh`/bin/cp ${`${a.template}/bin/freebsd-version`} ${startStampPath(a.name)}`]),
  fstabRows(a) {
    if (a.template === undefined) return [];
    const skel = skeletonPath(a);
    return [
      [a.template, a.path, 'nullfs', 'ro'],
      ...SKELETON_DIRS.map((d): [string, string, string, string] => [`${skel}/${d}`, `${a.path}/${d}`, 'nullfs', 'rw']),
    ];
  },
  mountPointOnHost(a, target) {
    const tpl = a.template ?? a.path;
    return SKELETON_DIRS.some((d) => under(target, d)) ? `${skeletonPath(a)}${target}` : `${tpl}${target}`;
  },
  rootExists: (st) => st.root === 'directory' && st.skeleton === true,
  createRoot(a, st, template) {
    const skel = skeletonPath(a);
    const lines = [sh`mkdir -p -- ${a.path}`];
    if (a.skeleton_dataset !== undefined && st.skeletonDataset !== true)
      lines.push(sh`zfs create -p -o ${`mountpoint=${skel}`} ${a.skeleton_dataset}`);
    else lines.push(sh`mkdir -p -- ${skel}`);
    // etc last: its presence is what says the skeleton is complete.
    for (const d of [...SKELETON_DIRS.filter((x) => x !== 'etc'), 'etc']) {
      // The mount point must exist in the template (base.txz may have no usr/local).
      // Each directory is copied aside and renamed into place: a run that was interrupted resumes.
      const [src, dst, tmp] = [`${template}/${d}`, `${skel}/${d}`, `${skel}/${d}.fj-new`];
      lines.push(
        sh`[ -d ${src} ] || mkdir -p -- ${src}`,
        sh`if [ ! -e ${dst} ]; then mkdir -p -- ${tmp}; ${raw(copyTree(src, tmp))}; mv -- ${tmp} ${dst}; fi`,
      );
    }
    return { lines, what: `the mount point ${a.path} and the writable skeleton ${skel} (${SKELETON_DIRS.join(', ')} from ${template})` };
  },
  ownUserland: false,
  templateMoved(_a, st) {
    if (!st.running || st.stamp === undefined || st.templateVersion === undefined) return undefined;
    return st.stamp === st.templateVersion ? undefined : `template updated to ${st.templateVersion} (jail started on ${st.stamp})`;
  },
  destroyRoot(a, st) {
    const skel = skeletonPath(a);
    const lines: string[] = [];
    if (a.skeleton_dataset !== undefined && st.skeletonDataset)
      lines.push(noMountsUnder(a.path), noMountsUnder(skel, { itself: false }), sh`zfs destroy -r ${a.skeleton_dataset}`);
    else if (st.skeleton) lines.push(...removeTree(skel));
    if (st.root === 'directory') lines.push(noMountsUnder(a.path), sh`rmdir -- ${a.path}`);
    return lines;
  },
  destroyWhat: (a) => `${a.path} and ${a.skeleton_dataset ?? skeletonPath(a)}`,
};
