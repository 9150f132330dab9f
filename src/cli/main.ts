#!/usr/bin/env node
/**
 * fleetjail: the command line. Each command lives in its own file; this one wires them
 * into commander and turns errors into exit codes (see exit-codes.ts).
 */
import { Command, CommanderError } from 'commander';
import { registerPing, registerExec } from './adhoc-commands.js';
import { registerInventory } from './inventory-command.js';
import { registerRunCommands } from './run.js';
import { EXIT_CONFIG } from './exit-codes.js';
import { ConfigError } from '../util/errors.js';

const program = new Command('fleetjail')
  .description('Agentless orchestration of FreeBSD hosts and their jails over SSH')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerPing(program);
registerExec(program);
registerInventory(program);
registerRunCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and --version exit 0; usage errors (already printed by commander) exit 1.
    process.exitCode = e.exitCode === 0 ? 0 : EXIT_CONFIG;
  } else if (e instanceof ConfigError) {
    process.stderr.write(`fleetjail: ${e.message}\n`);
    process.exitCode = EXIT_CONFIG;
  } else {
    process.stderr.write(`fleetjail: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = EXIT_CONFIG;
  }
}

// The work is done and reported: a handle that lingers (a socket of an abandoned handshake
// waiting for its timer) must not hold the exit back.
setTimeout(() => process.exit(), 500).unref();
