/**
 * The one place shell text is built. Every value that reaches a remote shell goes
 * through shq() — directly or through the sh`` template — and is single-quoted.
 *
 *   sh`sysrc -f ${file} ${name}=${value}`   // values quoted, template text kept
 *   sh`pkg install -y ${names}`             // an array becomes several quoted words
 *   sh`cd ${dir} && ${raw(fragment)}`       // splice shell text built elsewhere
 *
 * sh`` returns a plain string, so its result spliced into another sh`` is quoted like
 * any string: splicing shell text unquoted always takes an explicit raw().
 */
import type { Become } from '../transport/types.js';
import { withBecome } from '../transport/remote-script.js';

/** Trusted shell text that sh`` splices as is. Make one with raw(). */
export class ShellFragment {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Mark shell text (typically the result of another sh``) for splicing into sh`` unquoted. */
export function raw(text: string): ShellFragment {
  return new ShellFragment(text);
}

/** One POSIX sh word that expands to exactly `value`: single-quoted (' as '\''), or bare when that reads the same. */
export function shq(value: string | number): string {
  const text = String(value);
  if (text.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (isPlainWord(text)) return text;
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

// Left bare for readability: a word means the same quoted or not, in any position. So
// no `=` (`a=b cmd` is an assignment) and no reserved word (`if` as argv[0]).
const PLAIN_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;
const RESERVED_WORDS = new Set(['case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'if', 'in', 'then', 'until', 'while']);

function isPlainWord(text: string): boolean {
  return PLAIN_WORD.test(text) && !RESERVED_WORDS.has(text);
}

export type ShellValue = string | number | ShellFragment | ReadonlyArray<string | number>;

/**
 * Template tag: the literal parts are shell text; every interpolated value is quoted
 * (an array becomes one quoted word per element; an empty array, nothing). Only a
 * ShellFragment from raw() is spliced as is.
 */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return out;
}

function render(value: unknown): string {
  if (value instanceof ShellFragment) return value.text;
  if (Array.isArray(value)) return value.map(quoteWord).join(' ');
  return quoteWord(value);
}

// The types already say this; the check keeps `undefined` or an object coming through
// `any` from turning into the word 'undefined' or '[object Object]' on a host.
function quoteWord(value: unknown): string {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return shq(value);
  const what = Array.isArray(value) ? 'a nested array' : typeof value === 'number' ? String(value) : value === null ? 'null' : typeof value;
  throw new TypeError(`sh\`\`: cannot quote ${what}; interpolate a string, a finite number, an array of them, or raw(text)`);
}

/**
 * The command string sent over SSH to run a POSIX sh script: `/bin/sh -c SCRIPT`, after
 * doas / sudo -n with become, after timeout(1) with a limit.
 *
 * sshd runs it as `LOGIN_SHELL -c COMMAND`, and FreeBSD users often log in with csh/tcsh,
 * which, even with -c, rejects a newline inside '...' ("Unmatched '''") and expands
 * history on `!` inside '...' ("Event not found"), while `\` before a newline or `!`
 * means something else to csh than to sh. So a script is sent verbatim only when it is
 * printable ASCII without `!` and `\` (sh and csh then read the quoted word identically);
 * any other script is sent as a printf %b payload that uses only those characters:
 * `/bin/sh -c 'eval "$(printf %b '\''...'\'')"'`. printf is a sh builtin (no dependency on
 * base64 tools), and stdin stays free for the script. test/unit/shell/quote.test.ts
 * round-trips hostile scripts through real sh, dash, bash and tcsh to hold this.
 *
 * The whole command is one exec argument on the host: keep bulky data on stdin (Linux caps
 * one argument at 128 KiB; FreeBSD caps all arguments and environment at ARG_MAX).
 */
export function wrapForRemote(script: string, become: Become = 'none'): string {
  if (script.includes('\0')) throw new Error('a shell script cannot contain a NUL byte');
  const body = isSafeVerbatim(script) ? script : `eval "$(printf %b ${shq(printfEscape(leadingOptionGuard(script)))})"`;
  return withBecome(`/bin/sh -c ${shq(body)}`, become);
}

/** Printable ASCII except `!` and `\`, not starting like an option of sh -c. */
function isSafeVerbatim(script: string): boolean {
  return /^[\x20-\x5b\x5d-\x7e]*$/.test(script) && !script.includes('!') && !/^[-+]/.test(script);
}

/** `sh -c -x` and bash's `eval -x` read a leading -/+ as an option; a leading newline is a no-op for sh. */
function leadingOptionGuard(script: string): string {
  return /^[-+]/.test(script) ? `\n${script}` : script;
}

/**
 * The script as a printf %b argument made of verbatim-safe characters: \n, \t and \\ for
 * the common cases, \0NNN (octal) for every other byte outside that set, UTF-8 included.
 */
function printfEscape(script: string): string {
  let out = '';
  for (const byte of Buffer.from(script, 'utf8')) {
    if (byte === 0x0a) out += '\\n';
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte <= 0x7e && byte !== 0x21 && byte !== 0x27) out += String.fromCharCode(byte);
    else out += `\\0${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}
