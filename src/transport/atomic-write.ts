/**
 * The remote half of HostSession.writeFileAtomic: content arrives on stdin and lands in
 * a temp file in the target's directory (same filesystem), gets its mode and owner, and
 * is renamed over the target. A failure at any point leaves the old file untouched and
 * removes the temp file. An existing target's mode, owner and flags are kept unless given.
 *
 * The temp file is created 0600, owned by the writer, and stays so until its content is
 * written, verified and validated: only then does it take its mode and owner, so a
 * secret is never readable by another user while it is written.
 *
 * The content is verified before anything moves: its length and sha256 must be what the
 * controller sent. A transfer cut short (the connection lost, the controller killed: the
 * host's cat just sees the end of its input) leaves the old file and no temp file. The
 * expected values come first on stdin (`verify: 'header'`, a line "LENGTH SHA256") or are
 * given in the script (a script that itself travels on stdin, never in a command line).
 *
 * The script works from inside the target's directory (`cd -P`) and names files relative
 * to it, so a directory swapped for a symlink after that cannot redirect anything; inside
 * a jail (`confineTo`), that directory must be inside the jail's root as the host sees it.
 * Nothing follows a symlink at the file's own name or the temp file's (a name the jail
 * can see and swap): the temp file is created by `set -C` (O_EXCL, with a random name no
 * one could plant in advance), chmod/chown/chflags/mv act on a link itself (-h), and the
 * old file is read only through a descriptor checked to be the file at that name.
 */
import path from 'node:path';
import { enterJailDir, noSymlinksBelow } from '../shell/confine.js';
import { raw, sh, shq } from '../shell/quote.js';
import type { WriteFileOptions } from './types.js';

export type Verify = 'header' | { size: number; sha256: string };

/** The first line of a verified transfer's stdin. */
export function transferHeader(size: number, sha256: string): string {
  return `${size} ${sha256}\n`;
}

export function atomicWriteScript(target: string, opts: WriteFileOptions & { verify?: Verify } = {}): string {
  if (!path.posix.isAbsolute(target)) throw new Error(`writeFileAtomic: path must be absolute: ${target}`);
  const dir = path.posix.dirname(target);
  const name = path.posix.basename(target);
  if (name === '' || name === '.' || name === '..') throw new Error(`writeFileAtomic: not a file path: ${target}`);
  // The temp file's name is the target's with 23 bytes more: a name near NAME_MAX (255)
  // gets a fixed one instead.
  const base = name.length > 200 ? 'fleetjail-long-name' : name;
  const mode = opts.mode === undefined ? undefined : normaliseMode(opts.mode);
  // Relative to the target's directory from here on: `./` keeps a name like `-x` an operand.
  const here = `./${name}`;
  const lines = [
    'set -e',
    opts.confineTo !== undefined ? noSymlinksBelow(opts.confineTo, insideOf(opts.confineTo, target)) : '',
    opts.confineTo !== undefined ? enterJailDir(opts.confineTo, dir).trimEnd() : sh`cd -P -- ${dir}`,
    'umask 077',
    // A temp file left by a write that was killed outright (SIGKILL, a crash: no trap ran).
    // Writes run under the host's lock, one run at a time: none of these is in use.
    sh`rm -f -- ${`./.${base}.fleetjail.`}` + '????????????',
    // Random, and made nowhere before it is created below: no one can plant a link at it.
    sh`fj_id=$(od -An -N6 -tx1 /dev/urandom) && tmp=${`./.${base}.fleetjail.`}$(printf %s $fj_id)`,
    // PIPE too: when the connection is gone, the first write to stderr would otherwise end
    // the script by SIGPIPE, which runs no EXIT trap.
    `trap 'rm -f -- "$tmp"' EXIT`,
    `trap 'rm -f -- "$tmp"; exit 1' HUP INT TERM PIPE`,
    opts.verify === 'header' ? `IFS=' ' read -r fj_len fj_sum || { echo 'no transfer header: nothing was written' >&2; exit 1; }` : '',
    opts.verify !== undefined && opts.verify !== 'header' ? sh`fj_len=${opts.verify.size} fj_sum=${opts.verify.sha256}` : '',
    opts.expect !== undefined ? expectLine(target, here, opts.expect) : '',
    // Created here (O_EXCL: never through a link), 0600 by the umask, owned by the writer.
    `( set -C; cat > "$tmp" )`,
    opts.verify !== undefined ? VERIFY_LINES : '',
    opts.validate !== undefined ? validateLine(opts.validate, dir) : '',
    ...attributeLines(here, mode, opts.owner, opts.group),
    opts.confineTo !== undefined ? 'fj_ino=$(stat -f %d:%i "$tmp")' : '',
    // -h: a link at the target's name is replaced, never followed into a directory.
    sh`mv -f -h -- "$tmp" ${here}`,
    opts.confineTo !== undefined
      ? sh`[ "$(stat -f %d:%i ${here})" = "$fj_ino" ] || { echo ${`${target}: the jail changed this path while fleetjail wrote it; the new content may not be there`} >&2; exit 1; }`
      : '',
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

/**
 * The old file's mode, owner and flags, read without following a link at its name (a new
 * file gets 0644 and the writer's owner), then the requested ones over them.
 */
function attributeLines(here: string, mode: string | undefined, owner: string | undefined, group: string | undefined): string[] {
  const owns = owner !== undefined || group !== undefined;
  const own = (given: string | undefined, old: string) => (given !== undefined ? sh`${given}` : old);
  return [
    `fj_m=0644 fj_u= fj_g= fj_f=0`,
    sh`if [ -f ${here} ] && [ ! -L ${here} ]; then fj_old=$(stat -f '%Mp%Lp %u %g %Of' ${here}); IFS=' ' read -r fj_m fj_u fj_g fj_f <<EOF`,
    '$fj_old',
    'EOF',
    'fi',
    // chown before chmod: a chown may clear set-id bits.
    owns
      ? `if [ -n "$fj_u" ]; then chown -h -- ${own(owner, '"$fj_u"')}:${own(group, '"$fj_g"')} "$tmp"; else ${sh`chown -h -- ${`${owner ?? ''}${group !== undefined ? `:${group}` : ''}`} "$tmp"`}; fi`
      : 'if [ -n "$fj_u" ]; then chown -h -- "$fj_u:$fj_g" "$tmp"; fi',
    mode !== undefined ? sh`chmod -h -- ${mode} "$tmp"` : 'chmod -h -- "$fj_m" "$tmp"',
    '[ "$fj_f" = 0 ] || chflags -h -- "$fj_f" "$tmp"',
  ];
}

/**
 * Refuses to go on when the file (HERE, in the current directory) is no longer what the
 * new content was computed from. Its sha256 is read through a descriptor that is checked
 * to be the file at that name: a link swapped in after the -L test is never read through.
 */
function expectLine(target: string, here: string, expect: NonNullable<WriteFileOptions['expect']>): string {
  const changed = sh`echo ${`${target} changed on the host after fleetjail read it; nothing was written (run again to plan from the new content)`} >&2; exit 1;`;
  if (expect === 'absent') return sh`if [ -e ${here} ] || [ -L ${here} ]; then ${raw(changed)} fi`;
  return sh`if [ -L ${here} ] || [ ! -f ${here} ]; then ${raw(changed)} fi
fj_was=$( { [ "$(stat -f %d:%i)" = "$(stat -f %d:%i ${here})" ] && sha256 -q; } < ${here}) || fj_was=
if [ "$fj_was" != ${expect.sha256} ]; then ${raw(changed)} fi`;
}

/**
 * The operator's check of the new content (e.g. `pfctl -nf %s`): shell text like a command
 * step's, with %s standing for the temp file (its absolute path). Its output goes to
 * stderr, where a failure report looks for the reason.
 */
function validateLine(validate: string, dir: string): string {
  const file = sh`${dir === '/' ? '' : dir}` + '/"${tmp#./}"';
  const command = validate.split('%s').join(file);
  return `if ! ( ${command} ) >&2; then ${sh`echo ${`validation failed (${validate}): the file was not changed`}`} >&2; exit 1; fi`;
}

function normaliseMode(mode: string | number): string {
  const text = typeof mode === 'number' ? mode.toString(8) : mode;
  if (!/^[0-7]{3,4}$/.test(text)) throw new Error(`writeFileAtomic: mode must be octal like 0644, got ${String(mode)}`);
  return text.padStart(4, '0');
}

/**
 * The same write as HostSession.writeFileAtomic for a small text file whose content goes
 * inside a larger script (a batch of changes): printf feeds it to the atomic write. The
 * script travels whole on stdin and runs nothing unless it arrived whole (remote-script.ts),
 * so the content needs no length and digest check of its own.
 */
export function inlineWriteScript(target: string, content: string, opts: WriteFileOptions = {}): string {
  return `printf '%s' ${shq(content)} | (\n${atomicWriteScript(target, opts)})`;
}
