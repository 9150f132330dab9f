/** The shell scripts of the release module's changes (each runs under set -e). */
import { sh } from '../../shell/quote.js';
import type { ManifestEntry } from '../../facts/release.js';
import { markerPaths, releaseUrl, type ReleaseArgs } from './args.js';
import { updateCommand } from './facts.js';

export function createDatasetScript(dataset: string, path: string): string {
  return sh`zfs create -p -o ${`mountpoint=${path}`} ${dataset}`;
}

export function mkdirScript(path: string): string {
  return sh`mkdir -p -- ${path}`;
}

/**
 * Download one set into a temporary directory, check its sha256 against the MANIFEST's
 * (read in the facts), and only then extract it. The set's marker line is written last, and
 * an "extracting" marker stays behind if tar does not finish: an interrupted extraction is
 * never taken for a finished one, and the next run extracts the set again (--unlink
 * replaces what the first attempt left).
 */
export function extractScript(a: ReleaseArgs, entry: ManifestEntry): string {
  const m = markerPaths(a.path);
  const url = `${releaseUrl(a)}/${entry.file}`;
  const mismatch = `release: ${url}: sha256 does not match the MANIFEST (${entry.sha256}); the download was deleted and nothing was extracted`;
  return [
    '(',
    'fj_tmp=$(mktemp -d /var/tmp/fleetjail-release.XXXXXX)',
    'trap \'rm -rf "$fj_tmp"\' EXIT',
    sh`fj_set="$fj_tmp"/${entry.file}`,
    sh`fetch -q -o "$fj_set" ${url}`,
    'fj_sum=$(sha256 -q "$fj_set")',
    sh`if [ "$fj_sum" != ${entry.sha256} ]; then rm -f "$fj_set"; echo ${mismatch} "(got $fj_sum)" >&2; exit 1; fi`,
    sh`printf '%s\\n' ${entry.file} > ${m.extracting}`,
    sh`tar -xf "$fj_set" -C ${a.path} --unlink`,
    sh`{ if [ -f ${m.sets} ]; then awk -v ${`f=${entry.file}`} '$1 != f' ${m.sets}; fi; printf '%s %s %s\\n' ${entry.file} ${a.version} ${entry.sha256}; } > ${`${m.sets}.new`}`,
    sh`mv -f -- ${`${m.sets}.new`} ${m.sets}`,
    sh`rm -f -- ${m.extracting}`,
    ')',
  ].join('\n');
}

/**
 * The host's FILE into the template, replacing (not writing through) whatever is there: a symlink there may point at the
 * host's own file.
 */
export function copyHostFileScript(path: string, file: string): string {
  const target = `${path}${file}`;
  const tmp = `${target}.fleetjail-new`;
  return sh`cp -- ${file} ${tmp} && mv -f -- ${tmp} ${target}`;
}

export function updateScript(a: ReleaseArgs): string {
  const fv = `${a.path}/bin/freebsd-version`;
  return [sh`fj_v=$(${fv} -u)`, updateCommand(a, 'fetch install'), sh`echo "freebsd-update: $fj_v -> $(${fv} -u)"`].join('\n');
}

/** DATASET@NAME, or DATASET@pN for the patch level the template has when the script runs. */
export function snapshotScript(a: ReleaseArgs & { dataset: string }, name: string | undefined): string {
  if (name !== undefined) return sh`zfs snapshot ${`${a.dataset}@${name}`}`;
  return [
    sh`fj_v=$(${`${a.path}/bin/freebsd-version`} -u)`,
    'case "$fj_v" in *-p[0-9]*) fj_s=p${fj_v##*-p} ;; *) fj_s=p0 ;; esac',
    sh`zfs list -H -o name ${a.dataset}@"$fj_s" >/dev/null 2>&1 || zfs snapshot ${a.dataset}@"$fj_s"`,
  ].join('\n');
}
