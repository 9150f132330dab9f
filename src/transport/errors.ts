import type { ConnectErrorKind } from './types.js';
import type { Elision } from './bounded-output.js';

/** A host could not be reached or refused us: the host is "unreachable" in reports (exit code 4). */
export class ConnectError extends Error {
  constructor(
    readonly kind: ConnectErrorKind,
    readonly host: string,
    message: string,
  ) {
    super(`${host}: ${message}`);
    this.name = 'ConnectError';
  }
}

/** A remote command ran past its timeout and was killed. */
export class CommandTimeoutError extends Error {
  constructor(
    readonly host: string,
    readonly timeoutMs: number,
  ) {
    super(`${host}: timed out after ${formatSeconds(timeoutMs)}; the command was stopped on the host`);
    this.name = 'CommandTimeoutError';
  }
}

/** Another run holds the host's lock (one run per host at a time) and did not let go in time. */
export class HostLockedError extends Error {
  constructor(readonly host: string, waitedSec: number, holder: string) {
    super(`${host}: another fleetjail run holds this host's lock (${holder || 'holder unknown'}); waited ${waitedSec} s`);
    this.name = 'HostLockedError';
  }
}

/** The host's lock could not be taken for another reason than another run holding it. */
export class HostLockError extends Error {
  constructor(readonly host: string, detail: string) {
    super(`${host}: ${detail}`);
    this.name = 'HostLockedError';
  }
}

/** The host's lock went away during the run: no further command runs on the host. */
export class HostLockLostError extends Error {
  constructor(readonly host: string, detail: string) {
    super(`${host}: ${detail}; nothing more was run on this host`);
    this.name = 'HostLockedError';
  }
}

/** The connection dropped while a command ran (host rebooted, network gone, keepalive expired). */
export class ConnectionLostError extends Error {
  /** What the command had printed on stdout when the connection went (framed batches keep their finished steps). */
  partialStdout = '';
  /** Where partialStdout lacks the middle that went past the output limit (bounded-output.ts). */
  partialElided?: Elision;
  constructor(readonly host: string, detail: string) {
    super(`${host}: connection lost: ${detail}`);
    this.name = 'ConnectionLostError';
  }
}

/** Map a low-level socket/ssh2 error to one of our classes, with a message an operator can act on. */
export function classifyConnectError(host: string, address: string, port: number, err: unknown): ConnectError {
  const e = err as NodeJS.ErrnoException & { level?: string };
  const where = `${address}:${port}`;
  switch (e.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new ConnectError('dns', host, `cannot resolve ${address} (${e.code})`);
    case 'ECONNREFUSED':
      return new ConnectError('refused', host, `connection refused by ${where}`);
    case 'ETIMEDOUT':
      return new ConnectError('timeout', host, `connection to ${where} timed out`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectError('network', host, `${where} unreachable (${e.code})`);
    case 'ECONNRESET':
      return new ConnectError('network', host, `connection to ${where} reset`);
    default:
      break;
  }
  if (e.level === 'client-authentication') {
    return new ConnectError('auth', host, `authentication failed at ${where} (${e.message})`);
  }
  if (e.level === 'client-timeout' || /Timed out while waiting for handshake/i.test(e.message ?? '')) {
    return new ConnectError('timeout', host, `no SSH handshake from ${where} within the connect timeout`);
  }
  return new ConnectError('protocol', host, `SSH error with ${where}: ${e.message ?? String(err)}`);
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
