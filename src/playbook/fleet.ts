/**
 * A playbook ready to run on a fleet: loaded, its hosts selected from the inventory
 * (hosts: pattern, narrowed by --limit), and every host prepared. All of it offline: any
 * problem is a ConfigError before a host is contacted.
 */
import type { Inventory } from '../inventory/model.js';
import { selectHosts } from '../inventory/pattern.js';
import { hostVars } from '../inventory/vars.js';
import { hostGroups } from '../inventory/groups.js';
import { ConfigError } from '../util/errors.js';
import { parseExtraVars } from './extra-vars.js';
import { loadPlaybook } from './load.js';
import { PlaybookPreparer, type HostPlan } from './prepare.js';
import { unlockVarSources } from './unlock.js';

export interface FleetPlaybookOptions {
  playbookFile: string;
  inventory: Inventory;
  limit?: string;
  /** -e arguments as given: NAME=VALUE or @FILE. */
  extraVars?: string[];
  tags?: string[];
  skipTags?: string[];
  /** age identity files for encrypted vars files (*.age). */
  ageIdentityFiles?: string[];
}

export interface FleetPlaybook {
  preparer: PlaybookPreparer;
  plans: HostPlan[];
}

export async function prepareFleetPlaybook(opts: FleetPlaybookOptions): Promise<FleetPlaybook> {
  const loaded = loadPlaybook(opts.playbookFile);
  const identities = opts.ageIdentityFiles ?? [];
  const playbook = { ...loaded, varSources: await unlockVarSources(loaded.varSources, identities) };
  let names = selectHosts(opts.inventory, playbook.hosts);
  if (opts.limit) {
    const allowed = new Set(selectHosts(opts.inventory, opts.limit));
    names = names.filter((n) => allowed.has(n));
    if (names.length === 0) throw new ConfigError(`no host matches both '${playbook.hosts}' (${playbook.file}) and --limit '${opts.limit}'`);
  }
  const preparer = new PlaybookPreparer(playbook, {
    extraVars: await unlockVarSources(parseExtraVars(opts.extraVars ?? []), identities),
    tags: opts.tags ?? [],
    skipTags: opts.skipTags ?? [],
  });
  let plans: HostPlan[];
  try {
    plans = preparer.prepareAll(names.map((name) => ({
      name,
      inventoryVars: hostVars(opts.inventory, name),
      groups: hostGroups(opts.inventory, name),
    })));
  } catch (e) {
    // A message may quote a value ("... got 'hunter2'"): the secrets known by then are masked.
    if (e instanceof ConfigError && preparer.secrets.size > 0) throw new ConfigError(preparer.secrets.mask(e.message));
    throw e;
  }
  return { preparer, plans };
}
