/**
 * Cases of the hostile corpus: the string leaves of a module's zod schema (nested objects,
 * arrays and records, a record's keys too) and a module's arguments with a value at one of them.
 */
import type { z } from 'zod';

export type Step = string | number;
export interface Leaf {
  path: Step[];
  recordKey: boolean;
}

/** Every string leaf of a zod schema (a record's keys too), as paths into the arguments. */
export function stringLeaves(schema: z.ZodType, at: Step[] = []): Leaf[] {
  const def = (schema as any)._zod.def;
  switch (def.type) {
    case 'string':
      return [{ path: at, recordKey: false }];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return stringLeaves(def.innerType, at);
    case 'pipe':
      return stringLeaves(def.in, at);
    case 'object':
      return Object.entries(def.shape).flatMap(([k, v]) => stringLeaves(v as z.ZodType, [...at, k]));
    case 'array':
      return stringLeaves(def.element, [...at, 0]);
    case 'union': {
      const seen = new Set<string>();
      return def.options
        .flatMap((o: z.ZodType) => stringLeaves(o, at))
        .filter((l: Leaf) => !seen.has(JSON.stringify(l)) && seen.add(JSON.stringify(l)));
    }
    case 'record':
      return [{ path: at, recordKey: true }, ...stringLeaves(def.valueType, [...at, '*'])];
    default:
      return [];
  }
}

/** BASE with VALUE at PATH ('*': a record's first key, or fj.param). */
export function withValue(base: unknown, leaf: Leaf, value: string): unknown {
  if (leaf.path.length === 0) return leaf.recordKey ? { [value]: 'x' } : value;
  const root = structuredClone(typeof base === 'object' && base !== null ? base : {}) as any;
  let node = root;
  leaf.path.forEach((step, i) => {
    const last = i === leaf.path.length - 1;
    const key = step === '*' ? (Object.keys(node)[0] ?? 'fj.param') : step;
    if (last) {
      if (leaf.recordKey) node[key] = { ...(node[key] ?? {}), [value]: 'x' };
      else node[key] = value;
      return;
    }
    if (node[key] === undefined || typeof node[key] !== 'object') node[key] = typeof leaf.path[i + 1] === 'number' ? [] : {};
    node = node[key];
  });
  return root;
}
