/**
 * sh(1)'s lexical rules, as far as rc.conf-family files need them: where a word ends and
 * what it is made of. A word is a run of literal text, quoted text ('...', "...", $'...'),
 * backslash escapes and expansions ($name, ${...}, $(...), `...`, $((...))), ending at an
 * unquoted blank, newline or operator character. Backslash-newline is removed everywhere
 * but inside '...'. Expansions are scanned to their real end (nested quotes, parentheses,
 * comments inside $(...)), so a word is never cut in the middle of one.
 */

/** One piece of a word's value. */
export type WordPart =
  | { kind: 'text'; text: string }
  /** $name or ${name}: resolvable when name's value is known. */
  | { kind: 'param'; name: string; source: string }
  /** Anything whose value only running sh can tell: $(...), `...`, $((...)), ${x:-y}, $1, $'...', ~. */
  | { kind: 'dynamic'; source: string };

export interface Word {
  start: number;
  end: number;
  parts: WordPart[];
  /** The word as written, continuations removed, for recognising NAME= and reserved words. */
  plain: string;
  /** True when every character of `plain` is unquoted, unescaped literal text. */
  literal: boolean;
}

export class ShSyntaxError extends Error {}

const OPERATOR_CHARS = ';&|<>()';

export class ShLexer {
  i = 0;
  /** Variables that expansions read so far assign: ${x=...}, ${x:=...}, $((x = 1)), $((x++)). */
  readonly assigned: { name: string; at: number }[] = [];
  constructor(readonly text: string) {}

  peek(k = 0): string {
    return this.text[this.i + k] ?? '';
  }

  /** Skips blanks and backslash-newlines. */
  skipBlanks(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t') this.i++;
      else if (c === '\\' && this.peek(1) === '\n') this.i += 2;
      else return;
    }
  }

  /** Skips a comment (the caller saw `#` at a word start), leaving the newline. */
  skipComment(): void {
    while (this.i < this.text.length && this.text[this.i] !== '\n') this.i++;
  }

  /** An operator at the cursor, or '' when a word (or newline, or the end) starts here. */
  operator(): string {
    const c = this.peek();
    if (!OPERATOR_CHARS.includes(c) || c === '') return '';
    for (const op of ['<<-', ';;', '&&', '||', '<<', '>>', '<&', '>&', '<>', '>|']) if (this.text.startsWith(op, this.i)) return op;
    return c;
  }

  /** Reads the word that starts at the cursor (not a comment, not an operator). */
  readWord(): Word {
    const start = this.i;
    const parts: WordPart[] = [];
    let plain = '';
    let literal = true;
    const text = (t: string) => {
      const last = parts[parts.length - 1];
      if (last?.kind === 'text') last.text += t;
      else parts.push({ kind: 'text', text: t });
    };
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === '' || c === ' ' || c === '\t' || c === '\n' || OPERATOR_CHARS.includes(c)) break;
      const from = this.i;
      if (c === '\\') {
        if (this.peek(1) === '\n') {
          this.i += 2;
          continue;
        }
        if (this.peek(1) === '') throw this.error('a backslash at the end of the file');
        text(this.peek(1));
        this.i += 2;
        literal = false;
      } else if (c === "'") {
        const close = this.text.indexOf("'", this.i + 1);
        if (close < 0) throw this.error('an unterminated single quote', from);
        text(this.text.slice(this.i + 1, close));
        this.i = close + 1;
        literal = false;
      } else if (c === '"') {
        this.i++;
        this.readDoubleQuoted(parts, text, from);
        literal = false;
      } else if (c === '$') {
        parts.push(this.readDollar(false));
        literal = false;
      } else if (c === '`') {
        parts.push({ kind: 'dynamic', source: this.readBackquote() });
        literal = false;
      } else if (c === '~' && (first || plain.endsWith(':') || /^[A-Za-z_][A-Za-z0-9_]*=$/.test(plain))) {
        // Tilde expansion: at a word's start, and in an assignment after = or an unquoted :.
        this.i++;
        parts.push({ kind: 'dynamic', source: '~' });
        literal = false;
      } else {
        text(c);
        this.i++;
      }
      plain += this.text.slice(from, this.i).replaceAll('\\\n', '');
      first = false;
    }
    return { start, end: this.i, parts, plain, literal };
  }

  private readDoubleQuoted(parts: WordPart[], text: (t: string) => void, from: number): void {
    for (;;) {
      const c = this.peek();
      if (c === '') throw this.error('an unterminated double quote', from);
      if (c === '"') {
        this.i++;
        // An empty "" still makes a (possibly empty) value: make sure a text part exists.
        if (parts.length === 0) text('');
        return;
      }
      if (c === '\\') {
        const e = this.peek(1);
        if (e === '\n') this.i += 2;
        else if ('$`"\\'.includes(e) && e !== '') {
          text(e);
          this.i += 2;
        } else {
          text('\\');
          this.i++;
        }
      } else if (c === '$') {
        parts.push(this.readDollar(true));
      } else if (c === '`') {
        parts.push({ kind: 'dynamic', source: this.readBackquote() });
      } else {
        text(c);
        this.i++;
      }
    }
  }

  /** At `$`: an expansion, or a literal `$` when nothing expandable follows. */
  private readDollar(quoted: boolean): WordPart {
    const start = this.i;
    const n = this.peek(1);
    if (n === '(') {
      if (this.peek(2) === '(') {
        this.i += 3;
        this.skipArithmetic(start);
        const body = this.text.slice(start + 3, this.i - 2);
        // Arithmetic that may assign (=, op=, ++, --): every name in it counts as assigned.
        if (/(^|[^=!<>])=(?!=)|\+\+|--/.test(body)) {
          for (const m of body.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) this.assigned.push({ name: m[0], at: start });
        }
      } else {
        this.i += 2;
        this.skipCommand(')', start);
      }
      return { kind: 'dynamic', source: this.text.slice(start, this.i) };
    }
    if (n === '{') {
      this.i += 2;
      this.skipBraced(start);
      const source = this.text.slice(start, this.i);
      const sets = /^\$\{([A-Za-z_][A-Za-z0-9_]*):?=/.exec(source);
      if (sets) this.assigned.push({ name: sets[1] as string, at: start });
      const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(source);
      return m ? { kind: 'param', name: m[1] as string, source } : { kind: 'dynamic', source };
    }
    if (n === "'" && !quoted) {
      // $'...' (FreeBSD sh): backslash escapes inside, the value decoded by sh only.
      this.i += 2;
      for (;;) {
        const c = this.peek();
        if (c === '') throw this.error("an unterminated $'...'", start);
        this.i += c === '\\' ? 2 : 1;
        if (c === "'") break;
      }
      return { kind: 'dynamic', source: this.text.slice(start, this.i) };
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.i + 1, this.i + 257));
    if (m) {
      this.i += 1 + m[0].length;
      return { kind: 'param', name: m[0], source: `$${m[0]}` };
    }
    if (/^[0-9@*#?$!-]$/.test(n)) {
      this.i += 2;
      return { kind: 'dynamic', source: `$${n}` };
    }
    this.i++;
    return { kind: 'text', text: '$' };
  }

  /** Inside ${...} (after `${`): to the matching `}`, quotes and nested expansions included. */
  private skipBraced(start: number): void {
    for (;;) {
      const c = this.peek();
      if (c === '') throw this.error('an unterminated ${', start);
      if (c === '}') {
        this.i++;
        return;
      }
      this.skipNestedChar(start);
    }
  }

  /** One character (or quoted/expanded run) inside ${...} or $((...)). */
  private skipNestedChar(start: number): void {
    const c = this.peek();
    if (c === '\\') this.i += 2;
    else if (c === "'") {
      const close = this.text.indexOf("'", this.i + 1);
      if (close < 0) throw this.error('an unterminated single quote', start);
      this.i = close + 1;
    } else if (c === '"') {
      this.i++;
      const sink: WordPart[] = [];
      this.readDoubleQuoted(sink, () => undefined, start);
    } else if (c === '$') this.readDollar(true);
    else if (c === '`') this.readBackquote();
    else this.i++;
  }

  /** Inside $((...)) (after `$((`): to the `))` that closes it. */
  private skipArithmetic(start: number): void {
    let depth = 0;
    for (;;) {
      const c = this.peek();
      if (c === '') throw this.error('an unterminated $((', start);
      if (c === '(') depth++;
      if (c === ')') {
        if (depth === 0) {
          if (this.peek(1) !== ')') throw this.error('a $(( closed by a single )', start);
          this.i += 2;
          return;
        }
        depth--;
      }
      if (c === '(' || c === ')') this.i++;
      else this.skipNestedChar(start);
    }
  }

  /**
   * The commands of $(...) (after `$(`), to the `)` that closes it: words, comments,
   * nested parentheses. A `case` pattern's `)` inside $(...) is not told apart (rare in
   * rc.conf; the host's `sh -n` check of every edit catches a mistake).
   */
  private skipCommand(close: string, start: number): void {
    let depth = 0;
    let wordStart = true;
    for (;;) {
      const c = this.peek();
      if (c === '') throw this.error('an unterminated $(', start);
      if (c === close && depth === 0) {
        this.i++;
        return;
      }
      if (c === '#' && wordStart) {
        this.skipComment();
        continue;
      }
      if (c === '(') depth++;
      if (c === ')') depth--;
      if (c === ' ' || c === '\t' || c === '\n' || OPERATOR_CHARS.includes(c)) {
        this.i++;
        wordStart = true;
        continue;
      }
      wordStart = false;
      this.skipNestedChar(start);
    }
  }

  /** `...` (at the opening backquote): to the closing one; a backslash escapes the next character. */
  private readBackquote(): string {
    const start = this.i;
    this.i++;
    for (;;) {
      const c = this.peek();
      if (c === '') throw this.error('an unterminated backquote', start);
      this.i += c === '\\' ? 2 : 1;
      if (c === '`') return this.text.slice(start, this.i);
    }
  }

  private newlines: number[] | undefined;

  /** The 1-based line of OFFSET. */
  lineAt(offset: number): number {
    if (!this.newlines) {
      this.newlines = [];
      for (let k = this.text.indexOf('\n'); k >= 0; k = this.text.indexOf('\n', k + 1)) this.newlines.push(k);
    }
    let lo = 0;
    let hi = this.newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.newlines[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }

  error(what: string, at = this.i): ShSyntaxError {
    return new ShSyntaxError(`line ${this.lineAt(at)}: ${what}`);
  }
}
