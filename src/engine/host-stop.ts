/**
 * What stops a host early, and the watch that stops it: the operator's interrupt, the
 * host's own deadline (--host-timeout), and a wait for another run's lock given up. Each
 * closes the session under whatever runs (the host ends its commands: their lifeline is
 * gone) and leaves the cause, so the steps in flight and the host report what happened.
 */
import type { HostSession } from '../transport/types.js';
import { ConnectionLostError } from '../transport/errors.js';
import type { Interrupt } from './interrupt.js';
import type { HostStatus } from './results.js';

/** What stopped a host early: its status and the cause, for the host and the steps in flight. */
export class HostStop extends Error {
  constructor(
    readonly status: HostStatus,
    message: string,
  ) {
    super(message);
  }
}

/** What an exception out of a host's run means for the host; CAUSE: why the session was closed on purpose. */
export function hostStopOf(e: unknown, cause: HostStop | undefined): HostStop {
  if (e instanceof HostStop) return e;
  if (cause) return cause;
  if (e instanceof ConnectionLostError) return new HostStop('unreachable', errorText(e));
  return new HostStop('failed', errorText(e));
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface HostWatchOptions {
  interrupt?: Interrupt;
  hostTimeoutMs?: number;
  /** This run's lock holder note: a holder that starts with it is this run itself. */
  lockHolder?: string;
}

/**
 * Watches one host's run for the causes that stop it from outside. Until the host's lock is
 * had, nothing of this run has run there: the first signal (or the deadline) ends the wait
 * at once and names the holder.
 */
export class HostWatch {
  /** Why the session was closed on purpose; undefined while nothing stopped the host. */
  cause: HostStop | undefined;
  private locked: boolean;
  private readonly disposers: Array<() => void> = [];

  constructor(
    private readonly session: HostSession,
    private readonly opts: HostWatchOptions,
    locked: boolean,
  ) {
    this.locked = locked;
    const { interrupt } = opts;
    if (interrupt) {
      this.disposers.push(
        interrupt.whenStoppedNow(() => this.stop(new HostStop('interrupted', `${interrupt.reason}: stopped while running`))),
      );
      this.disposers.push(
        interrupt.whenRequested(() => {
          if (!this.locked)
            this.giveUpWaiting(
              (held) =>
                new HostStop(
                  'interrupted',
                  `${interrupt.reason}: not started (it was waiting for another run to let go of the host's lock${held})`,
                ),
            );
        }),
      );
    }
    const ms = opts.hostTimeoutMs;
    if (ms) {
      const deadline = setTimeout(() => {
        if (this.locked)
          this.stop(
            new HostStop('failed', `host timeout: the run did not finish within ${ms / 1000} s; its command was stopped on the host`),
          );
        else
          this.giveUpWaiting(
            (held) =>
              new HostStop(
                'failed',
                `host timeout: ${ms / 1000} s passed waiting for the host's lock${held} or the first facts; nothing of this run changed the host`,
              ),
          );
      }, ms);
      this.disposers.push(() => clearTimeout(deadline));
    }
  }

  /** The host's lock is had: from now on a stop ends running commands. */
  lockHad(): void {
    this.locked = true;
  }

  get isLocked(): boolean {
    return this.locked;
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
  }

  private stop(cause: HostStop): void {
    this.cause ??= cause;
    void this.session.close();
  }

  /** Give up waiting for the lock: end the wait on the host, and name the holder. */
  private giveUpWaiting(stop: (holder: string) => HostStop): void {
    this.cause ??= stop('');
    const named = (holder: string) => {
      if (holder.startsWith(this.opts.lockHolder ?? '\0')) this.cause = stop(' (this run had it: its first facts were still running)');
      else if (holder) this.cause = stop(` (held by ${holder})`);
    };
    void (this.session.abandonLockWait?.(named) ?? Promise.resolve()).finally(() => void this.session.close());
  }
}
