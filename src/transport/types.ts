/**
 * The contract between the transport and everything above it (engine, modules, CLI).
 * A HostSession is one authenticated SSH connection to one host, reused for every
 * command of a run.
 */
import type { Elision } from './bounded-output.js';

import type { Readable } from 'node:stream';

/**
 * A local file whose content is to be written to a host, by reference: the controller
 * streams it (never holding it in memory) and the host checks its length and sha256
 * before it replaces anything.
 */
export interface LocalFile {
  kind: 'local-file';
  /** Absolute path on the controller. */
  path: string;
  size: number;
  sha256: string;
}

export type Become = 'none' | 'doas' | 'sudo';

/** Connection parameters after inventory + ssh_config + CLI defaults are merged: what the transport dials. */
export interface ConnectTarget {
  name: string;
  address: string;
  port: number;
  user: string;
  identityFiles: string[];
  become: Become;
  /** Hops to go through first, outermost first; each hop is itself fully resolved. */
  proxyJump: ConnectTarget[];
}

export interface RunOptions {
  /** Bytes fed to the script's standard input, then EOF. */
  stdin?: string | Buffer | Readable;
  /** Kill the command and reject with a TimeoutError after this many ms (default: the session's commandTimeoutMs). */
  timeoutMs?: number;
  /** Streaming callbacks, called with each chunk as it arrives (utf-8 decoded). */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Wrap the script with the host's become method (doas / sudo -n). Default: the host's `become` setting. */
  become?: boolean;
}

export interface RunResult {
  /** Exit status of `/bin/sh -c SCRIPT`; null when the remote side reported a signal instead. */
  exitCode: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  durationMs: number;
  /**
   * Set when a stream went past its limit (transport/bounded-output.ts): its middle was not
   * kept. The command's result is then not whole: consumers fail it ("output too large"),
   * except where the output was streamed, or per frame in a batch.
   */
  elided?: { stdout?: Elision; stderr?: Elision };
}

export interface WriteFileOptions {
  /** Octal string ('0644') or number. */
  mode?: string | number;
  owner?: string;
  group?: string;
  become?: boolean;
  /** Shell text run on the new content before it replaces the file (`%s`: the temp file); failing keeps the old file. */
  validate?: string;
  /**
   * What the file must be for the write to happen (its sha256, or absent): the content was
   * computed from it. Otherwise nothing is written and the write fails.
   */
  expect?: { sha256: string } | 'absent';
  /** A jail's root that the target is inside: no component below it may be a symlink. */
  confineTo?: string;
}

export interface HostLockOptions {
  /** Seconds to wait for another run to let go of the host. */
  waitSec: number;
  /** Who holds the lock, for a run that has to wait: "fleetjail pid 123 on ctl1 (user ops), playbook site.yaml". */
  holder: string;
  /** Random hex: frames the first script's end in its output. */
  nonce: string;
  become?: boolean;
  timeoutMs?: number;
}

export interface HostSession {
  readonly host: string;
  /** Set when connecting took a second attempt: why the first failed. */
  readonly connectRetry?: string;
  /** Run a POSIX sh script on the host as `/bin/sh -c SCRIPT`, whatever the login shell. */
  run(script: string, opts?: RunOptions): Promise<RunResult>;
  /**
   * Write a file atomically: a temp file in the same directory, mode and owner set,
   * then rename(2) over the target. The target is either the old or the new content, never partial.
   */
  writeFileAtomic(path: string, content: string | Buffer | LocalFile, opts?: WriteFileOptions): Promise<void>;
  /**
   * The script of that same write, for a small text file sent inside a larger script (a batch
   * of changes that costs one round trip): the engine never builds a write of its own.
   */
  writeScript(path: string, content: string, opts?: WriteFileOptions): string;
  /**
   * Take the host's lock (one fleetjail run per host at a time) and run SCRIPT under it, as
   * run() does. The lock stays held until close(), or until the connection dies. Throws
   * HostLockedError when another run holds it for longer than waitSec.
   */
  lock(script: string, opts: HostLockOptions): Promise<RunResult>;
  /** Give up waiting for the lock: say who holds it ('' if unknown), then end the wait on the host. */
  abandonLockWait?(onHolder: (holder: string) => void): Promise<void>;
  close(): Promise<void>;
}

/** Why a host could not be reached: one per failure class, so reports and exit codes can tell them apart. */
export type ConnectErrorKind = 'dns' | 'refused' | 'timeout' | 'auth' | 'hostkey' | 'proxy' | 'network' | 'protocol';
