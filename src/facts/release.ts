/**
 * What FreeBSD prints about releases: a release's MANIFEST (release/scripts/make-manifest.sh),
 * freebsd-version(1), the answer of `freebsd-update fetch`, and `zfs get -H` lines.
 */

/** One line of a release's MANIFEST: file, sha256, number of archive entries, set name, "description", on|off. */
export interface ManifestEntry {
  file: string;
  sha256: string;
  entries: number;
  set: string;
  description: string;
  /** Whether bsdinstall selects the set by default. */
  default: boolean;
}

/** MANIFEST: one tab-separated line per set. */
export function parseManifest(text: string): Map<string, ManifestEntry> {
  const sets = new Map<string, ManifestEntry>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const f = line.split('\t');
    const [file, sha256, entries, set, description, on] = f;
    if (f.length < 6 || !file || !/^[0-9a-f]{64}$/.test(sha256 ?? '') || !/^\d+$/.test(entries ?? '')) {
      throw new Error(
        `MANIFEST line ${i + 1} is not 'file<TAB>sha256<TAB>entries<TAB>set<TAB>"description"<TAB>on|off': ${JSON.stringify(line.slice(0, 120))}`,
      );
    }
    sets.set(file, {
      file,
      sha256: sha256 as string,
      entries: Number(entries),
      set: set ?? '',
      description: (description ?? '').replace(/^"(.*)"$/, '$1'),
      default: on === 'on',
    });
  });
  if (sets.size === 0) throw new Error('MANIFEST is empty');
  return sets;
}

/** A FreeBSD version as freebsd-version prints it: 14.2-RELEASE-p3 → release 14.2-RELEASE, patch 3. */
export interface FreebsdVersion {
  version: string;
  release: string;
  patch: number;
}

const VERSION = /^(\d+\.\d+-(?:RELEASE|STABLE|CURRENT|PRERELEASE|ALPHA\d*|BETA\d*|RC\d*))(?:-p(\d+))?$/;

export function parseFreebsdVersion(text: string): FreebsdVersion {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  const m = VERSION.exec(line);
  if (!m) throw new Error(`not a FreeBSD version: ${JSON.stringify(line.slice(0, 80))}`);
  return { version: line, release: m[1] as string, patch: m[2] === undefined ? 0 : Number(m[2]) };
}

/** The answer of `freebsd-update fetch`: already at the feed's level, or updates fetched and ready to install. */
export type UpdateFetch = { pending: false; version: string } | { pending: true; version: string; files: string[] };

/**
 * freebsd-update fetch's output (freebsd-update.sh fetch_run / fetch_create_manifest):
 * "No updates needed to update system to 14.2-RELEASE-p3." when current; otherwise
 * "The following files will be (updated|added|removed) as part of updating to" followed by
 * the target version and the files. Anything else is an error, named with the output's last lines.
 */
export function parseFreebsdUpdateFetch(output: string): UpdateFetch {
  const lines = output.split('\n').map((l) => l.replace(/\r$/, ''));
  for (const l of lines) {
    const m = /^No updates needed to update system to (\S+)\.$/.exec(l.trim());
    if (m) return { pending: false, version: m[1] as string };
  }
  let version: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^The following files will be (updated|added|removed) as part of updating to\s*$/.test(lines[i] as string)) continue;
    const v = /^(\S+):$/.exec((lines[i + 1] ?? '').trim());
    if (!v) continue;
    version = v[1];
    for (let j = i + 2; j < lines.length && (lines[j] as string).trim() !== ''; j++) {
      const f = (lines[j] as string).trim();
      if (f.startsWith('/')) files.push(f);
    }
  }
  if (version !== undefined) return { pending: true, version, files };
  const tail = lines
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(-3)
    .join('; ');
  throw new Error(`freebsd-update fetch gave no answer${tail ? `: ${tail}` : ''}`);
}

/** `zfs get -H[p] -o name,property,value,source ...`: property → value of the first dataset named. */
export function parseZfsGet(output: string): Map<string, { name: string; value: string; source: string }> {
  const props = new Map<string, { name: string; value: string; source: string }>();
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const f = line.split('\t');
    if (f.length < 3) throw new Error(`not a 'zfs get -H' line: ${JSON.stringify(line.slice(0, 120))}`);
    props.set(f[1] as string, { name: f[0] as string, value: f[2] as string, source: f[3] ?? '' });
  }
  return props;
}
