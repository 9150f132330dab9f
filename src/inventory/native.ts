/**
 * fleetjail's inventory format:
 *
 *   defaults: { user: root, port: 22, identity_file: ~/.ssh/id_ed25519, become: none, known_hosts: ./known_hosts }
 *   hosts:
 *     web1: { address: 10.0.0.1, groups: [web], vars: { ... } }
 *   groups:
 *     web: { hosts: [web1], children: [canary], vars: { ... } }
 *   vars: { ... }            # the vars of group `all`
 */
import path from 'node:path';
import type { Become } from '../transport/types.js';
import type { YamlFile, YamlPath } from '../util/yaml.js';
import { didYouMean } from '../util/suggest.js';
import type { GroupDecl, HostDecl, Inventory, Vars } from './model.js';
import { expandPath } from './paths.js';

const TOP_KEYS = ['defaults', 'hosts', 'groups', 'vars'];
const DEFAULT_KEYS = ['user', 'port', 'identity_file', 'become', 'proxy_jump', 'known_hosts'];
const HOST_KEYS = ['address', 'port', 'user', 'identity_file', 'become', 'proxy_jump', 'groups', 'vars'];
const GROUP_KEYS = ['hosts', 'children', 'vars'];
const BECOME: Become[] = ['none', 'doas', 'sudo'];

export function readNativeInventory(y: YamlFile, into: Inventory): void {
  const base = path.dirname(path.resolve(y.file));
  const value = (y.value() ?? {}) as Record<string, unknown>;
  if (!y.isMapping([])) throw y.error([], 'an inventory must be a mapping with hosts:, groups:, defaults:, vars:');
  checkKeys(y, [], TOP_KEYS);

  if (value.defaults !== undefined) {
    checkMapping(y, ['defaults']);
    checkKeys(y, ['defaults'], DEFAULT_KEYS);
    const d = value.defaults as Record<string, unknown>;
    const conn = connectionFields(y, ['defaults'], d, base);
    Object.assign(into.defaults, conn);
    if (d.known_hosts !== undefined) {
      const list = Array.isArray(d.known_hosts) ? d.known_hosts : [d.known_hosts];
      into.knownHosts.push(...list.map((f, i) => expandPath(str(y, ['defaults', 'known_hosts', ...(Array.isArray(d.known_hosts) ? [i] : [])], f), base)));
    }
  }
  if (value.vars !== undefined) {
    checkMapping(y, ['vars']);
    Object.assign(groupOf(into, 'all', y, ['vars']).vars, value.vars as Vars);
  }
  if (value.hosts !== undefined) {
    checkMapping(y, ['hosts']);
    for (const [name, raw] of Object.entries((value.hosts ?? {}) as Record<string, unknown>)) {
      const at: YamlPath = ['hosts', name];
      const h = (raw ?? {}) as Record<string, unknown>;
      if (raw !== null && raw !== undefined) {
        checkMapping(y, at);
        checkKeys(y, at, HOST_KEYS);
      }
      const host = hostOf(into, name, y, at);
      Object.assign(host, connectionFields(y, at, h, base));
      if (h.address !== undefined) host.address = str(y, [...at, 'address'], h.address);
      if (h.vars !== undefined) {
        checkMapping(y, [...at, 'vars']);
        Object.assign(host.vars, h.vars as Vars);
      }
      for (const g of strList(y, [...at, 'groups'], h.groups)) addUnique(groupOf(into, g, y, [...at, 'groups']).hosts, name);
    }
  }
  if (value.groups !== undefined) {
    checkMapping(y, ['groups']);
    for (const [name, raw] of Object.entries((value.groups ?? {}) as Record<string, unknown>)) {
      const at: YamlPath = ['groups', name];
      const g = (raw ?? {}) as Record<string, unknown>;
      if (raw !== null && raw !== undefined) {
        checkMapping(y, at);
        checkKeys(y, at, GROUP_KEYS);
      }
      const group = groupOf(into, name, y, at);
      for (const h of strList(y, [...at, 'hosts'], g.hosts)) {
        if (!into.hosts.has(h)) hostOf(into, h, y, [...at, 'hosts']);
        addUnique(group.hosts, h);
      }
      for (const c of strList(y, [...at, 'children'], g.children)) addUnique(group.children, c);
      if (g.vars !== undefined) {
        checkMapping(y, [...at, 'vars']);
        Object.assign(group.vars, g.vars as Vars);
      }
    }
  }
}

function connectionFields(y: YamlFile, at: YamlPath, o: Record<string, unknown>, base: string): Partial<HostDecl> {
  const out: Partial<HostDecl> = {};
  if (o.user !== undefined) out.user = str(y, [...at, 'user'], o.user);
  if (o.port !== undefined) out.port = port(y, [...at, 'port'], o.port);
  if (o.identity_file !== undefined) out.identityFile = expandPath(str(y, [...at, 'identity_file'], o.identity_file), base);
  if (o.proxy_jump !== undefined) out.proxyJump = str(y, [...at, 'proxy_jump'], o.proxy_jump);
  if (o.become !== undefined) {
    const b = o.become === false ? 'none' : o.become;
    if (!BECOME.includes(b as Become)) throw y.error([...at, 'become'], `become must be one of ${BECOME.join(', ')}${didYouMean(String(b), BECOME)}`);
    out.become = b as Become;
  }
  return out;
}

export function hostOf(inv: Inventory, name: string, y: YamlFile, at: YamlPath): HostDecl {
  let h = inv.hosts.get(name);
  if (!h) {
    const { line, col } = y.pos(at, { key: true });
    h = { name, vars: {}, pos: { file: y.file, line, col } };
    inv.hosts.set(name, h);
  }
  return h;
}

export function groupOf(inv: Inventory, name: string, y: YamlFile, at: YamlPath): GroupDecl {
  let g = inv.groups.get(name);
  if (!g) {
    if (inv.hosts.has(name)) throw y.error(at, `'${name}' is already a host name; a group cannot share it`);
    const { line, col } = y.pos(at, { key: true });
    g = { name, hosts: [], children: [], vars: {}, pos: { file: y.file, line, col } };
    inv.groups.set(name, g);
  }
  return g;
}

export function checkKeys(y: YamlFile, at: YamlPath, allowed: string[]): void {
  for (const k of y.keys(at)) {
    if (!allowed.includes(k)) {
      throw y.error([...at, k], `unknown key '${k}'${didYouMean(k, allowed)} (allowed: ${allowed.join(', ')})`, { key: true });
    }
  }
}

function checkMapping(y: YamlFile, at: YamlPath): void {
  if (!y.isMapping(at)) throw y.error(at, `'${String(at[at.length - 1])}' must be a mapping`);
}

function str(y: YamlFile, at: YamlPath, v: unknown): string {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  throw y.error(at, `'${String(at[at.length - 1])}' must be a non-empty string`);
}

function port(y: YamlFile, at: YamlPath, v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 65536) return n;
  throw y.error(at, `port must be an integer from 1 to 65535, got ${JSON.stringify(v)}`);
}

function strList(y: YamlFile, at: YamlPath, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((item, i) => str(y, Array.isArray(v) ? [...at, i] : at, item));
}

function addUnique(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
}
