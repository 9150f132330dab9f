/** What a run produced, per step and per host: the data behind progress, recap and the JSON report. */
import type { DiffEntry } from '../modules/kit/contract.js';

/** How a failed step's output tail begins when it was cut inside a line. */
export const OUTPUT_CUT = '...';
/** How a step's error ends when it was cut (a host's one-line error can be megabytes). */
export const ERROR_CUT = ' [...]';
export const ERROR_KEPT = 2048;

/** ERROR bounded to ERROR_KEPT characters: it is shown on one line, in every report, and in its host's error. */
export function boundedError(error: string): string {
  return error.length > ERROR_KEPT ? `${error.slice(0, ERROR_KEPT)}${ERROR_CUT}` : error;
}

export type StepStatus = 'ok' | 'changed' | 'failed' | 'skipped';
/** interrupted: the operator stopped the run (SIGINT/SIGTERM) before this host finished. */
export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable' | 'interrupted';

export interface StepResult {
  /** "steps[3]" or "handlers[0]". */
  id: string;
  name: string;
  module: string;
  handler: boolean;
  status: StepStatus;
  changed: boolean;
  /** One line per change made (or, in check mode, that would be made). */
  changes: string[];
  diff: DiffEntry[] | null;
  error: string | null;
  /** A failure that ignore_errors let pass. */
  ignored: boolean;
  /** Why a step was skipped: "when", "check mode", ... */
  skipReason?: string;
  /** A failed step's last lines of output (stdout and stderr kept apart), where the cause usually is; OUTPUT_CUT begins one cut short. */
  output?: { stdout: string; stderr: string };
  durationMs: number;
}

export interface HostResult {
  name: string;
  status: HostStatus;
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  /** Connection failure or the step error that stopped the host. */
  error: string | null;
  durationMs: number;
  steps: StepResult[];
  /** Remote round trips (fact batches + change scripts + file writes): a converged host costs 1. */
  roundTrips: number;
  /** A first connection attempt that failed and was retried (the run went on with the second). */
  connectRetry?: string;
}

export interface RunResult {
  playbook: string;
  startedAt: string;
  check: boolean;
  hosts: HostResult[];
  /** Hosts never started because the run was stopped (max_fail_percentage). */
  notRun: string[];
  aborted: string | null;
  durationMs: number;
}

export function hostStatusOf(steps: StepResult[]): HostStatus {
  if (steps.some((s) => s.status === 'failed' && !s.ignored)) return 'failed';
  return steps.some((s) => s.changed) ? 'changed' : 'ok';
}

export function countSteps(steps: StepResult[]): Pick<HostResult, 'ok' | 'changed' | 'failed' | 'skipped'> {
  return {
    ok: steps.filter((s) => s.status === 'ok' || (s.status === 'failed' && s.ignored)).length,
    changed: steps.filter((s) => s.status === 'changed').length,
    failed: steps.filter((s) => s.status === 'failed' && !s.ignored).length,
    skipped: steps.filter((s) => s.status === 'skipped').length,
  };
}
