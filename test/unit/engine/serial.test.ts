import { describe, expect, it } from 'vitest';
import { batches, stopReason } from '../../../src/engine/serial.js';
import type { HostResult, HostStatus } from '../../../src/engine/results.js';

const hosts = (statuses: HostStatus[]): HostResult[] =>
  statuses.map((status, i) => ({
    name: `h${i}`,
    status,
    ok: 0,
    changed: 0,
    failed: 0,
    skipped: 0,
    error: null,
    durationMs: 0,
    steps: [],
    roundTrips: 1,
  }));

describe('serial batches', () => {
  const ten = Array.from({ length: 10 }, (_, i) => i);
  it('one batch without serial; counts; percentages (at least one host)', () => {
    expect(batches(ten, undefined)).toEqual([ten]);
    expect(batches(ten, { count: 4 }).map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches(ten, { percent: 30 }).map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect(batches([1, 2, 3], { percent: 10 }).map((b) => b.length)).toEqual([1, 1, 1]);
    expect(batches([], { count: 2 })).toEqual([]);
  });

  it('max_fail_percentage: stop when strictly more failed', () => {
    expect(stopReason(hosts(['ok', 'failed', 'ok', 'ok']), { serial: true, maxFailPercentage: 25 })).toBeNull();
    expect(stopReason(hosts(['ok', 'failed', 'unreachable', 'ok']), { serial: true, maxFailPercentage: 25 })).toBe(
      '2 of 4 hosts in the batch failed (50% > max_fail_percentage 25%)',
    );
    expect(stopReason(hosts(['failed']), { serial: true, maxFailPercentage: 0 })).toMatch(/100% > max_fail_percentage 0%/);
  });

  it('without max_fail_percentage: serial stops only when the whole batch failed', () => {
    expect(stopReason(hosts(['failed', 'ok']), { serial: true })).toBeNull();
    expect(stopReason(hosts(['failed', 'unreachable']), { serial: true })).toBe('every host of the batch failed (2 of 2)');
    expect(stopReason(hosts(['failed', 'failed']), { serial: false })).toBeNull();
  });
});
