/** A small finished run for report tests. */
import type { HostResult, RunResult, StepResult } from '../../../src/engine/results.js';

export function step(fields: Partial<StepResult> & Pick<StepResult, 'name' | 'status'>): StepResult {
  return {
    id: 'steps[0]',
    module: 'sysrc',
    handler: false,
    changed: fields.status === 'changed',
    changes: [],
    diff: null,
    error: null,
    ignored: false,
    durationMs: 12,
    ...fields,
  };
}

export function host(name: string, status: HostResult['status'], steps: StepResult[], extra: Partial<HostResult> = {}): HostResult {
  return {
    name,
    status,
    steps,
    error: null,
    durationMs: 1234,
    roundTrips: 1,
    ok: steps.filter((s) => s.status === 'ok').length,
    changed: steps.filter((s) => s.status === 'changed').length,
    failed: steps.filter((s) => s.status === 'failed').length,
    skipped: steps.filter((s) => s.status === 'skipped').length,
    ...extra,
  };
}

export function sampleRun(): RunResult {
  return {
    playbook: 'playbooks/site.yaml',
    startedAt: '2025-01-02T03:04:05.000Z',
    check: false,
    durationMs: 4321,
    notRun: ['h4'],
    aborted: 'run stopped after batch 3 of 4: 1 of 1 hosts in the batch failed (100% > max_fail_percentage 0%)',
    hosts: [
      host('h1', 'changed', [
        step({
          name: 'sysrc sshd_enable',
          status: 'changed',
          changes: ['sshd_enable: "NO" -> "YES"'],
          diff: [{ type: 'value', name: '/etc/rc.conf: sshd_enable', before: 'NO', after: 'YES' }],
        }),
        step({ name: 'motd', module: 'file', status: 'ok' }),
        step({ name: 'reload', module: 'service', status: 'changed', handler: true }),
      ]),
      host('h2', 'unreachable', [], { error: 'h2: connection refused by 10.0.0.2:22', durationMs: 15 }),
      host(
        'h3',
        'failed',
        [step({ name: 'pkg nginx', module: 'pkg', status: 'failed', error: 'exit status 1: pkg: No packages available' })],
        { error: "step 'pkg nginx' failed: exit status 1" },
      ),
    ],
  };
}
