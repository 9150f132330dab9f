import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

describe('logger', () => {
  it('writes JSON lines and redacts secrets', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fj-log-')), 'sub', 'run.log');
    const log = createLogger({ file });
    log.info({ host: 'h1', passphrase: 'hunter2', auth: { password: 'pw', user: 'root' } }, 'connecting');
    log.flush();
    const line = JSON.parse(fs.readFileSync(file, 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'connecting', host: 'h1', passphrase: '[REDACTED]', auth: { password: '[REDACTED]', user: 'root' } });
    expect(fs.readFileSync(file, 'utf8')).not.toContain('hunter2');
  });
});
