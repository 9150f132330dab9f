/**
 * From a host's inventory entry to the connection the transport dials. Precedence:
 * command line > inventory host > inventory defaults > ssh_config > OpenSSH defaults
 * (port 22, the local user, ~/.ssh/id_*). ProxyJump hops resolve the same way; a hop
 * may name an inventory host or an ssh_config alias.
 */
import os from 'node:os';
import type { Become } from '../transport/types.js';
import { defaultIdentityFiles } from '../transport/auth.js';
import { ConfigError } from '../util/errors.js';
import type { ConnectTarget, Inventory } from './model.js';
import { resolveSshConfig, type SshConfig } from './ssh-config.js';

export interface Overrides {
  user?: string;
  become?: Become;
}

export function resolveTarget(inv: Inventory, name: string, ssh: SshConfig | undefined, cli: Overrides = {}, trail: string[] = []): ConnectTarget {
  if (trail.includes(name)) throw new ConfigError(`ProxyJump loop: ${[...trail, name].join(' -> ')}`);
  const host = inv.hosts.get(name);
  const d = inv.defaults;
  // ssh_config is looked up by the name the operator would type: the inventory name.
  const fromSsh = ssh ? resolveSshConfig(ssh, name) : { identityFiles: [], knownHostsFiles: [] };
  const identityFile = host?.identityFile ?? d.identityFile;
  const jumpSpec = host?.proxyJump ?? d.proxyJump ?? fromSsh.proxyJump;
  const target: ConnectTarget = {
    name,
    address: host?.address ?? fromSsh.hostName ?? name,
    port: host?.port ?? d.port ?? fromSsh.port ?? 22,
    user: cli.user ?? host?.user ?? d.user ?? fromSsh.user ?? os.userInfo().username,
    identityFiles: identityFile ? [identityFile] : fromSsh.identityFiles.length ? fromSsh.identityFiles : defaultIdentityFiles(),
    become: cli.become ?? host?.become ?? d.become ?? 'none',
    proxyJump: [],
  };
  if (jumpSpec && jumpSpec.toLowerCase() !== 'none') {
    // Flatten: a hop that is itself behind a jump host is reached through that one first.
    target.proxyJump = jumpSpec.split(',').flatMap((spec) => {
      const hop = resolveHop(inv, ssh, spec.trim(), [...trail, name]);
      return [...hop.proxyJump, { ...hop, proxyJump: [] }];
    });
  }
  return target;
}

/** One ProxyJump hop, `[user@]host[:port]`; the hop's own ProxyJump is flattened in front of it. */
function resolveHop(inv: Inventory, ssh: SshConfig | undefined, spec: string, trail: string[]): ConnectTarget {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new ConfigError(`invalid ProxyJump hop '${spec}' (expected [user@]host[:port])`);
  const hostPart = (m[2] as string).replace(/^\[|\]$/g, '');
  const hop = resolveTarget(inv, hostPart, ssh, {}, trail);
  if (m[1]) hop.user = m[1];
  if (m[3]) hop.port = Number(m[3]);
  hop.become = 'none';
  return hop;
}
