/**
 * Opens authenticated, host-key-verified SSH connections to resolved targets, directly
 * or through ProxyJump hops. Jump hosts are connected once per run and shared by every
 * host behind them.
 */
import ssh2, { type Client, type ConnectConfig } from 'ssh2';
import type { Duplex } from 'node:stream';
import type { ConnectTarget } from '../inventory/model.js';
import type { HostSession } from './types.js';
import { ConnectError, classifyConnectError } from './errors.js';
import { KeyStore, type AuthOptions } from './auth.js';
import { HostKeyPolicy } from './host-key-policy.js';
import { SshHostSession } from './session.js';

export interface ConnectorOptions extends AuthOptions {
  hostKeys: HostKeyPolicy;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /** Receives ssh2's protocol debug lines (for --log at debug level). */
  debug?: (host: string, line: string) => void;
}

export class Connector {
  private readonly keys: KeyStore;
  private readonly jumps = new Map<string, Promise<Client>>();
  private readonly clients = new Set<Client>();

  constructor(private readonly opts: ConnectorOptions) {
    this.keys = new KeyStore(opts);
  }

  async connect(target: ConnectTarget): Promise<HostSession> {
    const sock = target.proxyJump.length > 0 ? await this.tunnel(target) : undefined;
    const client = await this.handshake(target, sock);
    return new SshHostSession(target.name, client, {
      become: target.become,
      commandTimeoutMs: this.opts.commandTimeoutMs ?? 0,
    }, () => this.clients.delete(client));
  }

  /** End every connection this connector opened, jump hosts included. */
  async closeAll(): Promise<void> {
    for (const c of this.clients) c.end();
    this.clients.clear();
    this.jumps.clear();
  }

  /** A direct-tcpip channel to the target through its last jump host (each hop through the ones before it). */
  private async tunnel(target: ConnectTarget): Promise<Duplex> {
    let via: Client | undefined;
    for (const hop of target.proxyJump) via = await this.jumpClient(hop, via);
    const jump = via as Client;
    const last = target.proxyJump[target.proxyJump.length - 1] as ConnectTarget;
    return new Promise<Duplex>((resolve, reject) => {
      jump.forwardOut('127.0.0.1', 0, target.address, target.port, (err, stream) => {
        if (err) {
          reject(new ConnectError('proxy', target.name, `jump host ${last.name} could not reach ${target.address}:${target.port}: ${err.message}`));
        } else {
          resolve(stream);
        }
      });
    });
  }

  private jumpClient(hop: ConnectTarget, via: Client | undefined): Promise<Client> {
    const key = `${hop.user}@${hop.address}:${hop.port}`;
    let p = this.jumps.get(key);
    if (!p) {
      p = (async () => {
        const sock = via ? await forward(via, hop) : undefined;
        return this.handshake(hop, sock);
      })();
      // A failed jump is not cached: the next host behind it retries (and reports) on its own.
      p.catch(() => this.jumps.delete(key));
      this.jumps.set(key, p);
    }
    return p.catch((e: unknown) => {
      const reason = e instanceof Error ? e.message : String(e);
      throw new ConnectError('proxy', hop.name, `jump host unreachable: ${reason}`);
    });
  }

  private async handshake(target: ConnectTarget, sock?: Duplex): Promise<Client> {
    const { methods, problems } = await this.keys.methods(target.user, target.identityFiles);
    if (methods.length === 0) {
      throw new ConnectError('auth', target.name, `no usable credentials: ${problems.join('; ') || 'no ssh-agent and no identity file'}`);
    }
    const client = new ssh2.Client();
    const verdict = this.opts.hostKeys.verifier(target);
    const config: ConnectConfig = {
      host: target.address,
      port: target.port,
      username: target.user,
      readyTimeout: this.opts.connectTimeoutMs ?? 10_000,
      keepaliveInterval: this.opts.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: 3,
      authHandler: methods,
      hostVerifier: verdict.verify,
      ...(sock ? { sock } : {}),
      ...(this.opts.debug ? { debug: (line: string) => this.opts.debug?.(target.name, line) } : {}),
    };
    return new Promise<Client>((resolve, reject) => {
      const onError = (err: Error) => {
        client.removeListener('ready', onReady);
        // ssh2 may report the teardown itself as another error: nobody needs it.
        client.on('error', () => {});
        client.end();
        reject(verdict.rejection() ?? classifyConnectError(target.name, target.address, target.port, err));
      };
      const onReady = () => {
        client.removeListener('error', onError);
        // Later errors surface through the session's own handlers.
        client.on('error', () => {});
        this.clients.add(client);
        resolve(client);
      };
      client.once('ready', onReady);
      client.once('error', onError);
      client.connect(config);
    });
  }
}

function forward(via: Client, hop: ConnectTarget): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, hop.address, hop.port, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}
