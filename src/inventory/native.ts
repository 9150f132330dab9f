/**
 * fleetjail's own inventory format (see inventory/example.yaml):
 *
 *   defaults: { user: root, port: 22, identity_file: ~/.ssh/id_ed25519, become: none, proxy_jump: bastion, known_hosts: ./known_hosts }
 *   hosts:
 *     web1: { address: 10.0.0.1, port: 22, user: admin, become: doas, groups: [canary], vars: { ... } }
 *   groups:
 *     web: { hosts: [web1], children: [canary], vars: { ... } }
 *   vars: { ... }            # the variables of the implicit group `all`
 *
 * Reading a second file into the same inventory merges it: later values win field by field
 * (and variable by variable), lists of members and children are unioned.
 */
import path from 'node:path';
import type { YamlFile, YamlPath } from '../util/yaml.js';
import type { HostDecl, HostDefaults, Inventory, Vars } from './model.js';
import { become, checkKeys, optionalMapping, port, str, strList } from './fields.js';
import { addUnique, declareGroup, declareHost } from './declare.js';
import { normalizeConnectionVars } from './connection-vars.js';
import { expandPath } from './paths.js';

const TOP_KEYS = ['defaults', 'hosts', 'groups', 'vars'];
const DEFAULT_KEYS = ['user', 'port', 'identity_file', 'become', 'proxy_jump', 'known_hosts'];
const HOST_KEYS = ['address', 'port', 'user', 'identity_file', 'become', 'proxy_jump', 'groups', 'vars'];
const GROUP_KEYS = ['hosts', 'children', 'vars'];

/** Words from other tools (ssh_config, Ansible) that mean one of our keys. */
const KEY_ALIASES: Record<string, string> = {
  hostname: 'address',
  host: 'address',
  ip: 'address',
  addr: 'address',
  ansible_host: 'address',
  ansible_port: 'port',
  ssh_port: 'port',
  username: 'user',
  login: 'user',
  ansible_user: 'user',
  remote_user: 'user',
  key: 'identity_file',
  ssh_key: 'identity_file',
  private_key: 'identity_file',
  ansible_ssh_private_key_file: 'identity_file',
  jump: 'proxy_jump',
  bastion: 'proxy_jump',
  jump_host: 'proxy_jump',
  ansible_become: 'become',
  ansible_become_method: 'become',
  become_method: 'become',
  members: 'hosts',
  subgroups: 'children',
  parents: 'groups',
  variables: 'vars',
  group_vars: 'vars',
  host_vars: 'vars',
  userknownhostsfile: 'known_hosts',
};

export function readNativeInventory(y: YamlFile, into: Inventory): void {
  if (y.value() === null) return;
  if (!y.isMapping([])) throw y.error([], 'an inventory must be a mapping with hosts:, groups:, defaults:, vars:');
  checkKeys(y, [], TOP_KEYS, KEY_ALIASES);
  const base = path.dirname(path.resolve(y.file));

  const defaults = optionalMapping(y, ['defaults'], 'defaults');
  if (defaults) {
    checkKeys(y, ['defaults'], DEFAULT_KEYS, KEY_ALIASES);
    Object.assign(into.defaults, connectionFields(y, ['defaults'], defaults, base));
    const files = strList(y, ['defaults', 'known_hosts'], defaults.known_hosts);
    for (const f of files) addUnique(into.knownHosts, expandPath(f, base));
  }

  const allVars = readVars(y, ['vars']);
  if (allVars) Object.assign(declareGroup(into, 'all', y, ['vars']).vars, allVars);

  optionalMapping(y, ['hosts'], 'hosts');
  for (const name of y.keys(['hosts'])) readHost(y, into, name, base);
  optionalMapping(y, ['groups'], 'groups');
  for (const name of y.keys(['groups'])) readGroup(y, into, name);
}

function readHost(y: YamlFile, inv: Inventory, name: string, base: string): void {
  const at: YamlPath = ['hosts', name];
  const host = declareHost(inv, name, y, at);
  const h = optionalMapping(y, at, `host '${name}'`);
  if (!h) return;
  checkKeys(y, at, HOST_KEYS, KEY_ALIASES);
  Object.assign(host, connectionFields(y, at, h, base));
  if (h.address !== undefined) host.address = str(y, [...at, 'address'], h.address);
  const vars = readVars(y, [...at, 'vars']);
  if (vars) Object.assign(host.vars, vars);
  strList(y, [...at, 'groups'], h.groups).forEach((g, i) => {
    const where = Array.isArray(h.groups) ? [...at, 'groups', i] : [...at, 'groups'];
    addUnique(declareGroup(inv, g, y, where).hosts, name);
  });
}

function readGroup(y: YamlFile, inv: Inventory, name: string): void {
  const at: YamlPath = ['groups', name];
  const group = declareGroup(inv, name, y, at);
  const g = optionalMapping(y, at, `group '${name}'`);
  if (!g) return;
  checkKeys(y, at, GROUP_KEYS, KEY_ALIASES);
  strList(y, [...at, 'hosts'], g.hosts).forEach((h, i) => {
    declareHost(inv, h, y, Array.isArray(g.hosts) ? [...at, 'hosts', i] : [...at, 'hosts']);
    addUnique(group.hosts, h);
  });
  for (const c of strList(y, [...at, 'children'], g.children)) addUnique(group.children, c);
  const vars = readVars(y, [...at, 'vars']);
  if (vars) Object.assign(group.vars, vars);
}

function readVars(y: YamlFile, at: YamlPath): Vars | undefined {
  const vars = optionalMapping(y, at, 'vars');
  if (vars) normalizeConnectionVars(y, at, vars);
  return vars;
}

/** The connection fields hosts and `defaults:` share. */
function connectionFields(y: YamlFile, at: YamlPath, o: Record<string, unknown>, base: string): HostDefaults & Partial<HostDecl> {
  const out: HostDefaults = {};
  if (o.user !== undefined) out.user = str(y, [...at, 'user'], o.user);
  if (o.port !== undefined) out.port = port(y, [...at, 'port'], o.port);
  if (o.identity_file !== undefined) out.identityFile = expandPath(str(y, [...at, 'identity_file'], o.identity_file), base);
  if (o.proxy_jump !== undefined) out.proxyJump = str(y, [...at, 'proxy_jump'], o.proxy_jump);
  if (o.become !== undefined) out.become = become(y, [...at, 'become'], o.become);
  return out;
}
