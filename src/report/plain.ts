/** Output without a terminal (logs, CI, cron): one line per event, written as it happens. */
import type { RunEvent } from '../engine/events.js';
import type { Secrets } from '../util/secrets.js';
import { escapeLine } from '../util/terminal-text.js';
import { diffLines, hostLine, outputLines, stepLine } from './format.js';
import { redactEvent } from './redact.js';

export interface PlainOptions {
  write(text: string): void;
  diff: boolean;
  /** The run's secrets: masked in everything written. */
  secrets?: Secrets;
}

export function plainReporter(opts: PlainOptions): (e: RunEvent) => void {
  let check = false;
  let batches = 1;
  return (event) => {
    const e = redactEvent(event, opts.secrets);
    switch (e.type) {
      case 'run-start':
        check = e.check;
        batches = e.batches;
        opts.write(`RUN ${e.playbook} on ${e.hosts.length} host${e.hosts.length === 1 ? '' : 's'}${e.check ? ' (check mode)' : ''}\n`);
        break;
      case 'batch-start':
        if (batches > 1) opts.write(`BATCH ${e.index + 1}/${batches}: ${e.hosts.join(' ')}\n`);
        break;
      case 'step-end': {
        const lines = [stepLine(e.host, e.result, check)];
        if (opts.diff && e.result.changed) lines.push(...diffLines(e.result.diff, `${e.host} |   `));
        lines.push(...outputLines(e.result, `${e.host} !   `));
        opts.write(lines.join('\n') + '\n');
        break;
      }
      case 'host-end':
        opts.write(hostLine(e.result) + '\n');
        break;
      case 'run-aborted':
        opts.write(`STOPPED: ${escapeLine(e.reason)}; not run: ${e.notRun.join(' ')}\n`);
        break;
      default:
        break;
    }
  };
}
