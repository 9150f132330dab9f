/**
 * A host's steps in order (or its notified handlers): each one decided (decideStep), then
 * either joined to the pending batch (ChangeBatcher) or, when it cannot wait (a time limit
 * of its own, -T, a large file), applied on its own after the pending batch went.
 */
import type { HostSession } from '../transport/types.js';
import { CommandTimeoutError } from '../transport/errors.js';
import type { PreparedStep } from '../playbook/prepare.js';
import { applyChanges, inlineBytes, type ApplyContext } from './apply.js';
import type { ChangeBatcher } from './change-batcher.js';
import type { EventSink } from './events.js';
import type { HostRecord } from './host-record.js';
import { HostStop } from './host-stop.js';
import type { Interrupt } from './interrupt.js';
import { appliedOutcome, decidableNow, decideStep, failedInFlight, isTransportFailure, type Decision, type StepEnv } from './step-run.js';

export interface StepLoopContext {
  session: HostSession;
  env: StepEnv;
  host: HostRecord;
  batcher: ChangeBatcher;
  applyCtx: ApplyContext;
  emit: EventSink;
  interrupt?: Interrupt | undefined;
  /** -T: every step's changes on their own (a limit per command is then per step). */
  oneStepAtATime: boolean;
  /** The steps after the one being decided, for gathering their facts ahead. */
  setLookahead(steps: PreparedStep[]): void;
  /** Why the session was closed on purpose, if it was. */
  stopCause(): HostStop | undefined;
}

export async function runSteps(list: PreparedStep[], c: StepLoopContext): Promise<void> {
  const { host, batcher } = c;
  for (const [i, step] of list.entries()) {
    c.setLookahead(list.slice(i + 1));
    if (c.interrupt?.requested) {
      batcher.drop(); // decided, never sent: these did not start on the host
      throw new HostStop(
        'interrupted',
        `${c.interrupt.reason}: stopped before step '${step.rendered?.name ?? step.decl.name ?? step.decl.module.name}'`,
      );
    }
    const timeoutMs = step.decl.timeoutSec !== undefined ? step.decl.timeoutSec * 1000 : undefined;
    // A step with a time limit of its own runs alone, so that the limit is its own.
    const alone = timeoutMs !== undefined || c.oneStepAtATime;
    if (batcher.size > 0 && (alone || !decidableNow(step, c.env))) await batcher.flush();
    if (host.failure !== null) return;
    const name = step.rendered?.name ?? step.decl.name ?? step.decl.module.name;
    const stepStarted = performance.now();
    c.emit({ type: 'step-start', host: host.host, id: step.decl.id, name, index: i, total: list.length });
    let decision: Decision;
    try {
      decision = await decideStep(step, c.env);
    } catch (e) {
      // Pending changes were decided before the failure: they still go (or are reported cut off).
      if (batcher.size > 0 && !isTransportFailure(e) && !c.stopCause()) await batcher.flush().catch(() => undefined);
      throw host.recordCutOff([{ step, name, sent: false, started: stepStarted }], e, c.stopCause());
    }
    const inline = decision.kind === 'apply' && !alone ? inlineBytes(decision.changes) : null;
    if (inline !== null && !batcher.fits(inline)) await batcher.flush();
    if (decision.kind === 'apply' && inline !== null) {
      batcher.add(step, decision, inline);
    } else if (decision.kind === 'apply') {
      await batcher.flush();
      if (host.failure !== null) return;
      await applyAlone(step, decision, timeoutMs, c);
    } else if (batcher.size > 0) {
      batcher.add(step, decision);
      if (decision.outcome.result.status === 'failed' && !decision.outcome.result.ignored) await batcher.flush();
    } else {
      host.record(step, decision.outcome);
    }
  }
  await batcher.flush();
}

/** A step's changes sent on their own round trip(s). */
async function applyAlone(
  step: PreparedStep,
  decision: Extract<Decision, { kind: 'apply' }>,
  timeoutMs: number | undefined,
  c: StepLoopContext,
): Promise<void> {
  let applied;
  try {
    applied = await applyChanges(c.session, decision.changes, c.applyCtx, timeoutMs !== undefined ? { timeoutMs } : {});
  } catch (e) {
    c.host.roundTrips++;
    // The step's own limit stopped its command, on the host: the session is whole, and the
    // step fails as any failing command does (ignore_errors lets the run go on).
    if (e instanceof CommandTimeoutError && !c.stopCause()) {
      c.host.record(
        step,
        failedInFlight(
          step,
          decision.name,
          decision.started,
          `${e.message.replace(`${c.host.host}: `, '')} (its changes may be partly made)`,
        ),
      );
      return;
    }
    throw c.host.recordCutOff([{ step, name: decision.name, sent: true, started: decision.started }], e, c.stopCause());
  }
  c.host.roundTrips += applied.roundTrips;
  c.host.record(step, appliedOutcome(decision, applied.outcomes[0] as NonNullable<(typeof applied.outcomes)[0]>));
}
