/**
 * Host patterns, as Ansible's. Terms are separated by ',' or ':':
 *   web1  prod  all  *         a host, a group (with its children), every host
 *   web*  db?  db[1-3]         a glob, matched against host and group names
 *   ~^web\d+$                  a regular expression, matched the same way
 *   &prod                      keep only hosts also in prod
 *   !canary                    drop hosts in canary
 * Unions are taken first, then intersections, then exclusions, whatever the order written:
 *   web*:&prod:!canary  →  (hosts matching web*) ∩ prod − canary
 * A pattern of only & and ! terms starts from all. The result is in inventory order.
 */
import { ConfigError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { Inventory } from './model.js';
import { groupHosts } from './groups.js';
import { globToRegExp, hasWildcard } from './glob.js';

export function selectHosts(inv: Inventory, pattern: string): string[] {
  const terms = pattern
    .split(/[,:]/)
    .map((t) => t.trim())
    .filter(Boolean);
  if (terms.length === 0) throw new ConfigError(`empty host pattern '${pattern}'`);
  const unions = terms.filter((t) => !t.startsWith('!') && !t.startsWith('&'));
  const intersections = terms.filter((t) => t.startsWith('&')).map((t) => t.slice(1));
  const exclusions = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1));

  let selected = new Set<string>();
  for (const t of unions.length > 0 ? unions : ['all']) for (const h of hostsOfTerm(inv, t, pattern)) selected.add(h);
  for (const t of intersections) {
    const keep = new Set(hostsOfTerm(inv, t, pattern));
    selected = new Set([...selected].filter((h) => keep.has(h)));
  }
  for (const t of exclusions) for (const h of hostsOfTerm(inv, t, pattern)) selected.delete(h);

  const ordered = [...inv.hosts.keys()].filter((h) => selected.has(h));
  if (ordered.length === 0) throw new ConfigError(`host pattern '${pattern}' matched no hosts`);
  return ordered;
}

/**
 * The hosts a command acts on: PATTERN (a playbook's `hosts:` or the command's argument),
 * narrowed by --limit. Selected once per command; everything after works on these names.
 * SOURCE names where the pattern came from, for the error.
 */
export function selectFleet(inv: Inventory, pattern: string, limit?: string, source?: string): string[] {
  const names = selectHosts(inv, pattern);
  if (!limit) return names;
  const allowed = new Set(selectHosts(inv, limit));
  const kept = names.filter((n) => allowed.has(n));
  if (kept.length === 0) throw new ConfigError(`no host matches both '${pattern}'${source ? ` (${source})` : ''} and --limit '${limit}'`);
  return kept;
}

/** One term's hosts. A plain name that is neither a host nor a group is an error, with a suggestion. */
function hostsOfTerm(inv: Inventory, term: string, pattern: string): string[] {
  if (term === '') throw new ConfigError(`host pattern '${pattern}' has an empty term after '&' or '!'`);
  if (term === 'all' || term === '*') return [...inv.hosts.keys()];
  if (inv.hosts.has(term)) return [term];
  if (inv.groups.has(term)) return groupHosts(inv, term);
  const matches = nameMatcher(term);
  if (!matches) {
    throw new ConfigError(`no host or group named '${term}'${didYouMean(term, [...inv.hosts.keys(), ...inv.groups.keys()])}`);
  }
  const hosts = new Set<string>();
  for (const h of inv.hosts.keys()) if (matches(h)) hosts.add(h);
  for (const g of inv.groups.keys()) if (matches(g)) for (const h of groupHosts(inv, g)) hosts.add(h);
  return [...hosts];
}

function nameMatcher(term: string): ((name: string) => boolean) | undefined {
  if (term.startsWith('~')) {
    let re: RegExp;
    try {
      re = new RegExp(term.slice(1));
    } catch (e) {
      throw new ConfigError(`invalid regular expression in host pattern term '${term}': ${(e as Error).message}`);
    }
    return (n) => re.test(n);
  }
  if (hasWildcard(term)) {
    const re = globToRegExp(term);
    return (n) => re.test(n);
  }
  return undefined;
}
