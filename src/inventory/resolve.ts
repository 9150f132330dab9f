/**
 * From a host's inventory entry to the connection the transport dials. For each setting the
 * first of these that says something wins:
 *
 *   command line (-u, --become; the target only, not its jump hosts)
 *   inventory host fields (address:, port:, user:, ...)
 *   the host's ansible_* connection variables (host, then child group, ..., then all)
 *   inventory defaults:
 *   ssh_config, looked up by the inventory name as an alias (the values above are given to it
 *     as OpenSSH's command-line options would be, so Match host sees the inventory address
 *     and %r in IdentityFile the user fleetjail will log in as)
 *   fallbacks: port 22, the local user name, ~/.ssh/id_ed25519, id_ecdsa, id_rsa
 *
 * Identity files accumulate as in OpenSSH: the inventory's first, then ssh_config's; the
 * fallback files only when neither names one.
 *
 * ProxyJump `a,b` means: reach a (through a's own ProxyJump, if it has one), then b through a,
 * then the host through b; b's own ProxyJump is not used (as `ssh -J a,b`). A hop may name an
 * inventory host, an ssh_config alias or an address. A jump list inherited from defaults or
 * ssh_config is cut where it names the host itself (`defaults: { proxy_jump: bastion }` does
 * not make bastion jump through itself); anything else that comes back to a host is a loop.
 */
import os from 'node:os';
import type { Become } from '../transport/types.js';
import { defaultIdentityFiles } from '../transport/auth.js';
import { ConfigError } from '../util/errors.js';
import type { ConnectTarget, Inventory } from './model.js';
import { resolveSshConfig, type SshConfig, type SshHostSettings } from './ssh-config.js';
import { connectionFromVars } from './connection-vars.js';
import { hostVars } from './vars.js';
import { parseProxyJump, type JumpHop } from './proxy-jump.js';

/** The command line's say: wins over everything, for the target host only. */
export interface Overrides {
  user?: string;
  become?: Become;
}

/** What to use when nothing configures a setting. Defaults: the local user name, 22, OpenSSH's default key files that exist. */
export interface Fallbacks {
  user?: string;
  port?: number;
  identityFiles?: string[];
}

interface Context {
  inv: Inventory;
  ssh: SshConfig | undefined;
  fallback: Fallbacks;
}

export function resolveTarget(inv: Inventory, name: string, ssh?: SshConfig, cli: Overrides = {}, fallback: Fallbacks = {}): ConnectTarget {
  return resolveHost({ inv, ssh, fallback }, name, { ...(cli.user ? { user: cli.user } : {}) }, cli.become, [], true);
}

/**
 * PRESET: user and port given from outside (command line, or `user@host:port` in a jump spec).
 * BECOME: the command line's, for the target; jump hosts never become.
 * TRAIL: the hosts being resolved that led here, for loop detection.
 */
function resolveHost(
  ctx: Context,
  name: string,
  preset: { user?: string; port?: number },
  cliBecome: Become | undefined,
  trail: string[],
  followJump: boolean,
  isHop = false,
): ConnectTarget {
  if (trail.includes(name)) throw new ConfigError(`ProxyJump loop: ${[...trail, name].join(' -> ')}`);
  const { inv, ssh, fallback } = ctx;
  const host = inv.hosts.get(name);
  const fromVars = host ? connectionFromVars(hostVars(inv, name)) : {};
  const d = inv.defaults;
  const address = host?.address ?? fromVars.address;
  const user = preset.user ?? host?.user ?? fromVars.user ?? d.user;
  const port = preset.port ?? host?.port ?? fromVars.port ?? d.port;
  const fromSsh = ssh
    ? resolveSshConfig(ssh, name, { ...(address ? { hostName: address } : {}), ...(user ? { user } : {}), ...(port ? { port } : {}) })
    : ({ identityFiles: [], knownHostsFiles: [] } satisfies SshHostSettings as SshHostSettings);
  const identity = host?.identityFile ?? fromVars.identityFile ?? d.identityFile;
  const identityFiles = [...new Set([...(identity ? [identity] : []), ...fromSsh.identityFiles])];

  const target: ConnectTarget = {
    name,
    address: fromSsh.hostName ?? address ?? name,
    port: fromSsh.port ?? port ?? fallback.port ?? 22,
    user: fromSsh.user ?? user ?? fallback.user ?? localUserName(),
    identityFiles: identityFiles.length > 0 ? identityFiles : (fallback.identityFiles ?? defaultIdentityFiles()),
    become: isHop ? 'none' : (cliBecome ?? host?.become ?? fromVars.become ?? d.become ?? 'none'),
    proxyJump: [],
  };
  if (!followJump) return target;

  const explicit = host?.proxyJump;
  const spec = explicit ?? fromVars.proxyJump ?? d.proxyJump ?? fromSsh.proxyJump;
  if (!spec) return target;
  let hops = parseProxyJump(spec);
  if (explicit === undefined) {
    const self = hops.findIndex((h) => h.host === name);
    if (self !== -1) hops = hops.slice(0, self);
  }
  const [first, ...rest] = hops;
  if (!first) return target;
  const via = [...trail, name];
  const hop = (h: JumpHop, follow: boolean) =>
    resolveHost(ctx, h.host, { ...(h.user ? { user: h.user } : {}), ...(h.port ? { port: h.port } : {}) }, undefined, via, follow, true);
  const firstHop = hop(first, true);
  target.proxyJump = [...firstHop.proxyJump, { ...firstHop, proxyJump: [] }, ...rest.map((h) => hop(h, false))];
  return target;
}

function localUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (some containers): what the environment says.
    return process.env.USER ?? process.env.LOGNAME ?? 'root';
  }
}
