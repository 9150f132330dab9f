/**
 * Text for people: one line per step result, diffs, durations. Shared by the plain and live
 * views. Results come in redacted (src/report/redact.ts); what hosts said (errors, diffs) has
 * its control characters made visible here, so a host cannot drive the operator's terminal.
 */
import type { DiffEntry } from '../modules/kit/contract.js';
import type { HostResult, StepResult } from '../engine/results.js';
import { escapeControls, escapeLine } from '../util/terminal-text.js';

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)}s` : `${(ms / 1000).toFixed(1)}s`;
}

export function stepLine(host: string, r: StepResult, check: boolean): string {
  return escapeLine(rawStepLine(host, r, check));
}

function rawStepLine(host: string, r: StepResult, check: boolean): string {
  const label = `${r.handler ? 'handler ' : ''}${r.name}`;
  switch (r.status) {
    case 'ok':
      return `${host} | ${label}: ok`;
    case 'skipped':
      return `${host} | ${label}: skipped${r.skipReason ? ` (${r.skipReason})` : ''}`;
    case 'changed':
      return `${host} | ${label}: ${check ? 'would change' : 'changed'}${r.changes.length ? `: ${r.changes.join('; ')}` : ''}`;
    case 'failed':
      return `${host} ! ${label}: FAILED${r.ignored ? ' (ignored)' : ''}: ${oneLine(r.error ?? '')}`;
  }
}

/** A failed step's output tails, each line prefixed, stderr marked: where the cause usually is. */
export function outputLines(r: StepResult, prefix: string): string[] {
  if (r.status !== 'failed' || !r.output) return [];
  const lines = (text: string, mark: string) => (text === '' ? [] : text.split('\n').map((l) => `${prefix}${mark} ${escapeLine(l)}`));
  return [...lines(r.output.stdout, '>'), ...lines(r.output.stderr, '!')];
}

export function hostLine(r: HostResult): string {
  return escapeLine(rawHostLine(r));
}

function rawHostLine(r: HostResult): string {
  if (r.status === 'unreachable') return `${r.name} ! UNREACHABLE: ${r.error ?? ''}`;
  if (r.status === 'interrupted')
    return `${r.name} ! INTERRUPTED after ${r.ok + r.changed} steps (${seconds(r.durationMs)}): ${oneLine(r.error ?? '')}`;
  if (r.status === 'failed')
    return `${r.name} ! FAILED after ${r.ok + r.changed} steps (${seconds(r.durationMs)}): ${oneLine(r.error ?? '')}`;
  return `${r.name} = ${r.status} (${r.ok} ok, ${r.changed} changed, ${r.skipped} skipped, ${seconds(r.durationMs)})`;
}

/** Diff entries as text lines, each prefixed. */
export function diffLines(entries: DiffEntry[] | null, prefix: string): string[] {
  if (!entries) return [];
  const out: string[] = [];
  for (const d of entries) {
    if (d.type === 'file') {
      for (const l of d.unified.replace(/\n$/, '').split('\n')) out.push(`${prefix}${escapeControls(l)}`);
    } else {
      out.push(`${prefix}${escapeLine(`${d.name}: ${show(d.before)} -> ${show(d.after)}`)}`);
    }
  }
  return out;
}

function show(v: string | null): string {
  return v === null ? '(none)' : JSON.stringify(v);
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' | ');
}
