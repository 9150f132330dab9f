/**
 * A host's result as its run builds it: the steps in the order they finished, what they
 * registered and notified, the round trips, and the failure that ends the host's steps.
 */
import type { Logger } from 'pino';
import type { PreparedStep } from '../playbook/prepare.js';
import type { EventSink } from './events.js';
import { hostStopOf, type HostStop } from './host-stop.js';
import { countSteps, hostStatusOf, type HostResult, type HostStatus, type StepResult } from './results.js';
import { failedInFlight, type StepOutcome } from './step-run.js';

/** A step whose outcome an exception cut off; `sent`: its changes had gone to the host. */
export interface InFlight {
  step: PreparedStep;
  name: string;
  sent: boolean;
  started: number;
}

export class HostRecord {
  readonly steps: StepResult[] = [];
  readonly registered: Record<string, unknown> = {};
  readonly notified = new Set<string>();
  roundTrips = 0;
  /** The first step that failed (not ignored): the host runs no further step. */
  failure: string | null = null;
  connectRetry: string | undefined;
  private readonly started = performance.now();

  constructor(
    readonly host: string,
    private readonly emit: EventSink,
    private readonly log?: Logger,
  ) {}

  record(step: PreparedStep, outcome: StepOutcome): void {
    const r = outcome.result;
    this.steps.push(r);
    this.emit({ type: 'step-end', host: this.host, result: r });
    this.log?.info({ step: r.id, name: r.name, module: r.module, status: r.status, changes: r.changes, error: r.error }, 'step');
    if (step.decl.register) this.registered[step.decl.register] = outcome.registered;
    if (r.changed) step.decl.notify.forEach((n) => this.notified.add(n));
    if (r.status === 'failed' && !r.ignored) this.failure = `step '${r.name}' failed: ${r.error}`;
  }

  /** A result that is no step's outcome (a handler skipped in check mode). */
  push(r: StepResult): void {
    this.steps.push(r);
    this.emit({ type: 'step-end', host: this.host, result: r });
  }

  /** Steps cut off by E: failed, with the cause (a change sent may have been made); the host's stop. */
  recordCutOff(inFlight: readonly InFlight[], e: unknown, cause: HostStop | undefined): HostStop {
    const stop = hostStopOf(e, cause);
    for (const f of inFlight) {
      this.record(
        f.step,
        failedInFlight(
          f.step,
          f.name,
          f.started,
          f.sent ? `${stop.message} (its changes were sent: whether they were made is unknown)` : stop.message,
        ),
      );
    }
    return stop;
  }

  /** The host's result, emitted and logged once. */
  finish(error: string | null, status?: HostStatus): HostResult {
    const r: HostResult = {
      name: this.host,
      status: status ?? hostStatusOf(this.steps),
      ...countSteps(this.steps),
      error,
      durationMs: Math.round(performance.now() - this.started),
      steps: this.steps,
      roundTrips: this.roundTrips,
      ...(this.connectRetry ? { connectRetry: this.connectRetry } : {}),
    };
    this.emit({ type: 'host-end', result: r });
    this.log?.info(
      {
        status: r.status,
        ok: r.ok,
        changed: r.changed,
        failed: r.failed,
        roundTrips: r.roundTrips,
        durationMs: r.durationMs,
        error: r.error,
      },
      'host done',
    );
    return r;
  }
}
