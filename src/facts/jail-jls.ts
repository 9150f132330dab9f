/**
 * jls(8) outputs: `jls -n` (name=value words, one line per jail; booleans bare or with a
 * "no" prefix; values with blanks or quotes double-quoted with backslash escapes) and
 * `jls --libxo json` (the default columns as JSON).
 */

export type JlsParams = Map<string, string | boolean>;

/** One `jls -n` line: parameters by name (`allow.nomount` -> allow.mount = false, `persist` -> true). */
export function parseJlsParamLine(line: string): JlsParams {
  const out: JlsParams = new Map();
  let i = 0;
  const s = line.replace(/\r?\n$/, '');
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (i >= s.length) break;
    let word = '';
    while (i < s.length && s[i] !== ' ' && s[i] !== '\t') {
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          word += s[i++];
        }
        i++;
      } else word += s[i++];
    }
    const eq = word.indexOf('=');
    if (eq > 0) {
      out.set(word.slice(0, eq), word.slice(eq + 1));
    } else {
      const dot = word.lastIndexOf('.');
      const last = word.slice(dot + 1);
      // `nodying`, `allow.noraw_sockets`: a false boolean; but `noexec`-like real names do not exist in jail(8).
      if (last.startsWith('no') && last.length > 2) out.set(`${word.slice(0, dot + 1)}${last.slice(2)}`, false);
      else out.set(word, true);
    }
  }
  return out;
}

export interface JlsJail {
  jid: number;
  hostname: string;
  path: string;
  ipv4?: string;
  name?: string;
}

/** `jls --libxo json` (also with -v / -n fields: every key of each jail is kept as given). */
export function parseJlsJson(text: string): JlsJail[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`jls --libxo json: not JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  const info = (doc as { 'jail-information'?: { jail?: unknown } })['jail-information'];
  if (!info || typeof info !== 'object') throw new Error('jls --libxo json: no jail-information');
  const jails = info.jail ?? [];
  if (!Array.isArray(jails)) throw new Error('jls --libxo json: jail is not a list');
  return jails.map((j: Record<string, unknown>) => {
    if (typeof j.jid !== 'number' || typeof j.path !== 'string')
      throw new Error(`jls --libxo json: a jail without jid/path: ${JSON.stringify(j)}`);
    return { ...j, jid: j.jid, path: j.path, hostname: typeof j.hostname === 'string' ? j.hostname : '' } as JlsJail;
  });
}
