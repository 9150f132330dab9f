/** thick: the root is a full copy of the template directory, on a dataset of its own if given. */
import { sh } from '../../../shell/quote.js';
import { copyingMarker, copyTree, destroyDataset, removeTree } from '../root-scripts.js';
import { SELF_CONTAINED, type JailKind } from './kind.js';

export const thick: JailKind = {
  ...SELF_CONTAINED,
  // A copy cut short keeps its marker, so it has no version: it is copied again.
  rootExists: (st) => st.rootVersion !== undefined,
  createRoot(a, _st, template) {
    const lines = [
      a.dataset !== undefined
        ? sh`zfs list -H -o name ${a.dataset} >/dev/null 2>&1 || zfs create -p -o ${`mountpoint=${a.path}`} ${a.dataset}`
        : sh`mkdir -p -- ${a.path}`,
    ];
    lines.push(sh`: > ${copyingMarker(a.path)}`, copyTree(template, a.path), sh`rm -f -- ${copyingMarker(a.path)}`);
    return { lines, what: `a copy of ${template}${a.dataset !== undefined ? ` on ${a.dataset}` : ''}` };
  },
  ownUserland: true,
  destroyRoot(a, st) {
    if (a.dataset !== undefined && st.dataset) return destroyDataset(a.dataset, a.path);
    return st.root !== 'absent' ? removeTree(a.path) : [];
  },
  destroyWhat: (a) => a.dataset ?? a.path,
};
