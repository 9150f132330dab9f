/**
 * `fleetjail inventory --list | --graph | --host NAME`: the inventory as fleetjail sees it
 * after merging files, groups and variables.
 */
import type { Inventory, Vars } from './model.js';
import type { SshConfig } from './ssh-config.js';
import { groupHosts } from './groups.js';
import { hostVars } from './vars.js';
import { resolveTarget } from './resolve.js';
import { ConfigError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';

/** Ansible's `ansible-inventory --list` shape, so existing tooling can read it. */
export function inventoryList(inv: Inventory): Record<string, unknown> {
  const hostvars: Record<string, Vars> = {};
  for (const h of inv.hosts.keys()) hostvars[h] = hostVars(inv, h);
  const out: Record<string, unknown> = { _meta: { hostvars } };
  const topLevel = [...inv.groups.keys()].filter((g) => g !== 'all' && ![...inv.groups.values()].some((p) => p.children.includes(g)));
  out.all = { children: topLevel, ...(Object.keys(inv.groups.get('all')?.vars ?? {}).length ? { vars: inv.groups.get('all')?.vars } : {}) };
  for (const g of inv.groups.values()) {
    if (g.name === 'all') continue;
    out[g.name] = {
      ...(g.hosts.length ? { hosts: g.hosts } : {}),
      ...(g.children.length ? { children: g.children } : {}),
      ...(Object.keys(g.vars).length ? { vars: g.vars } : {}),
    };
  }
  return out;
}

/** A tree like `ansible-inventory --graph`. */
export function inventoryGraph(inv: Inventory, root = 'all'): string {
  if (!inv.groups.has(root)) throw new ConfigError(`no group named '${root}'${didYouMean(root, inv.groups.keys())}`);
  const lines: string[] = [`@${root}:`];
  const walk = (group: string, indent: string) => {
    const g = inv.groups.get(group)!;
    const children = group === 'all'
      ? [...inv.groups.keys()].filter((n) => n !== 'all' && ![...inv.groups.values()].some((p) => p.children.includes(n)))
      : g.children;
    for (const c of children) {
      lines.push(`${indent}|--@${c}:`);
      walk(c, `${indent}|  `);
    }
    const direct = group === 'all'
      ? [...inv.hosts.keys()].filter((h) => ![...inv.groups.values()].some((x) => x.name !== 'all' && groupHosts(inv, x.name).includes(h)))
      : g.hosts;
    for (const h of direct) lines.push(`${indent}|--${h}`);
  };
  walk(root, '  ');
  return lines.join('\n') + '\n';
}

/** One host: its merged variables and how fleetjail will connect to it. */
export function inventoryHost(inv: Inventory, name: string, ssh?: SshConfig): Record<string, unknown> {
  if (!inv.hosts.has(name)) throw new ConfigError(`no host named '${name}'${didYouMean(name, inv.hosts.keys())}`);
  const t = resolveTarget(inv, name, ssh);
  return {
    ...hostVars(inv, name),
    fleetjail_connection: {
      address: t.address, port: t.port, user: t.user, become: t.become,
      identity_files: t.identityFiles, proxy_jump: t.proxyJump.map((h) => `${h.user}@${h.address}:${h.port}`),
    },
  };
}
