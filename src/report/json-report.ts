/**
 * The versioned JSON report (--report FILE, --json). Version 1:
 *
 *   { "version": 1, "playbook": "playbooks/site.yaml", "startedAt": ISO-8601, "check": false,
 *     "hosts": { NAME: { "status": "ok"|"changed"|"failed"|"unreachable"|"interrupted",
 *                        "ok": n, "changed": n, "failed": n, "skipped": n, "durationMs": n,
 *                        "error": null | "why the host stopped or could not be reached",
 *                        "roundTrips": n (remote scripts and file writes; a converged host costs 1),
 *                        "steps": [ { "name", "module", "status": "ok"|"changed"|"failed"|"skipped",
 *                                     "changed": bool, "changes": [one line per change, as printed],
 *                                     "diff": null | [DiffEntry], "error": null | text,
 *                                     "durationMs": n, "handler": bool,
 *                                     "output": (failed steps) {"stdout", "stderr"}: their last lines } ],
 *                        "connectRetry": (when the first attempt failed) why } },
 *     "summary": { "hosts": n, "ok": n, "changed": n, "failed": n, "unreachable": n, "interrupted": n,
 *                  "notRun": [NAME], "aborted": null | reason, "durationMs": n } }
 *
 * A step's "diff" is null unless the run had --diff. A DiffEntry is {"type":"value","name","before","after"}
 * or {"type":"file","path","unified"}: "unified" is a unified diff (diff -u), or, for a file too large
 * to diff or binary, one line "PATH: files differ: N -> M lines, sha256 A -> B (why)".
 * Fields may be added within version 1; none will be removed or change meaning.
 *
 * Secrets are masked (as "********") in every string; a no_log step's changes, diff and error
 * are hidden, and a diff of a file whose content came from a secret or is private (mode 0600)
 * reads "content hidden (...)". Output from hosts is kept byte for byte otherwise.
 */
import type { DiffEntry } from '../modules/kit/contract.js';
import type { HostStatus, RunResult, StepStatus } from '../engine/results.js';
import type { Secrets } from '../util/secrets.js';
import { redactRun } from './redact.js';

export interface JsonStepV1 {
  name: string;
  module: string;
  status: StepStatus;
  changed: boolean;
  /** What changed (or would), one line each: "sshd_enable: "NO" -> "YES"". */
  changes: string[];
  diff: DiffEntry[] | null;
  error: string | null;
  durationMs: number;
  handler: boolean;
  output?: { stdout: string; stderr: string };
}

export interface JsonHostV1 {
  status: HostStatus;
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  error: string | null;
  roundTrips: number;
  steps: JsonStepV1[];
  connectRetry?: string;
}

export interface JsonReportV1 {
  version: 1;
  playbook: string;
  startedAt: string;
  check: boolean;
  hosts: Record<string, JsonHostV1>;
  summary: {
    hosts: number;
    ok: number;
    changed: number;
    failed: number;
    unreachable: number;
    interrupted: number;
    notRun: string[];
    aborted: string | null;
    durationMs: number;
  };
}

export function jsonReport(result: RunResult, secrets?: Secrets): JsonReportV1 {
  const run = secrets ? redactRun(result, secrets) : result;
  const hosts: Record<string, JsonHostV1> = {};
  for (const h of run.hosts) {
    hosts[h.name] = {
      status: h.status,
      ok: h.ok,
      changed: h.changed,
      failed: h.failed,
      skipped: h.skipped,
      durationMs: h.durationMs,
      error: h.error,
      roundTrips: h.roundTrips,
      steps: h.steps.map((s) => ({
        name: s.name,
        module: s.module,
        status: s.status,
        changed: s.changed,
        changes: s.changes,
        diff: s.diff,
        error: s.error,
        durationMs: s.durationMs,
        handler: s.handler,
        ...(s.output ? { output: s.output } : {}),
      })),
      ...(h.connectRetry ? { connectRetry: h.connectRetry } : {}),
    };
  }
  const count = (status: HostStatus) => run.hosts.filter((h) => h.status === status).length;
  return {
    version: 1,
    playbook: run.playbook,
    startedAt: run.startedAt,
    check: run.check,
    hosts,
    summary: {
      hosts: run.hosts.length + run.notRun.length,
      ok: count('ok'),
      changed: count('changed'),
      failed: count('failed'),
      unreachable: count('unreachable'),
      interrupted: count('interrupted'),
      notRun: run.notRun,
      aborted: run.aborted,
      durationMs: run.durationMs,
    },
  };
}
