/**
 * HostSession over one ssh2 connection: every command is a new exec channel on the
 * same connection, so a run costs one TCP + SSH handshake per host.
 *
 * Scripts travel on the channel's stdin (remote-script.ts): the command line is a fixed
 * `/bin/sh -s`. Only a command that is given data of its own (a file's content) carries its
 * script in the command line, and such scripts hold paths and modes, never content.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import type { Become, HostLockOptions, HostSession, LocalFile, RunOptions, RunResult, WriteFileOptions } from './types.js';
import { CommandTimeoutError, ConnectionLostError, HostLockError, HostLockLostError, HostLockedError } from './errors.js';
import { wrapForRemote } from '../shell/quote.js';
import { stdinScriptCommand, stdinScriptPayload, timeLimitMark, withBecome } from './remote-script.js';
import { randomBytes } from 'node:crypto';
import { atomicWriteScript, inlineWriteScript, transferHeader } from './atomic-write.js';
import { sha256Hex } from '../util/digest.js';
import { BoundedOutput, OUTPUT_LIMITS, type Elision } from './bounded-output.js';
import {
  abandonLockWaitScript,
  readHolderScript,
  holderNote,
  hostLockCommand,
  hostLockPayloadAfter,
  LOCK_FILE,
  LOCK_LOST_MESSAGE,
  LOCK_LOST_STATUS,
  lockedMarker,
  lockGuard,
  lockPidOf,
} from './host-lock.js';

export interface SessionSettings {
  become: Become;
  commandTimeoutMs: number;
}

/** How long a cancelled command may take to end on the host before its channel is closed. */
const CANCEL_GRACE_MS = 5_000;

export class SshHostSession implements HostSession {
  private closed = false;
  private lostReason: string | undefined;
  /** Channels of commands in flight, to cancel them when the session is closed under them. */
  private readonly inFlight = new Set<ClientChannel>();
  private lockChannel: ClientChannel | undefined;
  private lockLost: string | undefined;
  private lockWaiter: string | undefined;
  /** Tags the host's "stopped at the time limit" line: a secret of this session's, so no command can forge it. */
  private readonly limitTag = randomBytes(8).toString('hex');
  /** The lockf process holding this run's lock on the host. */
  private lockPid: number | undefined;
  /** Set when the connection took a second attempt: why the first failed. */
  connectRetry?: string;

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

  async run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    if (this.lockLost) throw new HostLockLostError(this.host, this.lockLost);
    const become = opts.become === false ? 'none' : this.settings.become;
    const timeoutMs = opts.timeoutMs ?? this.settings.commandTimeoutMs;
    // Under the host lock, every command first checks that the lock's holder is still there.
    const guarded = this.lockPid !== undefined ? `${lockGuard(this.lockPid)}\n${script}` : script;
    const r =
      opts.stdin !== undefined
        ? // A command with data of its own: its script (paths and modes only) in the command
          // line, no host-side limit (the controller's own, and the end of its input, stop it).
          await this.exec(wrapForRemote(guarded, become), { ...opts, input: { data: opts.stdin } }, timeoutMs, false)
        : await this.exec(
            stdinScriptCommand(become),
            {
              ...opts,
              input: { lifeline: stdinScriptPayload(guarded, { ...this.limit(timeoutMs) }) },
              limitMark: timeLimitMark(this.limitTag),
            },
            timeoutMs,
            true,
          );
    if (r.exitCode === LOCK_LOST_STATUS && r.stderr.includes(LOCK_LOST_MESSAGE)) {
      this.lockLost = 'the host lock was lost (its lockf process ended before the run did)';
      throw new HostLockLostError(this.host, this.lockLost);
    }
    const { reachedMarker: _, ...result } = r;
    return result;
  }

  /**
   * Give up waiting for the host lock (a host timeout, an interrupt): end this run's waiting
   * lockf on the host and say who holds the lock. Best effort, over a channel of its own.
   */
  async abandonLockWait(onHolder: (holder: string) => void): Promise<void> {
    if (this.lockWaiter === undefined || this.closed) return;
    const quick = (script: string) =>
      this.exec(
        stdinScriptCommand(this.settings.become),
        { input: { lifeline: stdinScriptPayload(script, this.limit(5000)) }, limitMark: timeLimitMark(this.limitTag) },
        5000,
        true,
      ).then(
        (r) => r.stdout.trim(),
        () => '',
      );
    // The holder first: the wait ends (and the lock call fails) only after.
    onHolder(await quick(readHolderScript()));
    await quick(abandonLockWaitScript(this.lockWaiter));
  }

  async writeFileAtomic(path: string, content: string | Buffer | LocalFile, opts: WriteFileOptions = {}): Promise<void> {
    const { size, sha256, body } = contentSource(content);
    const result = await this.run(atomicWriteScript(path, { ...opts, verify: 'header' }), {
      // The expected length and sha256 go first, on stdin (not the command line: a digest of
      // a secret file is for nobody's eyes); the host checks both before anything moves.
      stdin: Readable.from(prefixed(transferHeader(size, sha256), body)),
      ...(opts.become !== undefined ? { become: opts.become } : {}),
    });
    if (result.exitCode !== 0) {
      const detail = result.stderr.trim() || `exit status ${result.exitCode ?? result.signal}`;
      throw new Error(`${this.host}: writing ${path} failed: ${detail}`);
    }
  }

  writeScript(path: string, content: string, opts: WriteFileOptions = {}): string {
    return inlineWriteScript(path, content, opts);
  }

  async lock(script: string, opts: HostLockOptions): Promise<RunResult> {
    if (this.lockChannel) throw new Error(`${this.host}: this session already holds the host lock`);
    const become = opts.become === false ? 'none' : this.settings.become;
    const marker = lockedMarker(opts.nonce);
    const scriptMs = opts.timeoutMs ?? this.settings.commandTimeoutMs;
    // lockf bounds the wait; the script's own limit (on the host) counts from the moment the
    // lock is had, since the payload runs under lockf.
    // Names this run's waiting lockf on the host (in its argv: not the nonce of any marker).
    this.lockWaiter = randomBytes(8).toString('hex');
    const payload = stdinScriptPayload(`${holderNote(opts, opts.nonce)}\n${script}`, {
      after: hostLockPayloadAfter(marker),
      ...this.limit(scriptMs),
    });
    const r = await this.exec(
      withBecome(hostLockCommand({ ...opts, waiter: this.lockWaiter }), become),
      {
        input: { lifeline: payload },
        until: marker,
        limitMs: scriptMs,
        limitMark: timeLimitMark(this.limitTag),
        onChannel: (c) => {
          this.lockChannel = c;
          // The lock lives as long as this channel: its end before ours (lockf killed, the
          // OOM killer) means the host is no longer ours; no further command runs.
          c.on('close', () => {
            if (this.closed || !this.lockPid) return;
            this.lockLost = 'the host lock was lost (its lockf process ended before the run did)';
            // What runs now runs unlocked: stop it (the lifeline ends it on the host).
            for (const running of this.inFlight) cancel(running);
          });
        },
      },
      scriptMs > 0 ? scriptMs + opts.waitSec * 1000 : 0,
      true,
    );
    if (!r.reachedMarker) {
      this.lockChannel = undefined;
      const said = r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('lockf:'));
      if (r.exitCode === 75) {
        const self = said.some((l) => l.startsWith(opts.holder));
        throw new HostLockedError(
          this.host,
          opts.waitSec,
          self ? 'this run holds it, under another inventory name for the same host' : said.join('; '),
        );
      }
      throw new HostLockError(
        this.host,
        `cannot take the host lock ${LOCK_FILE}: ${r.stderr.trim() || `lockf ended with status ${r.exitCode ?? r.signal}`}`,
      );
    }
    this.lockPid = lockPidOf(r.stdout, opts.nonce);
    const { reachedMarker: _, ...result } = r;
    return result;
  }

  private limit(timeoutMs: number): { timeoutSec?: number; limitTag: string } {
    return { ...(timeoutMs > 0 ? { timeoutSec: timeoutMs / 1000 } : {}), limitTag: this.limitTag };
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.lostReason = 'closed by fleetjail';
      // Commands in flight lose their lifeline: the host ends them.
      for (const c of this.inFlight) c.close();
      this.lockChannel?.end();
      this.client.end();
    }
    this.onClose();
  }

  /** Close the session under running commands, which fail with REASON. */
  abort(reason: string): void {
    this.lostReason = reason;
    void this.close();
  }

  private exec(
    command: string,
    opts: ExecOptions,
    timeoutMs: number,
    hostLimited: boolean,
  ): Promise<RunResult & { reachedMarker: boolean }> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new ConnectionLostError(this.host, this.lostReason ?? 'session closed'));
        return;
      }
      this.client.exec(command, (err, channel) => {
        if (err) {
          reject(this.closed ? new ConnectionLostError(this.host, this.lostReason ?? err.message) : err);
          return;
        }
        opts.onChannel?.(channel);
        this.inFlight.add(channel);
        // The host keeps the limit (remote-script.ts); our own timer is a backstop for a host
        // that stops answering, set past the host's TERM-then-KILL window. Without a limit on
        // the host, our timer is the limit.
        const backstopMs = timeoutMs > 0 ? timeoutMs + (hostLimited ? 10_000 : 0) : 0;
        collect(channel, opts, backstopMs, (outcome) => {
          this.inFlight.delete(channel);
          const hostTimedOut = outcome.stderr.includes(`\n${timeLimitMark(this.limitTag)}\n`);
          if (outcome.timedOut || hostTimedOut) {
            reject(new CommandTimeoutError(this.host, opts.limitMs ?? timeoutMs));
          } else if (this.lockLost && !outcome.reachedMarker) {
            reject(new HostLockLostError(this.host, this.lockLost));
          } else if (this.closed && !outcome.reachedMarker) {
            // Closed under the command (an interrupt, the host's deadline): whatever status it
            // ended with, it was cut off.
            reject(lost(this.host, this.lostReason ?? 'session closed', outcome.stdout, outcome.elided.stdout));
          } else if (outcome.exitCode === undefined && outcome.signal === undefined && !outcome.reachedMarker) {
            reject(lost(this.host, this.lostReason ?? 'the command ended without an exit status', outcome.stdout, outcome.elided.stdout));
          } else {
            resolve({
              exitCode: outcome.exitCode ?? null,
              ...(outcome.signal ? { signal: outcome.signal } : {}),
              stdout: outcome.stdout,
              stderr: outcome.stderr,
              durationMs: Math.round(performance.now() - started),
              ...(outcome.elided.stdout || outcome.elided.stderr ? { elided: outcome.elided } : {}),
              reachedMarker: outcome.reachedMarker,
            });
          }
        });
      });
    });
  }
}

interface ExecOptions extends Omit<RunOptions, 'stdin'> {
  /** data: bytes for the command's stdin, then EOF. lifeline: the script payload, stdin then kept open. */
  input: { data: string | Buffer | Readable } | { lifeline: string };
  /** Resolve once stdout holds this line (`MARKER:STATUS`), the channel staying open (the host lock). */
  until?: string;
  /** The script's own time limit, for the report, when the backstop counts more (a wait for the lock). */
  limitMs?: number;
  /** The stderr line with which the host says it stopped the script at its limit. */
  limitMark?: string;
  onChannel?: (channel: ClientChannel) => void;
}

interface ChannelOutcome {
  exitCode?: number;
  signal?: string;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  reachedMarker: boolean;
  elided: { stdout?: Elision; stderr?: Elision };
}

function collect(channel: ClientChannel, opts: ExecOptions, timeoutMs: number, done: (o: ChannelOutcome) => void): void {
  // Bounded: a host printing gigabytes costs the head and tail of it, never the controller.
  const out = new BoundedOutput(OUTPUT_LIMITS.stdout);
  const err = new BoundedOutput(OUTPUT_LIMITS.stderr);
  const outcome: ChannelOutcome = { stdout: '', stderr: '', timedOut: false, reachedMarker: false, elided: {} };
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    if (timer) clearTimeout(timer);
    const stdout = out.text();
    const stderr = err.text();
    outcome.stdout = stdout.text;
    outcome.stderr = stderr.text;
    if (stdout.elided) outcome.elided.stdout = stdout.elided;
    if (stderr.elided) outcome.elided.stderr = stderr.elided;
    if (opts.limitMark !== undefined && outcome.stderr.includes(`\n${opts.limitMark}\n`)) outcome.timedOut = true;
    if (opts.until !== undefined) {
      const at = outcome.stdout.indexOf(`\n${opts.until}:`);
      if (at >= 0) {
        outcome.reachedMarker = true;
        outcome.exitCode = Number(outcome.stdout.slice(at + opts.until.length + 2).split('\n')[0]);
        outcome.stdout = outcome.stdout.slice(0, at);
      }
    }
    done(outcome);
  };
  // Decode streams incrementally so a multi-byte character split across packets survives.
  const outDecoder = new TextDecoder();
  const errDecoder = new TextDecoder();
  // The marker line ends the output: look for it at the end of what has arrived.
  const markerAtEnd = opts.until !== undefined ? new RegExp(`\n${opts.until}:\\d+\n$`) : undefined;
  let tail = '';
  channel.on('data', (chunk: Buffer) => {
    out.push(chunk);
    opts.onStdout?.(outDecoder.decode(chunk, { stream: true }));
    if (markerAtEnd) {
      tail = (tail + chunk.toString('latin1')).slice(-((opts.until?.length ?? 0) + 32));
      if (markerAtEnd.test(tail)) finish();
    }
  });
  channel.stderr.on('data', (chunk: Buffer) => {
    err.push(chunk);
    opts.onStderr?.(errDecoder.decode(chunk, { stream: true }));
  });
  channel.on('exit', (code: number | null, signal?: string) => {
    if (typeof code === 'number') outcome.exitCode = code;
    if (signal) outcome.signal = signal;
  });
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          outcome.timedOut = true;
          cancel(channel);
          // The host had its chance (its own limit and the lifeline); a host that does not
          // answer at all gets the channel closed under it.
          setTimeout(() => channel.close(), CANCEL_GRACE_MS).unref();
        }, timeoutMs)
      : undefined;
  channel.on('close', finish);
  channel.on('error', () => {}); // surfaces as a close without an exit status
  if ('lifeline' in opts.input) {
    channel.write(opts.input.lifeline);
  } else if (opts.input.data instanceof Readable) {
    const data = opts.input.data;
    data.on('error', (e) => {
      // A local read error: end the transfer short; the host's length check refuses it.
      err.push(Buffer.from(`fleetjail: reading the local file failed: ${e.message}\n`));
      channel.close();
    });
    data.pipe(channel);
  } else {
    channel.end(opts.input.data);
  }
}

/**
 * Give up on a command: end its stdin (the lifeline: the host's watcher ends the script)
 * and ask sshd to signal it (ssh2's channel.signal() refuses once stdin ended, but the
 * protocol allows it while the channel is open; OpenSSH delivers it to the command's
 * process group when it runs as the login user).
 */
function cancel(channel: ClientChannel): void {
  const c = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(id: number, signal: string): void } };
  };
  if (c.outgoing && ['open', 'eof'].includes(c.outgoing.state)) c._client?._protocol?.signal(c.outgoing.id, 'KILL');
  try {
    channel.end();
  } catch {
    // already closed
  }
}

function contentSource(content: string | Buffer | LocalFile): { size: number; sha256: string; body: () => AsyncIterable<Buffer> } {
  if (typeof content === 'string' || Buffer.isBuffer(content)) {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    return {
      size: bytes.length,
      sha256: sha256Hex(bytes),
      body: async function* () {
        yield bytes;
      },
    };
  }
  return { size: content.size, sha256: content.sha256, body: () => fs.createReadStream(content.path) };
}

async function* prefixed(header: string, body: () => AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  yield Buffer.from(header, 'utf8');
  for await (const chunk of body()) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
}

function lost(host: string, why: string, stdout: string, elided?: Elision): ConnectionLostError {
  const e = new ConnectionLostError(host, why);
  e.partialStdout = stdout;
  if (elided) e.partialElided = elided;
  return e;
}
