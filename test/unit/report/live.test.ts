import { describe, expect, it } from 'vitest';
import { LiveReporter } from '../../../src/report/live.js';
import { host, step } from './fixtures.js';

/** A terminal that understands the two escapes the live view uses: cursor up N, clear to the end. */
class Screen {
  lines: string[] = [];
  private row = 0;
  write = (text: string) => {
    for (const token of text.match(/\x1b\[\d*[AJ]|\n|[^\x1b\n]+/g) ?? []) {
      const esc = /^\x1b\[(\d*)([AJ])$/.exec(token);
      if (esc?.[2] === 'A') this.row -= Number(esc[1] || 1);
      else if (esc?.[2] === 'J') this.lines.length = this.row;
      else if (token === '\n') this.row++;
      else this.lines[this.row] = (this.lines[this.row] ?? '') + token;
    }
  };
}

describe('live view', () => {
  it('stays within the terminal with 200 hosts: a summary and the busy hosts that fit', () => {
    const screen = new Screen();
    let now = 0;
    const live = new LiveReporter({ write: screen.write, columns: () => 80, rows: () => 10, diff: false, intervalMs: 0, now: () => now });
    const names = Array.from({ length: 200 }, (_, i) => `h${String(i + 1).padStart(3, '0')}`);
    live.onEvent({ type: 'run-start', playbook: 'site.yaml', hosts: names, check: false, batches: 1 });
    live.onEvent({ type: 'batch-start', index: 0, hosts: names });
    for (const n of names.slice(0, 50)) live.onEvent({ type: 'host-start', host: n });
    live.onEvent({
      type: 'step-start',
      host: 'h001',
      id: 'steps[2]',
      name: 'sysrc a very long step name that will not fit in eighty columns of a terminal window',
      index: 2,
      total: 12,
    });
    for (const n of names.slice(1, 11)) live.onEvent({ type: 'host-end', result: host(n, 'changed', []) });
    live.onEvent({ type: 'step-end', host: 'h020', result: step({ name: 'pkg nginx', status: 'failed', error: 'exit status 1' }) });
    now = 4200;
    live.onEvent({ type: 'host-end', result: host('h020', 'failed', []) });
    // The permanent line, then the block: summary + 6 hosts + "more" = 8 lines (rows 10 − 3 = 7 hosts of room).
    expect(screen.lines[0]).toBe('RUN site.yaml on 200 hosts');
    expect(screen.lines[1]).toBe('h020 ! pkg nginx: FAILED: exit status 1');
    expect(screen.lines[2]).toBe('11/200 done · 39 running · 10 changed · 1 failed · 0 unreachable · 4.20s');
    expect(screen.lines[3]).toBe('h001  3/12  sysrc a very long step name that will not fit in eighty columns of…');
    expect(screen.lines.slice(3)).toHaveLength(7);
    expect(screen.lines.at(-1)).toBe('... and 33 more running');
    expect(screen.lines.every((l) => l.length < 80)).toBe(true);
    live.onEvent({
      type: 'run-end',
      result: { playbook: 'site.yaml', startedAt: '', check: false, hosts: [], notRun: [], aborted: null, durationMs: 0 },
    });
    expect(screen.lines).toEqual(['RUN site.yaml on 200 hosts', 'h020 ! pkg nginx: FAILED: exit status 1']);
  });

  it('with serial batches, the summary names the batch out of how many', () => {
    const screen = new Screen();
    const live = new LiveReporter({ write: screen.write, columns: () => 80, rows: () => 10, diff: false, intervalMs: 0, now: () => 0 });
    live.onEvent({ type: 'run-start', playbook: 'site.yaml', hosts: ['a', 'b', 'c'], check: false, batches: 2 });
    live.onEvent({ type: 'batch-start', index: 0, hosts: ['a', 'b'] });
    expect(screen.lines[1]).toMatch(/^\[batch 1\/2\] 0\/3 done/);
    live.onEvent({ type: 'batch-start', index: 1, hosts: ['c'] });
    expect(screen.lines[1]).toMatch(/^\[batch 2\/2\] 0\/3 done/);
    live.onEvent({ type: 'run-aborted', reason: 'run stopped after batch 1 of 2: why', notRun: ['c'] });
    expect(screen.lines[1]).toBe('STOPPED: run stopped after batch 1 of 2: why; not run: 1 host');
  });
});
