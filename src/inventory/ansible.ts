/**
 * Ansible's YAML inventory, read as is so teams can bring theirs:
 *
 *   all:
 *     hosts: { web1: { ansible_host: 10.0.0.1, ansible_port: 22, ansible_user: admin } }
 *     children:
 *       web: { hosts: { web[01:03]: }, children: { ... }, vars: { ... } }
 *     vars: { ... }
 *
 * Top-level keys besides `all` are groups too, as in Ansible. Every variable, connection
 * variables included, stays a variable (see connection-vars.ts); host ranges are expanded.
 */
import type { YamlFile, YamlPath } from '../util/yaml.js';
import type { GroupDecl, Inventory, Vars } from './model.js';
import { checkKeys, optionalMapping } from './fields.js';
import { addUnique, declareGroup, declareHost } from './declare.js';
import { normalizeConnectionVars } from './connection-vars.js';
import { expandHostRange } from './host-range.js';

const GROUP_KEYS = ['hosts', 'children', 'vars'];
const KEY_ALIASES: Record<string, string> = {
  groups: 'children',
  subgroups: 'children',
  members: 'hosts',
  variables: 'vars',
  group_vars: 'vars',
};

export function readAnsibleInventory(y: YamlFile, into: Inventory): void {
  if (!y.isMapping([])) throw y.error([], 'an Ansible inventory must be a mapping of groups, starting with all:');
  for (const name of y.keys([])) readGroup(y, into, name, [name], undefined);
}

function readGroup(y: YamlFile, inv: Inventory, name: string, at: YamlPath, parent: GroupDecl | undefined): void {
  if (parent && name === 'all') throw y.error(at, "'all' contains every group; it cannot be a child", { key: true });
  const group = declareGroup(inv, name, y, at);
  if (parent && parent.name !== 'all') addUnique(parent.children, name);
  const g = optionalMapping(y, at, `group '${name}'`);
  if (!g) return;
  checkKeys(y, at, GROUP_KEYS, KEY_ALIASES);

  const vars = readVars(y, [...at, 'vars']);
  if (vars) Object.assign(group.vars, vars);

  if (g.hosts !== undefined && g.hosts !== null && !y.isMapping([...at, 'hosts'])) {
    throw y.error([...at, 'hosts'], 'hosts: must be a mapping of host names (`web1:` alone, or `web1: { ansible_host: ... }`), not a list');
  }
  for (const key of y.keys([...at, 'hosts'])) {
    const hostAt: YamlPath = [...at, 'hosts', key];
    const names = expandHostRange(key);
    if (!Array.isArray(names)) throw y.error(hostAt, names.error, { key: true });
    const hostVars = readVars(y, hostAt, `host '${key}'`);
    for (const hostName of names) {
      const host = declareHost(inv, hostName, y, hostAt);
      if (name !== 'all') addUnique(group.hosts, hostName);
      if (hostVars) Object.assign(host.vars, structuredClone(hostVars));
    }
  }

  optionalMapping(y, [...at, 'children'], 'children');
  for (const child of y.keys([...at, 'children'])) readGroup(y, inv, child, [...at, 'children', child], group);
}

function readVars(y: YamlFile, at: YamlPath, what = 'vars'): Vars | undefined {
  const vars = optionalMapping(y, at, what);
  if (vars) normalizeConnectionVars(y, at, vars);
  return vars;
}
