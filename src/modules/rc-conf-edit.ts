/**
 * Setting and removing one variable of an rc.conf-family file as text, on the controller,
 * with sysrc(8)'s results: the last assignment's value is replaced in place (the rest of
 * its line, a trailing comment say, is kept); a variable not yet set is appended as
 * NAME="VALUE"; removing drops every assignment to it. The file's other text is left byte
 * for byte, and every edit is checked by reading the result back: the variable has the
 * new value (or none) and every other variable has the value it had. An assignment
 * written in a way this cannot rewrite safely is an error naming its line, never a guess.
 */
import { rcAssignments, type RcAssignmentAt } from '../facts/rc-conf.js';

/**
 * VALUE as rc.conf writes it: double-quoted, as sysrc(8) and bsdinstall do. `\`, `"`, `$`
 * and a backquote are escaped, so rc(8) gets the value exactly (sysrc would let `$x` expand).
 */
export function rcQuote(value: string): string {
  return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/** TEXT with NAME set to VALUE, or removed when VALUE is undefined; TEXT itself when it already is. */
export function editRcVariable(text: string, name: string, value: string | undefined): string {
  const all = rcAssignments(text);
  const mine = all.filter((a) => a.name === name);
  let out: string;
  if (value === undefined) {
    if (mine.length === 0) return text;
    out = removeAll(text, mine);
  } else {
    const last = mine[mine.length - 1];
    if (last?.value === value) return text;
    out = last ? replaceValue(text, last, value) : append(text, `${name}=${rcQuote(value)}\n`);
  }
  checkEdit(text, out, name, value);
  return out;
}

function replaceValue(text: string, a: RcAssignmentAt, value: string): string {
  const written = text.slice(a.valueStart, a.valueEnd);
  // Kept single-quoted when it was, as sysrc does, when the new value allows it.
  const quoted = /^'[^']*'$/.test(written) && !value.includes("'") ? `'${value}'` : rcQuote(value);
  return text.slice(0, a.valueStart) + quoted + text.slice(a.valueEnd);
}

function append(text: string, line: string): string {
  return text === '' || text.endsWith('\n') ? text + line : `${text}\n${line}`;
}

/** Drops each assignment: its whole line when it is alone on it (a comment may follow), else just it and its `;`. */
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
  const eol = text.indexOf('\n', a.valueEnd);
  const lineEnd = eol < 0 ? text.length : eol + 1;
  const rest = text.slice(a.valueEnd, lineEnd);
  if (a.lineStart !== undefined && /^[ \t\r]*(#.*)?\n?$/.test(rest)) return [a.lineStart, lineEnd];
  // One of several statements on the line: `NAME=VALUE; ` goes, or `; NAME=VALUE`.
  const after = /^[ \t]*;[ \t]*/.exec(rest);
  if (after) return [a.start, a.valueEnd + after[0].length];
  const before = /;[ \t]*$/.exec(text.slice(0, a.start));
  if (before) return [a.start - before[0].length, a.valueEnd];
  throw new Error(`line ${a.line}: the assignment to ${a.name} shares its line in a way fleetjail does not rewrite; edit it by hand`);
}

/** The edit did what it says and nothing else, read back as sh would. */
function checkEdit(before: string, after: string, name: string, value: string | undefined): void {
  const values = (text: string) => new Map(rcAssignments(text).map((a) => [a.name, a.value]));
  const old = values(before);
  const now = values(after);
  const where = () => {
    const a = rcAssignments(before).filter((x) => x.name === name).pop();
    return a ? `line ${a.line}: ` : '';
  };
  if (now.get(name) !== value) {
    throw new Error(`${where()}cannot ${value === undefined ? 'remove' : 'set'} ${name} safely: it is assigned in a form fleetjail does not rewrite; edit it by hand`);
  }
  for (const k of new Set([...old.keys(), ...now.keys()])) {
    if (k !== name && now.get(k) !== old.get(k)) throw new Error(`${where()}editing ${name} would change ${k}; edit it by hand`);
  }
}
