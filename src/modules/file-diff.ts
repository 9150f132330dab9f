/** The --diff entries of a file whose content changes, for file, pf and any module that writes whole files. */
import type { FileState } from '../facts/file-state.js';
import { sha256Hex } from '../util/digest.js';
import { unifiedDiff } from './unified-diff.js';
import type { DiffEntry } from './types.js';

export function fileDiff(path: string, before: string, after: string): DiffEntry {
  return { type: 'file', path, unified: unifiedDiff(before, after, { path }) };
}

/** PATH going from what ON holds to CONTENT: a unified diff when the old text is known (or there was no file), else the checksums. */
export function contentDiff(path: string, on: FileState, content: string): DiffEntry[] {
  if (on.type === 'absent') return [fileDiff(path, '', content)];
  if (on.content !== undefined) return [fileDiff(path, on.content, content)];
  return [{ type: 'value', name: `${path} sha256`, before: on.sha256 ?? null, after: sha256Hex(content) }];
}
