/**
 * The jail module's facts, all in the host's one fact round trip: the jail's state and its
 * root's (jls, root, versions, datasets, skeleton; facts/jail-state.ts), and the files it
 * compares (its conf, its fstab, /etc/jail.conf, /etc/rc.conf) through the shared file fact.
 */
import { sh } from '../../shell/quote.js';
import type { FileState } from '../../facts/file-state.js';
import { parseJailState, type JailState } from '../../facts/jail-state.js';
import { fileStateQuery } from '../kit/file-facts.js';
import { HOST, requireSuccess } from '../kit/target.js';
import { factKey, res, type Resource } from '../../facts/resources.js';
import { confPath, fstabPath, linuxOptions, templateSnapshot, type JailArgs } from './args.js';
import { jailKind } from './kinds/index.js';
import { copyingMarker } from './root-scripts.js';
import type { FactQueries, FactQuery } from '../kit/contract.js';

export type JailFacts = {
  state: JailState;
  conf: FileState;
  fstab: FileState;
  jailConf: FileState;
  rcConf: FileState;
};

const HELPERS = `fj_kind() { if [ -L "$1" ]; then echo other; elif [ -d "$1" ]; then echo directory; elif [ -e "$1" ]; then echo other; else echo absent; fi; }
fj_ver() { fj_v=; if [ -f "$1" ]; then fj_v=$(sed -n 's/^USERLAND_VERSION="*\\([^"]*\\)"*$/\\1/p' "$1" | head -n 1); fi; echo "\${fj_v:--}"; }
fj_yes() { if "$@" >/dev/null 2>&1; then echo yes; else echo no; fi; }
`;

/** The script of the state fact (exported for tests). */
export function jailStateScript(a: JailArgs): string {
  const lines = [HELPERS.trimEnd(), sh`printf 'jls '; jls -n -j ${a.name} 2>/dev/null || echo -`];
  // A root whose copy did not finish (its marker is still there) has no version yet: it is copied again.
  lines.push(
    sh`echo "root $(fj_kind ${a.path})"`,
    sh`if [ -e ${copyingMarker(a.path)} ]; then echo 'rootver -'; else echo "rootver $(fj_ver ${`${a.path}/bin/freebsd-version`})"; fi`,
  );
  const snap = templateSnapshot(a);
  if (snap) {
    lines.push(
      sh`fj_t=$(zfs get -H -o value mountpoint ${snap.dataset} 2>/dev/null) || fj_t=`,
      `case "$fj_t" in /*) echo "template $(fj_kind "$fj_t") $fj_t"; echo "tplver $(fj_ver "$fj_t/bin/freebsd-version")" ;; *) echo 'template absent'; echo 'tplver -' ;; esac`,
      sh`echo "snapshot $(fj_yes zfs list -H -o name -t snapshot ${a.template as string})"`,
    );
  } else if (a.template !== undefined) {
    lines.push(
      sh`echo "template $(fj_kind ${a.template}) "${a.template}`,
      sh`echo "tplver $(fj_ver ${`${a.template}/bin/freebsd-version`})"`,
    );
  }
  if (a.dataset !== undefined) lines.push(sh`echo "dataset $(fj_yes zfs list -H -o name ${a.dataset})"`);
  lines.push(...jailKind(a.type).stateLines(a));
  if (linuxOptions(a)) lines.push('echo "linux $(fj_yes kldstat -q -n linux64)"');
  return lines.join('\n') + '\n';
}

/** What the state fact reads: re-read after a change to the jail, its root, its template or their datasets. */
export function jailStateResources(a: JailArgs): Resource[] {
  const r = [res.jail(a.name), res.file(HOST, a.path)];
  const snap = templateSnapshot(a);
  if (snap) r.push(res.zfs(snap.dataset), res.zfs(a.template as string));
  else if (a.template !== undefined) r.push(res.file(HOST, a.template));
  if (a.dataset !== undefined) r.push(res.zfs(a.dataset));
  r.push(...jailKind(a.type).stateResources(a));
  if (linuxOptions(a)) r.push(res.kernelModules());
  return r;
}

export function jailStateQuery(a: JailArgs): FactQuery<JailState> {
  const script = jailStateScript(a);
  return {
    key: factKey(HOST, 'jail', a.name, 'state', script),
    script,
    resources: jailStateResources(a),
    parse(out) {
      requireSuccess(out, `reading the state of jail ${a.name}`);
      return parseJailState(out.stdout);
    },
  };
}

export function jailFactQueries(a: JailArgs): FactQueries<JailFacts> {
  return {
    state: jailStateQuery(a),
    conf: fileStateQuery(HOST, confPath(a.name), { content: true }),
    fstab: fileStateQuery(HOST, fstabPath(a), { content: true }),
    jailConf: fileStateQuery(HOST, '/etc/jail.conf', { content: true }),
    rcConf: fileStateQuery(HOST, '/etc/rc.conf', { content: true }),
  };
}
