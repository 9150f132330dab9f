/** The table printed at the end of a run: one row per host, then the totals. */
import type { RunResult } from '../engine/results.js';
import { escapeLine } from '../util/terminal-text.js';
import { seconds } from './format.js';

const COLUMNS = ['host', 'status', 'ok', 'changed', 'failed', 'skipped', 'unreachable', 'time'] as const;

export function recapTable(run: RunResult): string {
  const rows = run.hosts.map((h) => [
    h.name,
    h.status,
    String(h.ok),
    String(h.changed),
    String(h.failed),
    String(h.skipped),
    h.status === 'unreachable' ? '1' : '0',
    seconds(h.durationMs),
  ]);
  for (const name of run.notRun) rows.push([name, 'not run', '-', '-', '-', '-', '-', '-']);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] as string).length)));
  // Names and statuses left-aligned, numbers right-aligned.
  const fmt = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const count = (s: string) => run.hosts.filter((h) => h.status === s).length;
  const hosts = run.hosts.length + run.notRun.length;
  const totals =
    `${hosts} host${hosts === 1 ? '' : 's'}: ${count('ok')} ok, ${count('changed')} ${run.check ? 'would change' : 'changed'}, ` +
    `${count('failed')} failed, ${count('unreachable')} unreachable${count('interrupted') ? `, ${count('interrupted')} interrupted` : ''}${run.notRun.length ? `, ${run.notRun.length} not run` : ''} in ${seconds(run.durationMs)}`;
  const lines = [`RECAP ${run.playbook}${run.check ? ' (check mode: nothing was changed)' : ''}`, fmt(COLUMNS), ...rows.map(fmt), totals];
  if (run.aborted) lines.push(escapeLine(run.aborted));
  return lines.join('\n') + '\n';
}
