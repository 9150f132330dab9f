import fs from 'node:fs';
/**
 * Driving the CLI as a process a test can signal and kill (interrupts, killed controllers),
 * and waiting for what the lab shows: shared by the run-safety and hostile-run lab tests.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CLI } from './cli.js';
import { labPaths } from './lab.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
/** A path inside a lab host's root, as the machine sees it. */
export const hostFile = (host: string, p: string) => path.join(labPaths.hostRoot(host), p);

/** Whether HOST's lock is held by a run of PLAYBOOK (its holder note names the playbook). */
export const holderIs = (host: string, playbook: string): boolean => {
  try {
    return fs.readFileSync(hostFile(host, 'var/run/fleetjail.lock.holder'), 'utf8').includes(playbook);
  } catch {
    return false;
  }
};

/** `fleetjail run ARGS -i INVENTORY` as a child process; `done` resolves with its exit and output. */
export function startRun(args: string[], inventory = labPaths.inventory) {
  const child = spawn(process.execPath, [CLI, 'run', ...args, '-i', inventory], { env: { ...process.env, SSH_AUTH_SOCK: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const started = Date.now();
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
  return { child, done, output: () => stdout };
}

/** Poll CHECK every 50 ms until it holds; fail naming WHAT after TIMEOUTMS. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
