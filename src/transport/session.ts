/**
 * HostSession over one ssh2 connection: every command is a new exec channel on the
 * same connection, so a run costs one TCP + SSH handshake per host.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import type { LocalFile } from '../modules/types.js';
import type { Become, HostSession, RunOptions, RunResult, WriteFileOptions } from './types.js';
import { CommandTimeoutError, ConnectionLostError } from './errors.js';
import { wrapForRemote } from './quote.js';
import { atomicWriteScript } from './atomic-write.js';

export interface SessionSettings {
  become: Become;
  commandTimeoutMs: number;
}

export class SshHostSession implements HostSession {
  private closed = false;
  private lostReason: string | undefined;

  constructor(
    readonly host: string,
    private readonly client: Client,
    private readonly settings: SessionSettings,
    /** Closes what this session depends on (e.g. a ProxyJump channel); called once on close. */
    private readonly onClose: () => void = () => {},
  ) {
    client.on('close', () => {
      this.lostReason ??= 'the server closed the connection';
      this.closed = true;
    });
    client.on('error', (err) => {
      this.lostReason = err.message;
    });
  }

  run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    const become = opts.become === false ? 'none' : this.settings.become;
    const timeoutMs = opts.timeoutMs ?? this.settings.commandTimeoutMs;
    const command = wrapForRemote(script, become, timeoutMs > 0 ? { timeoutSec: timeoutMs / 1000 } : {});
    const started = performance.now();
    return new Promise<RunResult>((resolve, reject) => {
      if (this.closed) {
        reject(new ConnectionLostError(this.host, this.lostReason ?? 'session closed'));
        return;
      }
      this.client.exec(command, (err, channel) => {
        if (err) {
          reject(this.closed ? new ConnectionLostError(this.host, this.lostReason ?? err.message) : err);
          return;
        }
        // The host enforces the limit (timeout(1)); our own timer is a backstop for a host
        // that stops answering, set past the host's TERM-then-KILL window.
        const backstopMs = timeoutMs > 0 ? timeoutMs + 10_000 : 0;
        collect(channel, opts, backstopMs, (outcome) => {
          const hostTimedOut = timeoutMs > 0 && outcome.exitCode === 124 && performance.now() - started >= timeoutMs;
          if (outcome.timedOut || hostTimedOut) {
            reject(new CommandTimeoutError(this.host, timeoutMs));
          } else if (outcome.exitCode === undefined && outcome.signal === undefined && this.closed) {
            reject(new ConnectionLostError(this.host, this.lostReason ?? 'channel closed without an exit status'));
          } else {
            resolve({
              exitCode: outcome.exitCode ?? null,
              ...(outcome.signal ? { signal: outcome.signal } : {}),
              stdout: outcome.stdout,
              stderr: outcome.stderr,
              durationMs: Math.round(performance.now() - started),
            });
          }
        });
      });
    });
  }

  async writeFileAtomic(path: string, content: string | Buffer | LocalFile, opts: WriteFileOptions = {}): Promise<void> {
    const result = await this.run(atomicWriteScript(path, opts), {
      stdin: typeof content === 'string' || Buffer.isBuffer(content) ? content : fs.createReadStream(content.path),
      ...(opts.become !== undefined ? { become: opts.become } : {}),
    });
    if (result.exitCode !== 0) {
      const detail = result.stderr.trim() || `exit status ${result.exitCode ?? result.signal}`;
      throw new Error(`${this.host}: writing ${path} failed: ${detail}`);
    }
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.lostReason = 'closed by fleetjail';
      this.client.end();
    }
    this.onClose();
  }
}

interface ChannelOutcome {
  exitCode?: number;
  signal?: string;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function collect(channel: ClientChannel, opts: RunOptions, timeoutMs: number, done: (o: ChannelOutcome) => void): void {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const outcome: ChannelOutcome = { stdout: '', stderr: '', timedOut: false };
  // Decode streams incrementally so a multi-byte character split across packets survives.
  const outDecoder = new TextDecoder();
  const errDecoder = new TextDecoder();
  channel.on('data', (chunk: Buffer) => {
    out.push(chunk);
    opts.onStdout?.(outDecoder.decode(chunk, { stream: true }));
  });
  channel.stderr.on('data', (chunk: Buffer) => {
    err.push(chunk);
    opts.onStderr?.(errDecoder.decode(chunk, { stream: true }));
  });
  channel.on('exit', (code: number | null, signal?: string) => {
    if (typeof code === 'number') outcome.exitCode = code;
    if (signal) outcome.signal = signal;
  });
  const timer = timeoutMs > 0
    ? setTimeout(() => {
        outcome.timedOut = true;
        // OpenSSH delivers "signal" requests to the command; closing the channel also
        // hangs up its pipes, so a command that ignores the signal still loses its output.
        sendSignal(channel, 'KILL');
        channel.close();
      }, timeoutMs)
    : undefined;
  channel.on('close', () => {
    if (timer) clearTimeout(timer);
    outcome.stdout = Buffer.concat(out).toString('utf8');
    outcome.stderr = Buffer.concat(err).toString('utf8');
    done(outcome);
  });
  if (opts.stdin instanceof Readable) opts.stdin.pipe(channel);
  else if (opts.stdin !== undefined) channel.end(opts.stdin);
  else channel.end();
}

/**
 * ssh2's channel.signal() refuses once we have sent EOF (stdin ended), but the protocol
 * allows a signal request for as long as the channel is open, and OpenSSH's sshd then
 * kills the command's process group. So send the request through the channel's protocol
 * handle. (Signals reach commands running as the login user; under doas/sudo the root
 * process group is out of the user's reach, and only the channel close remains.)
 */
function sendSignal(channel: ClientChannel, name: string): void {
  const c = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(id: number, signal: string): void } };
  };
  // 'eof' = we ended stdin; the channel itself is still open.
  if (c.outgoing && ['open', 'eof'].includes(c.outgoing.state)) c._client?._protocol?.signal(c.outgoing.id, name);
}
