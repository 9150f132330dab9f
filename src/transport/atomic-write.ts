/**
 * The remote half of HostSession.writeFileAtomic: content arrives on stdin and lands in
 * a temp file in the target's directory (same filesystem), gets its mode and owner, and
 * is renamed over the target. A failure at any point leaves the old file untouched and
 * removes the temp file. An existing target's mode and owner are kept unless given.
 *
 * The content is verified before anything moves: its length and sha256 must be what the
 * controller sent. A transfer cut short (the connection lost, the controller killed: the
 * host's cat just sees the end of its input) leaves the old file and no temp file. The
 * expected values come first on stdin (`verify: 'header'`, a line "LENGTH SHA256") or are
 * given in the script (a script that itself travels on stdin, never in a command line).
 */
import path from 'node:path';
import { noSymlinksBelow } from '../shell/confine.js';
import { raw, sh } from '../shell/quote.js';
import type { WriteFileOptions } from './types.js';

export type Verify = 'header' | { size: number; sha256: string };

/** The first line of a verified transfer's stdin. */
export function transferHeader(size: number, sha256: string): string {
  return `${size} ${sha256}\n`;
}

export function atomicWriteScript(target: string, opts: WriteFileOptions & { verify?: Verify } = {}): string {
  if (!path.posix.isAbsolute(target)) throw new Error(`writeFileAtomic: path must be absolute: ${target}`);
  const dir = path.posix.dirname(target);
  // The temp file's name is the target's with 17 bytes more: a name near NAME_MAX (255)
  // gets a fixed one instead.
  const base = path.posix.basename(target).length > 200 ? 'fleetjail-long-name' : path.posix.basename(target);
  const mode = opts.mode === undefined ? undefined : normaliseMode(opts.mode);
  const owner = opts.owner !== undefined || opts.group !== undefined
    ? `${opts.owner ?? ''}${opts.group !== undefined ? `:${opts.group}` : ''}`
    : undefined;
  const lines = [
    'set -e',
    opts.confineTo !== undefined ? noSymlinksBelow(opts.confineTo, insideOf(opts.confineTo, target)) : '',
    'umask 077',
    // A temp file left by a write that was killed outright (SIGKILL, a crash: no trap ran).
    // Writes run under the host's lock, one run at a time: none of these is in use.
    sh`rm -f -- ${`${dir}/.${base}.fleetjail.`}` + '??????',
    sh`tmp=$(mktemp ${`${dir}/.${base}.fleetjail.XXXXXX`})`,
    // PIPE too: when the connection is gone, the first write to stderr would otherwise end
    // the script by SIGPIPE, which runs no EXIT trap.
    `trap 'rm -f -- "$tmp"' EXIT`,
    `trap 'rm -f -- "$tmp"; exit 1' HUP INT TERM PIPE`,
    opts.verify === 'header' ? `IFS=' ' read -r fj_len fj_sum || { echo 'no transfer header: nothing was written' >&2; exit 1; }` : '',
    opts.verify !== undefined && opts.verify !== 'header' ? sh`fj_len=${opts.verify.size} fj_sum=${opts.verify.sha256}` : '',
    opts.expect !== undefined ? expectLine(target, opts.expect) : '',
    // Start from a copy of the old file so its mode, owner and flags carry over.
    sh`if [ -f ${target} ]; then cp -p -- ${target} "$tmp"; else chmod 0644 "$tmp"; fi`,
    `cat > "$tmp"`,
    opts.verify !== undefined ? VERIFY_LINES : '',
    opts.validate !== undefined ? validateLine(opts.validate) : '',
    mode !== undefined ? sh`chmod -- ${mode} "$tmp"` : '',
    owner !== undefined ? sh`chown -- ${owner} "$tmp"` : '',
    sh`mv -f -- "$tmp" ${target}`,
    'trap - EXIT HUP INT TERM PIPE',
  ];
  return lines.filter(Boolean).join('\n') + '\n';
}

/** The content in the temp file is whole and intact, or nothing moves. */
const VERIFY_LINES = `fj_got=$(stat -f %z "$tmp")
if [ "$fj_got" != "$fj_len" ]; then echo "short transfer: $fj_got of $fj_len bytes arrived; the old file is kept" >&2; exit 1; fi
if [ "$(sha256 -q "$tmp")" != "$fj_sum" ]; then echo "corrupt transfer: sha256 differs; the old file is kept" >&2; exit 1; fi`;

/** TARGET's path below ROOT. */
function insideOf(root: string, target: string): string {
  if (!target.startsWith(`${root.replace(/\/$/, '')}/`)) throw new Error(`writeFileAtomic: ${target} is not inside ${root}`);
  return target.slice(root.replace(/\/$/, '').length);
}

/** Refuses to go on when TARGET is no longer what the new content was computed from. */
function expectLine(target: string, expect: NonNullable<WriteFileOptions['expect']>): string {
  const changed = sh`echo ${`${target} changed on the host after fleetjail read it; nothing was written (run again to plan from the new content)`} >&2; exit 1;`;
  return expect === 'absent'
    ? sh`if [ -e ${target} ] || [ -L ${target} ]; then ${raw(changed)} fi`
    : sh`if [ -L ${target} ] || [ ! -f ${target} ] || [ "$(sha256 -q ${target})" != ${expect.sha256} ]; then ${raw(changed)} fi`;
}

/**
 * The operator's check of the new content (e.g. `pfctl -nf %s`): shell text like a command
 * step's, with %s standing for the temp file. Its output goes to stderr, where a failure
 * report looks for the reason.
 */
function validateLine(validate: string): string {
  const command = validate.split('%s').join('"$tmp"');
  return `if ! ( ${command} ) >&2; then ${sh`echo ${`validation failed (${validate}): the file was not changed`}`} >&2; exit 1; fi`;
}

function normaliseMode(mode: string | number): string {
  const text = typeof mode === 'number' ? mode.toString(8) : mode;
  if (!/^[0-7]{3,4}$/.test(text)) throw new Error(`writeFileAtomic: mode must be octal like 0644, got ${String(mode)}`);
  return text.padStart(4, '0');
}
