/**
 * Setting and removing one variable of an rc.conf-family file as text, on the controller,
 * with sysrc(8)'s results: the last assignment's value is replaced in place (the rest of
 * its line, a trailing comment say, is kept); a variable not yet set is appended as
 * NAME="VALUE"; removing drops every assignment to it. The file is read by sh's lexical
 * rules (src/facts/rc-conf.ts); its other text is left byte for byte, and every edit is
 * checked by reading the result back: the variable has the new value (or none) and every
 * other variable has the value it had. A variable set in a way this cannot place exactly
 * (inside an `if`, before a command, by `export`...) or a file it cannot read is an error
 * naming the line, never a guess. The host checks the result again before it replaces the
 * file (rcValidation: its own `sh -n`, and the variable read back by sourcing the new file).
 */
import { scanRcConf, ShSyntaxError, type RcAssignmentAt, type RcEnv, type RcScan } from '../../facts/rc-conf.js';
import { raw, sh } from '../../shell/quote.js';

/** Why VALUE cannot be an sh variable's value (a NUL byte, text that is not Unicode), or undefined. */
export function rcValueProblem(value: string): string | undefined {
  if (value.includes('\0')) return 'contains a NUL byte, which no sh variable can hold';
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value))
    return 'is not valid Unicode text (a lone surrogate), which cannot be written as UTF-8';
  return undefined;
}

/**
 * VALUE as rc.conf writes it: double-quoted, as sysrc(8) and bsdinstall do. `\`, `"`, `$`
 * and a backquote are escaped, so rc(8) gets the value exactly (sysrc would let `$x` expand).
 */
export function rcQuote(value: string): string {
  const problem = rcValueProblem(value);
  if (problem) throw new Error(`the value ${JSON.stringify(value)} ${problem}`);
  return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/** The file's assignments and unplaceable places, or an Error naming the line sh or this reader stops at. */
export function scanOrExplain(text: string, env?: RcEnv, opts?: { resolve?: boolean }): RcScan {
  try {
    return scanRcConf(text, env, opts);
  } catch (e) {
    if (e instanceof ShSyntaxError)
      throw new Error(`${e.message}; fleetjail cannot read this file as sh does, so it edits nothing in it`, { cause: e });
    throw e;
  }
}

/** Refuses NAME when the text may set it in a way that is not a plain assignment. */
export function assertPlaceable(scan: RcScan, name: string): void {
  const u = scan.unplaceable.find((x) => x.name === name);
  if (u) throw new Error(`line ${u.line}: ${name} cannot be edited exactly: ${u.why}; edit it by hand`);
}

/** TEXT with NAME set to VALUE, or removed when VALUE is undefined; TEXT itself when it already is. */
export function editRcVariable(text: string, name: string, value: string | undefined): string {
  // As written: a later `${name}` is left as it is (sh will read the new value through it).
  const scan = scanOrExplain(text, undefined, { resolve: false });
  assertPlaceable(scan, name);
  const mine = scan.assignments.filter((a) => a.name === name);
  let out: string;
  if (value === undefined) {
    if (mine.length === 0) return text;
    out = removeAll(text, mine);
  } else {
    const last = mine[mine.length - 1];
    if (last && last.dynamic === undefined && last.value === value) return text;
    out = last ? replaceValue(text, last, value) : append(text, `${name}=${rcQuote(value)}\n`);
  }
  checkEdit(scan, out, name, value);
  return out;
}

function replaceValue(text: string, a: RcAssignmentAt, value: string): string {
  const written = text.slice(a.valueStart, a.valueEnd);
  // Kept single-quoted when it was, as sysrc does, when the new value allows it.
  const quoted = /^'[^']*'$/.test(written) && !value.includes("'") && rcValueProblem(value) === undefined ? `'${value}'` : rcQuote(value);
  return text.slice(0, a.valueStart) + quoted + text.slice(a.valueEnd);
}

function append(text: string, line: string): string {
  return text === '' || text.endsWith('\n') ? text + line : `${text}\n${line}`;
}

/** Drops each assignment: its whole lines when it is alone on them (a comment may follow), else just it and its `;`. */
function removeAll(text: string, found: RcAssignmentAt[]): string {
  let out = '';
  let from = 0;
  for (const a of found) {
    const [cutFrom, cutTo] = removalSpan(text, a);
    out += text.slice(from, cutFrom);
    from = cutTo;
  }
  return out + text.slice(from);
}

function removalSpan(text: string, a: RcAssignmentAt): [number, number] {
  const refuse = () =>
    new Error(`line ${a.line}: the assignment to ${a.name} shares its line in a way fleetjail does not rewrite; edit it by hand`);
  if (!a.alone) throw refuse();
  const eol = text.indexOf('\n', a.valueEnd);
  const lineEnd = eol < 0 ? text.length : eol + 1;
  const restIsComment = (from: number) => /^[ \t]*(#.*)?\n?$/.test(text.slice(from, lineEnd));
  const lineStart = a.lineStart;
  // Alone on its lines (a `;` and a comment may follow): the lines go.
  if (lineStart !== undefined && restIsComment(a.sepAfter === undefined ? a.valueEnd : a.sepAfter + 1)) return [lineStart, lineEnd];
  // One of several statements on the line: `NAME=VALUE; ` goes, or `; NAME=VALUE`.
  if (a.sepAfter !== undefined && !restIsComment(a.sepAfter + 1)) {
    const blanks = /^[ \t]*/.exec(text.slice(a.sepAfter + 1)) as RegExpExecArray;
    return [a.start, a.sepAfter + 1 + blanks[0].length];
  }
  if (a.sepBefore !== undefined) return [a.sepBefore, a.valueEnd];
  throw refuse();
}

/** The edit did what it says and nothing else, read back as sh would. */
function checkEdit(old: RcScan, after: string, name: string, value: string | undefined): void {
  const now = scanOrExplain(after, undefined, { resolve: false });
  const values = (scan: RcScan) => {
    const m = new Map<string, string>();
    for (const a of scan.assignments) m.set(a.name, `${a.dynamic === undefined ? '=' : '~'}${a.value}`);
    return m;
  };
  const before = values(old);
  const got = values(now);
  const where = () => {
    const a = old.assignments.filter((x) => x.name === name).pop();
    return a ? `line ${a.line}: ` : '';
  };
  if (got.get(name) !== (value === undefined ? undefined : `=${value}`)) {
    throw new Error(
      `${where()}cannot ${value === undefined ? 'remove' : 'set'} ${name} safely: it is assigned in a form fleetjail does not rewrite; edit it by hand`,
    );
  }
  for (const k of new Set([...before.keys(), ...got.keys()])) {
    if (k !== name && got.get(k) !== before.get(k)) throw new Error(`${where()}editing ${name} would change ${k}; edit it by hand`);
  }
  const places = (scan: RcScan) => scan.unplaceable.map((u) => `${u.name}:${u.why}`).join('\n');
  if (places(now) !== places(old))
    throw new Error(`${where()}editing ${name} would change how the file's other statements read; edit it by hand`);
}

/**
 * The host's check of a new rc.conf-family file before it replaces the old one (an
 * EditAction's validate; `%s` is the new file): /bin/sh accepts it (-n), and sourcing it in a
 * subshell, as sysrc(8) and rc(8) do, leaves NAME with VALUE (unset when VALUE is undefined).
 * A jail's file is sourced inside the jail (jexec), never by the host's root: its text is the
 * jail's to write. JAIL.root is the jail's root as the host sees it (the new file's path
 * inside the jail is the host path without it). The value never is in a command line (a
 * secret would show in the host's `ps`): on the host it is in the script, which travels on
 * stdin; to the jail it goes on jexec's stdin, written by sh's builtin printf.
 */
export function rcValidation(name: string, value: string | undefined, jail?: { name: string; root: string }): string {
  // `%s` is the one placeholder of validate text: a value's own "%s" is written as %''s.
  const quoted = (text: string) =>
    text
      .split('%s')
      .map((part) => sh`${part}`)
      .join("%''s");
  // After the file is sourced (with stdin from /dev/null), so nothing in it reads or sets fj_w.
  const readBack = (file: string, want: string) =>
    sh`unset ${name} 2>/dev/null; . ${raw(file)} </dev/null >/dev/null 2>&1; fj_n=${name}; eval "fj_s=\\\${$fj_n+set} fj_v=\\\${$fj_n-}"; ${raw(want)}` +
    (value === undefined ? '[ -z "$fj_s" ]' : '[ "$fj_s" = set ] && [ "$fj_v" = "$fj_w" ]') +
    ' && echo fj-read-back';
  if (jail === undefined)
    return `/bin/sh -n %s && [ "$( ${readBack('%s', value === undefined ? '' : `fj_w=${quoted(value)}; `)} )" = fj-read-back ]`;
  const root = jail.root === '/' ? '' : jail.root.replace(/\/+$/, '');
  // The jail's sh reads the value whole from stdin: `x` keeps trailing newlines from $(...).
  const check = sh`jexec -- ${jail.name} /bin/sh -c ${readBack('"$1"', value === undefined ? '' : 'fj_w=$(cat); fj_w=${fj_w%x}; ')} sh "\${fj_t#"$fj_r"}"`;
  const feed = value === undefined ? `${check} </dev/null` : `printf '%''sx' ${quoted(value)} | ${check}`;
  return sh`/bin/sh -n %s && fj_t=%s && fj_r=${root} && [ "$(${raw(feed)})" = fj-read-back ]`;
}
