/**
 * zod's validation issues as operator-facing messages at file:line:column, with the nearest
 * valid key for a misspelled one.
 */
import type { z } from 'zod';
import { ConfigError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { YamlFile, YamlPath } from '../util/yaml.js';

/** Several problems at once: one line each. The CLI prints it as one ConfigError (exit 1). */
export class PlaybookErrors extends ConfigError {
  constructor(readonly errors: ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'PlaybookErrors';
  }
}

export function throwIfAny(errors: ConfigError[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new PlaybookErrors(errors);
}

export function isTemplate(value: unknown): value is string {
  return typeof value === 'string' && (value.includes('{{') || value.includes('{%'));
}

export interface IssueOptions {
  /** Skip issues about values that are templates: they are checked after rendering. */
  tolerateTemplates?: boolean;
  /** What the validated value is, for messages: "sysrc arguments". */
  what?: string;
}

/** Errors for zod's issues about DATA, validated by SCHEMA, found at BASE in the YAML file. */
export function issuesToErrors(
  yaml: YamlFile,
  base: YamlPath,
  data: unknown,
  schema: z.ZodType,
  issues: z.core.$ZodIssue[],
  opts: IssueOptions = {},
): ConfigError[] {
  const errors: ConfigError[] = [];
  const all = flatten(issues);
  // A misspelled key usually also trips the object's own checks ("needs a value"): say only the first.
  const misspelled = all.some((i) => i.code === 'unrecognized_keys');
  for (const issue of all.filter((i) => !(misspelled && i.code === 'custom'))) {
    const path = [...base, ...(issue.path as Array<string | number>)];
    if (opts.tolerateTemplates && isTemplate(valueAt(data, issue.path as Array<string | number>))) continue;
    if (issue.code === 'unrecognized_keys') {
      const valid = objectKeysAt(schema, issue.path as Array<string | number>);
      for (const key of issue.keys) {
        const hint = didYouMean(key, valid) || (valid.length > 0 ? ` (valid keys: ${valid.join(', ')})` : '');
        errors.push(yaml.error([...path, key], `unknown key '${key}'${opts.what ? ` in ${opts.what}` : ''}${hint}`, { key: true }));
      }
      continue;
    }
    const field = issue.path.length > 0 ? `'${issue.path.join('.')}'` : (opts.what ?? 'value');
    errors.push(yaml.error(path, `${field}: ${describeIssue(issue)}`));
  }
  return dedupe(errors);
}

/** A union's alternatives each complain; report the alternative that got furthest (most specific path). */
function flatten(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] as z.core.$ZodIssue[];
      if (depth(best) > 0) {
        out.push(...flatten(best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }))));
        continue;
      }
    }
    out.push(issue);
  }
  return out;
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length + (i.code === 'unrecognized_keys' ? 1 : 0)));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}${issue.message.includes('received') ? `, got ${issue.message.split('received ').pop()}` : ''}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'not any of the accepted forms';
    default:
      return issue.message;
  }
}

function valueAt(data: unknown, path: Array<string | number>): unknown {
  let v = data;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** The keys an object schema accepts at PATH (through optionals, defaults, unions, arrays). */
export function objectKeysAt(schema: z.ZodType, path: Array<string | number>): string[] {
  const keys = new Set<string>();
  const visit = (s: unknown, rest: Array<string | number>): void => {
    const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return;
    switch (def.type) {
      case 'object': {
        const shape = def.shape as Record<string, unknown>;
        if (rest.length === 0) Object.keys(shape).forEach((k) => keys.add(k));
        else visit(shape[String(rest[0])], rest.slice(1));
        return;
      }
      case 'union':
        (def.options as unknown[]).forEach((o) => visit(o, rest));
        return;
      case 'array':
        if (rest.length > 0) visit(def.element, rest.slice(1));
        return;
      case 'record':
        if (rest.length > 0) visit(def.valueType, rest.slice(1));
        return;
      case 'pipe':
        visit(def.in, rest);
        return;
      default:
        if (def.innerType) visit(def.innerType, rest);
    }
  };
  visit(schema, path);
  return [...keys];
}

function dedupe(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true)));
}
