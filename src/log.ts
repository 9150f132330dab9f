/**
 * Structured logs: pino, JSON lines to --log FILE (silent without it). Secrets are
 * redacted wherever they appear in a logged object.
 */
import pino, { type Logger } from 'pino';

export const REDACTED_PATHS = [
  'passphrase', 'password', 'becomePassword', 'privateKey',
  '*.passphrase', '*.password', '*.becomePassword', '*.privateKey',
  '*.*.passphrase', '*.*.password', '*.*.becomePassword', '*.*.privateKey',
];

export function createLogger(opts: { file?: string; level?: string } = {}): Logger {
  if (!opts.file) return pino({ enabled: false });
  return pino(
    { level: opts.level ?? 'info', redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' }, base: { pid: process.pid } },
    pino.destination({ dest: opts.file, sync: true, mkdir: true }),
  );
}
