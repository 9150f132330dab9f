/**
 * Content that comes from the controller: a step's `src` (a local file) or `template` (a local
 * LiquidJS template, rendered with the host's variables).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { LocalContext, LocalFile } from './contract.js';

/**
 * `src` or `template` read on the controller into the argument KEY as text (pf's rules, which
 * pfctl reads from stdin and which are small by nature).
 */
export function readLocalSource<A extends { src?: string | undefined; template?: string | undefined }>(
  a: A,
  local: LocalContext,
  key: keyof A,
): A {
  if (a.src !== undefined) return { ...a, [key]: local.readFile(a.src), src: undefined };
  if (a.template !== undefined) return { ...a, [key]: local.renderTemplate(a.template), template: undefined };
  return a;
}

const CHUNK = 1024 * 1024;
/** Hashes by absolute path, valid while the file's identity, size and mtime stay the same. */
const hashed = new Map<string, { stamp: string; file: LocalFile }>();

/**
 * PATH (absolute) as a LocalFile: its size and sha256, read in 1 MiB chunks, never whole.
 * Steps are prepared once per host, so the result is kept while the file's inode, size and
 * mtime are unchanged: a 100 MB file sent to 200 hosts is hashed once. (A file changed after
 * this in a way its stat does not show is still caught: the host checks length and sha256.)
 */
export function hashLocalFile(path: string): LocalFile {
  const st = fs.statSync(path);
  if (!st.isFile()) throw new Error(`${path} is not a regular file`);
  const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const known = hashed.get(path);
  if (known?.stamp === stamp) return known.file;
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  const fd = fs.openSync(path, 'r');
  let size = 0;
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, CHUNK, null)) > 0; size += n) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  const file: LocalFile = { kind: 'local-file', path, size, sha256: hash.digest('hex') };
  hashed.set(path, { stamp, file });
  return file;
}

/**
 * Up to this size, a `src` file of UTF-8 text is read into memory: it then travels inside the
 * engine's batch script like inline content (engine/apply.ts INLINE_FILE_MAX), costing no
 * round trip of its own. Anything larger (or binary) is a LocalFile, streamed from disk.
 */
export const SMALL_TEXT_MAX = 16 * 1024;

/** A `src` file's content for a write: a small text as a string, anything else by reference. */
export function localContent(local: LocalContext, relativePath: string): string | LocalFile {
  const file = local.localFile(relativePath);
  if (file.size > SMALL_TEXT_MAX) return file;
  const data = fs.readFileSync(file.path);
  if (data.length > SMALL_TEXT_MAX || data.includes(0)) return file;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return file;
  }
}
