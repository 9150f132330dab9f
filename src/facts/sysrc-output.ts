/**
 * What sysrc(8) prints when it sets a variable ("name: old -> new", the old value empty for
 * a variable that was not set) and when it is asked about one that is not
 * ("sysrc: unknown variable 'name'", on stderr).
 */

export interface SysrcSet {
  name: string;
  before: string;
  after: string;
}

export function parseSysrcSet(output: string): SysrcSet[] {
  const out: SysrcSet[] = [];
  for (const line of output.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*): (.*) -> (.*)$/.exec(line);
    if (m) out.push({ name: m[1] as string, before: m[2] as string, after: m[3] as string });
  }
  return out;
}

export function parseSysrcUnknown(stderr: string): string[] {
  return [...stderr.matchAll(/^sysrc: unknown variable '([^']*)'$/gm)].map((m) => m[1] as string);
}
