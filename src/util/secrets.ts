/**
 * The secret values of a run and the one function that hides them: mask(text). Every string
 * that leaves the process (terminal, --diff, the JSON report, --log) goes through it.
 *
 * Masking is by value: whatever path a secret took (a template that embedded it in a longer
 * string, a file's content, a host echoing it back in an error), each occurrence is replaced
 * by MASK. Values are collected while variables and steps are rendered (src/playbook), for
 * every host into one set: a secret of one host is masked in every host's output, which can
 * only hide more, never less.
 *
 * Quoted forms: fleetjail itself quotes values for sh (`'\''`), jail.conf and rc.conf (`\"`,
 * `\\`, `\$`), fstab (`\040`) and JSON, and layers of these nest (a jail.conf string of a
 * shell command; a report's JSON of it). So a secret is matched with each of its quoting
 * characters (quotes, backslash, `$`, backquote, blanks, controls) standing for that
 * character in any of those escaped forms, with quoting characters around it
 * (secretPattern). A declared secret's pieces between quote characters are masked on their
 * own too when they look like a secret (a piece "it" of "it's-a-s3cret" must not mask every
 * "it"), in case a quoting we do not know split it.
 *
 * Secrets shorter than MIN_SECRET_LENGTH are refused where they are declared: "abc" masked
 * everywhere would garble the output and still be guessable. Derived strings (a template's
 * output that used a secret) that short are not masked, since the secret itself is long.
 * What a no_log step produced (its output, registered; its error) is masked everywhere only
 * where it looks like a secret (looksLikeSecret): a line "changed" or "0" would otherwise
 * mask that word in every output; the step's own output is never shown anyway.
 *
 * fleetjail's own structure is never masked (maskDeep): object keys (field names, host
 * names), the enumerated fields (STRUCTURAL_KEYS: status, module, step ids...), numbers.
 */
import { ConfigError } from './errors.js';

export const MASK = '********';
export const MIN_SECRET_LENGTH = 4;
/** How a diff of a file whose content may not be shown begins. */
export const CONTENT_HIDDEN = 'content hidden';

/**
 * Fields whose values are fleetjail's own vocabulary (statuses, kinds, ids, times) or the
 * inventory's host names (a log line's `host`, a run's `notRun`), never a secret's.
 */
const STRUCTURAL_KEYS = new Set(['status', 'module', 'id', 'type', 'version', 'startedAt', 'level', 'time', 'host', 'notRun']);

/** No read permission for group or other (0600, 0400; not 0640): such a file's content is never shown. */
export function isPrivateMode(mode: string): boolean {
  return /^[0-7]{3,4}$/.test(mode) && (parseInt(mode, 8) & 0o044) === 0;
}

/** The diff entry of a file whose content may not be shown. */
export function hiddenFileDiff(path: string, why: string): { type: 'file'; path: string; unified: string } {
  return { type: 'file', path, unified: `${CONTENT_HIDDEN} (${why})\n` };
}

/**
 * Whether TEXT (output of a no_log step, a piece of a quoted secret) is worth masking
 * everywhere: at least 8 characters, and either two kinds of characters (lower case, upper
 * case, digits, others; blanks do not count) or at least 16 characters. "changed", "ok", "0",
 * "finished", "password" are not; "s3cret-value", "Zm9vYmFy", a 20-letter passphrase are.
 */
export function looksLikeSecret(text: string): boolean {
  const t = text.trim();
  if (t.length < 8) return false;
  if (t.length >= 16) return true;
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9\s]/].filter((re) => re.test(t)).length;
  return kinds >= 2;
}

export class Secrets {
  private readonly values = new Set<string>();
  /**
   * Each value (longest first, so a secret that contains another is masked whole) with its
   * longest plain piece, which every quoted form of it contains as is, and its pattern.
   */
  private patterns: { anchor: string; source: string }[] | null = null;
  /** Regexes of the values a text may contain, by their sources: one regex of every value grows past what V8 compiles. */
  private readonly regexes = new Map<string, RegExp>();
  /** Variables whose value is secret (declared so, or computed from one), on any host. */
  readonly names = new Set<string>();
  /** Of `names`, those secret only as what a no_log step produced (masked where they look like a secret). */
  readonly outputNames = new Set<string>();
  /** Steps marked `no_log: true`, by id ("steps[3]"; loop items "steps[3][0]" follow their step). */
  private readonly noLogSteps = new Set<string>();
  /** Per host, files whose content must never be shown: from a secret, or private (mode 0600). */
  private readonly hiddenFiles = new Map<string, Set<string>>();

  /** Record a declared secret; one shorter than MIN_SECRET_LENGTH is an error naming WHAT. */
  declare(value: string, what: string): void {
    if (value.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`${what}: a secret needs at least ${MIN_SECRET_LENGTH} characters (shorter ones cannot be masked reliably)`);
    }
    this.add(value);
    // Its pieces between quote characters, where a quoting we do not know split it.
    for (const piece of value.split(QUOTES).filter(looksLikeSecret)) this.record(piece);
  }

  /**
   * Record a string derived from a secret (ignored when too short to mask). A multi-line one
   * (a key, a rendered file) is also masked line by line, since a diff shows lines; when it
   * was rendered from TEMPLATE, lines that are the template's own text are not secret.
   */
  add(value: string, template?: string): void {
    for (const p of pieces(value, template)) if (p.length >= MIN_SECRET_LENGTH) this.record(p);
  }

  /**
   * Record what a no_log step produced (its output, its error, a value computed from them):
   * the whole and each line, each only if it looks like a secret (see looksLikeSecret).
   */
  addOutput(value: string, template?: string): void {
    for (const p of pieces(value, template)) if (looksLikeSecret(p)) this.record(p);
  }

  /** Mark NAME secret; `fromOutput`: only as a no_log step's output (a declared secret's taint wins). */
  taint(name: string, fromOutput: boolean): void {
    if (fromOutput && !this.names.has(name)) this.outputNames.add(name);
    if (!fromOutput) this.outputNames.delete(name);
    this.names.add(name);
  }

  /** Whether NAME carries a declared secret (not only a no_log step's output). */
  isDeclaredSecret(name: string): boolean {
    return this.names.has(name) && !this.outputNames.has(name);
  }

  markNoLog(stepId: string): void {
    this.noLogSteps.add(stepId);
  }

  isNoLog(stepId: string): boolean {
    const base = /^[a-z]+\[\d+\]/.exec(stepId)?.[0];
    return this.noLogSteps.has(stepId) || (base !== undefined && this.noLogSteps.has(base));
  }

  hideFile(host: string, path: string): void {
    let set = this.hiddenFiles.get(host);
    if (!set) this.hiddenFiles.set(host, (set = new Set()));
    set.add(path);
  }

  isFileHidden(host: string, path: string): boolean {
    return this.hiddenFiles.get(host)?.has(path) ?? false;
  }

  get size(): number {
    return this.values.size;
  }

  /** Whether TEXT contains a secret. */
  touches(text: string): boolean {
    const re = this.regex(text);
    if (!re) return false;
    re.lastIndex = 0;
    return re.test(text);
  }

  /** TEXT with every occurrence of a secret (or of a quoted form of one) replaced by MASK. */
  mask(text: string): string {
    const re = this.regex(text);
    return re ? text.replace(re, MASK) : text;
  }

  /**
   * TEXT masked, where it is a piece of a longer text cut short: MARKER stands for the rest,
   * AT its start or end. A secret cut in two there no longer matches, so the end of one that
   * TEXT begins with after MARKER (or the start of one it ends with before MARKER) is masked
   * too: two characters or more (less gives nothing away; the text was cut there anyway).
   */
  maskCut(text: string, marker: string, at: 'start' | 'end'): string {
    if (at === 'start' && text.startsWith(marker)) {
      const rest = text.slice(marker.length);
      const cut = this.longestPiece(
        rest,
        (v, k) => v.slice(-k),
        (t, p) => t.startsWith(p),
      );
      return marker + (cut > 0 ? MASK : '') + this.mask(rest.slice(cut));
    }
    if (at === 'end' && text.endsWith(marker)) {
      const rest = text.slice(0, text.length - marker.length);
      const cut = this.longestPiece(
        rest,
        (v, k) => v.slice(0, k),
        (t, p) => t.endsWith(p),
      );
      return this.mask(rest.slice(0, rest.length - cut)) + (cut > 0 ? MASK : '') + marker;
    }
    return this.mask(text);
  }

  /** The length of the longest PIECE (k characters, shorter than the secret) of a secret that TEXT has where FITS says. */
  private longestPiece(text: string, piece: (v: string, k: number) => string, fits: (t: string, p: string) => boolean): number {
    let longest = 0;
    for (const v of this.values) {
      for (let k = Math.min(v.length - 1, text.length); k > Math.max(longest, 1); k--) {
        if (fits(text, piece(v, k))) {
          longest = k;
          break;
        }
      }
    }
    return longest;
  }

  /**
   * A copy of VALUE with its strings masked; keys, numbers and the values of STRUCTURAL_KEYS
   * are fleetjail's own and kept (a secret "changed" must not erase a report's field names).
   */
  maskDeep<T>(value: T): T {
    if (this.values.size === 0) return value;
    return this.maskAny(value) as T;
  }

  private maskAny(v: unknown): unknown {
    if (typeof v === 'string') return this.mask(v);
    if (Array.isArray(v)) return v.map((x) => this.maskAny(x));
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, STRUCTURAL_KEYS.has(k) && isText(x) ? x : this.maskAny(x)]));
    }
    return v;
  }

  private record(value: string): void {
    if (this.values.has(value)) return;
    this.values.add(value);
    this.patterns = null;
    this.regexes.clear();
  }

  /**
   * The regex of the values whose plain pieces TEXT contains (null: none can be in it). A run
   * with a rendered secret file on 200 hosts has thousands of values: one regex of them all
   * took seconds per string, then was too large to compile.
   */
  private regex(text: string): RegExp | null {
    if (this.values.size === 0) return null;
    this.patterns ??= [...this.values]
      .sort((a, b) => b.length - a.length)
      .map((v) => ({ anchor: plainAnchor(v), source: secretPattern(v) }));
    const sources = this.patterns.filter((p) => text.includes(p.anchor)).map((p) => p.source);
    if (sources.length === 0) return null;
    const key = sources.join('|');
    let re = this.regexes.get(key);
    if (!re) {
      if (this.regexes.size >= 256) this.regexes.clear();
      re = new RegExp(key, 'g');
      this.regexes.set(key, re);
    }
    return re;
  }
}

/** A string or a list of strings. */
function isText(x: unknown): x is string | string[] {
  return typeof x === 'string' || (Array.isArray(x) && x.every((y) => typeof y === 'string'));
}

/** The whole of VALUE and, when it has several lines, each line that is not TEMPLATE's own text. */
function pieces(value: string, template?: string): string[] {
  if (!value.includes('\n')) return [value];
  const literal = new Set(template?.split('\n').map((l) => l.trim()));
  return [
    value,
    ...value
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => !literal.has(l)),
  ];
}

/** Quote characters: what splits a sh-quoted secret ('\'') or escapes one in jail.conf and rc.conf. */
const QUOTES = /['"\\$`]/;
/** Characters that some quoting of fleetjail's escapes: quotes, backslash, `$`, backquote, blanks, controls. */
const QUOTING_RUNS = /([\s'"\\$`\x00-\x1f\x7f]+)/u;
/**
 * Quote characters and backslashes that layers of quoting put around an escaped character
 * (`'\''` is four, sh of sh thirteen). Bounded, so that a host printing a long run of
 * quotes costs linear time, not a regex's backtracking.
 */
const AROUND = `['"\\\\]{0,16}`;

/**
 * A regex source matching SECRET as it is, or as any of fleetjail's quotings (and nestings
 * of them) write it: each quoting character may appear escaped (`\"`, `\\`, `'\''`, `\$`,
 * `\n`, `\t`, octal `\040` / `\0047`, `\x1b`, `\u001b`) among other quotes and backslashes.
 */
export function secretPattern(secret: string): string {
  // Plain text and runs of quoting characters, alternately: "it", "'", "s-a-s3cret".
  const parts = secret.split(QUOTING_RUNS);
  return parts
    .map((part, i) => {
      if (i % 2 === 0) return escapeRegExp(part);
      const escaped = [...part].map(escapedForm).join(AROUND);
      // Quotes and backslashes around the run only inside the secret: outside they are the
      // text's own, and at the ends they would only make a failing match slower.
      const before = i > 1 || parts[0] !== '' ? AROUND : '';
      const after = i < parts.length - 2 || parts[parts.length - 1] !== '' ? AROUND : '';
      return `${before}${escaped}${after}`;
    })
    .join('');
}

/** SECRET's longest piece without quoting characters: any form of it that secretPattern matches contains it as is. */
function plainAnchor(secret: string): string {
  return secret
    .split(QUOTING_RUNS)
    .filter((_, i) => i % 2 === 0)
    .reduce((a, b) => (b.length > a.length ? b : a), '');
}

/** One quoting character as itself or as a backslash escape of it (`\"`, `\040`, `\n`, `\x1b`, `\u001b`). */
function escapedForm(c: string): string {
  const code = c.codePointAt(0) as number;
  const forms = [
    escapeRegExp(c),
    `0?${code.toString(8).padStart(3, '0')}`,
    `x${code.toString(16).padStart(2, '0')}`,
    `u${code.toString(16).padStart(4, '0')}`,
  ];
  if (c === '\n') forms.push('n');
  if (c === '\t') forms.push('t');
  if (c === '\r') forms.push('r');
  return `(?:${escapeRegExp(c)}|\\\\{1,8}(?:${forms.join('|')}))`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
