/**
 * One host, start to finish: connect, gather the facts of every step in one round trip,
 * run the steps in order (a failed step stops this host only), then the notified
 * handlers, once each. Never throws: every outcome is a HostResult.
 *
 * Changes are not sent one step at a time: while the next step can be decided from facts
 * already known (nothing it reads was touched, it needs no registered result), its changes
 * join the pending ones, and the pending scripts (small file writes included) go to the host
 * together. A converged host costs one round trip; a first run one more per batch (and one
 * per large file written).
 */
import type { Logger } from 'pino';
import type { HostSession } from '../transport/types.js';
import type { FactQuery } from '../modules/types.js';
import type { HostPlan, PlaybookPreparer, PreparedStep } from '../playbook/prepare.js';
import type { EventSink } from './events.js';
import { applyBatch, applyChanges, INLINE_BATCH_MAX, inlineBytes } from './apply.js';
import { buildFactScript, newNonce, splitFactOutput } from './batch-script.js';
import { FactCache } from './fact-cache.js';
import { EditedFiles } from './file-edits.js';
import { countSteps, hostStatusOf, type HostResult, type StepResult } from './results.js';
import { appliedOutcome, decidableNow, decideStep, isTransportFailure, stepQueries, type Decision, type StepEnv, type StepOutcome } from './step-run.js';

export interface HostRunOptions {
  preparer: PlaybookPreparer;
  connect(host: string): Promise<HostSession>;
  check: boolean;
  diff: boolean;
  emit: EventSink;
  log?: Logger;
}

type Pending = { step: PreparedStep; decision: Decision };

export async function runHost(plan: HostPlan, opts: HostRunOptions): Promise<HostResult> {
  const started = performance.now();
  const host = plan.host;
  const steps: StepResult[] = [];
  let roundTrips = 0;
  let failure: string | null = null;
  const result = (error: string | null, unreachable = false): HostResult => ({
    name: host,
    status: unreachable ? 'unreachable' : hostStatusOf(steps),
    ...countSteps(steps),
    error,
    durationMs: Math.round(performance.now() - started),
    steps,
    roundTrips,
  });
  const finish = (r: HostResult): HostResult => {
    opts.emit({ type: 'host-end', result: r });
    opts.log?.info({ host, status: r.status, ok: r.ok, changed: r.changed, failed: r.failed, roundTrips: r.roundTrips, durationMs: r.durationMs, error: r.error }, 'host done');
    return r;
  };
  opts.emit({ type: 'host-start', host });

  let session: HostSession;
  try {
    session = await opts.connect(host);
  } catch (e) {
    return finish(result(errorText(e), true));
  }
  const cache = new FactCache();
  const applyCtx = { files: new EditedFiles(), reconnect: () => opts.connect(host) };
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
      if (queries.length === 0) return;
      roundTrips++;
      // While at it, whatever the following steps lack (made stale by a command, say), so
      // that they do not each cost a round trip of their own.
      const keys = new Set(queries.map((q) => q.key));
      await gather(session, cache, [...queries, ...upfrontQueries(lookahead, env).filter((q) => !keys.has(q.key))]);
    },
    whenAtRuntime: (s) => opts.preparer.renderer.when(s.decl, { ...opts.preparer.runtimeScope(plan.vars, registered), ...s.loopScope }),
    renderAtRuntime: (s) => opts.preparer.renderer.render(s.decl, { ...opts.preparer.runtimeScope(plan.vars, registered), ...s.loopScope }),
  };

  const record = (step: PreparedStep, outcome: StepOutcome) => {
    const r = outcome.result;
    steps.push(r);
    opts.emit({ type: 'step-end', host, result: r });
    opts.log?.info({ host, step: r.id, status: r.status, changes: r.changes, error: r.error }, 'step');
    if (step.decl.register) registered[step.decl.register] = outcome.registered;
    if (r.changed) step.decl.notify.forEach((n) => notified.add(n));
    if (r.status === 'failed' && !r.ignored) failure = `step '${r.name}' failed: ${r.error}`;
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
    const applied = await applyBatch(session, toApply.map((p) => ({ changes: p.decision.changes, stopOnFailure: !p.step.decl.ignoreErrors })), applyCtx);
    roundTrips += applied.roundTrips;
    let next = 0;
    let last: unknown;
    for (const p of batch) {
      const outcome = p.decision.kind === 'apply' ? applied.outcomes[next++] : undefined;
      // The batch stopped at a failure; later steps did not run, except those merged into
      // the failed command (they share its outcome).
      if (failure !== null && (outcome === undefined || outcome !== last)) break;
      last = outcome;
      if (p.decision.kind === 'done') record(p.step, p.decision.outcome);
      else if (outcome) record(p.step, appliedOutcome(p.decision, outcome));
    }
  };

  const runList = async (list: PreparedStep[]) => {
    for (const [i, step] of list.entries()) {
      lookahead = list.slice(i + 1);
      if (pending.length > 0 && !decidableNow(step, env)) await flush();
      if (failure !== null) return;
      const name = step.rendered?.name ?? step.decl.name ?? step.decl.module.name;
      opts.emit({ type: 'step-start', host, id: step.decl.id, name, index: i, total: list.length });
      const decision = await decideStep(step, env);
      const inline = decision.kind === 'apply' ? inlineBytes(decision.changes) : null;
      if (inline !== null && inline + pendingInline > INLINE_BATCH_MAX) await flush();
      if (decision.kind === 'apply' && inline !== null) {
        pending.push({ step, decision });
        pendingInline += inline;
      } else if (decision.kind === 'apply') {
        await flush();
        if (failure !== null) return;
        const applied = await applyChanges(session, decision.changes, applyCtx);
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

  try {
    // Every step's facts in one round trip (steps that wait for registered variables ask later).
    await env.gather(upfrontQueries(plan.steps, env));
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
    // Only the connection itself gets here: everything else is a failed step.
    return finish(result(errorText(e), isTransportFailure(e)));
  } finally {
    await session.close().catch(() => undefined);
  }
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

async function gather(session: HostSession, cache: FactCache, queries: Array<FactQuery<unknown>>): Promise<void> {
  // Queries with the same script (e.g. one per rc.conf variable, all reading rc.conf) run
  // once: on a fleet, every process a fact script starts is paid once per host.
  const unique = [...new Map(queries.map((q) => [q.script, q])).values()];
  const nonce = newNonce();
  const r = await session.run(buildFactScript(unique, nonce));
  const outputs = splitFactOutput(r.stdout, unique.length, nonce);
  const byScript = new Map(unique.map((q, i) => [q.script, outputs[i]]));
  const died = `the fact script ended early (exit status ${r.exitCode ?? r.signal}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-2).join('; ')}` : ''})`;
  for (const q of queries) cache.store(q, byScript.get(q.script), died);
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
