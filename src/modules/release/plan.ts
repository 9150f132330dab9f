/**
 * From what the template is (release-facts.ts) to what must change, in order: its dataset
 * or directory, the sets not yet extracted, the host's resolv.conf and localtime, the
 * update to the latest patch level, the snapshot. Pure: unit-tested with plain objects.
 */
import type { ManifestEntry } from '../../facts/release.js';
import { parseFreebsdVersion } from '../../facts/release.js';
import { releaseUrl, setFile, type ReleaseArgs } from './args.js';
import { setDone, type TemplateState } from './facts.js';
import { copyHostFileScript, createDatasetScript, extractScript, mkdirScript, snapshotScript, updateScript } from './scripts.js';
import type { Change, DiffEntry } from '../kit/contract.js';
import { res } from '../../facts/resources.js';
import { HOST } from '../kit/target.js';

export function planRelease(a: ReleaseArgs, f: TemplateState): Change[] {
  const p = a.path;
  const touches = [
    res.release(p),
    res.file(HOST, p),
    res.filesStartingWith(HOST, `${p}/`),
    ...(a.dataset !== undefined ? [res.zfsStartingWith(a.dataset)] : []),
  ];
  const change = (summary: string, script: string, diff?: DiffEntry[]): Change => ({
    summary,
    action: { kind: 'script', script },
    touches,
    ...(diff ? { diff } : {}),
  });
  const changes: Change[] = [];

  if (f.dir === 'notdir') throw new Error(`${p} exists and is not a directory`);
  if (f.userland && f.userland.release !== a.version) {
    throw new Error(
      `${p} holds ${f.userland.version}, not ${a.version}: the release module does not upgrade a template to another release (give each release its own path)`,
    );
  }

  if (a.dataset !== undefined) {
    const ds = f.dataset;
    if (!ds) throw new Error(`dataset ${a.dataset} was not read`);
    if (!ds.exists) {
      if (f.dir === 'nonempty') {
        throw new Error(
          `${p} is not empty and dataset ${a.dataset} does not exist: refusing to create the dataset over the directory (it would hide its files)`,
        );
      }
      changes.push(
        change(`create dataset ${a.dataset} (mountpoint ${p})`, createDatasetScript(a.dataset, p), [
          { type: 'value', name: `${a.dataset}: mountpoint`, before: null, after: p },
        ]),
      );
    } else if (ds.mountpoint !== p) {
      throw new Error(`dataset ${a.dataset} has mountpoint ${ds.mountpoint}, not ${p}`);
    } else if (!ds.mounted) {
      throw new Error(`dataset ${a.dataset} is not mounted (zfs mount ${a.dataset})`);
    }
  } else if (f.dir === 'absent') {
    changes.push(change(`create directory ${p}`, mkdirScript(p)));
  }

  const files = a.sets.map(setFile);
  const missing = files.filter((file) => !setDone(f, file, a.version));
  const extractsBase = missing.includes('base.txz');
  if (missing.length > 0) {
    const manifest = manifestOf(a, f);
    for (const file of missing) {
      const entry = manifest.get(file);
      if (!entry)
        throw new Error(`${file} is not in the MANIFEST of ${a.version} at ${releaseUrl(a)} (it lists ${[...manifest.keys()].join(', ')})`);
      changes.push(
        change(`extract ${file} ${a.version}`, extractScript(a, entry), [
          { type: 'value', name: `${p}: ${file}`, before: null, after: `${a.version} sha256 ${entry.sha256}` },
        ]),
      );
    }
  }

  for (const hf of f.hostFiles) {
    if (hf.host === null) continue; // the host has none: nothing to copy
    if (missing.length === 0 && hf.host === hf.template) continue;
    changes.push(
      change(`copy ${hf.path} into ${p}`, copyHostFileScript(p, hf.path), [
        { type: 'value', name: `${p}${hf.path}: sha256`, before: missing.length > 0 ? null : hf.template, after: hf.host },
      ]),
    );
  }

  // The version before and (as far as known) after.
  const before = f.userlandText === '' || extractsBase ? null : f.userlandText;
  let updating = false;
  let target: string | undefined;
  if (a.update) {
    if (missing.length > 0) {
      updating = true; // freshly extracted files: freebsd-update brings them to the feed's level
    } else {
      if (!f.update)
        throw new Error(
          `${p}: its sets are extracted but it has no bin/freebsd-version to tell its patch level (remove ${p}/.fleetjail-release to extract it again)`,
        );
      if (!f.update.ok) throw new Error(`freebsd-update fetch for ${p}: ${f.update.error}`);
      if (f.update.answer.pending) {
        updating = true;
        target = f.update.answer.version;
      }
    }
  }
  if (updating) {
    const from = before ?? a.version;
    const pendingFiles = f.update?.ok && f.update.answer.pending ? f.update.answer.files.length : 0;
    // Same version: files (e.g. a kernel) behind the userland's level.
    const summary =
      target === undefined
        ? `freebsd-update ${from} -> latest patch level`
        : target === from
          ? `freebsd-update ${from}: ${pendingFiles} files behind`
          : `freebsd-update ${from} -> ${target}`;
    changes.push(
      change(summary, updateScript(a), [
        { type: 'value', name: `${p}: freebsd-version -u`, before, after: target ?? `${a.version}-pN (latest)` },
      ]),
    );
  } else if (extractsBase) {
    changes[changes.findIndex((c) => c.summary === `extract base.txz ${a.version}`)]?.diff?.push({
      type: 'value',
      name: `${p}: freebsd-version -u`,
      before,
      after: a.version,
    });
  }

  if (a.dataset !== undefined && a.snapshot !== undefined) {
    const withDataset = { ...a, dataset: a.dataset };
    if (a.snapshot === 'base') {
      if (!f.snapshots.includes('base')) changes.push(snapshotChange(`${a.dataset}@base`, snapshotScript(withDataset, 'base')));
    } else {
      const level = patchSnapshot(updating ? target : extractsBase ? a.version : f.userlandText);
      if (level === undefined) {
        changes.push(snapshotChange(`${a.dataset}@pN (the patch level reached)`, snapshotScript(withDataset, undefined)));
      } else if (!f.snapshots.includes(level)) {
        // Named at run time from the template itself: the level it actually reached.
        changes.push(
          snapshotChange(
            `${a.dataset}@${level}`,
            updating || missing.length > 0 ? snapshotScript(withDataset, undefined) : snapshotScript(withDataset, level),
          ),
        );
      }
    }
  }
  return changes;

  function snapshotChange(name: string, script: string): Change {
    return change(`snapshot ${name}`, script, [{ type: 'value', name, before: null, after: 'snapshot' }]);
  }
}

/** 14.2-RELEASE-p3 → p3; 14.2-RELEASE → p0; undefined when not known. */
export function patchSnapshot(version: string | undefined): string | undefined {
  if (version === undefined || version === '') return undefined;
  try {
    return `p${parseFreebsdVersion(version).patch}`;
  } catch {
    return undefined;
  }
}

function manifestOf(a: ReleaseArgs, f: TemplateState): Map<string, ManifestEntry> {
  if (!f.manifest) throw new Error(`the MANIFEST of ${a.version} was not read`);
  if (!f.manifest.ok) throw new Error(`cannot read the MANIFEST of ${a.version} at ${releaseUrl(a)}: ${f.manifest.error}`);
  return f.manifest.sets;
}
