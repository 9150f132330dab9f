/**
 * `fleetjail ping` and `fleetjail exec`: one command on many hosts, in parallel, over one
 * connection each; a result per host, never an exception.
 */
import pLimit from 'p-limit';
import type { ConnectTarget } from '../inventory/model.js';
import { tooLargeMessage } from '../transport/bounded-output.js';
import type { HostSession, RunOptions } from '../transport/types.js';
import { ConnectError, ConnectionLostError } from '../transport/errors.js';

export type AdhocStatus = 'ok' | 'failed' | 'unreachable';

export interface AdhocResult {
  name: string;
  status: AdhocStatus;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  error: string | null;
  durationMs: number;
}

export interface AdhocOptions {
  forks: number;
  connect: (target: ConnectTarget) => Promise<HostSession>;
  /** Per host, called before its command runs, to stream output (e.g. with a host prefix). */
  streams?: (host: string) => Pick<RunOptions, 'onStdout' | 'onStderr'> & { end?: () => void };
  onResult?: (r: AdhocResult) => void;
}

export async function runAdhoc(targets: ConnectTarget[], script: string, opts: AdhocOptions): Promise<AdhocResult[]> {
  const limit = pLimit(Math.max(1, opts.forks));
  return Promise.all(
    targets.map((t) =>
      limit(async () => {
        const r = await runOne(t, script, opts);
        opts.onResult?.(r);
        return r;
      }),
    ),
  );
}

/** What --json shows of a host's output that went past its limit: its last 64 Ki characters. */
const TOO_LARGE_KEPT = 64 * 1024;

async function runOne(target: ConnectTarget, script: string, opts: AdhocOptions): Promise<AdhocResult> {
  const started = performance.now();
  const result = (status: AdhocStatus, fields: Partial<AdhocResult>): AdhocResult => ({
    name: target.name,
    status,
    exitCode: null,
    stdout: '',
    stderr: '',
    error: null,
    durationMs: Math.round(performance.now() - started),
    ...fields,
  });
  let session: HostSession;
  try {
    session = await opts.connect(target);
  } catch (e) {
    return result('unreachable', { error: e instanceof ConnectError ? e.message : `${target.name}: ${String((e as Error).message ?? e)}` });
  }
  const stream = opts.streams?.(target.name);
  try {
    const r = await session.run(script, {
      ...(stream?.onStdout ? { onStdout: stream.onStdout } : {}),
      ...(stream?.onStderr ? { onStderr: stream.onStderr } : {}),
    });
    // Output past its limit was streamed whole when streaming (the kept copy is then only
    // for the record); otherwise what was not kept cannot be shown: the host failed.
    const tooLarge = stream?.onStdout ? undefined : (r.elided?.stdout ?? r.elided?.stderr);
    const ok = r.exitCode === 0 && !tooLarge;
    return result(ok ? 'ok' : 'failed', {
      exitCode: r.exitCode,
      // Of output too large, its end (the kept head and tail are no record of it either).
      stdout: tooLarge ? r.stdout.slice(-TOO_LARGE_KEPT) : r.stdout,
      stderr: tooLarge ? r.stderr.slice(-TOO_LARGE_KEPT) : r.stderr,
      error: ok
        ? null
        : `${target.name}: ${tooLarge ? tooLargeMessage(tooLarge, r.elided?.stdout ? 'output' : 'error output') : `command exited with ${r.exitCode ?? `signal ${r.signal}`}`}`,
    });
  } catch (e) {
    // A dropped connection makes the host unreachable; a timeout or a refused channel is a failure on a live host.
    return result(e instanceof ConnectionLostError ? 'unreachable' : 'failed', { error: (e as Error).message });
  } finally {
    stream?.end?.();
    await session.close();
  }
}
