/**
 * Output on a terminal: a live view that stays readable with hundreds of hosts. Failures
 * (and with --diff, changes) scroll by as permanent lines; under them, a status block is
 * redrawn at most ten times a second: one summary line, then only the hosts at work,
 * as many as the terminal has room for.
 *
 *   [batch 1/4] 37/200 done · 50 running · 12 changed · 1 failed · 0 unreachable · 4.2s
 *   h041  3/12  sysrc sshd_enable
 *   h042  1/12  gathering facts
 *   ... and 48 more running
 */
import type { RunEvent } from '../engine/events.js';
import type { Secrets } from '../util/secrets.js';
import { escapeLine } from '../util/terminal-text.js';
import { diffLines, hostLine, outputLines, seconds, stepLine } from './format.js';
import { redactEvent } from './redact.js';

export interface LiveOptions {
  write(text: string): void;
  columns: () => number;
  rows: () => number;
  diff: boolean;
  /** The run's secrets: masked in everything shown. */
  secrets?: Secrets;
  /** Redraw interval; tests pass 0 to redraw on every event. */
  intervalMs?: number;
  now?: () => number;
}

interface Active {
  step: string;
  index: number;
  total: number;
}

export class LiveReporter {
  private readonly active = new Map<string, Active>();
  private drawn = 0;
  private total = 0;
  private done = 0;
  private changed = 0;
  private failed = 0;
  private unreachable = 0;
  private batch = '';
  private batches = 1;
  private check = false;
  private started = 0;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private readonly now: () => number;

  constructor(private readonly opts: LiveOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  readonly onEvent = (event: RunEvent): void => {
    const e = redactEvent(event, this.opts.secrets);
    switch (e.type) {
      case 'run-start':
        this.total = e.hosts.length;
        this.batches = e.batches;
        this.check = e.check;
        this.started = this.now();
        this.permanent(`RUN ${e.playbook} on ${e.hosts.length} hosts${e.check ? ' (check mode)' : ''}`);
        break;
      case 'batch-start':
        this.batch = this.batches > 1 ? `[batch ${e.index + 1}/${this.batches}] ` : '';
        break;
      case 'host-start':
        this.active.set(e.host, { step: 'connecting', index: 0, total: 0 });
        break;
      case 'step-start':
        this.active.set(e.host, { step: escapeLine(e.name), index: e.index + 1, total: e.total });
        break;
      case 'step-end': {
        const r = e.result;
        if (r.status === 'failed') this.permanent([stepLine(e.host, r, this.check), ...outputLines(r, `${e.host} !   `)].join('\n'));
        else if (this.opts.diff && r.changed)
          this.permanent([stepLine(e.host, r, this.check), ...diffLines(r.diff, `${e.host} |   `)].join('\n'));
        break;
      }
      case 'host-end':
        this.active.delete(e.result.name);
        this.done++;
        if (e.result.status === 'changed') this.changed++;
        if (e.result.status === 'failed' || e.result.status === 'interrupted') this.failed++;
        if (e.result.status === 'unreachable') {
          this.unreachable++;
          this.permanent(hostLine(e.result));
        }
        break;
      case 'run-aborted':
        this.permanent(`STOPPED: ${escapeLine(e.reason)}; not run: ${e.notRun.length} host${e.notRun.length === 1 ? '' : 's'}`);
        break;
      case 'run-end':
        this.stop();
        return;
    }
    this.schedule();
  };

  /** Clear the status block for good (the recap follows). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.opts.write(this.clear());
    this.drawn = 0;
  }

  private schedule(): void {
    const interval = this.opts.intervalMs ?? 100;
    if (interval === 0) {
      this.redraw();
      return;
    }
    this.dirty = true;
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.dirty) this.redraw();
      }, interval);
      this.timer.unref?.();
    }
  }

  private permanent(text: string): void {
    const width = this.opts.columns();
    const lines = text.split('\n').map((l) => truncate(l, width));
    this.opts.write(this.clear() + lines.join('\n') + '\n');
    this.drawn = 0;
    this.dirty = true;
  }

  private redraw(): void {
    this.dirty = false;
    const lines = this.block();
    this.opts.write(this.clear() + lines.join('\n') + '\n');
    this.drawn = lines.length;
  }

  /** The status block: summary, then the busy hosts that fit. */
  block(): string[] {
    const width = this.opts.columns();
    const elapsed = seconds(this.now() - this.started);
    const summary =
      `${this.batch}${this.done}/${this.total} done · ${this.active.size} running · ${this.changed} ${this.check ? 'would change' : 'changed'} · ` +
      `${this.failed} failed · ${this.unreachable} unreachable · ${elapsed}`;
    const room = Math.max(0, this.opts.rows() - 3);
    const hosts = [...this.active.entries()];
    const nameWidth = Math.max(0, ...hosts.map(([h]) => h.length));
    const shown = hosts.length > room ? hosts.slice(0, Math.max(0, room - 1)) : hosts;
    const lines = [
      summary,
      ...shown.map(([h, a]) => `${h.padEnd(nameWidth)}  ${a.total ? `${a.index}/${a.total}` : ''.padEnd(3)}  ${a.step}`),
    ];
    if (shown.length < hosts.length) lines.push(`... and ${hosts.length - shown.length} more running`);
    return lines.map((l) => truncate(l, width));
  }

  private clear(): string {
    return this.drawn > 0 ? `\x1b[${this.drawn}A\x1b[J` : '';
  }
}

/** Longer lines would wrap, and the block's line count would be wrong. */
function truncate(line: string, width: number): string {
  return width > 1 && line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line;
}
