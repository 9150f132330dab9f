/**
 * A host's variables: all < parent groups < child groups < host, each key overriding
 * the previous one whole (like Ansible's default hash_behaviour=replace).
 */
import type { Inventory, Vars } from './model.js';
import { hostGroups } from './groups.js';

export function hostVars(inv: Inventory, host: string): Vars {
  const out: Vars = {};
  for (const g of hostGroups(inv, host)) Object.assign(out, inv.groups.get(g)?.vars);
  Object.assign(out, inv.hosts.get(host)?.vars);
  return out;
}
