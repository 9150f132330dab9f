/** The --diff entries of a file whose content changes, for file, pf and any module that writes whole files. */
import type { FileState } from '../facts/file-state.js';
import { sha256Hex } from '../util/digest.js';
import { hiddenFileDiff, isPrivateMode } from '../util/secrets.js';
import { unifiedDiff } from './unified-diff.js';
import type { DiffEntry } from './types.js';

export function fileDiff(path: string, before: string, after: string): DiffEntry {
  return { type: 'file', path, unified: unifiedDiff(before, after, { path }) };
}

/**
 * PATH going from what ON holds to CONTENT: a unified diff when the old text is known (or there
 * was no file), else the checksums. A private file's (mode 0600) content is never shown.
 */
export function contentDiff(path: string, on: FileState, content: string): DiffEntry[] {
  if (on.mode !== undefined && isPrivateMode(on.mode)) return [hiddenFileDiff(path, `mode ${on.mode}`)];
  if (on.type === 'absent') return [fileDiff(path, '', content)];
  if (on.content !== undefined) return [fileDiff(path, on.content, content)];
  return [{ type: 'value', name: `${path} sha256`, before: on.sha256 ?? null, after: sha256Hex(content) }];
}

/** PATH removed: its old content when known (never a private file's), else its type. */
export function removalDiff(path: string, on: FileState): DiffEntry {
  if (on.type === 'file' && on.mode !== undefined && isPrivateMode(on.mode)) return hiddenFileDiff(path, `mode ${on.mode}`);
  return on.type === 'file' && on.content !== undefined ? fileDiff(path, on.content, '') : { type: 'value', name: path, before: on.type, after: null };
}
