/**
 * Issue #11, third hostile pass (of the fixes of the second). Every test here FAILED on the
 * code it was written against; each comment gives the finding and its severity (fixed).
 */
import { describe, expect, it } from 'vitest';
import { jsonReport } from '../../../src/report/json-report.js';
import { recapTable } from '../../../src/report/recap.js';
import { redactRun } from '../../../src/report/redact.js';
import { MASK, Secrets } from '../../../src/util/secrets.js';
import type { RunResult } from '../../../src/engine/results.js';
import { host, step } from '../report/fixtures.js';

function twoHosts(): RunResult {
  return {
    playbook: 'p.yaml',
    startedAt: '2025-01-01T00:00:00.000Z',
    check: false,
    durationMs: 10,
    notRun: ['db03.example.org'],
    aborted: null,
    hosts: [
      host('db01.example.org', 'ok', [step({ name: 'a', status: 'ok' })]),
      host('db02.example.org', 'failed', [step({ name: 'b', status: 'failed', error: 'exit status 2: disk full' })], {
        error: "step 'b' failed: exit status 2: disk full",
      }),
    ],
  };
}

describe('hostile pass 3: masking that hides the report itself', () => {
  // Finding (fixed): host names were masked like any string (HostResult.name, notRun). What a
  // managed host prints in a no_log step is masked everywhere when it looks like a secret, so
  // a host that printed other hosts' names ("db02.example.org") erased them from the recap,
  // and in the JSON report, whose hosts are keyed by name, two masked hosts collided: one of
  // them was gone from the report. Severity: medium (a host makes the report lie about others).
  it("a no_log step's output naming hosts masks neither the recap's hosts nor the JSON report's", () => {
    const s = new Secrets();
    for (const name of ['db01.example.org', 'db02.example.org', 'db03.example.org']) s.addOutput(name);
    const report = jsonReport(twoHosts(), s);
    expect(Object.keys(report.hosts)).toEqual(['db01.example.org', 'db02.example.org']);
    expect(report.summary.notRun).toEqual(['db03.example.org']);
    const recap = recapTable(redactRun(twoHosts(), s));
    expect(recap).toContain('db02.example.org  failed');
    expect(recap).toContain('db03.example.org  not run');
    // Where a host's name is text, not structure, it is still masked.
    const r = redactRun({ ...twoHosts(), aborted: 'stopped at db02.example.org' }, s);
    expect(r.aborted).toBe(`stopped at ${MASK}`);
  });

  // Finding (fixed): a no_log step's error was recorded as a secret whole, and fleetjail's own
  // words are one: a no_log command that failed silently has the error "exit status 1", which
  // looks like a secret (13 characters, letters and digits), so every other step's and host's
  // "exit status 1: ..." read "********: ..." for the rest of the run, on every host. Now
  // only what the host said is recorded, and the host's error that quotes the no_log step's
  // error hides it there. Severity: low-medium (the report hides why other hosts failed).
  it('a no_log step failing with "exit status 1" does not mask every other exit status', () => {
    const s = new Secrets();
    s.markNoLog('steps[0]');
    const run: RunResult = {
      ...twoHosts(),
      hosts: [
        host('h1', 'failed', [step({ id: 'steps[0]', name: 'probe', status: 'failed', error: 'exit status 1' })], {
          error: "step 'probe' failed: exit status 1",
        }),
        host('h2', 'failed', [step({ id: 'steps[1]', name: 'pkg', status: 'failed', error: 'exit status 1: No mirrors remaining' })], {
          error: "step 'pkg' failed: exit status 1: No mirrors remaining",
        }),
      ],
    };
    const r = redactRun(run, s);
    expect(r.hosts[0]!.steps[0]!.error).toBe('error hidden (no_log)');
    expect(r.hosts[0]!.error).toBe(`step 'probe' failed: ${MASK}`);
    expect(r.hosts[1]!.steps[0]!.error).toBe('exit status 1: No mirrors remaining');
    expect(r.hosts[1]!.error).toBe("step 'pkg' failed: exit status 1: No mirrors remaining");
  });

  it("what the host said in a no_log step's error is still masked everywhere", () => {
    const s = new Secrets();
    s.markNoLog('steps[0]');
    const run: RunResult = {
      ...twoHosts(),
      hosts: [
        host(
          'h1',
          'failed',
          [step({ id: 'steps[0]', name: 'probe', status: 'failed', error: 'exit status 1: token Zm9vYmFyYmF6 rejected' })],
          {
            error: "step 'probe' failed: exit status 1: token Zm9vYmFyYmF6 rejected",
          },
        ),
        host('h2', 'failed', [step({ id: 'steps[1]', name: 'x', status: 'failed', error: 'exit status 3: token Zm9vYmFyYmF6 rejected' })]),
      ],
    };
    const text = JSON.stringify(redactRun(run, s));
    expect(text).not.toContain('Zm9vYmFyYmF6');
    expect(text).toContain('exit status 3: ');
  });
});
