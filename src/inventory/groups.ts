/** Group membership: a group's hosts include its children's hosts, recursively. */
import type { Inventory } from './model.js';

export function groupHosts(inv: Inventory, group: string, seen = new Set<string>()): string[] {
  const g = inv.groups.get(group);
  if (!g || seen.has(group)) return [];
  seen.add(group);
  const hosts = new Set(g.hosts);
  for (const c of g.children) for (const h of groupHosts(inv, c, seen)) hosts.add(h);
  return [...hosts];
}

/** The groups a host belongs to (directly or through children), parents before children, `all` first. */
export function hostGroups(inv: Inventory, host: string): string[] {
  const depth = (name: string, seen = new Set<string>()): number => {
    if (seen.has(name)) return 0;
    seen.add(name);
    const parents = [...inv.groups.values()].filter((g) => g.children.includes(name));
    return parents.length === 0 ? (name === 'all' ? 0 : 1) : 1 + Math.max(...parents.map((p) => depth(p.name, seen)));
  };
  const member = [...inv.groups.keys()].filter((g) => groupHosts(inv, g).includes(host));
  return member.sort((a, b) => depth(a) - depth(b));
}
