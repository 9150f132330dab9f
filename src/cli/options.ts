/**
 * Options shared by every command that contacts hosts, and turning them into what the
 * commands need: the selected hosts, resolved connection targets, and a Connector.
 */
import os from 'node:os';
import path from 'node:path';
import { Command, Option, InvalidArgumentError } from 'commander';

export interface FleetOptions {
  inventory: string[];
  limit?: string;
  forks: number;
  user?: string;
  become?: 'none' | 'doas' | 'sudo';
  sshConfig?: string;
  knownHosts?: string[];
  acceptNewHostKeys?: boolean;
  connectTimeout: number;
  maxHandshakes?: number;
  timeout: number;
  json?: boolean;
  log?: string;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Add the connection options to a command. */
export function withFleetOptions(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <file>', 'inventory file or directory (repeatable; default: inventory/)', collect)
    .option('-l, --limit <pattern>', 'further limit the hosts (same pattern syntax)')
    .option('-f, --forks <n>', 'hosts handled in parallel', positiveInt, 50)
    .option('-u, --user <name>', 'remote user, overriding the inventory')
    .addOption(new Option('-b, --become <method>', 'run commands as root through doas or sudo').choices(['none', 'doas', 'sudo']))
    .option('-F, --ssh-config <file>', `OpenSSH client config (default: ${path.join('~', '.ssh', 'config')})`)
    .option('--known-hosts <file>', 'known_hosts file (repeatable; new keys go to the first)', collect)
    .option('--accept-new-host-keys', 'record the keys of hosts not yet in known_hosts (never a changed key)')
    .option('--connect-timeout <s>', 'seconds to wait for the SSH handshake', positiveInt, 10)
    .option(
      '--max-handshakes <n>',
      "SSH handshakes in flight at once (default: 8 per core); each one's timeout counts from its start",
      positiveInt,
    )
    .option(
      '-T, --timeout <s>',
      'seconds a remote command may run (0 = no limit)',
      (v) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds ≥ 0');
        return n;
      },
      0,
    )
    .option('--json', 'print one JSON document instead of text')
    .option('--log <file>', 'write structured logs (JSON lines) to FILE');
}

export function defaultKnownHosts(): string[] {
  return [path.join(os.homedir(), '.ssh', 'known_hosts')];
}
