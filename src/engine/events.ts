/** What the engine tells reporters (live progress, logs) while it runs. */
import type { HostResult, RunResult, StepResult } from './results.js';

export type RunEvent =
  | { type: 'run-start'; playbook: string; hosts: string[]; check: boolean; batches: number }
  | { type: 'batch-start'; index: number; hosts: string[] }
  | { type: 'host-start'; host: string }
  | { type: 'step-start'; host: string; id: string; name: string; index: number; total: number }
  | { type: 'step-end'; host: string; result: StepResult }
  | { type: 'host-end'; result: HostResult }
  | { type: 'run-aborted'; reason: string; notRun: string[] }
  | { type: 'run-end'; result: RunResult };

export type EventSink = (event: RunEvent) => void;
