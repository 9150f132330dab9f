import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets } from '../../src/log.js';

const tmpLog = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fj-log-')), 'sub', 'run.log');
const readLines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('createLogger', () => {
  it('writes JSON lines to a new 0600 file, each readable as soon as the call returns', () => {
    const file = tmpLog();
    const log = createLogger({ file });
    log.info({ host: 'h1' }, 'connecting');
    log.warn('second');
    // No flush: the destination is synchronous.
    expect(readLines(file)).toMatchObject([
      { msg: 'connecting', host: 'h1', level: 30 },
      { msg: 'second', level: 40 },
    ]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('logs from the given level up', () => {
    const file = tmpLog();
    createLogger({ file }).debug('hidden');
    createLogger({ file, level: 'debug' }).debug('shown');
    expect(readLines(file).map((l) => l.msg)).toEqual(['shown']);
  });

  it('redacts secrets in the file, at any depth and in child bindings', () => {
    const file = tmpLog();
    const log = createLogger({ file });
    log.info(
      {
        host: 'h1',
        passphrase: 'hunter2',
        auth: { password: 'pw1', user: 'root', privateKey: Buffer.from('KEYDATA') },
        hosts: [{ name: 'a', vars: { ansible_become_pass: 'pw2', becomePassword: 'pw3' } }],
        env: { PATH: '/bin', PGPASSWORD: 'pw4', MY_PASS_FILE: 'pw5', AWS_SECRET_ACCESS_KEY: 'pw6' },
        passed: 3,
      },
      'connecting',
    );
    log
      .child({ password: 'pw7', run: 1 })
      .child({ env: { SUDO_PASS: 'pw8' } })
      .info('child');
    const text = fs.readFileSync(file, 'utf8');
    for (const secret of [
      'hunter2',
      'pw1',
      'pw2',
      'pw3',
      'pw4',
      'pw5',
      'pw6',
      'pw7',
      'pw8',
      'KEYDATA',
      Buffer.from('KEYDATA').toString('base64'),
    ]) {
      expect(text).not.toContain(secret);
    }
    const [first, child] = readLines(file);
    expect(first).toMatchObject({
      msg: 'connecting',
      host: 'h1',
      passphrase: '[REDACTED]',
      auth: { password: '[REDACTED]', user: 'root', privateKey: '[REDACTED]' },
      hosts: [{ name: 'a', vars: { ansible_become_pass: '[REDACTED]', becomePassword: '[REDACTED]' } }],
      env: { PATH: '/bin', PGPASSWORD: '[REDACTED]', MY_PASS_FILE: '[REDACTED]', AWS_SECRET_ACCESS_KEY: '[REDACTED]' },
      passed: 3,
    });
    expect(child).toMatchObject({ msg: 'child', password: '[REDACTED]', run: 1, env: { SUDO_PASS: '[REDACTED]' } });
  });

  it('keeps errors serialised as errors', () => {
    const file = tmpLog();
    createLogger({ file }).error({ err: new Error('boom') }, 'failed');
    expect(readLines(file)[0]).toMatchObject({ msg: 'failed', err: { type: 'Error', message: 'boom' } });
  });

  it('is silent without a file', () => {
    const log = createLogger();
    expect(log.isLevelEnabled('fatal')).toBe(false);
    expect(() => log.info({ password: 'x' }, 'nothing')).not.toThrow();
  });
});

describe('redactSecrets', () => {
  it('copies, leaving the logged object untouched, and survives cycles', () => {
    const auth: Record<string, unknown> = { password: 'pw', user: 'root' };
    const shared = { port: 22 };
    const obj: Record<string, unknown> = { auth, a: shared, b: shared, list: [auth] };
    obj.self = obj;
    const out = redactSecrets(obj);
    expect(auth.password).toBe('pw');
    expect(out).toEqual({
      auth: { password: '[REDACTED]', user: 'root' },
      a: { port: 22 },
      b: { port: 22 },
      list: [{ password: '[REDACTED]', user: 'root' }],
      self: '[Circular]',
    });
  });
});
