/**
 * Changes waiting to go to the host together. While the next step can be decided from facts
 * already known, its decision joins the pending ones (a decision with nothing to apply too,
 * so results stay in step order); flush() sends the pending changes as one batch script and
 * records every pending step in order, up to a failure that is not ignored.
 */
import type { HostSession } from '../transport/types.js';
import type { PreparedStep } from '../playbook/prepare.js';
import { applyBatch, BatchCutOff, INLINE_BATCH_MAX, type ApplyContext, type ApplyOutcome } from './apply.js';
import { HostStop } from './host-stop.js';
import type { HostRecord, InFlight } from './host-record.js';
import { appliedOutcome, type Decision } from './step-run.js';

type Pending = { step: PreparedStep; decision: Decision };
type Apply = Extract<Decision, { kind: 'apply' }>;

export class ChangeBatcher {
  private readonly pending: Pending[] = [];
  /** File content bytes the pending steps carry inline. */
  private inline = 0;

  constructor(
    private readonly session: HostSession,
    private readonly applyCtx: ApplyContext,
    private readonly host: HostRecord,
    /** Why the run stops, once the operator asked it to (the batch stops before its next step). */
    private readonly interruptReason: () => string | undefined,
    /** Why the session was closed on purpose, if it was. */
    private readonly stopCause: () => HostStop | undefined,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  /** Whether INLINE more bytes still fit in the pending batch. */
  fits(inline: number): boolean {
    return inline + this.inline <= INLINE_BATCH_MAX;
  }

  add(step: PreparedStep, decision: Decision, inline = 0): void {
    this.pending.push({ step, decision });
    this.inline += inline;
  }

  /** Forget the pending decisions: decided, never sent, they did not start on the host. */
  drop(): void {
    this.pending.splice(0);
    this.inline = 0;
  }

  /** Send the pending changes as one script; record the steps in order, up to a failure. */
  async flush(): Promise<void> {
    const batch = this.pending.splice(0);
    this.inline = 0;
    const toApply = batch.filter((p): p is { step: PreparedStep; decision: Apply } => p.decision.kind === 'apply');
    if (toApply.length === 0) {
      for (const p of batch)
        if (this.host.failure === null) this.host.record(p.step, (p.decision as Extract<Decision, { kind: 'done' }>).outcome);
      return;
    }
    let applied;
    try {
      applied = await applyBatch(
        this.session,
        toApply.map((p) => ({ changes: p.decision.changes, stopOnFailure: !p.step.decl.ignoreErrors })),
        this.applyCtx,
      );
    } catch (e) {
      this.host.roundTrips++;
      throw this.cutOff(batch, e);
    }
    this.host.roundTrips += applied.roundTrips;
    let next = 0;
    let last: ApplyOutcome | undefined;
    for (const p of batch) {
      const outcome = p.decision.kind === 'apply' ? applied.outcomes[next++] : undefined;
      // The batch stopped at a failure; later steps did not run, except those merged into
      // the failed command (they share its outcome).
      if (this.host.failure !== null && (outcome === undefined || outcome !== last)) break;
      // Stopped by the operator's interrupt before this step.
      if (p.decision.kind === 'apply' && outcome === undefined) {
        throw new HostStop('interrupted', `${this.interruptReason() ?? 'interrupted'}: stopped before step '${p.decision.name}'`);
      }
      last = outcome;
      if (p.decision.kind === 'done') this.host.record(p.step, p.decision.outcome);
      else if (outcome) this.host.record(p.step, appliedOutcome(p.decision, outcome));
    }
  }

  /** A batch an exception cut off: the steps that finished before it keep their results, the rest fail with the cause. */
  private cutOff(batch: Pending[], e: unknown): HostStop {
    const finished = e instanceof BatchCutOff ? e.finished : [];
    const inFlight: InFlight[] = [];
    let next = 0;
    for (const p of batch) {
      const done = p.decision.kind === 'apply' ? finished[next++] : undefined;
      if (p.decision.kind === 'done') {
        if (inFlight.length === 0) this.host.record(p.step, p.decision.outcome);
      } else if (done && inFlight.length === 0) {
        this.host.record(p.step, appliedOutcome(p.decision, done));
      } else {
        inFlight.push({ step: p.step, name: p.decision.name, sent: true, started: p.decision.started });
      }
    }
    return this.host.recordCutOff(inFlight, e instanceof BatchCutOff ? e.cause : e, this.stopCause());
  }
}
