/**
 * Results as they may be shown: every string masked with the run's secrets, a no_log step's
 * changes, diff and error hidden, and the content of hidden files (from a secret, or private)
 * left out of diffs. The live and plain views, the recap, the JSON report and the log all
 * show results through these functions; a new field of a result needs adding here.
 */
import type { DiffEntry } from '../modules/kit/contract.js';
import { ERROR_CUT, OUTPUT_CUT, type HostResult, type RunResult, type StepResult } from '../engine/results.js';
import type { RunEvent } from '../engine/events.js';
import { CONTENT_HIDDEN, MASK, Secrets } from '../util/secrets.js';

export const HIDDEN_NO_LOG = 'hidden (no_log)';

/** A no_log step's change lines: only how many. */
export function hiddenChanges(changes: unknown[]): string[] {
  return changes.length ? [`${changes.length} change${changes.length === 1 ? '' : 's'} ${HIDDEN_NO_LOG}`] : [];
}

/** A step's result as it may be shown. */
export function redactStep(host: string, r: StepResult, secrets: Secrets): StepResult {
  if (secrets.isNoLog(r.id)) {
    // What the host said in it may be a secret, masked wherever it appears later.
    if (r.error) secrets.addOutput(hostWordsOf(r.error));
    const { output: _output, ...shown } = r;
    return secrets.maskDeep({
      ...shown,
      changes: hiddenChanges(r.changes),
      diff: r.diff && r.diff.map(hideEntry),
      error: r.error === null ? null : `error ${HIDDEN_NO_LOG}`,
    });
  }
  const output = r.output && {
    stdout: secrets.maskCut(r.output.stdout, OUTPUT_CUT, 'start'),
    stderr: secrets.maskCut(r.output.stderr, OUTPUT_CUT, 'start'),
  };
  return secrets.maskDeep({
    ...r,
    ...(output ? { output } : {}),
    error: r.error === null ? null : secrets.maskCut(r.error, ERROR_CUT, 'end'),
    diff: r.diff && r.diff.map((d) => (d.type === 'file' && secrets.isFileHidden(host, d.path) ? hideEntry(d) : d)),
  });
}

/**
 * A host's name is the inventory's, structure like a key: never masked (a host could
 * otherwise print other hosts' names in a no_log step and erase them from the recap, or
 * make two of them collide in the JSON report, keyed by name).
 */
export function redactHost(r: HostResult, secrets: Secrets): HostResult {
  const steps = r.steps.map((s) => redactStep(r.name, s, secrets));
  const error = hideNoLogErrors(r, secrets);
  return { ...secrets.maskDeep({ ...r, steps, error: error === null ? null : secrets.maskCut(error, ERROR_CUT, 'end') }), name: r.name };
}

export function redactRun(run: RunResult, secrets: Secrets): RunResult {
  const { hosts, notRun, ...rest } = run;
  return { ...secrets.maskDeep(rest), hosts: hosts.map((h) => redactHost(h, secrets)), notRun };
}

/**
 * Of a no_log step's error, what the host said: fleetjail's own "exit status N" is no
 * secret, and recorded as one it would mask every other step's exit status.
 */
export function hostWordsOf(error: string): string {
  return error.replace(/^exit status [^:\s]+(?::\s*|$)/, '');
}

/** The host's error with its no_log steps' errors (which it may quote) masked. */
function hideNoLogErrors(r: HostResult, secrets: Secrets): string | null {
  if (r.error === null) return null;
  let error = r.error;
  for (const s of r.steps) if (s.error && secrets.isNoLog(s.id)) error = error.split(s.error).join(MASK);
  return error;
}

/** A diff entry without its content: a file's path stays, a value's before and after are masked. */
function hideEntry(d: DiffEntry): DiffEntry {
  if (d.type === 'file')
    return {
      type: 'file',
      path: d.path,
      unified: d.unified.startsWith(CONTENT_HIDDEN) ? d.unified : `${CONTENT_HIDDEN} (from a secret, or no_log)\n`,
    };
  return { ...d, before: d.before === null ? null : MASK, after: d.after === null ? null : MASK };
}

/** An engine event as reporters may show it. */
export function redactEvent(e: RunEvent, secrets: Secrets | undefined): RunEvent {
  if (!secrets) return e;
  switch (e.type) {
    case 'step-start':
      return { ...e, name: secrets.mask(e.name) };
    case 'step-end':
      return { ...e, result: redactStep(e.host, e.result, secrets) };
    case 'host-end':
      return { ...e, result: redactHost(e.result, secrets) };
    case 'run-aborted':
      return { ...e, reason: secrets.mask(e.reason) };
    case 'run-end':
      return { ...e, result: redactRun(e.result, secrets) };
    default:
      return e;
  }
}
