/**
 * Carrying out changes. A step's script actions run as one script (set -e: its first
 * failing command ends it); file contents go through the transport's atomic write script,
 * small files inside the batch script, large ones on stdin. The changes of consecutive
 * steps that need nothing from each other's results are sent together as one batch script
 * (each step framed, the batch stopping at a failure that is not ignored): a first run
 * costs one round trip per batch (plus one per large file), not one per step.
 */
import type { HostSession, WriteFileOptions } from '../transport/types.js';
import type { Action, Change } from '../modules/types.js';
import { atomicWriteScript } from '../transport/atomic-write.js';
import { shq } from '../transport/quote.js';
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

/**
 * Small text files travel inside the batch script instead of on a stdin of their own, so a
 * step that writes one joins the batch (no round trip per file). The whole command line is
 * one exec argument on the host (Linux caps it at 128 KiB and the encoding for csh-safety
 * may take 4 bytes per byte): at most INLINE_FILE_MAX per file, INLINE_BATCH_MAX per batch.
 */
export const INLINE_FILE_MAX = 16 * 1024;
export const INLINE_BATCH_MAX = 24 * 1024;

/** Bytes of file content these changes carry inline, or null when they cannot go in a batch script. */
export function inlineBytes(changes: readonly Change[]): number | null {
  let total = 0;
  for (const c of changes) {
    if (c.action.kind === 'script') continue;
    const size = Buffer.byteLength(c.action.content);
    if (size > INLINE_FILE_MAX || c.action.content.includes('\0')) return null;
    total += size;
  }
  return total;
}

/** One step's changes, in order: its scripts as one script, its file writes one by one. */
export async function applyChanges(session: HostSession, changes: readonly Change[]): Promise<ApplyResult> {
  const outcome: ApplyOutcome = { ok: true, exitCode: 0, stdout: '', stderr: '', error: null };
  let roundTrips = 0;
  for (const action of groupActions(changes.map((c) => c.action))) {
    roundTrips++;
    if (action.kind === 'write') {
      try {
        await session.writeFileAtomic(action.path, action.content, writeOptions(action));
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

type BatchStep = { changes: readonly Change[]; stopOnFailure: boolean };

/**
 * Several steps whose changes are all scripts, in one round trip. Consecutive steps whose one
 * change can merge into the same command (sysrc on one file) run as one invocation of it,
 * and share its outcome: FreeBSD's sysrc is a sizeable sh script, ten runs cost ten times one.
 */
export async function applyBatch(session: HostSession, steps: readonly BatchStep[]): Promise<ApplyResult> {
  const only = steps.length === 1 ? (steps[0] as BatchStep).changes : undefined;
  if (only && only.every((c) => c.action.kind === 'script')) return applyChanges(session, only);
  const nonce = newNonce();
  const groups = mergeGroups(steps);
  const entries = groups.map((g) => ({ script: groupScript(g), stopOnFailure: g.some((s) => s.stopOnFailure) }));
  const r = await session.run(buildBatchScript(entries, nonce));
  const framed = splitBatchOutput(r.stdout, entries.length, nonce);
  // No frame after a failure that stops the batch: that step did not run. Otherwise the script died.
  let stopped = false;
  const outcomes = framed.flatMap((f, i) => {
    const size = (groups[i] as BatchStep[]).length;
    if (!f) return new Array<ApplyOutcome | undefined>(size).fill(stopped ? undefined : scriptOutcome(r.exitCode === 0 ? null : r.exitCode, '', r.stderr, r.signal ?? 'the change script ended early'));
    if (f.exitCode !== 0 && entries[i]?.stopOnFailure) stopped = true;
    return new Array<ApplyOutcome | undefined>(size).fill(scriptOutcome(f.exitCode, f.stdout, f.stderr));
  });
  return { outcomes, roundTrips: 1 };
}

/** Steps in order, consecutive mergeable ones (same command, all stopping on failure) together. */
export function mergeGroups(steps: readonly BatchStep[]): BatchStep[][] {
  const groups: BatchStep[][] = [];
  let key: string | undefined;
  for (const s of steps) {
    const k = mergeCommand(s);
    const last = groups[groups.length - 1];
    if (k !== undefined && k === key && last) last.push(s);
    else groups.push([s]);
    key = k;
  }
  return groups;
}

function mergeCommand(s: BatchStep): string | undefined {
  const a = s.changes.length === 1 ? s.changes[0]?.action : undefined;
  return s.stopOnFailure && a?.kind === 'script' && a.merge ? a.merge.command : undefined;
}

function groupScript(group: BatchStep[]): string {
  if (group.length === 1) return stepScript((group[0] as BatchStep).changes);
  const merges = group.map((s) => (s.changes[0]?.action as { merge: { command: string; arg: string } }).merge);
  return `set -e\n${(merges[0] as { command: string }).command} ${merges.map((m) => m.arg).join(' ')}`;
}

function stepScript(changes: readonly Change[]): string {
  return `set -e\n${changes.map((c) => actionScript(c.action)).join('\n')}`;
}

/** A script action as is; a write as the transport's atomic write, fed its content by printf. */
function actionScript(a: Action): string {
  if (a.kind === 'script') return a.script;
  return `printf '%s' ${shq(a.content)} | (\n${atomicWriteScript(a.path, writeOptions(a))})`;
}

function writeOptions(a: Extract<Action, { kind: 'write' }>): WriteFileOptions {
  const { mode, owner, group, validate } = a;
  return { ...(mode !== undefined ? { mode } : {}), ...(owner !== undefined ? { owner } : {}), ...(group !== undefined ? { group } : {}), ...(validate !== undefined ? { validate } : {}) };
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
