/**
 * Structured logs: pino, JSON lines to --log FILE (silent without it). Secrets are
 * redacted wherever they appear in a logged object.
 */
import pino, { type Logger } from 'pino';

export const REDACTED = '[REDACTED]';

/** Keys that hold a secret at any depth: password, passphrase, becomePassword, ansible_become_pass, privateKey, apiToken... */
const SECRET_KEY = /(pass|passwd|password|passphrase|privatekey|secret|token)$/i;
/** Environment variables (keys under an `env` object) with a secret-sounding name anywhere in it: PGPASSWORD, AWS_SECRET_ACCESS_KEY. */
const SECRET_ENV_KEY = /pass|secret|token|credential|private/i;

/**
 * Writes are synchronous (each line reaches write(2) before the log call returns), so no
 * line waits in a buffer of ours when the process exits, however it exits.
 */
export function createLogger(opts: { file?: string; level?: string } = {}): Logger {
  if (!opts.file) return pino({ enabled: false });
  const logger = pino(
    {
      level: opts.level ?? 'info',
      base: { pid: process.pid },
      // pino's own `redact` takes fixed paths only; secrets may sit at any depth and, in
      // environments, under any name with PASS in it, so the whole object is walked.
      formatters: { log: redactSecrets },
    },
    pino.destination({ dest: opts.file, sync: true, mkdir: true, mode: 0o600 }),
  );
  // pino applies no formatter to child bindings; children inherit this override, since a
  // pino child is created with Object.create(parent).
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, redactSecrets(bindings), options);
  } as Logger['child'];
  return logger;
}

/** A copy of `obj` with every secret value replaced by [REDACTED]; the caller's object is left alone. */
export function redactSecrets(obj: Record<string, unknown>): Record<string, unknown> {
  return redactObject(obj, false, new WeakSet());
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (!isWalkable(value)) return value;
  if (seen.has(value)) return '[Circular]';
  if (!Array.isArray(value)) return redactObject(value, false, seen);
  seen.add(value);
  const copy = value.map((v) => redactValue(v, seen));
  seen.delete(value);
  return copy;
}

function redactObject(obj: Record<string, unknown>, isEnv: boolean, seen: WeakSet<object>): Record<string, unknown> {
  seen.add(obj);
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value !== undefined && isSecretKey(key, isEnv)) copy[key] = REDACTED;
    else if (key === 'env' && isWalkable(value) && !Array.isArray(value) && !seen.has(value)) copy[key] = redactObject(value, true, seen);
    else copy[key] = redactValue(value, seen);
  }
  seen.delete(obj);
  return copy;
}

function isSecretKey(key: string, isEnvVar: boolean): boolean {
  return SECRET_KEY.test(key.replace(/[-_]/g, '')) || (isEnvVar && SECRET_ENV_KEY.test(key));
}

// Errors keep pino's err serializer, and objects with toJSON (Date, Buffer) their own form;
// anything else is serialised as its own enumerable properties, so it is walked.
function isWalkable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Error)
    && !ArrayBuffer.isView(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
