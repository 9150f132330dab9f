/**
 * Ansible's YAML inventory, so teams can bring theirs as is:
 *   all: { hosts: { web1: { ansible_host: ..., ansible_port: ..., ansible_user: ... } },
 *          children: { web: { hosts: {...}, children: {...}, vars: {...} } }, vars: {...} }
 * Connection variables become host fields; every other variable stays a variable.
 */
import path from 'node:path';
import type { Become } from '../transport/types.js';
import type { YamlFile, YamlPath } from '../util/yaml.js';
import type { HostDecl, Inventory, Vars } from './model.js';
import { checkKeys, groupOf, hostOf } from './native.js';
import { expandPath } from './paths.js';

const GROUP_KEYS = ['hosts', 'children', 'vars'];

export function readAnsibleInventory(y: YamlFile, into: Inventory): void {
  checkKeys(y, [], ['all']);
  const value = y.value() as { all?: unknown };
  readGroup(y, into, 'all', ['all'], value.all, path.dirname(path.resolve(y.file)));
}

function readGroup(y: YamlFile, inv: Inventory, name: string, at: YamlPath, raw: unknown, base: string): void {
  const group = groupOf(inv, name, y, at);
  if (raw === null || raw === undefined) return;
  if (!y.isMapping(at)) throw y.error(at, `group '${name}' must be a mapping with hosts:, children:, vars:`);
  checkKeys(y, at, GROUP_KEYS);
  const g = raw as { hosts?: Record<string, unknown>; children?: Record<string, unknown>; vars?: Vars };
  if (g.vars) Object.assign(group.vars, g.vars);
  for (const [hostName, hostVars] of Object.entries(g.hosts ?? {})) {
    const host = hostOf(inv, hostName, y, [...at, 'hosts', hostName]);
    if (name !== 'all' && !group.hosts.includes(hostName)) group.hosts.push(hostName);
    applyHostVars(host, (hostVars ?? {}) as Vars, base);
  }
  for (const [child, childRaw] of Object.entries(g.children ?? {})) {
    if (!group.children.includes(child)) group.children.push(child);
    readGroup(y, inv, child, [...at, 'children', child], childRaw, base);
  }
}

function applyHostVars(host: HostDecl, vars: Vars, base: string): void {
  for (const [k, v] of Object.entries(vars)) {
    switch (k) {
      case 'ansible_host':
        host.address = String(v);
        break;
      case 'ansible_port':
        host.port = Number(v);
        break;
      case 'ansible_user':
        host.user = String(v);
        break;
      case 'ansible_ssh_private_key_file':
        host.identityFile = expandPath(String(v), base);
        break;
      case 'ansible_become':
        if (v === false || v === 'false' || v === 'no') host.become = 'none';
        else host.become ??= (vars.ansible_become_method as Become | undefined) ?? 'sudo';
        break;
      case 'ansible_become_method':
        if (vars.ansible_become !== undefined && vars.ansible_become !== false) host.become = v as Become;
        break;
      default:
        host.vars[k] = v;
    }
  }
}
