/** The group graph: members through children, a host's groups, and their order for variables. */
import type { Inventory } from './model.js';

/** Every host of GROUP, its children's included, in inventory order. */
export function groupHosts(inv: Inventory, group: string): string[] {
  const members = new Set<string>();
  const seen = new Set<string>();
  const walk = (name: string) => {
    const g = inv.groups.get(name);
    if (!g || seen.has(name)) return;
    seen.add(name);
    for (const h of g.hosts) members.add(h);
    for (const c of g.children) walk(c);
  };
  walk(group);
  return [...inv.hosts.keys()].filter((h) => members.has(h));
}

/** Groups that list NAME as a child. */
export function parentGroups(inv: Inventory, name: string): string[] {
  return [...inv.groups.values()].filter((g) => g.children.includes(name)).map((g) => g.name);
}

/**
 * The groups HOST belongs to, directly or through children, in the order their variables
 * apply (Ansible's): by depth below `all` (the longest path), then by name. `all` is first.
 */
export function hostGroups(inv: Inventory, host: string): string[] {
  const member = new Set<string>(['all']);
  const climb = (name: string) => {
    if (member.has(name)) return;
    member.add(name);
    for (const p of parentGroups(inv, name)) climb(p);
  };
  for (const g of inv.groups.values()) if (g.name !== 'all' && g.hosts.includes(host)) climb(g.name);
  const depths = new Map<string, number>();
  const depth = (name: string, trail: string[] = []): number => {
    const known = depths.get(name);
    if (known !== undefined) return known;
    if (name === 'all' || trail.includes(name)) return 0;
    const parents = parentGroups(inv, name).filter((p) => p !== 'all');
    const d = 1 + Math.max(0, ...parents.map((p) => depth(p, [...trail, name])));
    depths.set(name, d);
    return d;
  };
  return [...member].sort((a, b) => depth(a) - depth(b) || (a === b ? 0 : a < b ? -1 : 1));
}
