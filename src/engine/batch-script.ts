/**
 * Several snippets as ONE script, and its output split back per snippet. Used for a
 * host's fact queries (all of them in one round trip) and for consecutive steps' change
 * scripts. Each snippet runs in its own subshell (an `exit` or a failure ends only that
 * snippet), with its stdout framed by markers that carry a random per-script nonce, and
 * its stderr and exit status captured separately:
 *
 *   @@fj:NONCE:out:I
 *   <stdout, byte for byte>
 *   @@fj:NONCE:err:I
 *   <stderr, without its final newlines>
 *   <exit status>
 *   @@fj:NONCE:end:I
 *
 * A snippet marked stopOnFailure ends the script when it fails: later snippets do not run.
 */
import { randomBytes } from 'node:crypto';
import type { FactOutput, FactQuery } from '../modules/kit/contract.js';
import { tooLargeMessage, type Elision } from '../transport/bounded-output.js';

export interface BatchEntry {
  script: string;
  stopOnFailure?: boolean;
}

export function newNonce(): string {
  return randomBytes(8).toString('hex');
}

/**
 * A batch of changes stops between two steps when this file appears (the operator's
 * interrupt: no new step starts). Checked with the test builtin: no process per step.
 */
export function stopFileOf(nonce: string): string {
  return `/tmp/.fleetjail-stop-${nonce}`;
}

export function buildBatchScript(
  entries: readonly BatchEntry[],
  nonce: string,
  opts: { cLocale?: boolean; stoppable?: boolean } = {},
): string {
  const parts = [
    // fd 4 is the script's stdout; inside $(...) each snippet's stdout goes there and its
    // stderr (then its status) is what the substitution captures.
    'exec 4>&1',
    ...(opts.cLocale ? ['LC_ALL=C; export LC_ALL'] : []),
  ];
  const stop = stopFileOf(nonce);
  entries.forEach((e, i) => {
    if (opts.stoppable && i > 0) parts.push(`if [ -e ${stop} ]; then rm -f ${stop}; exit 0; fi`);
    // The command substitution is the snippet's subshell (no second fork for a ( ) inside):
    // an `exit` ends just it, and its status is the assignment's.
    parts.push(
      `printf '%s\\n' '@@fj:${nonce}:out:${i}'`,
      `fj_err=$( {\n${e.script}\n} </dev/null 2>&1 1>&4 4>&- ); fj_rc=$?`,
      `printf '\\n@@fj:${nonce}:err:${i}\\n%s\\n%s\\n@@fj:${nonce}:end:${i}\\n' "$fj_err" "$fj_rc"`,
    );
    if (e.stopOnFailure) parts.push(`[ "$fj_rc" = 0 ] || ${opts.stoppable ? `{ rm -f ${stop}; exit 0; }` : 'exit 0'}`);
  });
  if (opts.stoppable) parts.push(`rm -f ${stop}`);
  return parts.join('\n') + '\n';
}

/** A snippet whose output was too large to keep (its frame spans the part of stdout not kept, or is in it). */
export interface TooLarge {
  tooLarge: string;
}

/**
 * Each snippet's output by index; a snippet whose frame is missing (not run, or the script
 * died) gets none. With ELIDED (stdout went past its limit and its middle was not kept), a
 * snippet whose frame reaches into that middle gets TooLarge; the others keep their output.
 */
export function splitBatchOutput(stdout: string, count: number, nonce: string): Array<FactOutput | undefined>;
export function splitBatchOutput(
  stdout: string,
  count: number,
  nonce: string,
  elided: Elision | undefined,
): Array<FactOutput | TooLarge | undefined>;
export function splitBatchOutput(stdout: string, count: number, nonce: string, elided?: Elision): Array<FactOutput | TooLarge | undefined> {
  const results: Array<FactOutput | TooLarge | undefined> = new Array(count).fill(undefined);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const open = `@@fj:${nonce}:out:${i}\n`;
    const errMark = `\n@@fj:${nonce}:err:${i}\n`;
    const endMark = `\n@@fj:${nonce}:end:${i}\n`;
    const start = stdout.indexOf(open, pos);
    const errAt = start < 0 ? -1 : stdout.indexOf(errMark, start + open.length);
    const endAt = errAt < 0 ? -1 : stdout.indexOf(endMark, errAt + errMark.length);
    if (elided && pos <= elided.at && (endAt < 0 || start < elided.at !== endAt < elided.at)) {
      // Its frame is (partly) in the middle that was not kept: whatever it printed, too much.
      // Its own stdout's size when both its markers were kept, else the whole command's.
      const own = errAt >= 0 ? Buffer.byteLength(stdout.slice(start + open.length, errAt)) + elided.bytes : elided.total;
      results[i] = { tooLarge: tooLargeMessage({ total: own, limit: elided.limit }) };
      if (endAt >= 0) pos = endAt + endMark.length;
      continue;
    }
    if (endAt < 0) break;
    const errAndStatus = stdout.slice(errAt + errMark.length, endAt);
    const nl = errAndStatus.lastIndexOf('\n');
    results[i] = {
      stdout: stdout.slice(start + open.length, errAt),
      stderr: errAndStatus.slice(0, Math.max(0, nl)),
      exitCode: Number(errAndStatus.slice(nl + 1)),
    };
    pos = endAt + endMark.length;
  }
  return results;
}

/** Fact queries: read-only, in the C locale, never stopping. */
export function buildFactScript(queries: ReadonlyArray<FactQuery<unknown>>, nonce: string): string {
  return buildBatchScript(
    queries.map((q) => ({ script: q.script })),
    nonce,
    { cLocale: true },
  );
}

export const splitFactOutput = splitBatchOutput;
