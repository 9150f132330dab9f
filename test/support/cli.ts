/** Runs the built fleetjail CLI (dist/, built by `npm test` before vitest) as an operator would. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../lab/layout.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const CLI = path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js');

export function fleetjail(args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, SSH_AUTH_SOCK: '', ...opts.env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 255) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(opts.stdin ?? '');
  });
}

/** Parse `--json` output, failing the test with the CLI's stderr when it is not JSON. */
export function parseJson<T = unknown>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`fleetjail did not print JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}
