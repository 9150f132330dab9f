/**
 * The --diff entries of whole files, for every module that writes or removes files (file,
 * pf, line, jail, devfs.ruleset). Diffs are computed only when the run asks for them
 * (ctx.diff): without --diff these return nothing and cost nothing. With it, a unified diff
 * is bounded in time and memory (unified-diff.ts); beyond those bounds, or for binary
 * content, the entry is one line instead:
 *
 *   /etc/big.txt: files differ: 120 -> 200000 lines, sha256 1f2e... -> 9a8b... (larger than 1 MiB)
 */
import fs from 'node:fs';
import type { FileState } from '../../facts/file-state.js';
import { sha256Hex } from '../../util/digest.js';
import { hiddenFileDiff, isPrivateMode } from '../../util/secrets.js';
import { DIFF_LIMITS, splitLines, unifiedDiff } from './unified-diff.js';
import type { DiffEntry, LocalFile } from './contract.js';

type DiffContext = { diff: boolean };

/** One side of a diff: its text when known (and text), else what is known about it. */
interface Side {
  text?: string;
  bytes: number | null;
  sha256: string | null;
  /** Why the text is not shown, when it is not. */
  why?: string;
}

/** PATH going from BEFORE to AFTER (null: no file), both texts; nothing without --diff. */
export function fileDiff(ctx: DiffContext, path: string, before: string | null, after: string | null): DiffEntry[] {
  if (!ctx.diff) return [];
  return [entry(path, textSide(before ?? ''), textSide(after ?? ''))];
}

/**
 * PATH going from what ON holds to CONTENT (a text, or a local file read only when small
 * enough to diff); nothing without --diff. The old text is known when the facts were read
 * with content (file-facts.ts reads it only with --diff and up to 1 MiB).
 */
export function contentDiff(ctx: DiffContext, path: string, on: FileState, content: string | LocalFile): DiffEntry[] {
  if (!ctx.diff) return [];
  // A private file's (mode 0600) content is never shown.
  if (on.mode !== undefined && isPrivateMode(on.mode)) return [hiddenFileDiff(path, `mode ${on.mode}`)];
  return [entry(path, hostSide(on), typeof content === 'string' ? textSide(content) : localSide(content))];
}

/** PATH removed: its old content when known (never a private file's), else its type; nothing without --diff. */
export function removalDiff(ctx: DiffContext, path: string, on: FileState): DiffEntry[] {
  if (!ctx.diff) return [];
  if (on.type === 'file' && on.mode !== undefined && isPrivateMode(on.mode)) return [hiddenFileDiff(path, `mode ${on.mode}`)];
  return on.type === 'file' && on.content !== undefined
    ? contentDiff(ctx, path, on, '')
    : [{ type: 'value', name: path, before: on.type, after: null }];
}

function entry(path: string, before: Side, after: Side): DiffEntry {
  let why = before.why ?? after.why;
  if (why === undefined && before.text !== undefined && after.text !== undefined) {
    const unified = unifiedDiff(before.text, after.text, { path });
    if (unified !== null) return { type: 'file', path, unified };
    why = beyondLimits(before.text, after.text);
  }
  return {
    type: 'file',
    path,
    unified: `${path}: files differ: ${sizes(before, after)}, sha256 ${hashOf(before)} -> ${hashOf(after)} (${why})\n`,
  };
}

/** Which of unifiedDiff's limits two texts it gave up on are beyond. */
function beyondLimits(before: string, after: string): string {
  if (Math.max(before.length, after.length) > DIFF_LIMITS.maxBytes) return `larger than ${mib(DIFF_LIMITS.maxBytes)}`;
  if (Math.max(splitLines(before).length, splitLines(after).length) > DIFF_LIMITS.maxLines)
    return `more than ${DIFF_LIMITS.maxLines} lines`;
  return 'too many changes to diff';
}

/** "N -> M lines" when both are known texts, else bytes. */
function sizes(before: Side, after: Side): string {
  const text = (s: Side) => s.text !== undefined && s.why === undefined;
  if (text(before) && text(after)) return `${splitLines(before.text as string).length} -> ${splitLines(after.text as string).length} lines`;
  const bytes = (s: Side) => (s.bytes === null ? '?' : String(s.bytes));
  return `${bytes(before)} -> ${bytes(after)} bytes`;
}

function hashOf(s: Side): string {
  if (s.sha256 !== null) return s.sha256;
  return s.text !== undefined ? sha256Hex(s.text) : '?';
}

function textSide(text: string): Side {
  return { text, bytes: Buffer.byteLength(text), sha256: null, ...(isBinary(text) ? { why: 'binary' } : {}) };
}

function hostSide(on: FileState): Side {
  if (on.type === 'absent') return textSide('');
  if (on.content !== undefined) return { ...textSide(on.content), bytes: on.size ?? null, sha256: on.sha256 ?? null };
  const big = on.size !== undefined && on.size > DIFF_LIMITS.maxBytes;
  return {
    bytes: on.size ?? null,
    sha256: on.sha256 ?? null,
    why: big ? `larger than ${mib(DIFF_LIMITS.maxBytes)}` : 'the old content was not read',
  };
}

/** A local file is read for the diff only when it is small enough for one. */
function localSide(f: LocalFile): Side {
  const known = { bytes: f.size, sha256: f.sha256 };
  if (f.size > DIFF_LIMITS.maxBytes) return { ...known, why: `larger than ${mib(DIFF_LIMITS.maxBytes)}` };
  const data = fs.readFileSync(f.path);
  if (sha256Hex(data) !== f.sha256) throw new Error(`${f.path} changed on the controller while fleetjail was running`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return { ...known, why: 'binary' };
  }
  return { ...textSide(text), ...known };
}

/** Text with a NUL, or that did not survive decoding as UTF-8 (a replacement character). */
function isBinary(text: string): boolean {
  return text.includes('\0') || text.includes('\uFFFD');
}

function mib(bytes: number): string {
  return `${bytes / (1024 * 1024)} MiB`;
}
