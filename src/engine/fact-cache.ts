/**
 * A host's gathered facts, by query key. A change marks the facts that read what it
 * touched as stale; a later step that needs a stale or missing fact has it gathered again.
 * Parsed values are kept, so a fact shared by several steps is parsed once.
 */
import type { FactOutput, FactQuery } from '../modules/kit/contract.js';
import { matches, res, type Resource } from '../facts/resources.js';

interface Entry {
  query: FactQuery<unknown>;
  output?: FactOutput;
  /** Why the batch gave no output for this query (the script died, the connection broke). */
  missing?: string;
  stale: boolean;
  parsed?: { ok: true; value: unknown } | { ok: false; error: Error };
}

export class FactCache {
  private readonly entries = new Map<string, Entry>();

  /** The queries among QUERIES that must be gathered: never gathered, or stale. */
  needed(queries: ReadonlyArray<FactQuery<unknown>>): Array<FactQuery<unknown>> {
    const seen = new Set<string>();
    return queries.filter((q) => {
      if (seen.has(q.key)) return false;
      seen.add(q.key);
      const e = this.entries.get(q.key);
      return !e || e.stale;
    });
  }

  store(query: FactQuery<unknown>, output: FactOutput | undefined, missing = 'the fact script ended before this query ran'): void {
    this.entries.set(query.key, { query, stale: false, ...(output ? { output } : { missing }) });
  }

  isStale(query: FactQuery<unknown>): boolean {
    return this.entries.get(query.key)?.stale ?? false;
  }

  /** The parsed fact; throws the parser's error (or why there is no output). */
  get<T>(query: FactQuery<T>): T {
    const e = this.entries.get(query.key);
    if (!e) throw new Error(`fact ${query.key} was not gathered`);
    if (!e.parsed) {
      try {
        if (!e.output) throw new Error(e.missing ?? 'no output');
        e.parsed = { ok: true, value: e.query.parse(e.output) };
      } catch (err) {
        e.parsed = { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
      }
    }
    if (!e.parsed.ok) throw e.parsed.error;
    return e.parsed.value as T;
  }

  /** Mark stale every fact that reads something PATTERNS name (exact, prefix*, or *). Volatile facts always. */
  invalidate(patterns: readonly Resource[]): void {
    for (const e of this.entries.values()) {
      if (e.query.resources.some((r) => r === res.volatile || patterns.some((p) => matches(p, r)))) {
        e.stale = true;
      }
    }
  }
}
