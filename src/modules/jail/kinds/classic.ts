/**
 * classic: a per-jail root copied from the template without its shared directories (bin,
 * lib, usr/bin ...), which are mounted read-only from the template.
 */
import { sh } from '../../../shell/quote.js';
import { DEFAULT_SHARED } from '../args.js';
import { copyTree, removeTree, under } from '../root-scripts.js';
import type { JailKind } from './kind.js';

export const classic: JailKind = {
  stateLines: (a) => [sh`echo "skeleton $(fj_yes test -d ${`${a.path}/etc`})"`],
  stateResources: () => [],
  rootTouches: () => [],
  prestart: () => [],
  fstabRows: (a) =>
    a.template === undefined ? [] : (a.shared ?? DEFAULT_SHARED).map((d) => [`${a.template}/${d}`, `${a.path}/${d}`, 'nullfs', 'ro']),
  mountPointOnHost(a, target) {
    const tpl = a.template ?? a.path;
    return (a.shared ?? DEFAULT_SHARED).some((d) => under(target, d)) ? `${tpl}${target}` : `${a.path}${target}`;
  },
  rootExists: (st) => st.skeleton === true,
  createRoot(a, _st, template) {
    const shared = a.shared ?? DEFAULT_SHARED;
    const lines = [
      sh`mkdir -p -- ${a.path}`,
      copyTree(
        template,
        a.path,
        shared.map((d) => `./${d}`),
      ),
    ];
    for (const d of shared) lines.push(sh`mkdir -p -- ${`${a.path}/${d}`}`);
    return { lines, what: `${a.path}: a copy of ${template} without ${shared.join(', ')} (mounted read-only)` };
  },
  ownUserland: false,
  destroyRoot: (a, st) => (st.root !== 'absent' ? removeTree(a.path) : []),
  destroyWhat: (a) => a.path,
};
