/**
 * serial and max_fail_percentage: hosts in batches, each batch finished before the next
 * starts; the run stops after a batch in which more than max_fail_percentage of the hosts
 * failed or were unreachable. With serial and no max_fail_percentage, a batch in which
 * every host failed stops the run (as Ansible does); without serial, nothing stops it.
 */
import type { Serial } from '../playbook/model.js';
import type { HostResult } from './results.js';

export function batches<T>(hosts: T[], serial: Serial | undefined): T[][] {
  if (hosts.length === 0) return [];
  const size =
    serial === undefined ? hosts.length : 'count' in serial ? serial.count : Math.max(1, Math.floor((hosts.length * serial.percent) / 100));
  const out: T[][] = [];
  for (let i = 0; i < hosts.length; i += size) out.push(hosts.slice(i, i + size));
  return out;
}

/** Why the run must stop after this batch, or null to go on. */
export function stopReason(batch: HostResult[], opts: { serial: boolean; maxFailPercentage?: number }): string | null {
  const failed = batch.filter((h) => h.status === 'failed' || h.status === 'unreachable').length;
  if (batch.length === 0 || failed === 0) return null;
  const percent = (failed / batch.length) * 100;
  if (opts.maxFailPercentage !== undefined) {
    return percent > opts.maxFailPercentage
      ? `${failed} of ${batch.length} hosts in the batch failed (${round(percent)}% > max_fail_percentage ${opts.maxFailPercentage}%)`
      : null;
  }
  return opts.serial && failed === batch.length ? `every host of the batch failed (${failed} of ${batch.length})` : null;
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
