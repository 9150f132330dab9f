/**
 * Carrying out changes. A step's script actions run as one script (set -e: its first
 * failing command ends it); file contents go through the transport's atomic write script,
 * small files inside the batch script, large ones on stdin. The changes of consecutive
 * steps that need nothing from each other's results are sent together as one batch script
 * (each step framed, the batch stopping at a failure that is not ignored): a first run
 * costs one round trip per batch (plus one per large file), not one per step.
 */
import type { HostSession, WriteFileOptions } from '../transport/types.js';
import type { Change, FactOutput } from '../modules/kit/contract.js';
import { CommandTimeoutError, ConnectionLostError } from '../transport/errors.js';
import { sh } from '../shell/quote.js';
import { buildBatchScript, newNonce, splitBatchOutput, stopFileOf, type TooLarge } from './batch-script.js';
import { tooLargeMessage, type Elision } from '../transport/bounded-output.js';
import type { EditedFiles, ResolvedAction, WriteAction } from './file-edits.js';

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
    if (c.action.kind === 'confirmed') return null;
    if (c.action.kind === 'write' && typeof c.action.content !== 'string') return null; // streamed from the controller's disk
    const content = c.action.kind === 'write' ? (c.action.content as string) : c.action.edit(c.action.base ?? '');
    const size = Buffer.byteLength(content);
    if (size > INLINE_FILE_MAX || content.includes('\0')) return null;
    total += size;
  }
  return total;
}

/** What applying changes needs besides the host's session. */
export interface ApplyContext {
  files: EditedFiles;
  /** A new SSH session to the same host (confirming a change that could lock fleetjail out). */
  reconnect(): Promise<HostSession>;
  /** The operator's first interrupt: F is called when it comes (at once if it has); returns the unsubscribe. */
  onInterrupt?(f: () => void): () => void;
}

/** One step's changes, in order: its scripts as one script, its file writes one by one. */
export async function applyChanges(
  session: HostSession,
  changes: readonly Change[],
  ctx: ApplyContext,
  limit: { timeoutMs?: number } = {},
): Promise<ApplyResult> {
  const outcome: ApplyOutcome = { ok: true, exitCode: 0, stdout: '', stderr: '', error: null };
  const files = ctx.files;
  let roundTrips = 0;
  for (const action of groupScripts(files.resolve(changes.map((c) => c.action)))) {
    roundTrips++;
    if (action.kind === 'confirmed') {
      const r = await applyConfirmed(session, action, ctx);
      roundTrips += r.roundTrips - 1;
      Object.assign(outcome, { ...r.outcome, stdout: outcome.stdout + r.outcome.stdout, stderr: outcome.stderr + r.outcome.stderr });
      if (!r.outcome.ok) return { outcomes: [outcome], roundTrips };
      continue;
    }
    if (action.kind === 'write') {
      try {
        await session.writeFileAtomic(action.path, action.content, writeOptions(action));
      } catch (e) {
        files.forget(action.path);
        if (e instanceof ConnectionLostError || e instanceof CommandTimeoutError) throw e;
        return { outcomes: [{ ...outcome, ok: false, exitCode: null, error: e instanceof Error ? e.message : String(e) }], roundTrips };
      }
      continue;
    }
    const r = await session.run(action.script, limit);
    const tooLarge = r.elided?.stdout ?? r.elided?.stderr;
    const step = tooLarge
      ? failedTooLarge(tooLarge, r.elided?.stdout ? 'output' : 'error output', r.stdout, r.stderr)
      : scriptOutcome(r.exitCode, r.stdout, r.stderr, r.signal);
    Object.assign(outcome, { ...step, stdout: outcome.stdout + step.stdout, stderr: outcome.stderr + step.stderr });
    if (!step.ok) return { outcomes: [outcome], roundTrips };
  }
  return { outcomes: [outcome], roundTrips };
}

type BatchStep = { changes: readonly Change[]; stopOnFailure: boolean };

/**
 * Several steps' changes (scripts, small writes and edits) in one round trip. Consecutive
 * steps that only edit the same file (sysrc steps on rc.conf) are one write of the file,
 * and share its outcome.
 */
export async function applyBatch(session: HostSession, steps: readonly BatchStep[], ctx: ApplyContext): Promise<ApplyResult> {
  const files = ctx.files;
  const only = steps.length === 1 ? (steps[0] as BatchStep).changes : undefined;
  if (only && only.every((c) => c.action.kind === 'script')) return applyChanges(session, only, ctx);
  const nonce = newNonce();
  const groups = mergeGroups(steps);
  const resolved = groups.map((g) => files.resolve(g.flatMap((s) => s.changes.map((c) => c.action))));
  const entries = groups.map((g, i) => ({
    script: actionsScript(session, resolved[i] as ResolvedAction[]),
    stopOnFailure: g.some((s) => s.stopOnFailure),
  }));
  // An interrupt while the batch runs stops it before its next step: the host is told over
  // a channel of its own (the batch's own stdin is its lifeline, which would end it at once).
  let interrupted = false;
  const unsubscribe =
    entries.length > 1
      ? ctx.onInterrupt?.(() => {
          interrupted = true;
          void session.run(sh`: > ${stopFileOf(nonce)}`).catch(() => undefined);
        })
      : undefined;
  let r;
  try {
    r = await session.run(buildBatchScript(entries, nonce, { stoppable: entries.length > 1 }));
  } catch (e) {
    // The connection went mid-batch: the steps whose frames had arrived finished, and say how.
    if (e instanceof ConnectionLostError) {
      const partial = splitBatchOutput(e.partialStdout, entries.length, nonce, e.partialElided);
      const done = partial.flatMap((f, i) =>
        new Array<ApplyOutcome | undefined>((groups[i] as BatchStep[]).length).fill(f ? frameOutcome(f) : undefined),
      );
      throw new BatchCutOff(done, e);
    }
    throw e;
  } finally {
    unsubscribe?.();
  }
  const framed = splitBatchOutput(r.stdout, entries.length, nonce, r.elided?.stdout);
  // No frame after a failure that stops the batch, or after an interrupt: that step did not
  // run. Otherwise the script died.
  let stopped = interrupted && r.exitCode === 0;
  const outcomes = framed.flatMap((f, i) => {
    const size = (groups[i] as BatchStep[]).length;
    const outcome = f ? frameOutcome(f) : undefined;
    if (!outcome?.ok) for (const a of resolved[i] as ResolvedAction[]) if (a.kind === 'write') files.forget(a.path);
    if (!outcome)
      return new Array<ApplyOutcome | undefined>(size).fill(
        stopped
          ? undefined
          : scriptOutcome(r.exitCode === 0 ? null : r.exitCode, '', r.stderr, r.signal ?? 'the change script ended early'),
      );
    if (!outcome.ok && entries[i]?.stopOnFailure) stopped = true;
    return new Array<ApplyOutcome | undefined>(size).fill(outcome);
  });
  return { outcomes, roundTrips: 1 };
}

/**
 * A batch the connection dropped under: the outcomes of the steps that had finished (per
 * step, in order; undefined from the first one that had not), and why.
 */
export class BatchCutOff extends Error {
  constructor(
    readonly finished: Array<ApplyOutcome | undefined>,
    override readonly cause: Error,
  ) {
    super(cause.message);
    this.name = 'BatchCutOff';
  }
}

/** Steps in order; consecutive ones that only edit the same file (all stopping on failure) together. */
export function mergeGroups(steps: readonly BatchStep[]): BatchStep[][] {
  const groups: BatchStep[][] = [];
  let key: string | undefined;
  for (const s of steps) {
    const k = editedFile(s);
    const last = groups[groups.length - 1];
    if (k !== undefined && k === key && last) last.push(s);
    else groups.push([s]);
    key = k;
  }
  return groups;
}

/** The one file a step's changes all edit, when they do and the step stops on failure. */
function editedFile(s: BatchStep): string | undefined {
  const paths = new Set(s.changes.map((c) => (c.action.kind === 'edit' ? c.action.path : '')));
  const [path] = paths;
  return s.stopOnFailure && paths.size === 1 && path ? path : undefined;
}

function actionsScript(session: HostSession, actions: readonly ResolvedAction[]): string {
  return `set -e\n${actions.map((a) => actionScript(session, a)).join('\n')}`;
}

/** A script action as is; a write as the session's own atomic write, its content inside the script. */
function actionScript(session: HostSession, a: ResolvedAction): string {
  if (a.kind === 'confirmed') throw new Error('a confirmed change cannot go in a batch script'); // inlineBytes keeps it out
  if (a.kind === 'script') return a.script;
  if (typeof a.content !== 'string') throw new Error('a local file is streamed, never inlined'); // inlineBytes keeps it out
  return session.writeScript(a.path, a.content, writeOptions(a));
}

function writeOptions(a: WriteAction): WriteFileOptions {
  const { mode, owner, group, validate, expect, confineTo } = a;
  return {
    ...(mode !== undefined ? { mode } : {}),
    ...(owner !== undefined ? { owner } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(validate !== undefined ? { validate } : {}),
    ...(expect !== undefined ? { expect } : {}),
    ...(confineTo !== undefined ? { confineTo } : {}),
  };
}

/** A batch frame's outcome: a frame too large to keep fails, whatever its exit status. */
function frameOutcome(f: FactOutput | TooLarge): ApplyOutcome {
  return 'tooLarge' in f
    ? { ok: false, exitCode: null, stdout: '', stderr: '', error: f.tooLarge }
    : scriptOutcome(f.exitCode, f.stdout, f.stderr);
}

/** A command whose output went past its limit: not all of it was seen, so it cannot be said to have worked. */
function failedTooLarge(e: Elision, what: string, stdout: string, stderr: string): ApplyOutcome {
  return { ok: false, exitCode: null, stdout, stderr, error: tooLargeMessage(e, what) };
}

function scriptOutcome(exitCode: number | null, stdout: string, stderr: string, signal?: string): ApplyOutcome {
  if (exitCode === 0) return { ok: true, exitCode, stdout, stderr, error: null };
  const why = causeLine(stderr, stdout);
  return { ok: false, exitCode, stdout, stderr, error: `exit status ${exitCode ?? `signal ${signal ?? '?'}`}${why ? `: ${why}` : ''}` };
}

/** Words with which tools say what went wrong. */
const CAUSE =
  /\b(error|fail(ed|ure|s)?|giving up|cannot|can't|could not|unable|denied|not found|no such|refused|invalid|illegal|bad|missing|unknown|not permitted|read-only|busy|exists|timed? ?out)\b/i;

/**
 * The line of a failed command's output that most likely names the cause: the last line of
 * stderr or stdout that says what went wrong (tools often end with boilerplate, and some,
 * freebsd-update among them, print their errors on stdout), else stderr's last line, else
 * stdout's. The whole tails go into the step's result as well.
 */
export function causeLine(stderr: string, stdout: string): string {
  const lines = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  const err = lines(stderr);
  const out = lines(stdout);
  const telling = [...err].reverse().find((l) => CAUSE.test(l)) ?? [...out].reverse().find((l) => CAUSE.test(l));
  return telling ?? err[err.length - 1] ?? out[out.length - 1] ?? '';
}

/**
 * A change that could lock fleetjail out: apply it, then prove that a NEW session gets in and
 * commit through that one; otherwise roll back over this session at once (the host's own
 * timer covers a session that is gone as well).
 */
async function applyConfirmed(
  session: HostSession,
  a: Extract<ResolvedAction, { kind: 'confirmed' }>,
  ctx: ApplyContext,
): Promise<{ outcome: ApplyOutcome; roundTrips: number }> {
  const applied = await session.run(a.apply, a.stdin !== undefined ? { stdin: a.stdin } : {});
  const first = scriptOutcome(applied.exitCode, applied.stdout, applied.stderr, applied.signal);
  if (!first.ok) return { outcome: first, roundTrips: 1 };
  let fresh: HostSession;
  try {
    fresh = await ctx.reconnect();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const back = await session.run(a.rollback).catch((err: unknown) => ({ exitCode: null, stderr: String(err) }));
    const undone =
      back.exitCode === 0
        ? 'the change was rolled back at once'
        : `rolling back over this session failed too (${back.stderr.trim() || 'no reply'}); the host's own timer rolls it back within ${a.timeoutSec} s`;
    return {
      outcome: {
        ok: false,
        exitCode: null,
        stdout: '',
        stderr: '',
        error: `a new SSH session could not get in after the change (${why}); ${undone}`,
      },
      roundTrips: 2,
    };
  }
  try {
    const committed = await fresh.run(a.commit);
    return {
      outcome: scriptOutcome(committed.exitCode, applied.stdout + committed.stdout, applied.stderr + committed.stderr, committed.signal),
      roundTrips: 2,
    };
  } finally {
    await fresh.close().catch(() => undefined);
  }
}

/** Consecutive scripts as one (set -e); writes one by one. */
function groupScripts(actions: ResolvedAction[]): ResolvedAction[] {
  const out: ResolvedAction[] = [];
  for (const a of actions) {
    const last = out[out.length - 1];
    if (a.kind === 'script' && last?.kind === 'script') last.script = `${last.script}\n${a.script}`;
    else out.push(a.kind === 'script' ? { kind: 'script', script: a.script } : a);
  }
  return out.map((a) => (a.kind === 'script' ? { kind: 'script', script: `set -e\n${a.script}\n` } : a));
}
