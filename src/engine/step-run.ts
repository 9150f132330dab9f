/**
 * One step on one host, in two halves. decideStep: decide `when`, render what waited for
 * registered variables, make sure its facts are fresh (one round trip for whatever is
 * missing or stale), and plan; in check mode that is all. Then the changes are applied
 * (by the host runner, possibly together with the next steps' changes) and stepOutcome
 * turns what happened into the step's result.
 */
import { ConfigError } from '../util/errors.js';
import { TransportError } from '../transport/errors.js';
import type { AnyModule, Change, DiffEntry, FactQuery, StepContext } from '../modules/kit/contract.js';
import type { PreparedStep } from '../playbook/prepare.js';
import type { RenderedStep } from '../playbook/render-step.js';
import type { ApplyOutcome } from './apply.js';
import type { FactCache } from './fact-cache.js';
import { boundedError, OUTPUT_CUT, type StepResult } from './results.js';

export interface StepEnv {
  host: string;
  cache: FactCache;
  check: boolean;
  diff: boolean;
  /** Gather these facts in one round trip into the cache. */
  gather(queries: Array<FactQuery<unknown>>): Promise<void>;
  /** Decide a run-time `when` and render a step that needs registered variables. */
  whenAtRuntime(step: PreparedStep): boolean;
  renderAtRuntime(step: PreparedStep): RenderedStep;
}

export interface StepOutcome {
  result: StepResult;
  /** What `register:` stores. */
  registered: Record<string, unknown>;
}

export type Decision =
  | { kind: 'done'; outcome: StepOutcome }
  | { kind: 'apply'; step: PreparedStep; name: string; changes: Change[]; started: number; diff: boolean };

export type StepFacts = { ok: true; queries: Record<string, FactQuery<unknown>> } | { ok: false; error: unknown };

/** A rendered step's fact queries, asked of its module once (the step is looked at up to three times). */
const factsOfRendered = new WeakMap<RenderedStep, StepFacts>();

export function stepFacts(module: AnyModule, rendered: RenderedStep, env: Pick<StepEnv, 'host' | 'check' | 'diff'>): StepFacts {
  let facts = factsOfRendered.get(rendered);
  if (!facts) {
    const ctx: StepContext = { host: env.host, target: rendered.target, check: env.check, diff: env.diff };
    try {
      facts = { ok: true, queries: module.facts(rendered.args, ctx) as Record<string, FactQuery<unknown>> };
    } catch (error) {
      facts = { ok: false, error };
    }
    factsOfRendered.set(rendered, facts);
  }
  return facts;
}

/**
 * Whether the step can be decided without a round trip and without results of steps not yet
 * applied: its `when` and arguments are known, and its facts are gathered and fresh.
 */
export function decidableNow(step: PreparedStep, env: StepEnv): boolean {
  if (step.when === false || step.pendingError) return true;
  if (step.when === 'runtime' || !step.rendered) return false;
  const facts = stepFacts(step.decl.module, step.rendered, env);
  // facts() itself failed: the step fails without a round trip.
  return !facts.ok || env.cache.needed(Object.values(facts.queries)).length === 0;
}

export async function decideStep(step: PreparedStep, env: StepEnv): Promise<Decision> {
  const started = performance.now();
  const decl = step.decl;
  const done = (fields: Partial<StepResult> & Pick<StepResult, 'status' | 'name'>): Decision => ({
    kind: 'done',
    outcome: outcome(step, started, fields),
  });
  const fallbackName = decl.name ?? decl.module.name;

  let rendered: RenderedStep;
  try {
    if (step.when === false || (step.when === 'runtime' && !env.whenAtRuntime(step))) {
      return done({ status: 'skipped', name: step.rendered?.name ?? fallbackName, skipReason: 'when' });
    }
    if (step.pendingError) throw step.pendingError;
    rendered = step.rendered ?? env.renderAtRuntime(step);
  } catch (e) {
    return done({ status: 'failed', name: fallbackName, error: message(e) });
  }

  const ctx: StepContext = { host: env.host, target: rendered.target, check: env.check, diff: env.diff };
  let changes: Change[];
  let dependsOnSimulatedChange = false;
  try {
    const asked = stepFacts(decl.module, rendered, env);
    if (!asked.ok) throw asked.error;
    const named = asked.queries;
    const queries = Object.values(named);
    // In check mode nothing changed on the host: a fact made stale by a simulated change
    // reads the same, so it is not gathered again (and the plan may not be right).
    dependsOnSimulatedChange = env.check && queries.some((q) => env.cache.isStale(q));
    const wanted = env.check ? queries.filter((q) => env.cache.needed([q]).length > 0 && !env.cache.isStale(q)) : env.cache.needed(queries);
    if (wanted.length > 0) await env.gather(wanted);
    const facts = Object.fromEntries(Object.entries(named).map(([k, q]) => [k, env.cache.get(q)]));
    changes = decl.module.plan(rendered.args, facts, ctx);
  } catch (e) {
    if (isTransportFailure(e)) throw e;
    if (dependsOnSimulatedChange) {
      return done({ status: 'skipped', name: rendered.name, skipReason: `depends on what earlier steps would change (${message(e)})` });
    }
    return done({ status: 'failed', name: rendered.name, error: message(e) });
  }

  if (changes.length === 0) return done({ status: 'ok', name: rendered.name });
  // From here on the facts these changes touch are stale, applied or (in check mode) not.
  env.cache.invalidate(changes.flatMap((c) => c.touches));
  if (env.check)
    return done({
      status: 'changed',
      name: rendered.name,
      changed: true,
      changes: summaries(changes),
      diff: collectDiff(changes, env.diff),
    });
  return { kind: 'apply', step, name: rendered.name, changes, started, diff: env.diff };
}

/** The result of a step whose changes were applied (or failed to apply). */
export function appliedOutcome(d: Extract<Decision, { kind: 'apply' }>, applied: ApplyOutcome): StepOutcome {
  const fields = { name: d.name, changes: summaries(d.changes), diff: collectDiff(d.changes, d.diff) };
  return applied.ok
    ? outcome(d.step, d.started, { ...fields, status: 'changed', changed: true }, applied)
    : outcome(d.step, d.started, { ...fields, status: 'failed', error: applied.error }, applied);
}

/** A step that a timeout, a lost connection or an interrupt cut off: failed, with CAUSE. */
export function failedInFlight(step: PreparedStep, name: string, started: number, cause: string): StepOutcome {
  return outcome(step, started, { status: 'failed', name, error: cause });
}

/** Lines of a failed command's output kept in its result: enough for the cause, never the whole. */
const TAIL_LINES = 20;
export const TAIL_KEPT = 4096;

export function tail(text: string): string {
  const lines = text.replace(/\n+$/, '').split('\n').slice(-TAIL_LINES).join('\n');
  return lines.length > TAIL_KEPT ? `${OUTPUT_CUT}${lines.slice(-TAIL_KEPT)}` : lines;
}

function outcome(
  step: PreparedStep,
  started: number,
  fields: Partial<StepResult> & Pick<StepResult, 'status' | 'name'>,
  output?: ApplyOutcome,
): StepOutcome {
  const decl = step.decl;
  const result: StepResult = {
    id: decl.id,
    module: decl.module.name,
    handler: decl.handler,
    changed: false,
    changes: [],
    diff: null,
    ignored: false,
    ...fields,
    error: fields.error == null ? null : boundedError(fields.error),
    durationMs: Math.round(performance.now() - started),
  };
  if (result.status === 'failed' && output && (output.stdout.trim() !== '' || output.stderr.trim() !== '')) {
    result.output = { stdout: tail(output.stdout), stderr: tail(output.stderr) };
  }
  if (result.status === 'failed' && decl.ignoreErrors) result.ignored = true;
  const stdout = (output?.stdout ?? '').replace(/\n$/, '');
  return {
    result,
    registered: {
      changed: result.changed,
      failed: result.status === 'failed',
      skipped: result.status === 'skipped',
      rc: output?.exitCode ?? (result.status === 'failed' ? 1 : 0),
      stdout,
      stderr: (output?.stderr ?? '').replace(/\n$/, ''),
      stdout_lines: stdout === '' ? [] : stdout.split('\n'),
      msg: result.error ?? result.changes.join('; '),
    },
  };
}

function summaries(changes: Change[]): string[] {
  return changes.map((c) => c.summary);
}

/** The changes' diffs, only when the run asked for them (--diff): a report without --diff carries none. */
function collectDiff(changes: Change[], asked: boolean): DiffEntry[] | null {
  if (!asked) return null;
  const entries = changes.flatMap((c) => c.diff ?? []);
  return entries.length > 0 ? entries : null;
}

function message(e: unknown): string {
  if (e instanceof ConfigError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Errors of the connection and the command channel are the host's, not the step's: they end
 * the host (a lost connection as unreachable, a timeout or the lock held elsewhere as failed).
 */
export function isTransportFailure(e: unknown): boolean {
  return e instanceof TransportError;
}
