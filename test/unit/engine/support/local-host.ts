/**
 * A HostSession that runs scripts with the local /bin/sh, for engine and module tests
 * without SSH. The FreeBSD tools the modules call (sha256 -q, stat -f, mv -h, chmod -h) are
 * the lab's (test/support/freebsd-tools.ts), first in PATH, so the scripts run unchanged.
 * Every call is recorded, to count round trips.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer as readAll } from 'node:stream/consumers';
import type { LocalFile } from '../../../../src/modules/kit/contract.js';
import type { HostLockOptions, HostSession, RunOptions, RunResult, WriteFileOptions } from '../../../../src/transport/types.js';
import { atomicWriteScript, inlineWriteScript } from '../../../../src/transport/atomic-write.js';
import { sharedFreebsdTools } from '../../../support/freebsd-tools.js';

export interface Call {
  kind: 'run' | 'write';
  script: string;
}

export class LocalHost implements HostSession {
  readonly calls: Call[] = [];
  readonly root: string;
  closed = false;

  constructor(readonly host = 'local') {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-host-'));
  }

  /** A path inside this host's temp root. */
  p(rel: string): string {
    return path.join(this.root, rel);
  }

  async run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ kind: 'run', script });
    return this.exec(script, opts.stdin instanceof Readable ? await readAll(opts.stdin) : opts.stdin);
  }

  async writeFileAtomic(target: string, content: string | Buffer | LocalFile, opts: WriteFileOptions = {}): Promise<void> {
    this.calls.push({ kind: 'write', script: target });
    const r = await this.exec(
      atomicWriteScript(target, opts),
      typeof content === 'string' || Buffer.isBuffer(content) ? content : fs.readFileSync(content.path),
    );
    if (r.exitCode !== 0) throw new Error(`writing ${target} failed: ${r.stderr}`);
  }

  writeScript(target: string, content: string, opts: WriteFileOptions = {}): string {
    return inlineWriteScript(target, content, opts);
  }

  /** No other run shares a temp root: the lock is the script's run (a round trip, as on a host). */
  async lock(script: string, _opts: HostLockOptions): Promise<RunResult> {
    return this.run(script);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private exec(script: string, stdin?: string | Buffer): Promise<RunResult> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', script], {
        cwd: this.root,
        env: {
          ...sharedFreebsdTools().env,
          PATH: `${sharedFreebsdTools().bin}:/usr/bin:/bin:/usr/sbin:/sbin`,
          HOME: this.root,
          TMPDIR: os.tmpdir(),
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.on('error', reject);
      child.stdin.on('error', () => {}); // a script that does not read its stdin closes the pipe early
      child.on('close', (code) => resolve({ exitCode: code, stdout, stderr, durationMs: Math.round(performance.now() - started) }));
      child.stdin.end(stdin ?? '');
    });
  }
}
