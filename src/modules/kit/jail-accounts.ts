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
  // sh's read, no process per file: FILE's first field NAME, third field the id ("-": no such name).
  const lookup = `fj_id_of() { [ -f "$fj_root/etc/$1" ] || { echo "the jail has no /etc/$1" >&2; exit 1; }; while IFS=: read -r fj_n fj_x fj_i fj_rest; do if [ "$fj_n" = "$2" ]; then echo "$3 $fj_i"; return 0; fi; done < "$fj_root/etc/$1"; echo "$3 -"; }\n`;
  const script =
    rootPrelude(t) +
    lookups.map(([file]) => noSymlinksBelow(raw('"$fj_root"'), `/etc/${file}`)).join('') +
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
