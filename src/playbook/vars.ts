/**
 * A host's variables, lowest precedence first:
 *
 *   inventory (all < parent group < child group < host)
 *   playbook vars:, then each vars_files file in order
 *   registered results of earlier steps (at run time)
 *   -e extra vars
 *   inventory_hostname, group_names
 *
 * A key of a higher layer replaces the lower value whole. Values may be templates that use
 * other variables; they are rendered in dependency order, and a cycle or an undefined
 * variable is an error at the place the value was written. A value that uses a registered
 * variable (or one that does) is "deferred": known only when the run gets there.
 *
 * Secrets: every variable of a secret layer (an age-encrypted file, vars_from_env), and every
 * variable computed from a secret one, is secret; its values (each string in it) go into the
 * run's Secrets, which masks them in all output.
 */
import { ConfigError } from '../util/errors.js';
import type { YamlPath } from '../util/yaml.js';
import { isTemplate, Templater, TemplateError } from './template.js';
import type { Secrets } from '../util/secrets.js';
import type { VarSource } from './model.js';

export interface ResolvedVars {
  values: Record<string, unknown>;
  /** Names whose value depends on a registered variable. */
  deferred: Set<string>;
}

interface Entry {
  value: unknown;
  source: VarSource;
}

export function resolveVars(
  templater: Templater,
  layers: VarSource[],
  registeredNames: ReadonlySet<string> = new Set(),
  secrets?: Secrets,
): ResolvedVars {
  const merged = new Map<string, Entry>();
  for (const source of layers) for (const [name, value] of Object.entries(source.vars)) merged.set(name, { value, source });

  const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const deferred = new Set<string>();
  const done = new Set<string>();

  const resolve = (name: string, chain: string[]): void => {
    if (done.has(name)) return;
    const entry = merged.get(name) as Entry;
    if (chain.includes(name)) {
      throw new ConfigError(`${entry.source.locate(name, [])}: variable '${name}' refers to itself (${[...chain, name].join(' -> ')})`);
    }
    const refs = templateRefs(templater, entry.value);
    for (const ref of refs) {
      if (merged.has(ref) && !registeredNames.has(ref)) resolve(ref, [...chain, name]);
      if (registeredNames.has(ref) || deferred.has(ref)) deferred.add(name);
    }
    if (!deferred.has(name))
      values[name] = renderDeep(templater, entry.value, values, (p) => entry.source.locate(name, p), `variable '${name}'`);
    if (secrets && (entry.source.secret || secrets.names.has(name) || refs.some((r) => secrets.names.has(r)))) {
      // Secret only as a no_log step's output (registered, or computed from it): masked where it looks like a secret.
      const fromOutput = !entry.source.secret && !secrets.isDeclaredSecret(name) && !refs.some((r) => secrets.isDeclaredSecret(r));
      secrets.taint(name, fromOutput);
      if (!deferred.has(name)) {
        forEachSecretLeaf(values[name], (text, p) =>
          entry.source.secret
            ? secrets.declare(text, entry.source.locate(name, p))
            : fromOutput
              ? secrets.addOutput(text)
              : secrets.add(text),
        );
      }
    }
    done.add(name);
  };
  for (const name of merged.keys()) resolve(name, []);
  return { values: { ...values }, deferred };
}

/** Root names of every variable the templates inside VALUE read. */
export function templateRefs(templater: Templater, value: unknown): string[] {
  const refs = new Set<string>();
  walkStrings(value, [], (s) => {
    for (const r of templater.variables(s)) refs.add(r);
  });
  return [...refs];
}

/** Strings (and numbers, as text) inside VALUE, with their paths: what a secret variable's value exposes. */
export function forEachSecretLeaf(value: unknown, visit: (text: string, p: YamlPath) => void, p: Array<string | number> = []): void {
  if (typeof value === 'string' || typeof value === 'number') visit(String(value), p);
  else if (Array.isArray(value)) value.forEach((v, i) => forEachSecretLeaf(v, visit, [...p, i]));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) forEachSecretLeaf(v, visit, [...p, k]);
}

/** Told of every template that read a secret variable, with what it rendered to. */
export interface SecretTaint {
  names: ReadonlySet<string>;
  found(rendered: unknown, template: string): void;
}

/** VALUE with every template string rendered; errors name the position LOCATE gives. */
export function renderDeep(
  templater: Templater,
  value: unknown,
  scope: Record<string, unknown>,
  locate: (p: YamlPath) => string,
  what: string,
  taint?: SecretTaint,
): unknown {
  const go = (v: unknown, p: Array<string | number>): unknown => {
    if (typeof v === 'string') {
      if (!isTemplate(v)) return v;
      try {
        const out = templater.render(v, scope);
        if (taint && templater.variables(v).some((r) => taint.names.has(r))) taint.found(out, v);
        return out;
      } catch (e) {
        if (e instanceof TemplateError) throw new ConfigError(`${locate(p)}: ${e.message} in ${what}`);
        throw e;
      }
    }
    if (Array.isArray(v)) return v.map((item, i) => go(item, [...p, i]));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, go(item, [...p, k])]));
    return v;
  };
  return go(value, []);
}

function walkStrings(value: unknown, p: Array<string | number>, visit: (s: string, p: Array<string | number>) => void): void {
  if (typeof value === 'string') {
    if (isTemplate(value)) visit(value, p);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walkStrings(v, [...p, i], visit));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walkStrings(v, [...p, k], visit);
  }
}
