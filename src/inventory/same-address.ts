/**
 * Two inventory names for one host (same address, port, user and jump path) would run a
 * playbook twice on it at once; the host lock would make the second wait and fail, but
 * the inventory is where the mistake is, so it is refused there, before any connection.
 * A host that really is meant to be reached under two names says so with the host
 * variable `allow_same_address: true`.
 */
import type { ConnectTarget, Inventory } from './model.js';
import { ConfigError } from '../util/errors.js';

export function checkSameAddress(inventory: Inventory, targets: readonly ConnectTarget[]): void {
  const byEndpoint = new Map<string, string[]>();
  for (const t of targets) {
    if (inventory.hosts.get(t.name)?.vars.allow_same_address === true) continue;
    const key = endpoint(t);
    byEndpoint.set(key, [...(byEndpoint.get(key) ?? []), t.name]);
  }
  const clashes = [...byEndpoint.entries()].filter(([, names]) => names.length > 1);
  if (clashes.length === 0) return;
  const lines = clashes.map(([key, names]) => `  ${names.join(', ')} are all ${key}`);
  throw new ConfigError(
    `the inventory names one host more than once:\n${lines.join('\n')}\n` +
      'a run would act on it twice at once; remove the extra names, or set allow_same_address: true on a host meant to have two',
  );
}

function endpoint(t: ConnectTarget): string {
  const via = t.proxyJump.map(endpoint).join(' via ');
  return `${t.user}@${t.address}:${t.port}${via ? ` via ${via}` : ''}`;
}
