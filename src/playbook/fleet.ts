/**
 * A playbook ready to run on a fleet: loaded, its hosts selected from the inventory
 * (hosts: pattern, narrowed by --limit), and every host prepared. All of it offline: any
 * problem is a ConfigError before a host is contacted.
 */
import type { Inventory } from '../inventory/model.js';
import { selectFleet } from '../inventory/pattern.js';
import { hostVars } from '../inventory/vars.js';
import { hostGroups } from '../inventory/groups.js';
import { ConfigError } from '../util/errors.js';
import { parseExtraVars } from './extra-vars.js';
import { loadPlaybook } from './load.js';
import { PlaybookPreparer, type HostPlan } from './prepare.js';
import { unlockVarSources } from './unlock.js';
import type { VarSource } from './model.js';

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
  /** `fleetjail check`: a vars_from_env variable whose environment variable is unset gets a stand-in value. */
  standInSecrets?: boolean;
}

export interface FleetPlaybook {
  preparer: PlaybookPreparer;
  /** The selected hosts, in inventory order: one plan each. */
  hosts: string[];
  plans: HostPlan[];
}

export async function prepareFleetPlaybook(opts: FleetPlaybookOptions): Promise<FleetPlaybook> {
  const loaded = loadPlaybook(opts.playbookFile);
  const identities = opts.ageIdentityFiles ?? [];
  const sources = opts.standInSecrets ? loaded.varSources.map(withStandIns) : loaded.varSources;
  const playbook = { ...loaded, varSources: await unlockVarSources(sources, identities) };
  const names = selectFleet(opts.inventory, playbook.hosts, opts.limit, playbook.file);
  const preparer = new PlaybookPreparer(playbook, {
    extraVars: await unlockVarSources(parseExtraVars(opts.extraVars ?? []), identities),
    tags: opts.tags ?? [],
    skipTags: opts.skipTags ?? [],
  });
  let plans: HostPlan[];
  try {
    plans = preparer.prepareAll(
      names.map((name) => ({
        name,
        inventoryVars: hostVars(opts.inventory, name),
        groups: hostGroups(opts.inventory, name),
      })),
    );
  } catch (e) {
    // A message may quote a value ("... got 'hunter2'"): the secrets known by then are masked.
    if (e instanceof ConfigError && preparer.secrets.size > 0) throw new ConfigError(preparer.secrets.mask(e.message));
    throw e;
  }
  return { preparer, hosts: names, plans };
}

/** Offline checks validate templates without the CI's secrets: each unset one reads "(ENV_VAR)". */
function withStandIns(source: VarSource): VarSource {
  if (!source.unsetEnv || Object.keys(source.unsetEnv).length === 0) return source;
  const standIns = Object.fromEntries(Object.entries(source.unsetEnv).map(([name, env]) => [name, `(${env})`]));
  return { ...source, vars: { ...standIns, ...source.vars } };
}
