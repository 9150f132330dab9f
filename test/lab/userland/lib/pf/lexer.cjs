'use strict';
/**
 * pf.conf(5) tokens, as pfctl's parse.y lexer makes them: `#` comments, `\` line
 * continuation, "quoted strings", words (letters, digits and punctuation other than
 * ( ) { } < > ! = / # ,), the operators != <= >= <> >< ->, and newlines (rules are
 * line-oriented). `$macro` outside quotes is replaced by the macro's text before lexing
 * goes on, so a macro may hold several tokens ("{ ssh, http }") or part of a word
 * ($ext_if:network). Tokens: { t: 'word'|'string'|'op'|'nl'|'eof', v, line }.
 */

const WORD_STOP = new Set(['(', ')', '{', '}', '<', '>', '!', '=', '/', '#', ',', '"', "'", ' ', '\t', '\n', '\r', '\\']);

class LexError extends Error {
  constructor(msg, line) {
    super(msg);
    this.line = line;
  }
}

/**
 * Lex one logical line at a time (so macro definitions earlier in the file apply to the
 * lines after them). `nextLine(macros)` returns the tokens of the next statement line,
 * or null at the end; errors (undefined macro, unterminated quote) come back as
 * { error, line } entries in the token list and the parser reports them.
 */
function makeLexer(text) {
  let pos = 0;
  let line = 1;

  function nextLine(macros) {
    const toks = [];
    let pending = ''; // macro text to lex before reading more input
    const peek = () => (pending.length ? pending[0] : text[pos]);
    const get = () => {
      if (pending.length) {
        const c = pending[0];
        pending = pending.slice(1);
        return c;
      }
      const c = text[pos++];
      if (c === '\n') line++;
      return c;
    };
    let depth = 0; // newlines inside { } do not end the statement
    for (;;) {
      let c = peek();
      if (c === undefined) {
        toks.push({ t: 'eof', line });
        return toks.length === 1 && toks[0].t === 'eof' ? null : toks;
      }
      if (c === ' ' || c === '\t' || c === '\r') {
        get();
        continue;
      }
      if (c === '\\') {
        get();
        if (peek() === '\n') {
          get();
          continue;
        }
        toks.push({ t: 'word', v: '\\', line });
        continue;
      }
      if (c === '#') {
        while (peek() !== undefined && peek() !== '\n') get();
        continue;
      }
      if (c === '\n') {
        const l = line;
        get();
        if (depth > 0) continue;
        toks.push({ t: 'nl', line: l });
        return toks;
      }
      if (c === '$' && !pending.length) {
        get();
        let name = '';
        while (peek() !== undefined && /[A-Za-z0-9_]/.test(peek())) name += get();
        if (!Object.prototype.hasOwnProperty.call(macros, name)) {
          toks.push({ t: 'error', v: `macro '${name}' not defined`, line });
          continue;
        }
        pending = macros[name] + pending;
        continue;
      }
      if (c === '$') {
        // a $ inside macro text is not expanded again
        get();
        toks.push({ t: 'word', v: '$', line });
        continue;
      }
      if (c === '"' || c === "'") {
        const q = get();
        const l = line;
        let s = '';
        for (;;) {
          const d = peek();
          if (d === undefined) {
            toks.push({ t: 'error', v: 'unterminated quote', line: l });
            return toks;
          }
          get();
          if (d === q) break;
          if (d === '\\' && (peek() === q || peek() === '\\')) {
            s += get();
            continue;
          }
          if (d === '\n') {
            toks.push({ t: 'error', v: 'unterminated quote', line: l });
            toks.push({ t: 'nl', line: l });
            return toks;
          }
          s += d;
        }
        toks.push({ t: 'string', v: s, line: l });
        continue;
      }
      const l = line;
      const two = c + (pending.length > 1 ? pending[1] : pending.length === 1 ? text[pos] : text[pos + 1]);
      if (['!=', '<=', '>=', '<>', '><', '->'].includes(two)) {
        get();
        get();
        toks.push({ t: 'op', v: two, line: l });
        continue;
      }
      if ('(){}<>!=/,'.includes(c)) {
        get();
        if (c === '{') depth++;
        if (c === '}') depth = Math.max(0, depth - 1);
        toks.push({ t: 'op', v: c, line: l });
        continue;
      }
      let w = '';
      while ((c = peek()) !== undefined && !WORD_STOP.has(c)) {
        if (c === '-' && w !== '' && (pending.length ? pending[1] : text[pos + (pending.length ? 0 : 1)]) === '>') break;
        w += get();
      }
      toks.push({ t: 'word', v: w, line: l });
    }
  }

  return { nextLine, line: () => line };
}

module.exports = { makeLexer, LexError };
