/**
 * Running a prepared playbook over its hosts: serial batches, up to `forks` hosts at once,
 * each host independent of the others. The caller supplies connect(host), so the CLI
 * passes the SSH connector and tests pass a fake or a lab connection.
 */
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { HostSession } from '../transport/types.js';
import type { HostPlan, RuntimeRenderer } from '../playbook/prepare.js';
import type { Playbook } from '../playbook/model.js';
import type { EventSink } from './events.js';
import { runHost } from './host-run.js';
import type { Interrupt } from './interrupt.js';
import type { HostResult, RunResult } from './results.js';
import { batches, stopReason } from './serial.js';

export interface EngineOptions {
  /** What the run needs of the playbook itself: its name and how its hosts are batched. */
  playbook: Pick<Playbook, 'file' | 'serial' | 'maxFailPercentage'>;
  plans: HostPlan[];
  /** Steps that read registered results, decided and rendered when reached. */
  runtime: RuntimeRenderer;
  connect(host: string): Promise<HostSession>;
  forks: number;
  check?: boolean;
  diff?: boolean;
  onEvent?: EventSink;
  log?: Logger;
  /** Take each host's lock for the run (see host-lock.ts). */
  lock?: { waitSec: number; holder: string };
  hostTimeoutMs?: number;
  interrupt?: Interrupt;
  /** See HostRunOptions. */
  oneStepAtATime?: boolean;
  reconnect?(host: string): Promise<HostSession>;
}

export async function runPlaybook(opts: EngineOptions): Promise<RunResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const emit: EventSink = opts.onEvent ?? (() => {});
  const playbook = opts.playbook;
  const check = opts.check ?? false;
  const groups = batches(opts.plans, playbook.serial);
  emit({ type: 'run-start', playbook: playbook.file, hosts: opts.plans.map((p) => p.host), check, batches: groups.length });
  opts.log?.info({ playbook: playbook.file, hosts: opts.plans.length, batches: groups.length, check }, 'run start');

  const limit = pLimit(Math.max(1, opts.forks));
  const results: HostResult[] = [];
  let aborted: string | null = null;
  let notRun: string[] = [];
  for (const [index, group] of groups.entries()) {
    emit({ type: 'batch-start', index, hosts: group.map((p) => p.host) });
    const batch = await Promise.all(
      group.map((plan) =>
        limit(() =>
          runHost(plan, {
            runtime: opts.runtime,
            connect: opts.connect,
            check,
            diff: opts.diff ?? false,
            emit,
            ...(opts.log ? { log: opts.log.child({ host: plan.host }) } : {}),
            ...(opts.lock ? { lock: opts.lock } : {}),
            ...(opts.hostTimeoutMs ? { hostTimeoutMs: opts.hostTimeoutMs } : {}),
            ...(opts.interrupt ? { interrupt: opts.interrupt } : {}),
            ...(opts.oneStepAtATime ? { oneStepAtATime: true } : {}),
            ...(opts.reconnect ? { reconnect: opts.reconnect } : {}),
          }),
        ),
      ),
    );
    results.push(...batch);
    const reason = stopReason(batch, {
      serial: playbook.serial !== undefined,
      ...(playbook.maxFailPercentage !== undefined ? { maxFailPercentage: playbook.maxFailPercentage } : {}),
    });
    if (opts.interrupt?.requested && index < groups.length - 1) {
      aborted = `run ${opts.interrupt.reason} during batch ${index + 1} of ${groups.length}`;
      notRun = groups
        .slice(index + 1)
        .flat()
        .map((p) => p.host);
      emit({ type: 'run-aborted', reason: aborted, notRun });
      opts.log?.warn({ reason: aborted, notRun }, 'run aborted');
      break;
    }
    if (reason && index < groups.length - 1) {
      aborted = `run stopped after batch ${index + 1} of ${groups.length}: ${reason}`;
      notRun = groups
        .slice(index + 1)
        .flat()
        .map((p) => p.host);
      emit({ type: 'run-aborted', reason: aborted, notRun });
      opts.log?.warn({ reason: aborted, notRun }, 'run aborted');
      break;
    }
  }
  const result: RunResult = {
    playbook: playbook.file,
    startedAt,
    check,
    hosts: results,
    notRun,
    aborted,
    durationMs: Math.round(performance.now() - started),
  };
  emit({ type: 'run-end', result });
  return result;
}
