/**
 * `fleetjail ping PATTERN` and `fleetjail exec PATTERN -- COMMAND...`.
 */
import type { Command } from 'commander';
import { shq } from '../shell/quote.js';
import { runAdhoc, type AdhocResult } from './adhoc.js';
import { adhocFleetContext } from './fleet-context.js';
import { exitCodeFor } from './exit-codes.js';
import { PrefixedLineWriter } from './host-output.js';
import { escapeLine } from '../util/terminal-text.js';
import { withFleetOptions, type FleetOptions } from './options.js';

export function registerPing(program: Command): void {
  withFleetOptions(
    program
      .command('ping')
      .description('connect to each host and run `uname -sr`')
      .argument('<pattern>', 'hosts: names, groups, globs, a,b / a:b unions, !exclusions, &intersections'),
  ).action(async (pattern: string, opts: FleetOptions) => {
    process.exitCode = await runAndReport(pattern, 'uname -sr', opts, false);
  });
}

export function registerExec(program: Command): void {
  withFleetOptions(
    program
      .command('exec')
      .description('run a command on each host (one argument: a shell command line; several: a command and its arguments, each quoted)')
      .argument('<pattern>', 'hosts to run on')
      .argument('<command...>', 'after --: the command'),
  ).action(async (pattern: string, command: string[], opts: FleetOptions) => {
    process.exitCode = await runAndReport(pattern, commandLine(command), opts, true);
  });
}

/**
 * One argument is taken as a shell command line (`'ls /etc | wc -l'`), as ssh does. Several
 * arguments are an argv and each is quoted, unlike ssh, which joins them with spaces unquoted.
 */
export function commandLine(words: string[]): string {
  return words.length === 1 ? (words[0] as string) : words.map(shq).join(' ');
}

async function runAndReport(pattern: string, script: string, opts: FleetOptions, stream: boolean): Promise<number> {
  const ctx = adhocFleetContext(pattern, opts);
  const out = (t: string) => process.stdout.write(t);
  const err = (t: string) => process.stderr.write(t);
  const width = Math.max(...ctx.targets.map((t) => t.name.length));
  const label = (name: string) => name.padEnd(width);
  const started = performance.now();
  let results: AdhocResult[];
  try {
    results = await runAdhoc(ctx.targets, script, {
      forks: opts.forks,
      connect: (t) => ctx.connector.connect(t),
      ...(stream && !opts.json
        ? {
            streams: (host: string) => {
              const o = new PrefixedLineWriter(`${label(host)} | `, out);
              const e = new PrefixedLineWriter(`${label(host)} ! `, err);
              return {
                onStdout: (c: string) => o.push(c),
                onStderr: (c: string) => e.push(c),
                end: () => {
                  o.flush();
                  e.flush();
                },
              };
            },
          }
        : {}),
      onResult: (r) => {
        ctx.log.info({ host: r.name, status: r.status, exitCode: r.exitCode, durationMs: r.durationMs, error: r.error }, 'host done');
        if (opts.json) return;
        if (!stream && r.status === 'ok') out(`${label(r.name)} | ${escapeLine(r.stdout.trim())}\n`);
        if (r.status !== 'ok') err(`${label(r.name)} ! ${r.status.toUpperCase()}: ${escapeLine(r.error ?? '')}\n`);
      },
    });
  } finally {
    await ctx.connector.closeAll();
  }
  if (opts.json) {
    out(JSON.stringify({ hosts: results }, null, 2) + '\n');
  } else {
    const count = (s: string) => results.filter((r) => r.status === s).length;
    err(
      `${count('ok')} ok, ${count('failed')} failed, ${count('unreachable')} unreachable` +
        ` (${results.length} hosts, ${((performance.now() - started) / 1000).toFixed(1)}s)\n`,
    );
  }
  return exitCodeFor(results.map((r) => r.status));
}
