/**
 * Loading inventories: files and directories (their *.yaml / *.yml, in name order), merged in
 * the order given. Each file is in fleetjail's format or Ansible's (it has a top-level `all:`).
 * After the last file: children must name groups, groups must not form a cycle, and `all`
 * holds every host, with the groups no other group contains as its children.
 */
import fs from 'node:fs';
import path from 'node:path';
import { YamlFile } from '../util/yaml.js';
import { ConfigError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { Inventory } from './model.js';
import { readNativeInventory } from './native.js';
import { readAnsibleInventory } from './ansible.js';
import { parentGroups } from './groups.js';

export function emptyInventory(): Inventory {
  return {
    hosts: new Map(),
    groups: new Map([['all', { name: 'all', hosts: [], children: [], vars: {} }]]),
    defaults: {},
    knownHosts: [],
  };
}

/** `-i a.yaml -i dir/`: every file read into one inventory, later values winning. */
export function loadInventories(paths: string[]): Inventory {
  const inv = emptyInventory();
  for (const p of paths) for (const file of inventoryFiles(p)) readInventoryFile(YamlFile.load(file), inv);
  finishInventory(inv);
  return inv;
}

/** An inventory from YAML text (FILE only names it in messages). */
export function parseInventory(text: string, file = 'inventory.yaml'): Inventory {
  const inv = emptyInventory();
  readInventoryFile(YamlFile.parse(file, text), inv);
  finishInventory(inv);
  return inv;
}

export function isAnsibleInventory(y: YamlFile): boolean {
  return y.keys([]).includes('all');
}

function readInventoryFile(y: YamlFile, inv: Inventory): void {
  if (isAnsibleInventory(y)) readAnsibleInventory(y, inv);
  else readNativeInventory(y, inv);
}

/** The files a -i argument stands for. */
export function inventoryFiles(p: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    throw new ConfigError(`inventory not found: ${p}`);
  }
  if (!stat.isDirectory()) return [p];
  const files = fs
    .readdirSync(p)
    .filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('.'))
    .sort()
    .map((f) => path.join(p, f));
  if (files.length === 0) throw new ConfigError(`inventory directory ${p} holds no .yaml or .yml files`);
  return files;
}

function finishInventory(inv: Inventory): void {
  for (const g of inv.groups.values()) {
    for (const c of g.children) {
      if (c === 'all') throw ConfigError.at(g.pos, `group '${g.name}' cannot have 'all' as a child: 'all' contains every group`);
      if (!inv.groups.has(c)) {
        throw ConfigError.at(g.pos, `group '${g.name}' has child '${c}', which is not a group${didYouMean(c, inv.groups.keys())}`);
      }
    }
  }
  checkAcyclic(inv);
  const all = inv.groups.get('all')!;
  all.hosts = [...inv.hosts.keys()];
  all.children = [...inv.groups.keys()].filter((g) => g !== 'all' && parentGroups(inv, g).every((p) => p === 'all'));
}

function checkAcyclic(inv: Inventory): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw ConfigError.at(inv.groups.get(name)?.pos, `group cycle: ${cycle.join(' -> ')}`);
    }
    state.set(name, 'visiting');
    for (const c of inv.groups.get(name)?.children ?? []) visit(c, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of inv.groups.keys()) visit(name, []);
}
