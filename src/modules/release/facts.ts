/**
 * Everything the release module knows about a template, read in the one fact round trip:
 * the directory, the userland version (PATH/bin/freebsd-version -u), the sets whose
 * extraction finished (marker file), an extraction left unfinished, the host files copied
 * in, the dataset and its snapshots; and only when needed, over the network:
 *
 * - the release's MANIFEST, when a set is still to be extracted (the change script then
 *   checks the download against the sum read here; a converged template never reads it);
 * - `freebsd-update fetch`, when update is on and the template is complete. That is how the
 *   plan learns whether a new patch level exists without applying it: freebsd-update is the
 *   only FreeBSD tool that reads the update server's signed metadata, and its answer ("No
 *   updates needed to update system to X-pN." / "The following files will be updated as
 *   part of updating to X-pN:") is what FreeBSD operators read. Its working directory is on
 *   the host, outside the template (see workdirOf), so this read changes nothing in the
 *   template, also in --check mode: it only stores metadata and the fetched files there,
 *   which the install of a later run reuses. A converged run costs this one fetch per
 *   template: the signed tag, the metadata index when the tag changed, and the local
 *   inspection of the template's files; `update: false` skips it.
 */
import { createHash } from 'node:crypto';
import { sh, raw } from '../../shell/quote.js';
import {
  parseFreebsdUpdateFetch,
  parseFreebsdVersion,
  parseManifest,
  parseZfsGet,
  type FreebsdVersion,
  type ManifestEntry,
  type UpdateFetch,
} from '../../facts/release.js';
import { HOST_FILES, markerPaths, releaseUrl, setFile, workdirOf, type ReleaseArgs } from './args.js';
import type { FactOutput, FactQuery } from '../kit/contract.js';
import { factKey, res } from '../../facts/resources.js';
import { HOST } from '../kit/target.js';

export interface SetMarker {
  file: string;
  version: string;
  sha256: string;
}

export type DatasetState = { exists: false } | { exists: true; mountpoint: string; mounted: boolean };

export interface TemplateState {
  dir: 'absent' | 'empty' | 'nonempty' | 'notdir';
  /** freebsd-version -u of the template, as printed ('' when there is none). */
  userlandText: string;
  userland: FreebsdVersion | null;
  /** Whether the marker file exists (a template this module extracted). */
  hasMarker: boolean;
  sets: SetMarker[];
  /** Sets whose extraction started and did not finish. */
  extracting: string[];
  hostFiles: Array<{ path: string; host: string | null; template: string | null }>;
  dataset?: DatasetState;
  snapshots: string[];
  /** Read when a set is to be extracted: the MANIFEST, or why it could not be read. */
  manifest?: { ok: true; sets: Map<string, ManifestEntry> } | { ok: false; error: string };
  /** Asked when update is on and the template is complete. */
  update?: { ok: true; answer: UpdateFetch } | { ok: false; error: string };
}

const TAG = '@@fj-release:';

/** Whether SET's extraction finished, by the same rule as the fact script's shell test. */
export function setDone(state: TemplateState, file: string, version: string): boolean {
  if (state.extracting.includes(file)) return false;
  if (state.hasMarker) return state.sets.some((s) => s.file === file && s.version === version);
  // A template made by hand (no marker): its base counts when its userland is that release.
  return file === 'base.txz' && userlandIsRelease(state.userlandText, version);
}

/** `case $v in VERSION|VERSION-p[0-9]*)` */
export function userlandIsRelease(text: string, version: string): boolean {
  return text === version || (text.startsWith(`${version}-p`) && /^[0-9]/.test(text.slice(version.length + 2)));
}

export function releaseFactQuery(a: ReleaseArgs): FactQuery<TemplateState> {
  const m = markerPaths(a.path);
  const section = (name: string) => `echo; echo ${TAG}${name}`;
  const lines: string[] = [
    sh`fj_p=${a.path}; fj_m=${m.sets}; fj_x=${m.extracting}`,
    section('dir'),
    'if [ -d "$fj_p" ]; then if [ -n "$(ls -A "$fj_p" 2>/dev/null)" ]; then echo nonempty; else echo empty; fi',
    'elif [ -e "$fj_p" ] || [ -L "$fj_p" ]; then echo notdir; else echo absent; fi',
    section('userland'),
    'fj_v=; [ -x "$fj_p/bin/freebsd-version" ] && fj_v=$("$fj_p/bin/freebsd-version" -u 2>/dev/null); echo "$fj_v"',
    section('marker'),
    'if [ -f "$fj_m" ]; then echo yes; cat "$fj_m"; else echo no; fi',
    section('extracting'),
    '[ -f "$fj_x" ] && cat "$fj_x"',
    section('hostfiles'),
    sh`for fj_f in ${[...HOST_FILES]}; do`,
    '  printf \'%s %s %s\\n\' "$fj_f" "$(sha256 -q "$fj_f" 2>/dev/null || echo -)" "$(sha256 -q "$fj_p$fj_f" 2>/dev/null || echo -)"',
    'done',
    // The same rule as setDone(): is any wanted set still to be extracted?
    'fj_need=',
  ];
  for (const set of a.sets) {
    const file = setFile(set);
    const byHand =
      file === 'base.txz' ? sh`else case "$fj_v" in ${a.version}|${a.version}-p[0-9]*) ;; *) fj_need=1 ;; esac` : 'else fj_need=1';
    lines.push(
      sh`if grep -qxF ${file} "$fj_x" 2>/dev/null; then fj_need=1`,
      sh`elif [ -f "$fj_m" ]; then awk -v ${`f=${file}`} -v ${`v=${a.version}`} '$1 == f && $2 == v { ok = 1 } END { exit !ok }' "$fj_m" || fj_need=1`,
      `${byHand}; fi`,
    );
  }
  lines.push(
    'if [ -n "$fj_need" ]; then',
    `  ${section('manifest')}`,
    sh`  fetch -q -o - ${`${releaseUrl(a)}/MANIFEST`} 2>&1; fj_rc=$?`,
    `  ${section('manifest-status')}; echo "$fj_rc"`,
    'fi',
  );
  if (a.dataset !== undefined) {
    lines.push(
      section('dataset'),
      sh`zfs get -Hp -o name,property,value,source mountpoint,mounted ${a.dataset} 2>&1; fj_rc=$?`,
      `${section('dataset-status')}; echo "$fj_rc"`,
      section('snapshots'),
      sh`[ "$fj_rc" = 0 ] && zfs list -H -o name -t snapshot -d 1 ${a.dataset}`,
    );
  }
  if (a.update) {
    lines.push(
      sh`if [ -z "$fj_need" ]; then case "$fj_v" in ${a.version}|${a.version}-p[0-9]*)`,
      `  ${section('update')}`,
      a.update_check_every === undefined ? `  ${updateCommand(a, 'fetch')} 2>&1; fj_rc=$?` : cachedFetch(a, a.update_check_every),
      `  ${section('update-status')}; echo "$fj_rc" ;;`,
      'esac; fi',
    );
  }
  const script = lines.join('\n');
  return {
    // Steps on one template with other arguments (sets, update, mirror) ask other questions.
    key: factKey(HOST, 'release', `${a.path}#${createHash('sha256').update(script).digest('hex').slice(0, 12)}`),
    script,
    resources: [
      res.release(a.path),
      res.file(HOST, a.path),
      ...HOST_FILES.map((f) => res.file(HOST, f)),
      ...(a.dataset !== undefined ? [res.zfsStartingWith(a.dataset)] : []),
    ],
    parse: (out) => parseTemplateState(out, a),
  };
}

/**
 * freebsd-update fetch at most every MINUTES: a successful answer is kept in the work
 * directory, named after the template's version (so an installed update never reads an old
 * answer), and printed again while it is younger than that (find -mmin).
 */
function cachedFetch(a: ReleaseArgs, minutes: number): string {
  const cache = raw(sh`${`${workdirOf(a)}/fleetjail-fetch.`}"$fj_v"`);
  return [
    sh`  if [ -n "$(find ${cache} -mmin -${minutes} 2>/dev/null)" ]; then cat ${cache}; fj_rc=0`,
    sh`  else mkdir -p ${workdirOf(a)}; { ${raw(updateCommand(a, 'fetch'))}; } > ${cache}.tmp 2>&1; fj_rc=$?; cat ${cache}.tmp`,
    sh`    if [ "$fj_rc" = 0 ]; then mv -f ${cache}.tmp ${cache}; else rm -f ${cache}.tmp; fi; fi`,
  ].join('\n');
}

/**
 * freebsd-update on the template as on a system mounted at PATH (what iocage and bastille
 * run): -b PATH, the template's own freebsd-update.conf (the host's if it has none), the
 * release from the template's freebsd-version rather than the host's running kernel
 * (--currently-running), no terminal (--not-running-from-cron, PAGER=cat). Needs $fj_v.
 */
export function updateCommand(a: ReleaseArgs, commands: 'fetch' | 'fetch install'): string {
  const wd = workdirOf(a);
  return [
    sh`mkdir -p ${wd} &&`,
    sh`{ fj_conf=${`${a.path}/etc/freebsd-update.conf`}; [ -r "$fj_conf" ] || fj_conf=/etc/freebsd-update.conf;`,
    sh`PAGER=cat freebsd-update --not-running-from-cron -b ${a.path} -d ${wd} -f "$fj_conf" --currently-running "$fj_v" ${raw(commands)}; }`,
  ].join(' ');
}

/** The fact script's output, section by section. */
export function splitSections(stdout: string): Map<string, string> {
  const sections = new Map<string, string>();
  const parts = stdout.split(`\n${TAG}`);
  for (const part of parts.slice(1)) {
    const nl = part.indexOf('\n');
    const name = nl < 0 ? part : part.slice(0, nl);
    let body = nl < 0 ? '' : part.slice(nl + 1);
    // Each section ends with the newline of the next header's `echo`.
    if (body.endsWith('\n')) body = body.slice(0, -1);
    sections.set(name.trim(), body);
  }
  return sections;
}

export function parseTemplateState(out: FactOutput, a: ReleaseArgs): TemplateState {
  if (out.exitCode !== 0 && !out.stdout.includes(TAG)) {
    throw new Error(`reading template ${a.path}: ${out.stderr.trim() || `exit status ${out.exitCode}`}`);
  }
  const s = splitSections(`\n${out.stdout}`);
  const get = (name: string) => s.get(name) ?? '';
  const lines = (name: string) =>
    get(name)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');

  const dir = get('dir').trim();
  if (dir !== 'absent' && dir !== 'empty' && dir !== 'nonempty' && dir !== 'notdir')
    throw new Error(`reading template ${a.path}: no answer (${out.stderr.trim() || 'empty output'})`);
  const userlandText = get('userland').trim();
  let userland: FreebsdVersion | null = null;
  try {
    if (userlandText !== '') userland = parseFreebsdVersion(userlandText);
  } catch {
    /* not a version: treated as no userland */
  }
  const marker = lines('marker');
  const sets = marker.slice(1).map((l) => {
    const [file, version, sha256] = l.split(/\s+/);
    return { file: file ?? '', version: version ?? '', sha256: sha256 ?? '' };
  });
  const hostFiles = lines('hostfiles').map((l) => {
    const [path, host, template] = l.split(' ');
    return { path: path ?? '', host: host && host !== '-' ? host : null, template: template && template !== '-' ? template : null };
  });

  const state: TemplateState = {
    dir,
    userlandText,
    userland,
    hasMarker: marker[0] === 'yes',
    sets,
    extracting: lines('extracting'),
    hostFiles,
    snapshots: lines('snapshots')
      .filter((n) => n.startsWith(`${a.dataset}@`))
      .map((n) => n.slice(n.indexOf('@') + 1)),
  };
  if (a.dataset !== undefined) state.dataset = parseDataset(get('dataset'), get('dataset-status').trim(), a.dataset);
  if (s.has('manifest')) {
    const status = get('manifest-status').trim();
    if (status === '0') {
      try {
        state.manifest = { ok: true, sets: parseManifest(get('manifest')) };
      } catch (e) {
        state.manifest = { ok: false, error: `${releaseUrl(a)}/MANIFEST: ${(e as Error).message}` };
      }
    } else {
      state.manifest = { ok: false, error: lastLines(get('manifest')) || `fetch exit status ${status}` };
    }
  }
  if (s.has('update')) {
    const status = get('update-status').trim();
    if (status === '0') {
      try {
        state.update = { ok: true, answer: parseFreebsdUpdateFetch(get('update')) };
      } catch (e) {
        state.update = { ok: false, error: (e as Error).message };
      }
    } else {
      state.update = {
        ok: false,
        error: `freebsd-update fetch exit status ${status}${lastLines(get('update')) ? `: ${lastLines(get('update'))}` : ''}`,
      };
    }
  }
  return state;
}

function parseDataset(text: string, status: string, dataset: string): DatasetState {
  if (status !== '0') {
    if (/dataset does not exist/.test(text)) return { exists: false };
    throw new Error(`zfs get ${dataset}: ${lastLines(text) || `exit status ${status}`}`);
  }
  const props = parseZfsGet(text);
  const mountpoint = props.get('mountpoint')?.value;
  if (mountpoint === undefined) throw new Error(`zfs get ${dataset}: no mountpoint in ${JSON.stringify(text.slice(0, 200))}`);
  return { exists: true, mountpoint, mounted: props.get('mounted')?.value === 'yes' };
}

function lastLines(text: string, n = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(-n)
    .join('; ');
}
