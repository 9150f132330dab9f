/**
 * `{{ }}` templates with LiquidJS in strict mode: an undefined variable or filter is an
 * error naming the variable and where the template was written, never an empty string.
 * A string that is exactly one `{{ expression }}` keeps the expression's type, so
 * `name: "{{ packages }}"` gives a list. `default` and `if` may test undefined variables;
 * so may a `when` that is just a variable (`when: extra_disks`).
 */
import { Liquid, type Template } from 'liquidjs';
import { isTemplate } from './issues.js';

export { isTemplate };

/** A template problem; `where` is filled in by the caller that knows the file position. */
export class TemplateError extends Error {
  constructor(
    message: string,
    /** The undefined variable, when that is the problem. */
    readonly variable?: string,
    /** Line within the template text (useful for template files). */
    readonly line?: number,
    readonly col?: number,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

const BARE_VARIABLE = /^\s*[A-Za-z_][\w.]*\s*$/;
const SINGLE_EXPRESSION = /^\{\{-?\s*([^{}]*?)\s*-?\}\}$/;

export class Templater {
  private readonly liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    lenientIf: true,
    cache: false,
  });
  private readonly parsed = new Map<string, Template[]>();

  constructor() {
    // pf.conf text: `{{ address | pf_quote }}` is one quoted pf string, never pf syntax.
    this.liquid.registerFilter('pf_quote', pfQuote);
  }

  /** Root names of the variables a template reads (`a.b` → `a`), without loop variables. */
  variables(text: string): string[] {
    try {
      return [...new Set(this.liquid.globalVariableSegmentsSync(this.parse(text)).map((s) => String(s[0])))];
    } catch {
      return []; // a syntax error surfaces when the template is rendered
    }
  }

  /** Render one string. Non-templates come back unchanged. */
  render(text: string, scope: Record<string, unknown>): unknown {
    if (!isTemplate(text)) return text;
    try {
      const single = SINGLE_EXPRESSION.exec(text);
      if (single && !single[1]?.includes('}}')) return this.liquid.evalValueSync(single[1] as string, scope);
      return this.liquid.renderSync(this.parse(text), scope);
    } catch (e) {
      throw toTemplateError(e);
    }
  }

  /** Render a whole text (a template file) to a string. */
  renderText(text: string, scope: Record<string, unknown>): string {
    try {
      return String(this.liquid.renderSync(this.parse(text), scope));
    } catch (e) {
      throw toTemplateError(e);
    }
  }

  /** A `when` condition: a Liquid expression, or a template that renders to true/false. */
  condition(expr: string | boolean, scope: Record<string, unknown>): boolean {
    if (typeof expr === 'boolean') return expr;
    // Liquid's `if` lets undefined variables through (lenientIf, which `default` needs);
    // a condition may do that only to test one variable: `when: extra_disks`.
    if (!isTemplate(expr) && !BARE_VARIABLE.test(expr)) {
      const missing = this.conditionVariables(expr).find((v) => !Object.hasOwn(scope, v));
      if (missing !== undefined) throw new TemplateError(`undefined variable '${missing}'`, missing);
    }
    const text = isTemplate(expr) ? expr : `{% if ${expr} %}true{% else %}false{% endif %}`;
    let out: unknown;
    try {
      out = isTemplate(expr) ? this.render(text, scope) : this.liquid.renderSync(this.parse(text), scope);
    } catch (e) {
      throw toTemplateError(e);
    }
    return truthy(out);
  }

  /** Variables a `when` condition reads. */
  conditionVariables(expr: string | boolean): string[] {
    if (typeof expr === 'boolean') return [];
    return this.variables(isTemplate(expr) ? expr : `{% if ${expr} %}{% endif %}`);
  }

  private parse(text: string): Template[] {
    let t = this.parsed.get(text);
    if (!t) {
      try {
        t = this.liquid.parse(text);
      } catch (e) {
        throw toTemplateError(e);
      }
      this.parsed.set(text, t);
    }
    return t;
  }
}

/**
 * A value as one pf.conf(5) string: pf's lexer ends a quoted string at the next quote and has
 * no way to escape one, so a value with a quote, backslash or line break is refused.
 */
export function pfQuote(v: unknown): string {
  const text = String(v);
  if (/["\\\n\r]/.test(text))
    throw new Error(`pf_quote: ${JSON.stringify(text)} cannot be a pf string (it contains a quote, backslash or line break)`);
  return `"${text}"`;
}

function truthy(v: unknown): boolean {
  if (typeof v === 'string') return !['', 'false', 'no', 'off', '0'].includes(v.trim().toLowerCase());
  return Boolean(v);
}

function toTemplateError(e: unknown): TemplateError {
  if (e instanceof TemplateError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const at = /, line:(\d+), col:(\d+)/.exec(message);
  const [line, col] = at ? [Number(at[1]), Number(at[2])] : [undefined, undefined];
  const undefinedVar = /^undefined variable: ([^,]+)/.exec(message)?.[1];
  if (undefinedVar) return new TemplateError(`undefined variable '${undefinedVar}'`, undefinedVar, line, col);
  const filter = /^undefined filter: ([^,]+)/.exec(message)?.[1];
  if (filter) return new TemplateError(`unknown filter '${filter}'`, undefined, line, col);
  return new TemplateError(`template error: ${message.replace(/, line:\d+, col:\d+.*$/s, '')}`, undefined, line, col);
}
