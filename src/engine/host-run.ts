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
import type { HostSession } from '../transport/types.js';
import type { HostPlan, PreparedStep, RuntimeRenderer } from '../playbook/prepare.js';
import type { ApplyContext } from './apply.js';
import { ChangeBatcher } from './change-batcher.js';
import type { EventSink } from './events.js';
import { FactCache } from './fact-cache.js';
import { gatherFacts, upfrontQueries } from './fact-gathering.js';
import { EditedFiles } from './file-edits.js';
import { HostRecord } from './host-record.js';
import { errorText, HostStop, hostStopOf, HostWatch } from './host-stop.js';
import type { Interrupt } from './interrupt.js';
import { newNonce } from './batch-script.js';
import type { HostResult, StepResult } from './results.js';
import { runSteps } from './step-loop.js';
import type { StepEnv } from './step-run.js';

export interface HostRunOptions {
  /** Steps that read registered results, decided and rendered when reached. */
  runtime: RuntimeRenderer;
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

export async function runHost(plan: HostPlan, opts: HostRunOptions): Promise<HostResult> {
  const host = new HostRecord(plan.host, opts.emit, opts.log);
  opts.emit({ type: 'host-start', host: plan.host });
  if (opts.interrupt?.requested) return host.finish(`${opts.interrupt.reason}: not started`, 'interrupted');

  let session: HostSession;
  try {
    session = await opts.connect(plan.host);
    host.connectRetry = session.connectRetry;
  } catch (e) {
    return host.finish(errorText(e), opts.interrupt?.requested ? 'interrupted' : 'unreachable');
  }

  const watch = new HostWatch(
    session,
    {
      ...(opts.interrupt ? { interrupt: opts.interrupt } : {}),
      ...(opts.hostTimeoutMs ? { hostTimeoutMs: opts.hostTimeoutMs } : {}),
      ...(opts.lock ? { lockHolder: opts.lock.holder } : {}),
    },
    opts.lock === undefined,
  );
  const stopCause = () => watch.cause;
  const cache = new FactCache();
  /** The steps after the one being decided. */
  let lookahead: PreparedStep[] = [];
  const env: StepEnv = {
    host: plan.host,
    cache,
    check: opts.check,
    diff: opts.diff,
    gather: async (queries) => {
      if (queries.length === 0 && watch.isLocked) return;
      host.roundTrips++;
      // While at it, whatever the following steps lack (made stale by a command, say), so
      // that they do not each cost a round trip of their own.
      const keys = new Set(queries.map((q) => q.key));
      const all = [...queries, ...upfrontQueries(lookahead, env).filter((q) => !keys.has(q.key))];
      if (watch.isLocked) {
        await gatherFacts((script) => session.run(script), cache, all);
      } else {
        // The run's first round trip takes the host's lock, and holds it to the end.
        const lock = opts.lock as NonNullable<HostRunOptions['lock']>;
        await gatherFacts((script) => session.lock(script, { ...lock, nonce: newNonce() }), cache, all);
        watch.lockHad();
      }
    },
    whenAtRuntime: (s) => opts.runtime.when(plan, s, host.registered),
    renderAtRuntime: (s) => opts.runtime.render(plan, s, host.registered),
  };
  const applyCtx: ApplyContext = {
    files: new EditedFiles(),
    reconnect: () => (opts.reconnect ?? opts.connect)(plan.host),
    ...(opts.interrupt ? { onInterrupt: (f: () => void) => (opts.interrupt as Interrupt).whenRequested(f) } : {}),
  };
  const loop = {
    session,
    env,
    host,
    applyCtx,
    emit: opts.emit,
    interrupt: opts.interrupt,
    oneStepAtATime: opts.oneStepAtATime === true,
    batcher: new ChangeBatcher(session, applyCtx, host, () => opts.interrupt?.reason, stopCause),
    setLookahead: (steps: PreparedStep[]) => {
      lookahead = steps;
    },
    stopCause,
  };

  try {
    // Every step's facts in one round trip (steps that wait for registered variables ask
    // later); the host's lock is taken in the same round trip.
    try {
      await env.gather(upfrontQueries(plan.steps, env));
    } catch (e) {
      const stop = hostStopOf(e, stopCause());
      throw new HostStop(stop.status, `gathering facts: ${stop.message}`);
    }
    await runSteps(plan.steps, loop);
    if (host.failure === null) {
      const handlers = plan.handlers.filter((h) => h.decl.name !== undefined && host.notified.has(h.decl.name));
      if (opts.check) for (const h of handlers) host.push(skippedHandler(h));
      else await runSteps(handlers, loop);
    }
    return host.finish(host.failure);
  } catch (e) {
    const stop = hostStopOf(e, stopCause());
    return host.finish(stop.message, stop.status);
  } finally {
    watch.dispose();
    await session.close().catch(() => undefined);
  }
}

function skippedHandler(h: PreparedStep): StepResult {
  return {
    id: h.decl.id,
    name: h.rendered?.name ?? h.decl.name ?? h.decl.module.name,
    module: h.decl.module.name,
    handler: true,
    status: 'skipped',
    changed: false,
    changes: [],
    diff: null,
    error: null,
    ignored: false,
    skipReason: 'notified; handlers do not run in check mode',
    durationMs: 0,
  };
}
