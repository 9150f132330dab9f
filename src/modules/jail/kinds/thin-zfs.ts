/** thin-zfs: the root is a `zfs clone` of the template's snapshot, on the jail's own dataset. */
import { sh } from '../../../shell/quote.js';
import { destroyDataset } from '../root-scripts.js';
import { SELF_CONTAINED, type JailKind } from './kind.js';

export const thinZfs: JailKind = {
  ...SELF_CONTAINED,
  rootExists: (st) => st.dataset === true,
  createRoot(a, _st, template) {
    const ds = a.dataset as string;
    const parent = ds.includes('/') ? ds.slice(0, ds.lastIndexOf('/')) : undefined;
    const lines = parent ? [sh`zfs list -H -o name ${parent} >/dev/null 2>&1 || zfs create -p ${parent}`] : [];
    lines.push(sh`zfs clone -o ${`mountpoint=${a.path}`} ${template} ${ds}`);
    return { lines, what: `zfs clone ${template} ${ds}` };
  },
  ownUserland: true,
  destroyRoot: (a, st) => (a.dataset !== undefined && st.dataset ? destroyDataset(a.dataset, a.path) : []),
  destroyWhat: (a) => a.dataset ?? a.path,
};
