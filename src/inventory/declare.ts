/** Adding hosts and groups to an inventory as files are read: the first declaration's position is kept. */
import type { YamlFile, YamlPath } from '../util/yaml.js';
import type { GroupDecl, HostDecl, Inventory } from './model.js';
import { checkName } from './fields.js';

/** The host NAME, declared at AT (the key naming it) if it is new. */
export function declareHost(inv: Inventory, name: string, y: YamlFile, at: YamlPath): HostDecl {
  let h = inv.hosts.get(name);
  if (!h) {
    checkName(y, at, name, 'host');
    if (inv.groups.has(name)) {
      throw y.error(at, `'${name}' is already a group name; a host cannot share it`, { key: true });
    }
    h = { name, vars: {}, pos: y.location(at, { key: true }) };
    inv.hosts.set(name, h);
  }
  return h;
}

export function declareGroup(inv: Inventory, name: string, y: YamlFile, at: YamlPath): GroupDecl {
  let g = inv.groups.get(name);
  if (!g) {
    checkName(y, at, name, 'group');
    if (inv.hosts.has(name)) throw y.error(at, `'${name}' is already a host name; a group cannot share it`, { key: true });
    g = { name, hosts: [], children: [], vars: {}, pos: y.location(at, { key: true }) };
    inv.groups.set(name, g);
  } else if (!g.pos) {
    g.pos = y.location(at, { key: true });
  }
  return g;
}

export function addUnique(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
}
