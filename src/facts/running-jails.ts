/**
 * `jls --libxo json name path`: the running jails with their root directories,
 *
 *   {"__version": "2", "jail-information": {"jail": [{"name":"www","path":"/usr/jails/www"}]}}
 *
 * JSON because it is the one jls output that carries any path intact: `jls -n` prints values
 * as they are (a blank in a path is ambiguous), and `-q` quotes without escaping. FreeBSD
 * stores a jail's path as the kernel resolved it (symlinks followed, no trailing slash), so
 * paths compare with mount points as they are.
 */

export interface RunningJail {
  name: string;
  path: string;
}

export function parseRunningJails(output: string): RunningJail[] {
  let doc: unknown;
  try {
    doc = JSON.parse(output);
  } catch (e) {
    throw new Error(`jls --libxo json: not JSON (${e instanceof Error ? e.message : String(e)}): '${output.slice(0, 200)}'`, { cause: e });
  }
  const jails = (doc as { 'jail-information'?: { jail?: unknown } })?.['jail-information']?.jail ?? [];
  if (!Array.isArray(jails)) throw new Error('jls --libxo json: jail is not a list');
  return jails.map((j: { name?: unknown; path?: unknown }) => {
    if (typeof j?.name !== 'string' || typeof j.path !== 'string' || !j.path.startsWith('/'))
      throw new Error(`jls --libxo json: a jail without name or path: ${JSON.stringify(j)}`);
    return { name: j.name, path: j.path };
  });
}
