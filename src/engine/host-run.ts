/**
 * One host, start to finish: connect, take the host's lock and gather the facts of every
 * step in that same round trip, run the steps in order (a failed step stops this host only),
 * then the notified handlers, once each. Never throws: every outcome is a HostResult.
 *
 * Changes are not sent one step at a time: while the next step can be decided from facts
 * already known (nothing it reads was touched, it needs no registered result), its changes
 * join the pending ones, and the pending scripts (small file writes included) go to the host
 * together. A converged host costs one round trip; a first run one more per batch (and one
 * per large file written).
 *
 * Whatever stops a host (a timeout, a lost connection, the lock held by another run, the
 * operator's interrupt) is reported as what it is: the steps in flight fail with the cause
 * (a change whose outcome is unknown says so), the steps applied before stay in the report,
 * and the host is failed, unreachable or interrupted, never ok.
 */
import type { Logger } from 'pino';
import type { HostSession, RunResult } from '../transport/types.js';
import type { FactQuery } from '../modules/types.js';
import type { HostPlan, PlaybookPreparer, PreparedStep } from '../playbook/prepare.js';
import type { EventSink } from './events.js';
import { applyBatch, applyChanges, BatchCutOff, INLINE_BATCH_MAX, inlineBytes } from './apply.js';
import { buildFactScript, newNonce, splitFactOutput } from './batch-script.js';
import { FactCache } from './fact-cache.js';
import { EditedFiles } from './file-edits.js';
import type { Interrupt } from './interrupt.js';
import { countSteps, hostStatusOf, type HostResult, type HostStatus, type StepResult } from './results.js';
import { appliedOutcome, decidableNow, decideStep, failedInFlight, isTransportFailure, stepQueries, type Decision, type StepEnv, type StepOutcome } from './step-run.js';

export interface HostRunOptions {
  preparer: PlaybookPreparer;
  connect(host: string): Promise<HostSession>;
  check: boolean;
  diff: boolean;
  emit: EventSink;
  log?: Logger;
  /** Take the host's lock for the run (one run per host at a time); omitted: no lock. */
  lock?: { waitSec: number; holder: string };
  /** The whole host's run may take this long; then its command is stopped and the host fails. */
  hostTimeoutMs?: number;
  interrupt?: Interrupt;
  /**
   * Send each step's changes on their own (-T: a limit per command means per step, not per
   * batch of steps sent together).
   */
  oneStepAtATime?: boolean;
  /** A new session for a change to confirm (pf): not queued behind other hosts' first connections. */
  reconnect?(host: string): Promise<HostSession>;
}

type Pending = { step: PreparedStep; decision: Decision };

/** What stopped a host early: its status and the cause, for the host and the steps in flight. */
class HostStop extends Error {
  constructor(readonly status: HostStatus, message: string) {
    super(message);
  }
}

export async function runHost(plan: HostPlan, opts: HostRunOptions): Promise<HostResult> {
  const started = performance.now();
  const host = plan.host;
  const steps: StepResult[] = [];
  let roundTrips = 0;
  let failure: string | null = null;
  let connectRetry: string | undefined;
  const result = (error: string | null, status?: HostStatus): HostResult => ({
    name: host,
    status: status ?? hostStatusOf(steps),
    ...countSteps(steps),
    error,
    durationMs: Math.round(performance.now() - started),
    steps,
    roundTrips,
    ...(connectRetry ? { connectRetry } : {}),
  });
  const finish = (r: HostResult): HostResult => {
    opts.emit({ type: 'host-end', result: r });
    opts.log?.info({ status: r.status, ok: r.ok, changed: r.changed, failed: r.failed, roundTrips: r.roundTrips, durationMs: r.durationMs, error: r.error }, 'host done');
    return r;
  };
  opts.emit({ type: 'host-start', host });
  if (opts.interrupt?.requested) return finish(result(`${opts.interrupt.reason}: not started`, 'interrupted'));

  let session: HostSession;
  try {
    session = await opts.connect(host);
    connectRetry = session.connectRetry;
  } catch (e) {
    return finish(result(errorText(e), opts.interrupt?.requested ? 'interrupted' : 'unreachable'));
  }

  // The operator's second signal and the host's own deadline both close the session under
  // whatever runs: the host ends its commands (their lifeline is gone).
  let stopCause: HostStop | undefined;
  let locked = opts.lock === undefined;
  const stopSession = (cause: HostStop) => {
    stopCause ??= cause;
    void session.close();
  };
  const unsubscribe = opts.interrupt?.whenStoppedNow(() => stopSession(new HostStop('interrupted', `${opts.interrupt?.reason}: stopped while running`)));
  // While the host's lock is not had, nothing of this run has run there: the first signal
  // ends the wait at once.
  // Giving up while the lock is not had: end the wait on the host, and name the holder.
  const giveUpWaiting = (stop: (holder: string) => HostStop) => {
    stopCause ??= stop('');
    const named = (holder: string) => {
      if (holder.startsWith(opts.lock?.holder ?? '\0')) stopCause = stop(' (this run had it: its first facts were still running)');
      else if (holder) stopCause = stop(` (held by ${holder})`);
    };
    void (session.abandonLockWait?.(named) ?? Promise.resolve()).finally(() => void session.close());
  };
  const unsubscribeWait = opts.interrupt?.whenRequested(() => {
    if (!locked) giveUpWaiting((held) => new HostStop('interrupted', `${opts.interrupt?.reason}: not started (it was waiting for another run to let go of the host's lock${held})`));
  });
  const deadline = opts.hostTimeoutMs
    ? setTimeout(() => {
      if (locked) stopSession(new HostStop('failed', `host timeout: the run did not finish within ${opts.hostTimeoutMs! / 1000} s; its command was stopped on the host`));
      else giveUpWaiting((held) => new HostStop('failed', `host timeout: ${opts.hostTimeoutMs! / 1000} s passed waiting for the host's lock${held} or the first facts; nothing of this run changed the host`));
    }, opts.hostTimeoutMs)
    : undefined;

  const cache = new FactCache();
  const applyCtx = {
    files: new EditedFiles(),
    reconnect: () => (opts.reconnect ?? opts.connect)(host),
    ...(opts.interrupt ? { onInterrupt: (f: () => void) => (opts.interrupt as Interrupt).whenRequested(f) } : {}),
  };
  /** The steps after the one being decided. */
  let lookahead: PreparedStep[] = [];
  const registered: Record<string, unknown> = {};
  const notified = new Set<string>();
  const env: StepEnv = {
    host,
    cache,
    check: opts.check,
    diff: opts.diff,
    gather: async (queries) => {
      if (queries.length === 0 && locked) return;
      roundTrips++;
      // While at it, whatever the following steps lack (made stale by a command, say), so
      // that they do not each cost a round trip of their own.
      const keys = new Set(queries.map((q) => q.key));
      const all = [...queries, ...upfrontQueries(lookahead, env).filter((q) => !keys.has(q.key))];
      if (locked) {
        await gather((script) => session.run(script), cache, all);
      } else {
        // The run's first round trip takes the host's lock, and holds it to the end.
        const lock = opts.lock as NonNullable<HostRunOptions['lock']>;
        await gather((script) => session.lock(script, { ...lock, nonce: newNonce() }), cache, all);
        locked = true;
      }
    },
    whenAtRuntime: (s) => opts.preparer.renderer.when(s.decl, { ...opts.preparer.runtimeScope(plan.vars, registered), ...s.loopScope }),
    renderAtRuntime: (s) => opts.preparer.renderer.render(s.decl, { ...opts.preparer.runtimeScope(plan.vars, registered), ...s.loopScope }),
  };

  const record = (step: PreparedStep, outcome: StepOutcome) => {
    const r = outcome.result;
    steps.push(r);
    opts.emit({ type: 'step-end', host, result: r });
    opts.log?.info({ step: r.id, name: r.name, module: r.module, status: r.status, changes: r.changes, error: r.error }, 'step');
    if (step.decl.register) registered[step.decl.register] = outcome.registered;
    if (r.changed) step.decl.notify.forEach((n) => notified.add(n));
    if (r.status === 'failed' && !r.ignored) failure = `step '${r.name}' failed: ${r.error}`;
  };

  /** Steps whose outcome an exception cut off: failed, with the cause; a change sent may have been made. */
  const recordCutOff = (inFlight: Array<{ step: PreparedStep; name: string; sent: boolean; started: number }>, e: unknown): HostStop => {
    const stop = hostStopOf(e, stopCause);
    for (const f of inFlight) record(f.step, failedInFlight(f.step, f.name, f.started, f.sent ? `${stop.message} (its changes were sent: whether they were made is unknown)` : stop.message));
    return stop;
  };

  const pending: Pending[] = [];
  /** File content bytes the pending steps carry inline. */
  let pendingInline = 0;
  /** Send the pending changes as one script; record the steps in order, up to a failure. */
  const flush = async () => {
    const batch = pending.splice(0);
    pendingInline = 0;
    const toApply = batch.filter((p): p is { step: PreparedStep; decision: Extract<Decision, { kind: 'apply' }> } => p.decision.kind === 'apply');
    if (toApply.length === 0) {
      for (const p of batch) if (failure === null) record(p.step, (p.decision as Extract<Decision, { kind: 'done' }>).outcome);
      return;
    }
    let applied;
    try {
      applied = await applyBatch(session, toApply.map((p) => ({ changes: p.decision.changes, stopOnFailure: !p.step.decl.ignoreErrors })), applyCtx);
    } catch (e) {
      roundTrips++;
      const finished = e instanceof BatchCutOff ? e.finished : [];
      const inFlight = [];
      let next = 0;
      for (const p of batch) {
        const done = p.decision.kind === 'apply' ? finished[next++] : undefined;
        if (p.decision.kind === 'done') {
          if (inFlight.length === 0) record(p.step, p.decision.outcome);
        } else if (done && inFlight.length === 0) {
          record(p.step, appliedOutcome(p.decision, done));
        } else {
          inFlight.push({ step: p.step, name: p.decision.name, sent: true, started: p.decision.started });
        }
      }
      throw recordCutOff(inFlight, e instanceof BatchCutOff ? e.cause : e);
    }
    roundTrips += applied.roundTrips;
    let next = 0;
    let last: unknown;
    for (const p of batch) {
      const outcome = p.decision.kind === 'apply' ? applied.outcomes[next++] : undefined;
      // The batch stopped at a failure; later steps did not run, except those merged into
      // the failed command (they share its outcome).
      if (failure !== null && (outcome === undefined || outcome !== last)) break;
      // Stopped by the operator's interrupt before this step.
      if (p.decision.kind === 'apply' && outcome === undefined) {
        throw new HostStop('interrupted', `${opts.interrupt?.reason ?? 'interrupted'}: stopped before step '${p.decision.name}'`);
      }
      last = outcome;
      if (p.decision.kind === 'done') record(p.step, p.decision.outcome);
      else if (outcome) record(p.step, appliedOutcome(p.decision, outcome));
    }
  };

  const runList = async (list: PreparedStep[]) => {
    for (const [i, step] of list.entries()) {
      lookahead = list.slice(i + 1);
      if (opts.interrupt?.requested) {
        pending.splice(0); // decided, never sent: these did not start on the host
        throw new HostStop('interrupted', `${opts.interrupt.reason}: stopped before step '${step.rendered?.name ?? step.decl.name ?? step.decl.module.name}'`);
      }
      const timeoutMs = step.decl.timeoutSec !== undefined ? step.decl.timeoutSec * 1000 : undefined;
      // A step with a time limit of its own runs alone, so that the limit is its own.
      const alone = timeoutMs !== undefined || opts.oneStepAtATime === true;
      if (pending.length > 0 && (alone || !decidableNow(step, env))) await flush();
      if (failure !== null) return;
      const name = step.rendered?.name ?? step.decl.name ?? step.decl.module.name;
      const stepStarted = performance.now();
      opts.emit({ type: 'step-start', host, id: step.decl.id, name, index: i, total: list.length });
      let decision: Decision;
      try {
        decision = await decideStep(step, env);
      } catch (e) {
        await flushBeforeStop(e);
        throw recordCutOff([{ step, name, sent: false, started: stepStarted }], e);
      }
      const inline = decision.kind === 'apply' && !alone ? inlineBytes(decision.changes) : null;
      if (inline !== null && inline + pendingInline > INLINE_BATCH_MAX) await flush();
      if (decision.kind === 'apply' && inline !== null) {
        pending.push({ step, decision });
        pendingInline += inline;
      } else if (decision.kind === 'apply') {
        await flush();
        if (failure !== null) return;
        let applied;
        try {
          applied = await applyChanges(session, decision.changes, applyCtx, timeoutMs !== undefined ? { timeoutMs } : {});
        } catch (e) {
          roundTrips++;
          // The step's own limit stopped its command, on the host: the session is whole, and
          // the step fails as any failing command does (ignore_errors lets the run go on).
          if (e instanceof Error && e.name === 'CommandTimeoutError' && !stopCause) {
            record(step, failedInFlight(step, decision.name, decision.started, `${e.message.replace(`${host}: `, '')} (its changes may be partly made)`));
            continue;
          }
          throw recordCutOff([{ step, name: decision.name, sent: true, started: decision.started }], e);
        }
        roundTrips += applied.roundTrips;
        record(step, appliedOutcome(decision, applied.outcomes[0] as NonNullable<(typeof applied.outcomes)[0]>));
      } else if (pending.length > 0) {
        pending.push({ step, decision });
        if (decision.outcome.result.status === 'failed' && !decision.outcome.result.ignored) await flush();
      } else {
        record(step, decision.outcome);
      }
    }
    await flush();
  };
  /** Pending changes were decided before the failure: they still go (or are reported cut off). */
  const flushBeforeStop = async (cause: unknown) => {
    if (pending.length === 0 || isTransportFailure(cause) || stopCause) return;
    await flush().catch(() => undefined);
  };

  try {
    // Every step's facts in one round trip (steps that wait for registered variables ask
    // later); the host's lock is taken in the same round trip.
    try {
      await env.gather(upfrontQueries(plan.steps, env));
    } catch (e) {
      const stop = hostStopOf(e, stopCause);
      throw new HostStop(stop.status, `gathering facts: ${stop.message}`);
    }
    await runList(plan.steps);
    if (failure === null) {
      const handlers = plan.handlers.filter((h) => h.decl.name !== undefined && notified.has(h.decl.name));
      if (opts.check) {
        for (const h of handlers) {
          const r = skippedHandler(h);
          steps.push(r);
          opts.emit({ type: 'step-end', host, result: r });
        }
      } else {
        await runList(handlers);
      }
    }
    return finish(result(failure));
  } catch (e) {
    const stop = e instanceof HostStop ? e : hostStopOf(e, stopCause);
    return finish(result(stop.message, stop.status));
  } finally {
    if (deadline) clearTimeout(deadline);
    unsubscribe?.();
    unsubscribeWait?.();
    await session.close().catch(() => undefined);
  }
}

/** What an exception out of a host's run means for the host. */
function hostStopOf(e: unknown, stopCause: HostStop | undefined): HostStop {
  if (e instanceof HostStop) return e;
  // The session was closed on purpose (interrupt, host deadline): that is the cause.
  if (stopCause) return stopCause;
  const message = errorText(e);
  if (e instanceof Error && e.name === 'ConnectionLostError') return new HostStop('unreachable', message);
  return new HostStop('failed', message);
}

function upfrontQueries(steps: PreparedStep[], env: StepEnv): Array<FactQuery<unknown>> {
  const queries: Array<FactQuery<unknown>> = [];
  for (const s of steps) {
    if (s.when === false || !s.rendered) continue;
    try {
      queries.push(...stepQueries(s.decl.module, s.rendered, { host: env.host, target: s.rendered.target, check: env.check, diff: env.diff }));
    } catch {
      // The step reports this error itself when it runs.
    }
  }
  // In check mode a stale fact reads the same as before: gathering it again tells nothing.
  return env.cache.needed(queries).filter((q) => !env.check || !env.cache.isStale(q));
}

type Runner = (script: string) => Promise<Pick<RunResult, 'stdout' | 'stderr' | 'exitCode' | 'signal' | 'elided'>>;

async function gather(run: Runner, cache: FactCache, queries: Array<FactQuery<unknown>>): Promise<void> {
  // Queries with the same script (e.g. one per rc.conf variable, all reading rc.conf) run
  // once: on a fleet, every process a fact script starts is paid once per host.
  const unique = [...new Map(queries.map((q) => [q.script, q])).values()];
  const nonce = newNonce();
  const r = await run(buildFactScript(unique, nonce));
  const outputs = splitFactOutput(r.stdout, unique.length, nonce, r.elided?.stdout);
  const byScript = new Map(unique.map((q, i) => [q.script, outputs[i]]));
  const died = `the fact script ended early (exit status ${r.exitCode ?? r.signal}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-2).join('; ')}` : ''})`;
  for (const q of queries) {
    const out = byScript.get(q.script);
    // A query whose output was too large to keep fails the steps that read it, no other.
    if (out && 'tooLarge' in out) cache.store(q, undefined, out.tooLarge);
    else cache.store(q, out, died);
  }
}

function skippedHandler(h: PreparedStep): StepResult {
  return {
    id: h.decl.id, name: h.rendered?.name ?? h.decl.name ?? h.decl.module.name, module: h.decl.module.name, handler: true,
    status: 'skipped', changed: false, changes: [], diff: null, error: null, ignored: false,
    skipReason: 'notified; handlers do not run in check mode', durationMs: 0,
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
