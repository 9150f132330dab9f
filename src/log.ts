/**
 * Structured logs: pino, JSON lines to --log FILE (silent without it). Secrets are
 * redacted wherever they appear in a logged object: values under secret-sounding keys, and,
 * given the run's Secrets, every secret value in any string (messages too), and the changes
 * and error of a no_log step.
 */
import pino, { type Logger } from 'pino';
import { HIDDEN_NO_LOG, hiddenChanges, hostWordsOf } from './report/redact.js';
import { ERROR_CUT } from './engine/results.js';
import type { Secrets } from './util/secrets.js';

export const REDACTED = '[REDACTED]';

/** Keys that hold a secret at any depth: password, passphrase, becomePassword, ansible_become_pass, privateKey, apiToken... */
const SECRET_KEY = /(pass|passwd|password|passphrase|privatekey|secret|token)$/i;
/** Environment variables (keys under an `env` object) with a secret-sounding name anywhere in it: PGPASSWORD, AWS_SECRET_ACCESS_KEY. */
const SECRET_ENV_KEY = /pass|secret|token|credential|private/i;

/**
 * Writes are synchronous (each line reaches write(2) before the log call returns), so no
 * line waits in a buffer of ours when the process exits, however it exits.
 */
export function createLogger(opts: { file?: string; level?: string; secrets?: Secrets } = {}): Logger {
  if (!opts.file) return pino({ enabled: false });
  const secrets = opts.secrets;
  const redact = (obj: Record<string, unknown>) => (secrets ? maskLogObject(redactSecrets(obj), secrets) : redactSecrets(obj));
  const logger = pino(
    {
      level: opts.level ?? 'info',
      base: { pid: process.pid },
      // pino's own `redact` takes fixed paths only; secrets may sit at any depth and, in
      // environments, under any name with PASS in it, so the whole object is walked.
      formatters: { log: redact },
      ...(secrets
        ? {
            hooks: {
              logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void) {
                method.apply(
                  this,
                  args.map((a) => (typeof a === 'string' ? secrets.mask(a) : a)),
                );
              },
            },
          }
        : {}),
    },
    pino.destination({ dest: opts.file, sync: true, mkdir: true, mode: 0o600 }),
  );
  // pino applies no formatter to child bindings; children inherit this override, since a
  // pino child is created with Object.create(parent).
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, redact(bindings), options);
  } as Logger['child'];
  return logger;
}

/** A log line's object with the run's secrets masked; a no_log step's changes and error hidden. */
function maskLogObject(obj: Record<string, unknown>, secrets: Secrets): Record<string, unknown> {
  if (typeof obj.step === 'string' && secrets.isNoLog(obj.step)) {
    if (typeof obj.error === 'string') secrets.addOutput(hostWordsOf(obj.error));
    obj = {
      ...obj,
      ...(Array.isArray(obj.changes) ? { changes: hiddenChanges(obj.changes) } : {}),
      ...(typeof obj.error === 'string' ? { error: `error ${HIDDEN_NO_LOG}` } : {}),
      ...(obj.diff ? { diff: HIDDEN_NO_LOG } : {}),
    };
  }
  // A step's error cut short: a secret cut at its end is masked too.
  if (typeof obj.error === 'string') obj = { ...obj, error: secrets.maskCut(obj.error, ERROR_CUT, 'end') };
  // Errors keep their serializer (which runs after this): a masked copy of each.
  const errors = Object.fromEntries(
    Object.entries(obj)
      .filter(([, v]) => v instanceof Error)
      .map(([k, v]) => [k, maskedError(v as Error, secrets)]),
  );
  return { ...secrets.maskDeep(obj), ...errors };
}

function maskedError(e: Error, secrets: Secrets): Error {
  const copy = new Error(secrets.mask(e.message));
  copy.name = e.name;
  if (e.stack === undefined) delete copy.stack;
  else copy.stack = secrets.mask(e.stack);
  return copy;
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
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    !ArrayBuffer.isView(value) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}
