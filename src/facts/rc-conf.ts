/**
 * rc.conf(5)-family files (rc.conf, rc.conf.local, rc.conf.d/*, loader.conf) are sh scripts
 * that rc(8) sources. This reads their variable assignments as sh would, without running
 * anything: words are cut by sh's lexical rules (src/shell/sh-words.ts: comments only at a
 * word's start, all quoting forms, $(...), `...`, $((...)), ${...}, continuations), and an
 * assignment counts only where sh would run it as one: a simple command made of assignment
 * words, at the top level, not after `&&`, `||`, `|` or before `&`.
 *
 * Everything else that may set a variable is recorded as *unplaceable* for the names it can
 * touch: assignments inside if/while/for/case, braces, subshells and function bodies, in
 * front of a command word (`a=1 cmd`), arguments of export/readonly/local/unset/read/
 * setvar/getopts, a for loop's variable. An editor refuses those names, naming the line.
 *
 * A value is known when it is literal text, or refers ($x, ${x}) to variables whose value is
 * known at that point (given by the caller: the files rc(8) read before); otherwise it is
 * `dynamic` and carries the first expansion that only running sh could evaluate.
 */
import { ShLexer, ShSyntaxError, type Word, type WordPart } from '../shell/sh-words.js';

export { ShSyntaxError };

export interface RcAssignment {
  /** The value sh gives it; when `dynamic`, the text as written with the unknown expansions kept. */
  value: string;
  /** 1-based line where the assignment starts. */
  line: number;
  /** Set when the value needs running sh: the first such expansion as written (`$(hostname)`). */
  dynamic?: string;
}

/** Where an assignment sits in the text (offsets into it), for editing it in place. */
export interface RcAssignmentAt extends RcAssignment {
  name: string;
  /** Offset of the name. */
  start: number;
  /** Offsets of the value as written (quotes included): [valueStart, valueEnd). */
  valueStart: number;
  valueEnd: number;
  /** The assignment is the only word of its simple command (no other assignment, command or redirection). */
  alone: boolean;
  /** Set when it is the first thing on its line (blanks before it, no continuation): the line's offset. */
  lineStart?: number;
  /** Offset of the `;` operator just before it (only blanks between), if any. */
  sepBefore?: number;
  /** Offset of the `;` operator just after it (only blanks between), if any. */
  sepAfter?: number;
}

/** A place that may set NAME in a way this reader does not evaluate. */
export interface RcUnplaceable {
  name: string;
  line: number;
  why: string;
}

export interface RcScan {
  assignments: RcAssignmentAt[];
  unplaceable: RcUnplaceable[];
}

/** Variables already known, as rc(8) would have them when it starts reading this text. */
export type RcEnv = ReadonlyMap<string, RcAssignment>;

const NAME_EQ = /^([A-Za-z_][A-Za-z0-9_]*)=/;
const OPENERS = new Set(['if', 'while', 'until', '{']);
const CLOSERS = new Set(['fi', 'done', '}']);
const CONTINUERS = new Set(['then', 'else', 'elif', 'do', '!']);
const VARIABLE_BUILTINS = new Set(['export', 'readonly', 'local', 'unset', 'read', 'setvar', 'getopts']);

/** Every assigned variable; when a file assigns a name twice, the last assignment wins, as in sh. */
export function parseRcConf(text: string, env: RcEnv = new Map()): Map<string, RcAssignment> {
  const vars = new Map<string, RcAssignment>(env);
  for (const a of scanRcConf(text, env).assignments)
    vars.set(a.name, { value: a.value, line: a.line, ...(a.dynamic !== undefined ? { dynamic: a.dynamic } : {}) });
  return vars;
}

/** Every assignment in file order, with its position. */
export function rcAssignments(text: string, env: RcEnv = new Map()): RcAssignmentAt[] {
  return scanRcConf(text, env).assignments;
}

/** rc.subr's checkyesno: YES, TRUE, ON and 1 (any case) are yes. */
export function isRcYes(value: string | undefined): boolean {
  return value !== undefined && /^(yes|true|on|1)$/i.test(value.trim());
}

/**
 * The assignments and unplaceable places of TEXT. Throws ShSyntaxError ("line N: ...") for
 * text sh would reject (an unterminated quote or expansion) or that this reader does not
 * follow (a here-document).
 */
export function scanRcConf(text: string, env: RcEnv = new Map(), opts: { resolve?: boolean } = {}): RcScan {
  return new RcScanner(text, env, opts.resolve ?? true).scan();
}

interface Pending {
  word: Word;
  line: number;
  sepBefore?: number;
  sepAfter?: number;
  lineStart?: number;
}

class RcScanner {
  private readonly lx: ShLexer;
  private readonly known: Map<string, RcAssignment>;
  private readonly out: RcScan = { assignments: [], unplaceable: [] };
  /** Nesting of compound commands and function bodies: anything set inside is conditional. */
  private depth = 0;
  /** Inside case ... esac (counted): words are only looked at for NAME=. */
  private caseDepth = 0;
  // The simple command being read.
  private atCommandStart = true;
  private assignWords: Pending[] = [];
  private otherWords = 0;
  private commandName: string | undefined;
  private expectRedirectTarget = false;
  private expectForName = false;
  // The and-or list being read: its assignments are plain only when nothing conditional joins it.
  private listAssignments: { words: Pending[]; alone: boolean }[] = [];
  private listConditional = false;
  /** Offset of a `;` operator when it is the last token read (for removing `a=1; `). */
  private lastSemicolon: number | undefined;
  /** NAME ( was read: the `)` that follows makes it a function definition. */
  private pendingFunction = false;
  /** Nothing but blanks since the last newline (or the start). */
  private freshLine = true;

  constructor(
    text: string,
    env: RcEnv,
    private readonly resolve: boolean,
  ) {
    this.lx = new ShLexer(text);
    this.known = new Map(env);
  }

  scan(): RcScan {
    const lx = this.lx;
    for (;;) {
      lx.skipBlanks();
      const c = lx.peek();
      if (c === '') break;
      if (c === '\n') {
        lx.i++;
        this.freshLine = true;
        this.lastSemicolon = undefined;
        this.endList(false);
        continue;
      }
      // Here, `#` starts a word: a comment (inside a word, readWord keeps it).
      if (c === '#') {
        lx.skipComment();
        continue;
      }
      const op = lx.operator();
      if (op) {
        this.lastSemicolon = op === ';' ? lx.i : undefined;
        this.freshLine = false;
        lx.i += op.length;
        this.onOperator(op);
        continue;
      }
      const word = lx.readWord();
      this.onWord(word);
      this.lastSemicolon = undefined;
      this.freshLine = false;
      for (const x of lx.assigned.splice(0)) this.unplaceable(x.name, x.at, `it is assigned by an expansion`);
    }
    this.endList(false);
    return this.out;
  }

  private line(offset: number): number {
    return this.lx.lineAt(offset);
  }

  private unplaceable(name: string, at: number, why: string): void {
    this.out.unplaceable.push({ name, line: this.line(at), why });
  }

  private onOperator(op: string): void {
    if (op === '<<' || op === '<<-') throw this.lx.error('a here-document, which fleetjail does not read');
    if (this.caseDepth > 0) return;
    if (op.startsWith('<') || op.startsWith('>')) {
      this.expectRedirectTarget = true;
      this.otherWords++;
      return;
    }
    if (op === '(') {
      // A function definition NAME() or a subshell: either way, what is inside is not run here as is.
      if (this.atCommandStart || this.isFunctionName()) {
        this.endCommand();
        this.depth++;
        this.atCommandStart = true;
        return;
      }
    }
    if (op === ')') {
      if (this.pendingFunction) {
        // NAME ( ): the body follows, a compound command whose own depth makes it conditional.
        this.pendingFunction = false;
        this.depth--;
        this.resetCommand();
        return;
      }
      this.endCommand();
      this.depth = Math.max(0, this.depth - 1);
      this.atCommandStart = false;
      return;
    }
    // ; ;; & && || | : separators
    this.endCommand();
    if (op === '&&' || op === '||' || op === '|' || op === '&') this.listConditional = true;
    if (op === ';' || op === ';;' || op === '&') this.endList(op === '&');
    this.atCommandStart = true;
  }

  /** `NAME (` : the word just read was a function's name. */
  private isFunctionName(): boolean {
    if (
      this.otherWords === 1 &&
      this.assignWords.length === 0 &&
      this.commandName !== undefined &&
      /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(this.commandName)
    ) {
      this.pendingFunction = true;
      this.otherWords = 0;
      this.commandName = undefined;
      return true;
    }
    return false;
  }

  private onWord(w: Word): void {
    const lx = this.lx;
    if (this.caseDepth > 0) {
      if (w.literal && w.plain === 'case') this.caseDepth++;
      else if (w.literal && w.plain === 'esac') {
        this.caseDepth--;
        if (this.caseDepth === 0) {
          this.depth--;
          this.atCommandStart = false;
          this.otherWords++;
        }
      } else {
        const m = NAME_EQ.exec(w.plain);
        if (m) this.unplaceable(m[1] as string, w.start, 'it is set inside a case statement');
      }
      return;
    }
    if (this.expectRedirectTarget) {
      this.expectRedirectTarget = false;
      return;
    }
    if (this.expectForName) {
      this.expectForName = false;
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w.plain)) this.unplaceable(w.plain, w.start, "it is a for loop's variable");
      this.otherWords++;
      return;
    }
    if (/^[0-9]+$/.test(w.plain) && (lx.peek() === '<' || lx.peek() === '>')) {
      this.otherWords++; // 2>file: an IO number, part of the redirection that follows
      return;
    }
    const reserved = this.atCommandStart && w.literal ? w.plain : '';
    if (reserved && this.assignWords.length === 0) {
      if (OPENERS.has(reserved)) {
        this.depth++;
        return;
      }
      if (CONTINUERS.has(reserved)) return;
      if (CLOSERS.has(reserved)) {
        this.endCommand();
        this.depth = Math.max(0, this.depth - 1);
        this.atCommandStart = false;
        this.otherWords = 0;
        return;
      }
      if (reserved === 'for') {
        this.depth++;
        this.expectForName = true;
        this.atCommandStart = false;
        return;
      }
      if (reserved === 'case') {
        this.depth++;
        this.caseDepth = 1;
        return;
      }
    }
    if (this.atCommandStart || this.otherWords === 0) {
      // NAME= must be written literally: `"a"=1` and `a\=1` are commands, not assignments.
      const m = NAME_EQ.exec(w.plain);
      if (m && this.otherWords === 0) {
        if (lx.text.slice(w.start, w.start + m[0].length) !== m[0]) {
          this.unplaceable(m[1] as string, w.start, 'a line continuation splits its NAME=');
        } else {
          const before =
            this.lastSemicolon !== undefined && /^[ \t]*$/.test(lx.text.slice(this.lastSemicolon + 1, w.start))
              ? this.lastSemicolon
              : undefined;
          const after = /^[ \t]*;(?!;)/.exec(lx.text.slice(w.end, w.end + 256));
          const lineStart = lx.text.lastIndexOf('\n', w.start - 1) + 1;
          const fresh = this.freshLine && /^[ \t]*$/.test(lx.text.slice(lineStart, w.start));
          this.assignWords.push({
            word: w,
            line: this.line(w.start),
            ...(fresh ? { lineStart } : {}),
            ...(before !== undefined ? { sepBefore: before } : {}),
            ...(after ? { sepAfter: w.end + after[0].length - 1 } : {}),
          });
        }
        this.atCommandStart = false;
        return;
      }
    }
    // A command word or an argument.
    this.atCommandStart = false;
    this.otherWords++;
    if (this.commandName === undefined) {
      this.commandName = w.plain;
      return;
    }
    if (VARIABLE_BUILTINS.has(this.commandName)) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(=|$)/.exec(w.plain);
      if (m) this.unplaceable(m[1] as string, w.start, `it is an argument of ${this.commandName}`);
    }
  }

  /** The end of a simple command: its assignment words, if it had no command word, join the list. */
  private endCommand(): void {
    if (this.assignWords.length > 0) {
      if (this.commandName !== undefined || this.depth > 0) {
        const why =
          this.depth > 0 ? 'it is set inside a compound command or function' : `it is set for the command ${this.commandName} only`;
        for (const p of this.assignWords) this.unplaceable(nameOf(p.word), p.word.start, why);
      } else {
        this.listAssignments.push({ words: this.assignWords, alone: this.assignWords.length === 1 && this.otherWords === 0 });
      }
    }
    this.resetCommand();
  }

  private resetCommand(): void {
    this.assignWords = [];
    this.otherWords = 0;
    this.commandName = undefined;
    this.expectRedirectTarget = false;
    this.atCommandStart = true;
  }

  /** The end of an and-or list (newline, `;`, `&`): its assignments take effect, or are conditional. */
  private endList(background: boolean): void {
    this.endCommand();
    const conditional = this.listConditional || background;
    for (const cmd of this.listAssignments) {
      for (const p of cmd.words) {
        if (conditional) {
          this.unplaceable(nameOf(p.word), p.word.start, 'it is set in a list joined by &&, ||, | or &');
          continue;
        }
        const a = this.assignment(p, cmd.alone);
        this.out.assignments.push(a);
        this.known.set(a.name, { value: a.value, line: a.line, ...(a.dynamic !== undefined ? { dynamic: a.dynamic } : {}) });
      }
    }
    // Names set conditionally have no known value after this point.
    for (const u of this.out.unplaceable) this.known.delete(u.name);
    this.listAssignments = [];
    this.listConditional = false;
  }

  private assignment(p: Pending, alone: boolean): RcAssignmentAt {
    const w = p.word;
    const name = nameOf(w);
    const valueStart = w.start + name.length + 1;
    const { value, dynamic } = valueOf(w.parts, name.length + 1, this.resolve ? this.known : new Map());
    return {
      name,
      value,
      line: p.line,
      start: w.start,
      valueStart,
      valueEnd: w.end,
      alone,
      ...(dynamic !== undefined ? { dynamic } : {}),
      ...(p.lineStart !== undefined ? { lineStart: p.lineStart } : {}),
      ...(p.sepBefore !== undefined ? { sepBefore: p.sepBefore } : {}),
      ...(p.sepAfter !== undefined ? { sepAfter: p.sepAfter } : {}),
    };
  }
}

function nameOf(w: Word): string {
  return (NAME_EQ.exec(w.plain) as RegExpExecArray)[1] as string;
}

/** The value of an assignment word's parts after its first SKIP characters (NAME=). */
function valueOf(parts: WordPart[], skip: number, known: ReadonlyMap<string, RcAssignment>): { value: string; dynamic?: string } {
  let value = '';
  let dynamic: string | undefined;
  let left = skip;
  for (const part of parts) {
    if (part.kind === 'text') {
      const t = left > 0 ? part.text.slice(left) : part.text;
      left = Math.max(0, left - part.text.length);
      value += t;
      continue;
    }
    if (part.kind === 'param') {
      const v = known.get(part.name);
      if (v && v.dynamic === undefined) {
        value += v.value;
        continue;
      }
      dynamic ??= part.source;
      value += part.source;
      continue;
    }
    dynamic ??= part.source;
    value += part.source;
  }
  return dynamic === undefined ? { value } : { value, dynamic };
}
