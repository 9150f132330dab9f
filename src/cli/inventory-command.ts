/** `fleetjail inventory --list | --graph [GROUP] | --host NAME`. */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { inventoryGraph, inventoryHost, inventoryList } from '../inventory/show.js';
import { loadSshConfig } from '../inventory/ssh-config.js';
import { ConfigError } from '../util/errors.js';
import { loadInventoryFromOptions } from './fleet-context.js';

interface InventoryOptions {
  inventory: string[];
  list?: boolean;
  graph?: string | boolean;
  host?: string;
  sshConfig?: string;
}

export function registerInventory(program: Command): void {
  program
    .command('inventory')
    .description('show the inventory after merging files, groups and variables')
    .option(
      '-i, --inventory <file>',
      'inventory file or directory (repeatable; default: inventory/)',
      (v: string, p: string[] | undefined) => [...(p ?? []), v],
    )
    .option('--list', 'every group and host variable, as JSON (ansible-inventory --list shape)')
    .option('--graph [group]', 'the group tree')
    .option('--host <name>', "one host's variables and connection, as JSON")
    .option('-F, --ssh-config <file>', 'OpenSSH client config for --host')
    .action((opts: InventoryOptions) => {
      const inv = loadInventoryFromOptions(opts);
      if (opts.host) {
        const sshFile = opts.sshConfig ?? path.join(os.homedir(), '.ssh', 'config');
        const ssh = opts.sshConfig || fs.existsSync(sshFile) ? loadSshConfig(sshFile) : undefined;
        process.stdout.write(JSON.stringify(inventoryHost(inv, opts.host, ssh), null, 2) + '\n');
      } else if (opts.graph) {
        process.stdout.write(inventoryGraph(inv, typeof opts.graph === 'string' ? opts.graph : 'all'));
      } else if (opts.list) {
        process.stdout.write(JSON.stringify(inventoryList(inv), null, 2) + '\n');
      } else {
        throw new ConfigError('inventory: choose one of --list, --graph, --host NAME');
      }
    });
}
