/**
 * Opens authenticated, host-key-verified SSH connections to resolved targets, directly
 * or through ProxyJump hops. Jump hosts are connected once per run and shared by every
 * host behind them.
 */
import os from 'node:os';
import pLimit, { type LimitFunction } from 'p-limit';
import ssh2, { type Client, type ConnectConfig } from 'ssh2';
import type { Duplex } from 'node:stream';
import type { ConnectTarget } from './types.js';
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
  /**
   * SSH handshakes in flight at once (default: 8 per core). A handshake is CPU work on the
   * controller (key exchange, signatures); hundreds at once on a busy controller make each
   * one slow, and a connect timeout would then measure the controller's own queue. Admitted
   * handshakes start their connect timeout when they start.
   */
  maxHandshakes?: number;
  /** Receives ssh2's protocol debug lines (for --log at debug level). */
  debug?: (host: string, line: string) => void;
}

export class Connector {
  private readonly keys: KeyStore;
  private readonly jumps = new Map<string, Promise<Client>>();
  private readonly clients = new Set<Client>();
  private readonly admit: LimitFunction;
  private stopped: string | undefined;
  /** Abandon each handshake in flight. */
  private readonly handshaking = new Set<() => void>();

  constructor(private readonly opts: ConnectorOptions) {
    this.keys = new KeyStore(opts);
    this.admit = pLimit(opts.maxHandshakes ?? Math.max(8, 8 * os.availableParallelism()));
  }

  /**
   * A transient failure (a timeout, a reset during the handshake: an sshd at its MaxStartups
   * drops new connections) gets one more attempt; the session says so (connectRetry), so
   * the report shows a host that needed two.
   */
  async connect(target: ConnectTarget, opts: { admitted?: boolean } = {}): Promise<HostSession> {
    try {
      return await this.attempt(target, opts.admitted === true);
    } catch (e) {
      if (!(e instanceof ConnectError) || !TRANSIENT.includes(e.kind) || this.stopped) throw e;
      let session: SshHostSession;
      try {
        session = await this.attempt(target, opts.admitted === true);
      } catch (again) {
        if (!(again instanceof ConnectError)) throw again;
        throw new ConnectError(again.kind, target.name, `${again.message.slice(target.name.length + 2)} (tried twice)`);
      }
      session.connectRetry = `first attempt failed: ${e.message}`;
      return session;
    }
  }

  /**
   * No new handshake starts from now on (the operator's interrupt): hosts still waiting for
   * one fail at once, "not connected". With `now`, handshakes in flight are abandoned too.
   */
  stopConnecting(reason: string, now = false): void {
    this.stopped ??= reason;
    if (now) for (const abandon of this.handshaking) abandon();
  }

  /**
   * admitted: a host already connected once in this run (a change to confirm over a new
   * session, pf's): not queued behind other hosts' first handshakes.
   */
  private async attempt(target: ConnectTarget, admitted: boolean): Promise<SshHostSession> {
    if (this.stopped) throw new ConnectError('network', target.name, `not connected: ${this.stopped}`);
    const sock = target.proxyJump.length > 0 ? await this.tunnel(target) : undefined;
    const client = admitted
      ? await this.handshake(target, sock)
      : await this.admit(() => {
          if (this.stopped) throw new ConnectError('network', target.name, `not connected: ${this.stopped}`);
          return this.handshake(target, sock);
        });
    return new SshHostSession(
      target.name,
      client,
      {
        become: target.become,
        commandTimeoutMs: this.opts.commandTimeoutMs ?? 0,
      },
      () => this.clients.delete(client),
    );
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
          reject(
            new ConnectError(
              'proxy',
              target.name,
              `jump host ${last.name} could not reach ${target.address}:${target.port}: ${err.message}`,
            ),
          );
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
        this.handshaking.delete(abandon);
        client.removeListener('ready', onReady);
        // ssh2 may report the teardown itself as another error: nobody needs it.
        client.on('error', () => {});
        client.end();
        reject(verdict.rejection() ?? classifyConnectError(target.name, target.address, target.port, err));
      };
      const abandon = () => {
        onError(new Error(`handshake abandoned: ${this.stopped ?? 'stopped'}`));
        // end() waits for the other side; a host that never answers would keep the socket (and its timer) alive.
        (client as unknown as { destroy?: () => void }).destroy?.();
      };
      this.handshaking.add(abandon);
      const onReady = () => {
        this.handshaking.delete(abandon);
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

const TRANSIENT: readonly string[] = ['timeout', 'network', 'protocol'];

function forward(via: Client, hop: ConnectTarget): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, hop.address, hop.port, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}
