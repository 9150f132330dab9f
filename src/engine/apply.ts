/**
 * Carrying out changes. A step's script actions run as one script (set -e: its first
 * failing command ends it); file contents go through the transport's atomic write. The
 * scripts of consecutive steps that need nothing from each other's results are sent
 * together as one batch script (each step framed, the batch stopping at a failure that
 * is not ignored): a first run costs about one round trip per file written, not one per step.
 */
import type { HostSession } from '../transport/types.js';
import type { Action, Change } from '../modules/types.js';
import { buildBatchScript, newNonce, splitBatchOutput } from './batch-script.js';

export interface ApplyOutcome {
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  error: string | null;
}

export interface ApplyResult {
  /** Per step, in order; undefined for a step that did not run because an earlier one failed. */
  outcomes: Array<ApplyOutcome | undefined>;
  roundTrips: number;
}

export function onlyScripts(changes: readonly Change[]): boolean {
  return changes.every((c) => c.action.kind === 'script');
}

/** One step's changes, in order: its scripts as one script, its file writes one by one. */
export async function applyChanges(session: HostSession, changes: readonly Change[]): Promise<ApplyResult> {
  const outcome: ApplyOutcome = { ok: true, exitCode: 0, stdout: '', stderr: '', error: null };
  let roundTrips = 0;
  for (const action of groupActions(changes.map((c) => c.action))) {
    roundTrips++;
    if (action.kind === 'write') {
      try {
        await session.writeFileAtomic(action.path, action.content, {
          ...(action.mode !== undefined ? { mode: action.mode } : {}),
          ...(action.owner !== undefined ? { owner: action.owner } : {}),
          ...(action.group !== undefined ? { group: action.group } : {}),
        });
      } catch (e) {
        if (e instanceof Error && e.name === 'ConnectionLostError') throw e;
        return { outcomes: [{ ...outcome, ok: false, exitCode: null, error: e instanceof Error ? e.message : String(e) }], roundTrips };
      }
      continue;
    }
    const r = await session.run(action.script);
    const step = scriptOutcome(r.exitCode, r.stdout, r.stderr, r.signal);
    Object.assign(outcome, { ...step, stdout: outcome.stdout + step.stdout, stderr: outcome.stderr + step.stderr });
    if (!step.ok) return { outcomes: [outcome], roundTrips };
  }
  return { outcomes: [outcome], roundTrips };
}

/** Several steps whose changes are all scripts, in one round trip. */
export async function applyBatch(session: HostSession, steps: ReadonlyArray<{ changes: readonly Change[]; stopOnFailure: boolean }>): Promise<ApplyResult> {
  if (steps.length === 1) return applyChanges(session, (steps[0] as { changes: readonly Change[] }).changes);
  const nonce = newNonce();
  const entries = steps.map((s) => ({ script: stepScript(s.changes), stopOnFailure: s.stopOnFailure }));
  const r = await session.run(buildBatchScript(entries, nonce));
  const framed = splitBatchOutput(r.stdout, steps.length, nonce);
  // No frame after a failure that stops the batch: that step did not run. Otherwise the script died.
  let stopped = false;
  const outcomes = framed.map((f, i) => {
    if (!f) return stopped ? undefined : scriptOutcome(r.exitCode === 0 ? null : r.exitCode, '', r.stderr, r.signal ?? 'the change script ended early');
    if (f.exitCode !== 0 && entries[i]?.stopOnFailure) stopped = true;
    return scriptOutcome(f.exitCode, f.stdout, f.stderr);
  });
  return { outcomes, roundTrips: 1 };
}

function stepScript(changes: readonly Change[]): string {
  return `set -e\n${changes.map((c) => (c.action.kind === 'script' ? c.action.script : '')).join('\n')}`;
}

function scriptOutcome(exitCode: number | null, stdout: string, stderr: string, signal?: string): ApplyOutcome {
  if (exitCode === 0) return { ok: true, exitCode, stdout, stderr, error: null };
  const why = lastLines(stderr) || lastLines(stdout);
  return { ok: false, exitCode, stdout, stderr, error: `exit status ${exitCode ?? `signal ${signal ?? '?'}`}${why ? `: ${why}` : ''}` };
}

function groupActions(actions: Action[]): Action[] {
  const out: Action[] = [];
  for (const a of actions) {
    const last = out[out.length - 1];
    if (a.kind === 'script' && last?.kind === 'script') last.script = `${last.script}\n${a.script}`;
    else out.push(a.kind === 'script' ? { kind: 'script', script: a.script } : a);
  }
  return out.map((a) => (a.kind === 'script' ? { kind: 'script', script: `set -e\n${a.script}\n` } : a));
}

function lastLines(text: string, n = 5): string {
  return text.trim().split('\n').slice(-n).join('\n');
}
