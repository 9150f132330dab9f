/**
 * A host's variables: all < parent group < child group < host. Groups at the same depth
 * apply in name order (as Ansible does). Each key replaces the previous value whole: no deep
 * merge of mappings (Ansible's default, hash_behaviour=replace), so a host that sets
 * `ntp: { servers: [...] }` gets exactly that mapping, not a mix with its groups'.
 */
import type { Inventory, Vars } from './model.js';
import { hostGroups } from './groups.js';

export function hostVars(inv: Inventory, host: string): Vars {
  const out: Vars = {};
  for (const g of hostGroups(inv, host)) Object.assign(out, structuredClone(inv.groups.get(g)?.vars));
  Object.assign(out, structuredClone(inv.hosts.get(host)?.vars));
  return out;
}
