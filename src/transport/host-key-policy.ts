/**
 * Host key checking as OpenSSH's StrictHostKeyChecking=yes (default) or accept-new
 * (--accept-new-host-keys): a known key must match; a changed key is always refused; an
 * unknown key is refused, or recorded in the first known_hosts file when accepting new.
 */
import type { ConnectTarget } from './types.js';
import { ConnectError } from './errors.js';
import { appendKnownHost, checkHostKey, fingerprint, loadKnownHosts, type KnownHostsDb } from './known-hosts.js';

export interface HostKeyPolicyOptions {
  /** known_hosts files to read; new keys are recorded in the first. */
  files: string[];
  acceptNew: boolean;
}

export interface HostKeyVerdict {
  verify: (key: Buffer) => boolean;
  /** Why the key was refused, once verify returned false. */
  rejection: () => ConnectError | undefined;
}

export class HostKeyPolicy {
  private readonly db: KnownHostsDb;

  constructor(private readonly opts: HostKeyPolicyOptions) {
    this.db = loadKnownHosts(opts.files);
  }

  verifier(target: ConnectTarget): HostKeyVerdict {
    let refused: ConnectError | undefined;
    const where = target.port === 22 ? target.address : `[${target.address}]:${target.port}`;
    const verify = (key: Buffer): boolean => {
      const type = keyType(key);
      const offered = fingerprint(key);
      const result = checkHostKey(this.db, target.address, target.port, type, key);
      switch (result.status) {
        case 'match':
          return true;
        case 'revoked':
          refused = new ConnectError(
            'hostkey',
            target.name,
            `host key ${type} ${offered} offered by ${where} is marked @revoked in known_hosts`,
          );
          return false;
        case 'mismatch':
          refused = new ConnectError(
            'hostkey',
            target.name,
            `HOST KEY MISMATCH for ${where}: known_hosts expects ${result.expected.join(' or ')}, the host offered ${type} ${offered}. ` +
              `Someone may be intercepting the connection, or the host was reinstalled (then remove the old key: ssh-keygen -R '${where}').`,
          );
          return false;
        case 'unknown':
          if (this.opts.acceptNew && this.opts.files[0]) {
            appendKnownHost(this.opts.files[0], target.address, target.port, type, key);
            this.db.add?.(target.address, target.port, type, key);
            return true;
          }
          refused = new ConnectError(
            'hostkey',
            target.name,
            `host key for ${where} is not in known_hosts (${type} ${offered}); verify it and re-run with --accept-new-host-keys to record it`,
          );
          return false;
      }
    };
    return { verify, rejection: () => refused };
  }
}

/** The key type name that starts an SSH public key blob (uint32 length + string). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}
