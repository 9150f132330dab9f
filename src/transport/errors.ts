import type { ConnectErrorKind } from './types.js';
import type { Elision } from './bounded-output.js';

/**
 * A failure of the connection or of a command's channel (not of what the command did): the
 * host's, not a step's. It ends the host's run: a lost or refused connection as unreachable,
 * the rest as failed. The engine tells these apart by class, never by name.
 */
export abstract class TransportError extends Error {
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A host could not be reached or refused us: the host is "unreachable" in reports (exit code 4). */
export class ConnectError extends TransportError {
  constructor(
    readonly kind: ConnectErrorKind,
    host: string,
    message: string,
  ) {
    super(host, `${host}: ${message}`);
  }
}

/** A remote command ran past its timeout and was killed. */
export class CommandTimeoutError extends TransportError {
  constructor(
    host: string,
    readonly timeoutMs: number,
  ) {
    super(host, `${host}: timed out after ${formatSeconds(timeoutMs)}; the command was stopped on the host`);
  }
}

/** Another run holds the host's lock (one run per host at a time) and did not let go in time. */
export class HostLockedError extends TransportError {
  constructor(host: string, waitedSec: number, holder: string) {
    super(host, `${host}: another fleetjail run holds this host's lock (${holder || 'holder unknown'}); waited ${waitedSec} s`);
  }
}

/** The host's lock could not be taken for another reason than another run holding it. */
export class HostLockError extends TransportError {
  constructor(host: string, detail: string) {
    super(host, `${host}: ${detail}`);
  }
}

/** The host's lock went away during the run: no further command runs on the host. */
export class HostLockLostError extends TransportError {
  constructor(host: string, detail: string) {
    super(host, `${host}: ${detail}; nothing more was run on this host`);
  }
}

/** The connection dropped while a command ran (host rebooted, network gone, keepalive expired). */
export class ConnectionLostError extends TransportError {
  /** What the command had printed on stdout when the connection went (framed batches keep their finished steps). */
  partialStdout = '';
  /** Where partialStdout lacks the middle that went past the output limit (bounded-output.ts). */
  partialElided?: Elision;
  constructor(host: string, detail: string) {
    super(host, `${host}: connection lost: ${detail}`);
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
