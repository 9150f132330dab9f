/**
 * pkg(8) output: `pkg info` (NAME-VERSION padded to 30 columns, then the comment; or just
 * NAME-VERSION with -q / -x) and `pkg version -v` (NAME-VERSION, a comparison sign, and a
 * reason such as "needs updating (index has 1.2)").
 */

/** Package names may contain '-', versions never do: the version starts after the last '-'. */
export function splitNameVersion(nameVersion: string): { name: string; version: string } {
  const dash = nameVersion.lastIndexOf('-');
  if (dash <= 0) throw new Error(`not a pkg NAME-VERSION: '${nameVersion}'`);
  return { name: nameVersion.slice(0, dash), version: nameVersion.slice(dash + 1) };
}

/** Installed packages: name → version. */
export function parsePkgInfo(output: string): Map<string, string> {
  const installed = new Map<string, string>();
  for (const line of output.split('\n')) {
    const first = line.trim().split(/\s+/)[0];
    if (!first) continue;
    const { name, version } = splitNameVersion(first);
    installed.set(name, version);
  }
  return installed;
}

export interface PkgVersionLine {
  name: string;
  installed: string;
  /** '<' older than the index, '=' same, '>' newer, '?' not in the index, '!' comparison failed. */
  status: '<' | '=' | '>' | '?' | '!';
  /** The index's version when pkg names it ("needs updating (index has X)"). */
  available?: string;
}

export function parsePkgVersion(output: string): PkgVersionLine[] {
  const out: PkgVersionLine[] = [];
  for (const line of output.split('\n')) {
    const m = /^(\S+)\s+([<=>?!])(?:\s+(.*))?$/.exec(line.trim());
    if (!m) continue;
    const { name, version } = splitNameVersion(m[1] as string);
    const available = /index has ([^)\s]+)\)/.exec(m[3] ?? '')?.[1];
    out.push({ name, installed: version, status: m[2] as PkgVersionLine['status'], ...(available ? { available } : {}) });
  }
  return out;
}
