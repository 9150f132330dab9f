/**
 * Reading checked values out of a YamlFile: each check throws a ConfigError at the
 * offending key or value, with the nearest valid key when a key is misspelled.
 */
import type { Become } from '../transport/types.js';
import type { YamlFile, YamlPath } from '../util/yaml.js';
import { nearest } from '../util/suggest.js';

export const BECOME_METHODS: readonly Become[] = ['none', 'doas', 'sudo'];

/**
 * Every key of the mapping at AT must be in ALLOWED. ALIASES maps words people tend to
 * write (hostname, ip) to the key they meant, for keys too far apart for a spelling match.
 */
export function checkKeys(y: YamlFile, at: YamlPath, allowed: readonly string[], aliases: Record<string, string> = {}): void {
  for (const k of y.keys(at)) {
    if (allowed.includes(k)) continue;
    const hint = nearest(k, allowed) ?? aliases[k.toLowerCase()];
    const suggestion = hint ? `; did you mean '${hint}'?` : '';
    throw y.error([...at, k], `unknown key '${k}'${suggestion} (allowed: ${allowed.join(', ')})`, { key: true });
  }
}

/** A mapping, or nothing (an empty `key:`). */
export function optionalMapping(y: YamlFile, at: YamlPath, what: string): Record<string, unknown> | undefined {
  const v = y.valueAt(at);
  if (v === undefined || v === null) return undefined;
  if (!y.isMapping(at)) throw y.error(at, `${what} must be a mapping`);
  return v as Record<string, unknown>;
}

export function str(y: YamlFile, at: YamlPath, v: unknown): string {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  throw y.error(at, `'${String(at[at.length - 1])}' must be a non-empty string`);
}

export function port(y: YamlFile, at: YamlPath, v: unknown): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 65536) return n;
  throw y.error(at, `port must be an integer from 1 to 65535, got ${JSON.stringify(v)}`);
}

export function become(y: YamlFile, at: YamlPath, v: unknown): Become {
  const b = v === false ? 'none' : v;
  if (BECOME_METHODS.includes(b as Become)) return b as Become;
  const hint = nearest(String(b), BECOME_METHODS);
  throw y.error(at, `become must be one of ${BECOME_METHODS.join(', ')}${hint ? `; did you mean '${hint}'?` : ''}`);
}

/** A list of strings; a lone string counts as a list of one. */
export function strList(y: YamlFile, at: YamlPath, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return [str(y, at, v)];
  return v.map((item, i) => str(y, [...at, i], item));
}

/**
 * Host and group names end up in host patterns, where , : ! & ~ * ? [ ] have a meaning:
 * a name using them could never be selected on its own.
 */
export function checkName(y: YamlFile, at: YamlPath, name: string, kind: 'host' | 'group'): void {
  const bad = /[\s,:!&*?[\]]|^~/.exec(name);
  if (name === '' || bad) {
    const what = bad ? `cannot contain '${bad[0].trim() || 'whitespace'}'` : 'cannot be empty';
    const advice = kind === 'host' ? '; give the host a plain name and its address in address: (ansible_host:)' : '';
    throw y.error(at, `${kind} name '${name}' ${what} (host patterns use , : ! & ~ * ? [ ])${advice}`, { key: true });
  }
}
