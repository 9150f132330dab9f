/**
 * rc.conf(5)-family files (rc.conf, rc.conf.local, rc.conf.d/*, loader.conf) are sh scripts
 * that rc(8) sources. This reads their variable assignments as sh would, without running
 * anything: single and double quotes (values may span lines), backslash escapes, comments,
 * several assignments on one line. Expansions ($x, ${x}) are kept as written, since the
 * values fleetjail compares are the ones sysrc writes. Lines that are not assignments
 * (functions, `. file`, `if ...`) are skipped.
 */

export interface RcAssignment {
  value: string;
  /** 1-based line where the assignment starts. */
  line: number;
}

/** Where an assignment sits in the text (offsets into it), for editing it in place. */
export interface RcAssignmentAt extends RcAssignment {
  name: string;
  /** Offset of the name. */
  start: number;
  /** Offset of the start of its line when only blanks come before the name on that line. */
  lineStart?: number;
  /** Offsets of the value as written (quotes included): [valueStart, valueEnd). */
  valueStart: number;
  valueEnd: number;
}

/** Every assigned variable; when a file assigns a name twice, the last assignment wins, as in sh. */
export function parseRcConf(text: string): Map<string, RcAssignment> {
  const vars = new Map<string, RcAssignment>();
  for (const a of rcAssignments(text)) vars.set(a.name, { value: a.value, line: a.line });
  return vars;
}

/** Every assignment in file order, with its position. */
export function rcAssignments(text: string): RcAssignmentAt[] {
  const found: RcAssignmentAt[] = [];
  const s = new Scanner(text);
  let lineStart: number | undefined = 0;
  while (!s.done()) {
    s.skipBlanks();
    if (s.done()) break;
    const c = s.peek();
    if (c === '#') {
      s.skipLine();
      continue;
    }
    if (c === '\n' || c === ';') {
      lineStart = s.next() === '\n' ? s.offset : undefined;
      continue;
    }
    const line = s.line;
    const start = s.offset;
    const name = s.readName();
    if (name && s.peek() === '=') {
      s.next();
      const valueStart = s.offset;
      const value = s.readWord();
      found.push({ name, value, line, start, ...(lineStart !== undefined ? { lineStart } : {}), valueStart, valueEnd: s.offset });
      lineStart = undefined;
    } else {
      s.skipLine();
    }
  }
  return found;
}

/** rc.subr's checkyesno: YES, TRUE, ON and 1 (any case) are yes. */
export function isRcYes(value: string | undefined): boolean {
  return value !== undefined && /^(yes|true|on|1)$/i.test(value.trim());
}

class Scanner {
  private i = 0;
  line = 1;

  constructor(private readonly text: string) {}

  get offset(): number {
    return this.i;
  }

  done(): boolean {
    return this.i >= this.text.length;
  }

  peek(): string {
    return this.text[this.i] ?? '';
  }

  next(): string {
    const c = this.text[this.i++] ?? '';
    if (c === '\n') this.line++;
    return c;
  }

  skipBlanks(): void {
    while (!this.done() && (this.peek() === ' ' || this.peek() === '\t' || this.peek() === '\r')) this.next();
  }

  /** To the end of the line, honouring quotes so a multi-line quoted value is skipped whole. */
  skipLine(): void {
    while (!this.done() && this.peek() !== '\n') {
      const c = this.peek();
      if (c === "'" || c === '"') this.readWord();
      else if (c === '\\') {
        this.next();
        this.next();
      } else this.next();
    }
  }

  readName(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.i, this.i + 256));
    if (!m) return '';
    for (let k = 0; k < m[0].length; k++) this.next();
    return m[0];
  }

  /** One sh word: quoted and unquoted parts up to unquoted whitespace, `;`, or a comment. */
  readWord(): string {
    let out = '';
    while (!this.done()) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === ';' || c === '\r') break;
      this.next();
      if (c === "'") {
        while (!this.done() && this.peek() !== "'") out += this.next();
        this.next();
      } else if (c === '"') {
        out += this.readDoubleQuoted();
      } else if (c === '\\') {
        const escaped = this.next();
        if (escaped !== '\n') out += escaped; // backslash-newline: line continuation
      } else {
        out += c;
      }
    }
    return out;
  }

  private readDoubleQuoted(): string {
    let out = '';
    while (!this.done() && this.peek() !== '"') {
      const c = this.next();
      if (c === '\\') {
        const escaped = this.peek();
        if (escaped === '\n') this.next();
        else if ('$`"\\'.includes(escaped)) out += this.next();
        else out += c;
      } else {
        out += c;
      }
    }
    this.next();
    return out;
  }
}
