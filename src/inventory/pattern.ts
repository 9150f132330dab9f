/**
 * Host patterns, as Ansible's: terms separated by ',' or ':'; a plain term adds hosts
 * (a host, a group, a glob such as web* or db?, or ~regex), '&term' keeps only hosts
 * also in term, '!term' removes hosts. Unions first, then intersections, then exclusions:
 *   web*:&prod:!canary   →  (hosts matching web*) ∩ prod − canary
 */
import { ConfigError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { Inventory } from './model.js';
import { groupHosts } from './groups.js';

export function selectHosts(inv: Inventory, pattern: string): string[] {
  const terms = pattern.split(/[,:]/).map((t) => t.trim()).filter(Boolean);
  if (terms.length === 0) throw new ConfigError(`empty host pattern '${pattern}'`);
  const unions = terms.filter((t) => !t.startsWith('!') && !t.startsWith('&'));
  const intersections = terms.filter((t) => t.startsWith('&')).map((t) => t.slice(1));
  const exclusions = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1));

  let selected = new Set<string>();
  // "!canary" alone means "all but canary".
  for (const t of unions.length > 0 ? unions : ['all']) for (const h of resolveTerm(inv, t)) selected.add(h);
  for (const t of intersections) {
    const keep = new Set(resolveTerm(inv, t));
    selected = new Set([...selected].filter((h) => keep.has(h)));
  }
  for (const t of exclusions) for (const h of resolveTerm(inv, t)) selected.delete(h);

  const ordered = [...inv.hosts.keys()].filter((h) => selected.has(h));
  if (ordered.length === 0) throw new ConfigError(`host pattern '${pattern}' matched no hosts`);
  return ordered;
}

/** One term → host names. A name that is neither a host nor a group is an error with a suggestion. */
function resolveTerm(inv: Inventory, term: string): string[] {
  if (term === 'all' || term === '*') return [...inv.hosts.keys()];
  if (inv.hosts.has(term)) return [term];
  if (inv.groups.has(term)) return groupHosts(inv, term);
  let match: ((name: string) => boolean) | undefined;
  if (term.startsWith('~')) {
    let re: RegExp;
    try {
      re = new RegExp(term.slice(1));
    } catch (e) {
      throw new ConfigError(`invalid regular expression in host pattern '${term}': ${(e as Error).message}`);
    }
    match = (n) => re.test(n);
  } else if (/[*?[]/.test(term)) {
    const re = globToRegExp(term);
    match = (n) => re.test(n);
  }
  if (!match) {
    throw new ConfigError(`no host or group named '${term}'${didYouMean(term, [...inv.hosts.keys(), ...inv.groups.keys()])}`);
  }
  const hosts = new Set<string>();
  for (const h of inv.hosts.keys()) if (match(h)) hosts.add(h);
  for (const g of inv.groups.keys()) if (match(g)) for (const h of groupHosts(inv, g)) hosts.add(h);
  return [...hosts];
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        re += '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
