import { describe, expect, it } from 'vitest';
import { jsonReport } from '../../../src/report/json-report.js';
import { sampleRun } from './fixtures.js';

describe('JSON report v1', () => {
  it('has the documented shape', () => {
    const r = jsonReport(sampleRun());
    expect(Object.keys(r)).toEqual(['version', 'playbook', 'startedAt', 'check', 'hosts', 'summary']);
    expect(r.version).toBe(1);
    expect(r.hosts.h1).toEqual({
      status: 'changed',
      ok: 1,
      changed: 2,
      failed: 0,
      skipped: 0,
      durationMs: 1234,
      error: null,
      roundTrips: 1,
      steps: [
        {
          name: 'sysrc sshd_enable',
          module: 'sysrc',
          status: 'changed',
          changed: true,
          changes: ['sshd_enable: "NO" -> "YES"'],
          diff: [{ type: 'value', name: '/etc/rc.conf: sshd_enable', before: 'NO', after: 'YES' }],
          error: null,
          durationMs: 12,
          handler: false,
        },
        {
          name: 'motd',
          module: 'file',
          status: 'ok',
          changed: false,
          changes: [],
          diff: null,
          error: null,
          durationMs: 12,
          handler: false,
        },
        {
          name: 'reload',
          module: 'service',
          status: 'changed',
          changed: true,
          changes: [],
          diff: null,
          error: null,
          durationMs: 12,
          handler: true,
        },
      ],
    });
    expect(r.hosts.h2).toMatchObject({ status: 'unreachable', error: 'h2: connection refused by 10.0.0.2:22', steps: [] });
    expect(r.hosts.h3?.steps[0]).toMatchObject({ status: 'failed', error: 'exit status 1: pkg: No packages available' });
    expect(r.summary).toEqual({
      hosts: 4,
      ok: 0,
      changed: 1,
      failed: 1,
      unreachable: 1,
      interrupted: 0,
      notRun: ['h4'],
      aborted: 'run stopped after batch 3 of 4: 1 of 1 hosts in the batch failed (100% > max_fail_percentage 0%)',
      durationMs: 4321,
    });
  });

  it('round-trips through JSON unchanged', () => {
    const r = jsonReport(sampleRun());
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
