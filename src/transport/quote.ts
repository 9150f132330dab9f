/**
 * The one place shell text is built. Every value that reaches a remote shell goes
 * through shq() — directly or through the sh`` template — and is single-quoted.
 *
 *   sh`sysrc -f ${file} ${name}=${value}`   // values quoted, template text kept
 *   sh`cd ${dir} && ${raw(fragment)}`       // splice already-built shell text
 */
import type { Become } from './types.js';

/** A piece of trusted shell text that sh`` splices as is (only from raw()). */
export class ShellFragment {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Mark shell text built elsewhere (e.g. by another sh`` call) for splicing into sh``. */
export function raw(text: string): ShellFragment {
  return new ShellFragment(text);
}

/** One POSIX sh word with exactly the bytes of `value`: single-quoted, with ' written as '\''. */
export function shq(value: string | number): string {
  const text = String(value);
  if (text.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (text !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

type Interpolated = string | number | ShellFragment | ReadonlyArray<string | number>;

/** Template tag: the literal parts are shell text, every interpolated value is quoted (arrays → several words). */
export function sh(strings: TemplateStringsArray, ...values: Interpolated[]): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    if (v instanceof ShellFragment) out += v.text;
    else if (Array.isArray(v)) out += v.map((w) => shq(w)).join(' ');
    else out += shq(v as string | number);
    out += strings[i + 1] ?? '';
  });
  return out;
}

/**
 * The command string sent over SSH for a POSIX sh script. sshd hands it to the user's
 * login shell as `SHELL -c COMMAND`; on FreeBSD that may be csh/tcsh, which rejects a
 * newline inside quotes ("Unmatched '''") and expands `!` history even in -c mode.
 * So a script with anything beyond plain printable ASCII is sent encoded: `printf %b`
 * turns octal escapes back into the exact bytes and sh evals them. The command string
 * itself then holds only characters that sh and csh read identically inside '...'.
 */
export function wrapForRemote(script: string, become: Become = 'none', limit: { timeoutSec?: number } = {}): string {
  const inner = isCshSafe(script) ? script : `eval "$(printf %b ${shq(octalEscape(script))})"`;
  // timeout(1) (FreeBSD base since 10.3) kills the whole command tree on the host, which an
  // SSH signal request cannot do reliably (OpenSSH refuses it for root sessions): TERM at
  // the limit, KILL 5 s later; exit status 124.
  const limiter = limit.timeoutSec ? `timeout -k 5 ${Math.max(1, Math.ceil(limit.timeoutSec))} ` : '';
  const command = `${limiter}/bin/sh -c ${shq(inner)}`;
  switch (become) {
    case 'none':
      return command;
    case 'doas':
      return `doas ${command}`;
    case 'sudo':
      // -n: fail rather than prompt for a password nobody can type.
      return `sudo -n ${command}`;
  }
}

/** Printable ASCII except `!` (csh history) and `\` (kept out so csh and sh agree on it). */
function isCshSafe(script: string): boolean {
  return /^[\x20-\x5b\x5d-\x7e]*$/.test(script) && !script.includes('!');
}

/** Bytes outside the csh-safe set as printf %b octal escapes (\0NNN), the rest as is. */
function octalEscape(script: string): string {
  let out = '';
  for (const byte of Buffer.from(script, 'utf8')) {
    const safe = byte >= 0x20 && byte <= 0x7e && byte !== 0x21 && byte !== 0x5c && byte !== 0x27;
    out += safe ? String.fromCharCode(byte) : `\\0${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}
