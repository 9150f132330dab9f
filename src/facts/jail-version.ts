/**
 * freebsd-version(1) strings (14.2-RELEASE-p3, 15.0-CURRENT, 13.4-STABLE). The jail facts
 * read a root's version from its /bin/freebsd-version script's USERLAND_VERSION (sed), so
 * a root is never executed on the host.
 */

export interface FreebsdVersion {
  /** 14.2-RELEASE: what freebsd-update fetches patches for. */
  release: string;
  patch: number;
  text: string;
}

export function parseFreebsdVersion(text: string): FreebsdVersion {
  const t = text.trim();
  const m = /^([0-9]+\.[0-9]+-[A-Z]+[0-9]*)(?:-p([0-9]+))?$/.exec(t);
  if (!m) throw new Error(`not a FreeBSD version: '${t}'`);
  return { release: m[1] as string, patch: m[2] === undefined ? 0 : Number(m[2]), text: t };
}

/** -1: A is an older patch of the same release; 0: same; 1: newer; undefined: different releases. */
export function comparePatch(a: FreebsdVersion, b: FreebsdVersion): -1 | 0 | 1 | undefined {
  if (a.release !== b.release) return undefined;
  return a.patch < b.patch ? -1 : a.patch > b.patch ? 1 : 0;
}
