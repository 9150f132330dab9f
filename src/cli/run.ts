/**
 * `fleetjail run PLAYBOOK` and `fleetjail check PLAYBOOK...`.
 *
 * run: load and validate the playbook, prepare every host offline (variables, templates,
 * module arguments: exit 1 before any connection on a problem), then run it with live
 * progress on a terminal or one line per event otherwise, a recap table at the end, and
 * --report FILE / --json for the JSON report. Exit status as for exec: 0 ok, 1 config,
 * 2 a host failed, 4 a host unreachable, 6 both.
 *
 * check: the same offline validation for several playbooks, without connecting.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { Interrupt } from '../engine/interrupt.js';
import { ConfigError } from '../util/errors.js';
import { AGE_IDENTITY_ENV, ageIdentityFiles } from '../util/age.js';
import { loadPlaybook } from '../playbook/load.js';
import { prepareFleetPlaybook } from '../playbook/fleet.js';
import { runPlaybook } from '../engine/run.js';
import type { RunEvent } from '../engine/events.js';
import { jsonReport } from '../report/json-report.js';
import { recapTable } from '../report/recap.js';
import { redactRun } from '../report/redact.js';
import { plainReporter } from '../report/plain.js';
import { LiveReporter } from '../report/live.js';
import { buildFleetContext, defaultInventoryPaths, loadInventoryFromOptions } from './fleet-context.js';
import { EXIT_CONFIG, EXIT_REPORT_LOST, exitCodeFor } from './exit-codes.js';
import { withFleetOptions, type FleetOptions } from './options.js';

interface RunOptions extends FleetOptions {
  check?: boolean;
  diff?: boolean;
  tags?: string[];
  skipTags?: string[];
  extraVars?: string[];
  report?: string;
  lockWait: number;
  hostTimeout: number;
  ageIdentity?: string[];
}

interface CheckOptions {
  inventory?: string[];
  limit?: string;
  extraVars?: string[];
  tags?: string[];
  skipTags?: string[];
  ageIdentity?: string[];
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const collectList = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean),
];

export function registerRunCommands(program: Command): void {
  withFleetOptions(
    program
      .command('run')
      .description('apply a playbook: gather facts, change only what differs, report per host')
      .argument('<playbook>', 'playbook file (YAML)'),
  )
    .option('-C, --check', 'change nothing; report what would change')
    .option('-D, --diff', 'show unified diffs of files and before/after of values')
    .option('-t, --tags <tags>', 'run only steps with one of these tags (comma-separated, repeatable)', collectList)
    .option('--skip-tags <tags>', 'skip steps with one of these tags', collectList)
    .option('-e, --extra-vars <var>', 'NAME=VALUE or @FILE.yaml (repeatable; highest precedence)', collect)
    .option('--report <file>', 'write the JSON report (version 1) to FILE')
    .option('--lock-wait <s>', 'seconds to wait for another run to finish with a host (one run per host at a time)', seconds, 60)
    .option(
      '--host-timeout <s>',
      "seconds a host's whole run may take; then its command is stopped and the host fails (0 = no limit)",
      seconds,
      0,
    )
    .option('--age-identity <file>', `age identity file for encrypted vars files (repeatable; default: $${AGE_IDENTITY_ENV})`, collect)
    .action(async (playbook: string, opts: RunOptions) => {
      process.exitCode = await runCommand(playbook, opts);
    });

  program
    .command('check')
    .description('validate playbooks (and the inventory) offline, without contacting any host')
    .argument('<playbooks...>', 'playbook files')
    .option('-i, --inventory <file>', 'inventory file or directory (repeatable; default: inventory/ when present)', collect)
    .option('-l, --limit <pattern>', 'check only for these hosts')
    .option('-e, --extra-vars <var>', 'NAME=VALUE or @FILE.yaml (repeatable)', collect)
    .option('-t, --tags <tags>', 'as for run', collectList)
    .option('--skip-tags <tags>', 'as for run', collectList)
    .option('--age-identity <file>', 'as for run', collect)
    .action(async (playbooks: string[], opts: CheckOptions) => {
      process.exitCode = await checkCommand(playbooks, opts);
    });
}

async function runCommand(playbookFile: string, opts: RunOptions): Promise<number> {
  const inventory = loadInventoryFromOptions(opts);
  const prepared = await prepareFleetPlaybook({
    playbookFile,
    ageIdentityFiles: ageIdentityFiles(opts.ageIdentity),
    inventory,
    ...(opts.limit ? { limit: opts.limit } : {}),
    extraVars: opts.extraVars ?? [],
    tags: opts.tags ?? [],
    skipTags: opts.skipTags ?? [],
  });
  const secrets = prepared.preparer.secrets;
  const ctx = buildFleetContext(inventory, prepared.hosts, opts, secrets, prepared.preparer.playbook.hosts);
  const targets = new Map(ctx.targets.map((t) => [t.name, t]));

  // Progress goes to stdout, unless stdout carries the JSON report.
  const progress = opts.json ? process.stderr : process.stdout;
  const live = progress.isTTY
    ? new LiveReporter({
        write: (t) => progress.write(t),
        columns: () => progress.columns ?? 80,
        rows: () => progress.rows ?? 24,
        diff: Boolean(opts.diff),
        secrets,
      })
    : undefined;
  const onEvent: (e: RunEvent) => void = live
    ? live.onEvent
    : plainReporter({ write: (t) => progress.write(t), diff: Boolean(opts.diff), secrets });

  // First signal: no new step starts, running ones finish, the report is written. Second:
  // commands in flight are stopped (their connections closed; the hosts end them).
  const interrupt = new Interrupt();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!interrupt.requested) {
      interrupt.request(`interrupted (${signal})`);
      process.stderr.write(`\nfleetjail: ${signal}: no new step starts; running steps finish (${signal} again stops them now)\n`);
    } else {
      process.stderr.write(`\nfleetjail: ${signal} again: stopping running commands now\n`);
      interrupt.stopNow(`interrupted (${signal})`);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const targetOf = (name: string) => {
    const target = targets.get(name);
    if (!target) throw new Error(`${name}: no connection settings resolved`);
    return target;
  };
  // Hosts not connected yet are not connected after a signal; the second abandons handshakes.
  interrupt.whenRequested(() => ctx.connector.stopConnecting(interrupt.reason));
  interrupt.whenStoppedNow(() => ctx.connector.stopConnecting(interrupt.reason, true));

  let result;
  try {
    result = await runPlaybook({
      playbook: prepared.preparer.playbook,
      runtime: prepared.preparer.runtimeRenderer(),
      plans: prepared.plans,
      connect: (name) => ctx.connector.connect(targetOf(name)),
      reconnect: (name) => ctx.connector.connect(targetOf(name), { admitted: true }),
      ...(opts.timeout > 0 ? { oneStepAtATime: true } : {}),
      forks: opts.forks,
      check: Boolean(opts.check),
      diff: Boolean(opts.diff),
      onEvent,
      log: ctx.log,
      lock: { waitSec: opts.lockWait, holder: lockHolder(playbookFile) },
      ...(opts.hostTimeout > 0 ? { hostTimeoutMs: opts.hostTimeout * 1000 } : {}),
      interrupt,
    });
  } finally {
    live?.stop();
    await ctx.connector.closeAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  progress.write(recapTable(redactRun(result, secrets)));
  const report = jsonReport(result, secrets);
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  // Hosts a stopped run never started count as interrupted for the exit code.
  const notStarted = interrupt.requested ? result.notRun.map(() => 'interrupted') : [];
  let code = exitCodeFor([...result.hosts.map((h) => h.status), ...notStarted]);
  if (opts.report) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(opts.report)), { recursive: true });
      fs.writeFileSync(opts.report, JSON.stringify(report, null, 2) + '\n');
    } catch (e) {
      // The hosts' outcome stands (its bits); the lost report is a bit of its own, never 1.
      process.stderr.write(
        `fleetjail: the report could not be written to ${opts.report}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`,
      );
      code |= EXIT_REPORT_LOST;
    }
  }
  return code;
}

/** Who holds a host's lock, for another run that has to wait. */
function lockHolder(playbookFile: string): string {
  return `fleetjail pid ${process.pid} on ${os.hostname()} (user ${os.userInfo().username}), playbook ${path.basename(playbookFile)}`;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds ≥ 0');
  return n;
}

async function checkCommand(playbooks: string[], opts: CheckOptions): Promise<number> {
  const inventoryPaths = opts.inventory?.length ? opts.inventory : defaultInventoryPaths();
  let failed = false;
  let inventory;
  if (inventoryPaths.length > 0) {
    try {
      inventory = loadInventoryFromOptions({ inventory: inventoryPaths });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      process.stderr.write(`${e.message}\n`);
      return EXIT_CONFIG;
    }
  }
  for (const file of playbooks) {
    try {
      if (inventory) {
        const { preparer, plans } = await prepareFleetPlaybook({
          playbookFile: file,
          ageIdentityFiles: ageIdentityFiles(opts.ageIdentity),
          standInSecrets: true,
          inventory,
          ...(opts.limit ? { limit: opts.limit } : {}),
          extraVars: opts.extraVars ?? [],
          tags: opts.tags ?? [],
          skipTags: opts.skipTags ?? [],
        });
        const p = preparer.playbook;
        process.stdout.write(`${file}: ok (${p.steps.length} steps, ${p.handlers.length} handlers; ${plans.length} hosts)\n`);
      } else {
        const p = loadPlaybook(file);
        process.stdout.write(`${file}: ok (${p.steps.length} steps, ${p.handlers.length} handlers; no inventory: variables not checked)\n`);
      }
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      failed = true;
      process.stderr.write(`${e.message}\n`);
    }
  }
  return failed ? EXIT_CONFIG : 0;
}
