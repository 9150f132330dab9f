/** What leaves the process: secrets masked, no_log steps hidden, host text escaped on the terminal. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonReport } from '../../../src/report/json-report.js';
import { plainReporter } from '../../../src/report/plain.js';
import { LiveReporter } from '../../../src/report/live.js';
import { recapTable } from '../../../src/report/recap.js';
import { redactRun, redactStep } from '../../../src/report/redact.js';
import { createLogger } from '../../../src/log.js';
import { MASK, Secrets } from '../../../src/util/secrets.js';
import { contentDiff, removalDiff } from '../../../src/modules/kit/file-diff.js';
import type { RunEvent } from '../../../src/engine/events.js';
import type { RunResult } from '../../../src/engine/results.js';
import { host, step } from './fixtures.js';

const PW = 'hunter22-pw';

function secrets(): Secrets {
  const s = new Secrets();
  s.declare(PW, 'db_password');
  s.markNoLog('steps[2]');
  s.hideFile('h1', '/usr/local/etc/app.conf');
  return s;
}

function run(): RunResult {
  return {
    playbook: 'p.yaml',
    startedAt: '2025-01-01T00:00:00.000Z',
    check: false,
    durationMs: 10,
    notRun: [],
    aborted: `stopped: ${PW}`,
    hosts: [
      host(
        'h1',
        'failed',
        [
          step({
            id: 'steps[0]',
            name: `sysrc pw`,
            status: 'changed',
            changes: [`app_pw: "" -> "${PW}"`],
            diff: [{ type: 'value', name: '/etc/rc.conf: app_pw', before: null, after: PW }],
          }),
          step({
            id: 'steps[1]',
            name: 'file /usr/local/etc/app.conf',
            module: 'file',
            status: 'changed',
            changes: ['update /usr/local/etc/app.conf'],
            diff: [{ type: 'file', path: '/usr/local/etc/app.conf', unified: '--- a\n+++ b\n@@ -1 +1 @@\n-pass=old-one\n+pass=other\n' }],
          }),
          step({
            id: 'steps[2]',
            name: 'set the token',
            module: 'command',
            status: 'failed',
            changes: ['run: set-token abc'],
            error: 'exit 1: token tok-9999 rejected',
            diff: [{ type: 'value', name: 'token', before: 'old', after: 'new' }],
          }),
          step({
            id: 'steps[3]',
            name: 'echo',
            module: 'command',
            status: 'failed',
            error: `exit 1: \x1b[2J\x1b]0;pwned\x07 ${PW}\rh2 | ok`,
          }),
        ],
        { error: "step 'set the token' failed: exit 1: token tok-9999 rejected" },
      ),
    ],
  };
}

const ALL_OUTPUT_SECRETS = [PW, 'tok-9999', 'pass=old-one', 'pass=other', 'set-token abc'];

describe('redacting results', () => {
  it("masks secrets wherever they are, hides a no_log step and a hidden file's content", () => {
    const s = secrets();
    const r = redactRun(run(), s);
    const text = JSON.stringify(r);
    for (const secret of ALL_OUTPUT_SECRETS) expect(text).not.toContain(secret);
    const [pw, file, noLog] = r.hosts[0]!.steps;
    expect(pw).toMatchObject({ changes: [`app_pw: "" -> "${MASK}"`], diff: [{ after: MASK }] });
    expect(file?.diff).toEqual([{ type: 'file', path: '/usr/local/etc/app.conf', unified: 'content hidden (from a secret, or no_log)\n' }]);
    expect(noLog).toMatchObject({
      name: 'set the token',
      changes: ['1 change hidden (no_log)'],
      error: 'error hidden (no_log)',
      diff: [{ name: 'token', before: MASK, after: MASK }],
    });
    // The host's error quoted the no_log step's error: hidden there too.
    expect(r.hosts[0]!.error).toBe(`step 'set the token' failed: ${MASK}`);
    expect(r.aborted).toBe(`stopped: ${MASK}`);
  });

  it('the JSON report is masked but keeps the bytes hosts sent', () => {
    const report = jsonReport(run(), secrets());
    const text = JSON.stringify(report);
    for (const secret of ALL_OUTPUT_SECRETS) expect(text).not.toContain(secret);
    expect(report.hosts.h1!.steps[3]!.error).toBe(`exit 1: \x1b[2J\x1b]0;pwned\x07 ${MASK}\rh2 | ok`);
  });

  it('a step without secrets comes back as it was', () => {
    const r = step({ name: 'x', status: 'changed', changes: ['a -> b'] });
    expect(redactStep('h1', r, secrets())).toEqual(r);
  });
});

describe('terminal output', () => {
  const events = (): RunEvent[] => {
    const r = run();
    return [
      { type: 'run-start', playbook: 'p.yaml', hosts: ['h1'], check: false, batches: 1 },
      { type: 'host-start', host: 'h1' },
      ...r.hosts[0]!.steps.map((result, i): RunEvent[] => [
        { type: 'step-start', host: 'h1', id: result.id, name: result.name, index: i, total: 4 },
        { type: 'step-end', host: 'h1', result },
      ]).flat(),
      { type: 'host-end', result: r.hosts[0]! },
      { type: 'run-aborted', reason: r.aborted!, notRun: [] },
      { type: 'run-end', result: r },
    ];
  };

  it('plain lines (with --diff) mask secrets and escape what hosts sent', () => {
    let out = '';
    const report = plainReporter({ write: (t) => (out += t), diff: true, secrets: secrets() });
    for (const e of events()) report(e);
    for (const secret of ALL_OUTPUT_SECRETS) expect(out).not.toContain(secret);
    expect(out).not.toMatch(/[\x1b\r\x07]/);
    expect(out).toContain(`h1 ! echo: FAILED: exit 1: \\x1b[2J\\x1b]0;pwned\\x07 ${MASK}\\rh2 | ok\n`);
    expect(out).toContain('h1 |   content hidden (from a secret, or no_log)\n');
    expect(out).toContain('h1 ! set the token: FAILED: error hidden (no_log)\n');
  });

  it('the live view masks and escapes too; only its own escapes reach the terminal', () => {
    let out = '';
    const live = new LiveReporter({
      write: (t) => (out += t),
      columns: () => 200,
      rows: () => 20,
      diff: true,
      intervalMs: 0,
      secrets: secrets(),
    });
    for (const e of events()) live.onEvent(e);
    for (const secret of ALL_OUTPUT_SECRETS) expect(out).not.toContain(secret);
    // The live view's own cursor-up and clear are the only escape sequences.
    expect(out.replace(/\x1b\[\d+A\x1b\[J/g, '')).not.toMatch(/[\x1b\r\x07]/);
    expect(recapTable(redactRun(run(), secrets()))).not.toContain(PW);
  });
});

describe('file diffs of private files', () => {
  it('a file of mode 0600 never shows its content, changed or removed', () => {
    const on = { type: 'file' as const, mode: '0600', content: 'old secret\n', sha256: 'a'.repeat(64) };
    const ctx = { diff: true };
    expect(contentDiff(ctx, '/etc/x', on, 'new secret\n')).toEqual([
      { type: 'file', path: '/etc/x', unified: 'content hidden (mode 0600)\n' },
    ]);
    expect(removalDiff(ctx, '/etc/x', on)).toEqual([{ type: 'file', path: '/etc/x', unified: 'content hidden (mode 0600)\n' }]);
    expect(JSON.stringify(contentDiff(ctx, '/etc/x', { ...on, mode: '0644' }, 'new\n'))).toContain('+new');
  });
});

describe('the log', () => {
  it("masks secrets in objects and messages, and a no_log step's changes and error", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fj-log-')), 'l.json');
    const log = createLogger({ file, secrets: secrets() });
    log.info({ host: 'h1', step: 'steps[0]', changes: [`pw -> ${PW}`], nested: { deep: [`x${PW}x`] } }, 'step');
    log.info({ host: 'h1', step: 'steps[2]', changes: ['run: set-token abc'], error: 'exit 1: token tok-9999 rejected' }, 'step');
    log.info({ host: 'h1', error: "step 'set the token' failed: exit 1: token tok-9999 rejected" }, 'host done');
    log.child({ host: 'h1' }).warn(`message with ${PW}`);
    log.error({ err: new Error(`connect failed: ${PW}`) }, 'failed');
    const text = fs.readFileSync(file, 'utf8');
    for (const secret of ALL_OUTPUT_SECRETS) expect(text).not.toContain(secret);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[1]).toMatchObject({ changes: ['1 change hidden (no_log)'], error: 'error hidden (no_log)' });
    expect(lines[3]).toMatchObject({ msg: `message with ${MASK}` });
    expect(lines[4]).toMatchObject({ msg: 'failed', err: { type: 'Error', message: `connect failed: ${MASK}` } });
  });
});
