import { describe, expect, it } from 'vitest';
import { recapTable } from '../../../src/report/recap.js';
import { plainReporter } from '../../../src/report/plain.js';
import { diffLines } from '../../../src/report/format.js';
import { sampleRun, step } from './fixtures.js';

describe('recap table', () => {
  it('one aligned row per host, totals, and why the run stopped', () => {
    expect(recapTable(sampleRun())).toBe(
      [
        'RECAP playbooks/site.yaml',
        'host  status       ok  changed  failed  skipped  unreachable   time',
        'h1    changed       1        2       0        0            0  1.23s',
        'h2    unreachable   0        0       0        0            1  0.01s',
        'h3    failed        0        0       1        0            0  1.23s',
        'h4    not run       -        -       -        -            -      -',
        '4 hosts: 0 ok, 1 changed, 1 failed, 1 unreachable, 1 not run in 4.32s',
        'run stopped after batch 3 of 4: 1 of 1 hosts in the batch failed (100% > max_fail_percentage 0%)',
        '',
      ].join('\n'),
    );
  });

  it('one host is "1 host"', () => {
    const run = sampleRun();
    expect(recapTable({ ...run, hosts: run.hosts.slice(0, 1), notRun: [], aborted: null })).toMatch(/\n1 host: 0 ok, 1 changed/);
  });

  it('says so in check mode', () => {
    expect(recapTable({ ...sampleRun(), check: true, aborted: null, notRun: [] })).toMatch(
      /^RECAP playbooks\/site\.yaml \(check mode: nothing was changed\)\n[\s\S]*1 would change/,
    );
  });
});

describe('plain output', () => {
  it('one line per event', () => {
    const lines: string[] = [];
    const report = plainReporter({ write: (t) => lines.push(t), diff: true });
    const run = sampleRun();
    report({ type: 'run-start', playbook: 'site.yaml', hosts: ['h1', 'h2'], check: false, batches: 2 });
    report({ type: 'batch-start', index: 0, hosts: ['h1'] });
    report({ type: 'step-end', host: 'h1', result: run.hosts[0]!.steps[0]! });
    report({ type: 'step-end', host: 'h1', result: step({ name: 'x', status: 'skipped', skipReason: 'when' }) });
    report({ type: 'step-end', host: 'h3', result: run.hosts[2]!.steps[0]! });
    report({ type: 'host-end', result: run.hosts[0]! });
    report({ type: 'host-end', result: run.hosts[1]! });
    report({ type: 'run-aborted', reason: 'too many failures', notRun: ['h4'] });
    expect(lines.join('')).toBe(
      [
        'RUN site.yaml on 2 hosts',
        'BATCH 1/2: h1',
        'h1 | sysrc sshd_enable: changed: sshd_enable: "NO" -> "YES"',
        'h1 |   /etc/rc.conf: sshd_enable: "NO" -> "YES"',
        'h1 | x: skipped (when)',
        'h3 ! pkg nginx: FAILED: exit status 1: pkg: No packages available',
        'h1 = changed (1 ok, 2 changed, 0 skipped, 1.23s)',
        'h2 ! UNREACHABLE: h2: connection refused by 10.0.0.2:22',
        'STOPPED: too many failures; not run: h4',
        '',
      ].join('\n'),
    );
  });

  it('file diffs are printed line by line', () => {
    expect(diffLines([{ type: 'file', path: '/etc/motd', unified: '--- /etc/motd\n+++ /etc/motd\n@@ -1 +1 @@\n-a\n+b\n' }], '> ')).toEqual([
      '> --- /etc/motd',
      '> +++ /etc/motd',
      '> @@ -1 +1 @@',
      '> -a',
      '> +b',
    ]);
  });
});
