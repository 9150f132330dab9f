/**
 * From command-line options to what a fleet command needs: the inventory, the selected
 * hosts' connection targets, a Connector with the host key policy, and a logger.
 * Everything here happens before any host is contacted; problems are ConfigErrors (exit 1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ConnectTarget, Inventory } from '../inventory/model.js';
import { loadInventories } from '../inventory/load.js';
import { selectFleet } from '../inventory/pattern.js';
import { loadSshConfig, type SshConfig } from '../inventory/ssh-config.js';
import { resolveTarget } from '../inventory/resolve.js';
import { checkSameAddress } from '../inventory/same-address.js';
import { Connector } from '../transport/connector.js';
import { HostKeyPolicy } from '../transport/host-key-policy.js';
import { passphraseFromEnvOrTty } from '../transport/auth.js';
import { createLogger } from '../log.js';
import { ConfigError } from '../util/errors.js';
import type { Secrets } from '../util/secrets.js';
import { defaultKnownHosts, type FleetOptions } from './options.js';

export interface FleetContext {
  inventory: Inventory;
  targets: ConnectTarget[];
  connector: Connector;
  log: Logger;
}

export function defaultInventoryPaths(): string[] {
  return fs.existsSync('inventory') ? ['inventory'] : [];
}

export function loadInventoryFromOptions(opts: Pick<FleetOptions, 'inventory'>): Inventory {
  const files = opts.inventory?.length ? opts.inventory : defaultInventoryPaths();
  if (files.length === 0) throw new ConfigError('no inventory: pass -i FILE or create inventory/');
  return loadInventories(files);
}

/** An ad-hoc command's fleet: the inventory loaded and PATTERN (narrowed by --limit) selected, once. */
export function adhocFleetContext(pattern: string, opts: FleetOptions): FleetContext {
  const inventory = loadInventoryFromOptions(opts);
  return buildFleetContext(inventory, selectFleet(inventory, pattern, opts.limit), opts, undefined, pattern);
}

/**
 * Connection targets, connector and logger for hosts NAMES, already selected from INVENTORY.
 * SECRETS: the run's secret values, masked in the log (a playbook run has them).
 */
export function buildFleetContext(
  inventory: Inventory,
  names: string[],
  opts: FleetOptions,
  secrets?: Secrets,
  pattern?: string,
): FleetContext {
  const sshConfig = readSshConfig(opts.sshConfig);
  const targets = names.map((name) =>
    resolveTarget(inventory, name, sshConfig, {
      ...(opts.user ? { user: opts.user } : {}),
      ...(opts.become ? { become: opts.become } : {}),
    }),
  );
  checkSameAddress(inventory, targets);
  const knownHosts = opts.knownHosts?.length ? opts.knownHosts : (inventoryKnownHosts(inventory) ?? defaultKnownHosts());
  // FLEETJAIL_LOG_LEVEL=trace adds ssh2's protocol debug lines to --log.
  const level = process.env.FLEETJAIL_LOG_LEVEL ?? 'info';
  const log = createLogger(opts.log ? { file: opts.log, level, ...(secrets ? { secrets } : {}) } : {});
  // Blocks fleetjail cannot evaluate (Match exec, ...) are skipped: say so rather than guess.
  for (const w of sshConfig?.warnings ?? []) {
    process.stderr.write(`fleetjail: warning: ${w}\n`);
    log.warn({ sshConfig: w }, 'ssh_config block skipped');
  }
  const connector = new Connector({
    hostKeys: new HostKeyPolicy({ files: knownHosts, acceptNew: Boolean(opts.acceptNewHostKeys) }),
    connectTimeoutMs: opts.connectTimeout * 1000,
    ...(opts.maxHandshakes ? { maxHandshakes: opts.maxHandshakes } : {}),
    commandTimeoutMs: opts.timeout * 1000,
    passphrase: passphraseFromEnvOrTty(),
    ...(opts.log && level === 'trace' ? { debug: (host: string, line: string) => log.trace({ host }, line) } : {}),
  });
  log.info({ pattern, limit: opts.limit, hosts: names.length, knownHosts }, 'fleet selected');
  return { inventory, targets, connector, log };
}

/** An inventory may name its own known_hosts (the lab's does); the CLI flag overrides it. */
function inventoryKnownHosts(inventory: Inventory): string[] | undefined {
  return inventory.knownHosts?.length ? inventory.knownHosts : undefined;
}

function readSshConfig(file: string | undefined): SshConfig | undefined {
  const chosen = file ?? path.join(os.homedir(), '.ssh', 'config');
  if (!file && !fs.existsSync(chosen)) return undefined;
  return loadSshConfig(chosen);
}
