/**
 * The shared fact "what is at PATH": type, mode, owner, checksum, link target, and the
 * content when asked (line edits, diffs). sysrc, line and file all read files through it,
 * so two steps on /etc/rc.conf cost one read.
 */
import { posix } from 'node:path';
import { raw, sh } from '../../shell/quote.js';
import { noSymlinksBelow } from '../../shell/confine.js';
import { aFileType, parseFileState, type FileState } from '../../facts/file-state.js';
import { requireSuccess, rootedPath, rootPrelude } from './target.js';
import { factKey, res } from '../../facts/resources.js';
import type { FactQuery, Target } from './contract.js';

/** Larger files are compared by checksum only; their content is never fetched. */
export const MAX_CONTENT_BYTES = 1024 * 1024;

/**
 * `aspect` narrows what the query stands for (e.g. one rc.conf variable): the same read,
 * but its own key and resource, so a change to another aspect of the file leaves it fresh.
 * `metadata: false` (with content) reads only the type and the text, for modules that edit
 * text and leave mode and owner as they are (sysrc, line): one head(1), no stat(1) and no
 * checksum, which matters on a fleet, where every process a fact script starts is paid once
 * per host.
 */
export function fileStateQuery(
  t: Target,
  path: string,
  opts: { content: boolean; aspect?: string; metadata?: boolean },
): FactQuery<FileState> {
  const metadata = opts.metadata ?? true;
  if (!metadata && !opts.content) throw new Error('fileStateQuery: metadata: false needs content: true');
  // In a jail, what is read is read from inside the file's directory (entered with cd -P and
  // checked to be inside the jail's root), and a file's bytes through a descriptor checked to
  // be the file at its name: a jail that swaps a directory or the file for a symlink while the
  // facts are read does not get the host's files read (see transport/confine.ts).
  const jail = t.kind === 'jail';
  const bytes = (reader: string) =>
    jail
      ? `{ [ "$(stat -f %d:%i)" = "$(stat -f %d:%i "$fj_p")" ] || { echo "${'$'}{fj_p#./}: swapped while fleetjail read it" >&2; exit 1; }; ${reader}; } < "$fj_p"`
      : `${reader} "$fj_p"`;
  // One stat(1) for everything, its last field (the size) reused for the content check.
  const content = (size: string) =>
    opts.content ? sh`  if [ ${raw(size)} -le ${MAX_CONTENT_BYTES} ]; then echo content; ${raw(bytes('cat'))} || exit 1; fi` + '\n' : '';
  const details = metadata
    ? `fj_s=$(stat -f '%Mp%Lp %u %g %Su %Sg %z' "$fj_p") || exit 1
printf 'stat %s\n' "$fj_s"
if [ -L "$fj_p" ]; then printf 'target '; readlink "$fj_p" || exit 1; fi
if [ -f "$fj_p" ] && [ ! -L "$fj_p" ]; then
  printf 'sha256 '; ${bytes('sha256 -q')} || exit 1
${content('"${fj_s##* }"')}fi
`
    : // Without metadata, no size either: one byte more than the limit tells a larger file.
      `if [ -f "$fj_p" ] && [ ! -L "$fj_p" ]; then echo content; ${bytes(`head -c ${MAX_CONTENT_BYTES + 1}`)} || exit 1; fi
`;
  const rooted = rootedPath(t, path); // also refuses a jail path that is not normal (no `..`)
  const where = jail ? inJailDir(path) : sh`fj_p=${rooted}` + '\n';
  const script =
    rootPrelude(t) +
    where +
    `if [ -L "$fj_p" ]; then echo 'type link'
elif [ -d "$fj_p" ]; then echo 'type directory'
elif [ -f "$fj_p" ]; then echo 'type file'
elif [ -e "$fj_p" ]; then echo 'type other'
else echo 'type absent'; exit 0; fi
` +
    details;
  return {
    key: factKey(
      t,
      'file',
      path,
      ...(opts.content ? ['content'] : []),
      ...(metadata ? [] : ['text-only']),
      ...(opts.aspect ? [opts.aspect] : []),
    ),
    script,
    resources: [opts.aspect ? res.fileAspect(t, path, opts.aspect) : res.file(t, path)],
    parse(out) {
      requireSuccess(out, `reading ${path}`);
      const state = parseFileState(out.stdout);
      if (state.content !== undefined && Buffer.byteLength(state.content) > MAX_CONTENT_BYTES) delete state.content;
      return state;
    },
  };
}

/** The text of a file read with content, refusing what would not survive a round trip as UTF-8. */
export function textContent(state: FileState, path: string): string {
  if (state.content === undefined) {
    throw new Error(`${path} is larger than ${MAX_CONTENT_BYTES} bytes; fleetjail edits smaller files only`);
  }
  if (state.content.includes('\uFFFD') || state.content.includes('\0')) {
    throw new Error(`${path} is not UTF-8 text; fleetjail edits text files only`);
  }
  return state.content;
}

/** The text of a file that must be a regular file or absent; null when absent. */
export function fileText(state: FileState, path: string): string | null {
  if (state.type === 'absent') return null;
  if (state.type !== 'file') throw new Error(`${path} is ${aFileType(state.type)}, not a file`);
  return textContent(state, path);
}

/**
 * For a fact inside a jail (after rootPrelude): no link in the directories above PATH, then
 * PATH's directory entered (cd -P) and checked to be inside the jail's root, and $fj_p the
 * file's relative name. A directory that is not there means the file is absent.
 */
function inJailDir(path: string): string {
  const dir = posix.dirname(path);
  const outside = `${dir}: leads outside the jail's root from the host; fleetjail does not follow symlinks in a jail from the host`;
  return (
    noSymlinksBelow(raw('"$fj_root"'), path, false) +
    sh`if ! [ -d "$fj_root"${dir === '/' ? '' : dir} ]; then echo 'type absent'; exit 0; fi
cd -P -- "$fj_root"${dir === '/' ? '/' : dir}
fj_top=$(cd -P -- "$fj_root" && pwd -P) && fj_here=$(pwd -P)
case "$fj_here/" in "\${fj_top%/}/"*) ;; *) echo ${outside} >&2; exit 1 ;; esac
fj_p=${`./${posix.basename(path)}`}
`
  );
}
