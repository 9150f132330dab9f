/**
 * User and group names inside a jail. A jail's users are its own: `ops` in the jail may be
 * uid 3000 while the host's `ops` is 1001, and the host's 1001 may be someone else in the
 * jail. So a name given for a file in a jail is looked up in the jail's /etc/passwd and
 * /etc/group (read from the host under the jail's root, which also works for a jail whose
 * processes cannot be trusted), and the host sets and compares owners by number.
 */
import { raw, sh } from '../../shell/quote.js';
import { noSymlinksBelow } from '../../shell/confine.js';
import { requireSuccess, rootPrelude } from './target.js';
import { factKey, res } from '../../facts/resources.js';
import type { FactQuery, Target } from './contract.js';

/** A name to look up; numeric ids need no lookup. */
export const isNumericId = (id: string) => /^[0-9]+$/.test(id);

export interface JailIds {
  /** The jail's uid of the owner name, when one was asked for. */
  uid?: string;
  gid?: string;
}

/** The ids of OWNER and GROUP names in jail T's own files (a numeric one is not looked up). */
export function jailIdsQuery(
  t: Extract<Target, { kind: 'jail' }>,
  owner: string | undefined,
  group: string | undefined,
): FactQuery<JailIds> {
  const lookups = [
    ...(owner !== undefined && !isNumericId(owner) ? [['passwd', owner, 'uid'] as const] : []),
    ...(group !== undefined && !isNumericId(group) ? [['group', group, 'gid'] as const] : []),
  ];
  const outside = `jail ${t.name}: its /etc leads outside the jail's root from the host; fleetjail does not follow symlinks in a jail from the host`;
  // Read from inside the jail's /etc (cd -P, checked inside its root), each file through a
  // descriptor checked to be the file at its name: a jail that swaps /etc or the file for a
  // link meanwhile cannot have the host's own passwd read.
  const enter =
    sh`cd -P -- "$fj_root/etc" || exit 1
fj_top=$(cd -P -- "$fj_root" && pwd -P) && fj_here=$(pwd -P) || exit 1
case "$fj_here/" in "\${fj_top%/}/"*) ;; *) echo ${outside} >&2; exit 1 ;; esac` + '\n';
  // sh's read, no process per line: FILE's first field NAME, third field the id ("-": no such
  // name). `|| [ -n "$fj_n" ]`: a last line without a newline is a line too.
  const lookup = `fj_id_of() { { [ -f "./$1" ] && [ ! -L "./$1" ]; } || { echo "the jail has no /etc/$1" >&2; exit 1; }; { [ "$(stat -f %d:%i)" = "$(stat -f %d:%i "./$1")" ] || { echo "the jail's /etc/$1 was swapped while fleetjail read it" >&2; exit 1; }; while IFS=: read -r fj_n fj_x fj_i fj_rest || [ -n "$fj_n" ]; do if [ "$fj_n" = "$2" ]; then echo "$3 $fj_i"; return 0; fi; done; echo "$3 -"; } < "./$1"; }\n`;
  const script =
    rootPrelude(t) +
    lookups.map(([file]) => noSymlinksBelow(raw('"$fj_root"'), `/etc/${file}`)).join('') +
    enter +
    lookup +
    lookups.map(([file, name, key]) => sh`fj_id_of ${file} ${name} ${key}`).join('\n') +
    '\n';
  return {
    key: factKey(t, 'accounts', owner ?? '', group ?? ''),
    script,
    resources: [res.file(t, '/etc/passwd'), res.file(t, '/etc/group')],
    parse(out) {
      requireSuccess(out, `reading jail ${t.name}'s /etc/passwd and /etc/group`);
      const ids: JailIds = {};
      for (const line of out.stdout.split('\n')) {
        const m = /^(uid|gid) (\S+)$/.exec(line);
        if (!m) continue;
        const [, key, id] = m as unknown as [string, 'uid' | 'gid', string];
        const name = key === 'uid' ? owner : group;
        if (!isNumericId(id))
          throw new Error(
            `${key === 'uid' ? 'user' : 'group'} ${name} does not exist in jail ${t.name} (its /etc/${key === 'uid' ? 'passwd' : 'group'})`,
          );
        ids[key] = id;
      }
      return ids;
    },
  };
}
