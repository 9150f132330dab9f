/**
 * Runs a command as a child process and measures its wall time and peak memory (VmHWM,
 * sampled from /proc while it runs: the high-water mark only grows, so the last sample
 * is the peak up to a few ms before exit).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export interface Measurement {
  wallMs: number;
  peakRssMiB: number;
  code: number;
  stdout: string;
  stderr: string;
}

export function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Measurement> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let peakKiB = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {
        // exited
      }
    };
    const timer = setInterval(sample, 5);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ wallMs: performance.now() - started, peakRssMiB: peakKiB / 1024, code: code ?? -1, stdout, stderr });
    });
  });
}
