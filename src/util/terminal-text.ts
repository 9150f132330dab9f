/**
 * Text from hosts made safe for the operator's terminal: control characters are shown, never
 * obeyed. A host could otherwise clear the screen, set the window title, move the cursor
 * to overwrite another host's line (ESC sequences, CR, backspace), or reorder what is read
 * (the bidirectional marks and overrides, a line separator). The JSON report keeps the bytes; only terminal text is escaped.
 *
 *   ESC -> \x1b   CR -> \r   other C0, DEL and C1 -> \xNN
 *   bidi controls (U+061C, U+200E-200F, U+202A-202E, U+2066-2069) -> \u202e
 *   line and paragraph separators (U+2028, U+2029), which some terminals and editors break on -> \u2028
 *
 * Newlines separate lines and tabs are kept. A backslash is left alone: "\x1b" typed by a
 * host reads the same as an escaped ESC, but it is four harmless characters either way.
 */

// C0 but tab and newline, DEL, C1, the bidi marks (ALM, LRM, RLM), embeddings, overrides
// and isolates, the line and paragraph separators.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** One or more lines of host text, safe to print. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, visible);
}

/** Safe to print as ONE line: newlines are escaped too. */
export function escapeLine(text: string): string {
  return escapeControls(text).replace(/\n/g, '\\n');
}

function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (c === '\r') return '\\r';
  if (code > 0xff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\x${code.toString(16).padStart(2, '0')}`;
}
