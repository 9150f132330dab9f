/**
 * `fleetjail inventory --list | --graph [GROUP] | --host NAME`: the inventory as fleetjail sees
 * it after merging files, groups and variables, in ansible-inventory's shapes so that existing
 * tooling can read it. Groups and hosts come in inventory order.
 */
import type { ConnectTarget, Inventory, Vars } from './model.js';
import type { SshConfig } from './ssh-config.js';
import { hostVars } from './vars.js';
import { resolveTarget, type Fallbacks, type Overrides } from './resolve.js';
import { formatHop } from './proxy-jump.js';
import { ConfigError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';

/**
 * `{"_meta": {"hostvars": {host: merged vars}}, "all": {"children": [...]},
 *   "web": {"hosts": [...], "children": [...], "vars": {...}}}`; empty keys and empty groups are left out.
 */
export function inventoryList(inv: Inventory): Record<string, unknown> {
  const hostvars: Record<string, Vars> = {};
  for (const h of inv.hosts.keys()) hostvars[h] = hostVars(inv, h);
  const out: Record<string, unknown> = { _meta: { hostvars } };
  for (const g of inv.groups.values()) {
    const entry: Record<string, unknown> = {};
    if (g.name !== 'all' && g.hosts.length > 0) entry.hosts = [...g.hosts];
    if (g.children.length > 0) entry.children = [...g.children];
    if (Object.keys(g.vars).length > 0) entry.vars = g.vars;
    if (Object.keys(entry).length > 0) out[g.name] = entry;
  }
  return out;
}

/**
 * A tree like `ansible-inventory --graph`:
 *   @all:
 *     |--@web:
 *     |  |--web1
 *     |--lonely        (under all: the hosts no group has)
 */
export function inventoryGraph(inv: Inventory, root = 'all'): string {
  if (!inv.groups.has(root)) throw new ConfigError(`no group named '${root}'${didYouMean(root, inv.groups.keys())}`);
  const lines: string[] = [];
  const line = (name: string, depth: number) => lines.push(depth === 0 ? name : `${'  |'.repeat(depth)}--${name}`);
  const walk = (name: string, depth: number) => {
    const g = inv.groups.get(name)!;
    line(`@${name}:`, depth);
    for (const c of g.children) walk(c, depth + 1);
    for (const h of name === 'all' ? ungroupedHosts(inv) : g.hosts) line(h, depth + 1);
  };
  walk(root, 0);
  return lines.join('\n') + '\n';
}

function ungroupedHosts(inv: Inventory): string[] {
  const grouped = new Set<string>();
  for (const g of inv.groups.values()) if (g.name !== 'all') for (const h of g.hosts) grouped.add(h);
  return [...inv.hosts.keys()].filter((h) => !grouped.has(h));
}

/** One host: its merged variables, and how fleetjail will connect to it under `fleetjail_connection`. */
export function inventoryHost(
  inv: Inventory,
  name: string,
  ssh?: SshConfig,
  cli: Overrides = {},
  fallback: Fallbacks = {},
): Record<string, unknown> {
  if (!inv.hosts.has(name)) throw new ConfigError(`no host named '${name}'${didYouMean(name, inv.hosts.keys())}`);
  const t = resolveTarget(inv, name, ssh, cli, fallback);
  return { ...hostVars(inv, name), fleetjail_connection: connectionSummary(t) };
}

export function connectionSummary(t: ConnectTarget): Record<string, unknown> {
  return {
    address: t.address,
    port: t.port,
    user: t.user,
    become: t.become,
    identity_files: t.identityFiles,
    proxy_jump: t.proxyJump.map((h) => formatHop({ user: h.user, host: h.address, port: h.port })),
  };
}
