/**
 * Loading inventories: several files (or directories of *.yaml/*.yml) merged in order,
 * each in fleetjail's format or Ansible's (told apart by a top-level `all:`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { YamlFile } from '../util/yaml.js';
import { ConfigError } from '../util/errors.js';
import type { Inventory } from './model.js';
import { readNativeInventory } from './native.js';
import { readAnsibleInventory } from './ansible.js';

export function emptyInventory(): Inventory {
  return {
    hosts: new Map(),
    groups: new Map([['all', { name: 'all', hosts: [], children: [], vars: {} }]]),
    defaults: {},
    knownHosts: [],
  };
}

export function loadInventories(paths: string[]): Inventory {
  const inv = emptyInventory();
  for (const p of paths) {
    for (const file of inventoryFiles(p)) readInventoryFile(YamlFile.load(file), inv);
  }
  finish(inv);
  return inv;
}

/** For tests and tools: an inventory from YAML text. */
export function parseInventory(text: string, file = 'inventory.yaml'): Inventory {
  const inv = emptyInventory();
  readInventoryFile(YamlFile.parse(file, text), inv);
  finish(inv);
  return inv;
}

function readInventoryFile(y: YamlFile, inv: Inventory): void {
  if (y.keys([]).includes('all')) readAnsibleInventory(y, inv);
  else readNativeInventory(y, inv);
}

function inventoryFiles(p: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    throw new ConfigError(`inventory not found: ${p}`);
  }
  if (!stat.isDirectory()) return [p];
  const files = fs.readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(p, f));
  if (files.length === 0) throw new ConfigError(`inventory directory ${p} holds no .yaml files`);
  return files;
}

/** Every group's children must exist, the group graph must be acyclic, and `all` holds every host. */
function finish(inv: Inventory): void {
  for (const g of inv.groups.values()) {
    for (const c of g.children) {
      if (!inv.groups.has(c)) {
        const where = g.pos ? `${g.pos.file}:${g.pos.line}:${g.pos.col}: ` : '';
        throw new ConfigError(`${where}group '${g.name}' has child '${c}', which is not a group`);
      }
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new ConfigError(`group cycle: ${[...trail, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const c of inv.groups.get(name)?.children ?? []) visit(c, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of inv.groups.keys()) visit(name, []);
  const all = inv.groups.get('all')!;
  all.hosts = [...inv.hosts.keys()];
  all.children = [];
}
