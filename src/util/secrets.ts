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
 * Secrets shorter than MIN_SECRET_LENGTH are refused where they are declared: "abc" masked
 * everywhere would garble the output and still be guessable. Derived strings (a template's
 * output that used a secret) that short are not masked, since the secret itself is long.
 */
import { ConfigError } from './errors.js';

export const MASK = '********';
export const MIN_SECRET_LENGTH = 4;
/** How a diff of a file whose content may not be shown begins. */
export const CONTENT_HIDDEN = 'content hidden';

/** No read permission for group or other (0600, 0400; not 0640): such a file's content is never shown. */
export function isPrivateMode(mode: string): boolean {
  return /^[0-7]{3,4}$/.test(mode) && (parseInt(mode, 8) & 0o044) === 0;
}

/** The diff entry of a file whose content may not be shown. */
export function hiddenFileDiff(path: string, why: string): { type: 'file'; path: string; unified: string } {
  return { type: 'file', path, unified: `${CONTENT_HIDDEN} (${why})\n` };
}

export class Secrets {
  private readonly values = new Set<string>();
  private pattern: RegExp | null = null;
  /** Variables whose value is secret (declared so, or computed from one), on any host. */
  readonly names = new Set<string>();
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
  }

  /**
   * Record a string derived from a secret (ignored when too short to mask). A multi-line one
   * (a key, a rendered file) is also masked line by line, since a diff shows lines; when it
   * was rendered from TEMPLATE, lines that are the template's own text are not secret.
   */
  add(value: string, template?: string): void {
    const literal = new Set(template?.split('\n').map((l) => l.trim()));
    const lines = value.includes('\n') ? value.split('\n').map((l) => l.trim()).filter((l) => !literal.has(l)) : [];
    for (const p of [value, ...lines]) {
      if (p.length < MIN_SECRET_LENGTH || this.values.has(p)) continue;
      this.values.add(p);
      this.pattern = null;
    }
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
    const re = this.regex();
    if (!re) return false;
    re.lastIndex = 0;
    return re.test(text);
  }

  /** TEXT with every occurrence of a secret replaced by MASK. */
  mask(text: string): string {
    const re = this.regex();
    return re ? text.replace(re, MASK) : text;
  }

  /** A copy of VALUE with every string in it (keys too) masked. */
  maskDeep<T>(value: T): T {
    if (this.values.size === 0) return value;
    return this.maskAny(value) as T;
  }

  private maskAny(v: unknown): unknown {
    if (typeof v === 'string') return this.mask(v);
    if (Array.isArray(v)) return v.map((x) => this.maskAny(x));
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.mask(k), this.maskAny(x)]));
    }
    return v;
  }

  private regex(): RegExp | null {
    if (this.values.size === 0) return null;
    if (!this.pattern) {
      // Longest first, so a secret that contains another is masked whole.
      const alternatives = [...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return this.pattern;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
