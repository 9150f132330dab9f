/**
 * Secrets and terminal safety end to end, through a real pseudo-terminal (util-linux
 * `script`), as an operator sees it: a playbook with a password from an age-encrypted vars
 * file and a token from the environment, run with --diff --report --log. Neither appears in
 * the terminal, the report or the log (nor what a template or filter made of them), while the
 * hosts did get them. While it runs, an unprivileged user lists every process's argv on a
 * host: the consumer of the password file (as initdb --pwfile) has only its path.
 * Then hosts print escape sequences through `exec` and a failing step: the terminal gets them
 * escaped, never raw.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { labHosts, labPaths, shRun, sshRun } from '../support/lab.js';
import { shq } from '../../src/shell/quote.js';
import { PROJECT_ROOT } from '../lab/layout.js';

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'integration', 'playbooks', 'fixtures', 'secrets');
const DB_PASSWORD = 'Tr0ub4dor-db-pw';
const API_TOKEN = 'tok-ci-5551234';
/** What templates and filters made of the secrets. */
const DERIVED = [DB_PASSWORD.toUpperCase(), `postgres://app:${DB_PASSWORD}@127.0.0.1/app`];

/** Runs the CLI on a pseudo-terminal; returns everything the terminal received. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; screen: string }> {
  const command = [process.execPath, CLI, ...args].map(shq).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qec', command, '/dev/null'],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, SSH_AUTH_SOCK: '', COLUMNS: '160', LINES: '40', ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 255) : 0;
        // The terminal turns \n into \r\n; any other CR came from somewhere else.
        resolve({ code, screen: stdout.replace(/\r\n/g, '\n') });
      },
    );
  });
}

/** The screen without the live view's own escapes (cursor up N lines, clear to the end). */
const withoutOwnEscapes = (screen: string) => screen.replace(/\x1b\[\d+A\x1b\[J/g, '');

describe('secrets never leave fleetjail', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-secrets-'));
  const report = path.join(dir, 'r.json');
  const log = path.join(dir, 'l.json');
  const keyFile = path.join(dir, 'age.key');
  let run: { code: number; screen: string };
  let argvSeen: string;

  beforeAll(async () => {
    for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
    const identity = await generateIdentity();
    fs.writeFileSync(keyFile, `${identity}\n`, { mode: 0o600 });
    const e = new Encrypter();
    e.addRecipient(await identityToRecipient(identity));
    fs.writeFileSync(path.join(dir, 'secrets.yaml.age'), await e.encrypt(`db_password: ${DB_PASSWORD}\n`));
    const host = labHosts()[0]!;
    await shRun(
      host,
      'rm -f /root/.fj-pwfile /root/.fj-consumed /usr/local/etc/secret-app.conf /tmp/fj-ps-stop; sysrc -x secret_app_token >/dev/null 2>&1; true',
    );

    // Every process's argv on the first host, as the unprivileged user, until the run is over.
    const sampler = sshRun(host, 'i=0; while [ ! -e /tmp/fj-ps-stop ] && [ $i -lt 600 ]; do ps -ax -o args; i=$((i+1)); sleep 0.05; done', {
      user: 'ops',
    });
    run = await onTerminal(
      [
        'run',
        path.join(dir, 'secret-db.yaml'),
        '-i',
        labPaths.inventory,
        '--diff',
        '--report',
        report,
        '--log',
        log,
        '--age-identity',
        keyFile,
      ],
      { FLEETJAIL_TEST_API_TOKEN: API_TOKEN },
    );
    await shRun(host, 'touch /tmp/fj-ps-stop');
    argvSeen = (await sampler).stdout;
    await shRun(host, 'rm -f /tmp/fj-ps-stop');
  }, 120_000);

  it('the hosts got the secrets', async () => {
    expect(run.code, run.screen).toBe(0);
    for (const h of labHosts()) {
      const r = await shRun(
        h,
        'cat /root/.fj-pwfile /root/.fj-consumed; stat -f %Lp /root/.fj-pwfile; sysrc -n secret_app_token; tail -3 /usr/local/etc/secret-app.conf',
      );
      expect(r.stdout, h.name).toBe(
        `${DB_PASSWORD}\nread it\n600\n${API_TOKEN}\ndsn = ${DERIVED[1]}\ntoken = ${API_TOKEN}\nupper = ${DERIVED[0]}\n`,
      );
    }
  });

  it('neither the terminal, the JSON report nor the log shows a secret or what was made of one', () => {
    const outputs = { terminal: run.screen, report: fs.readFileSync(report, 'utf8'), log: fs.readFileSync(log, 'utf8') };
    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of [DB_PASSWORD, API_TOKEN, ...DERIVED]) expect(text.includes(secret), `${where} shows ${secret}`).toBe(false);
    }
    // What is shown instead.
    expect(run.screen).toContain('content hidden (from a secret, or no_log)');
    expect(run.screen).toContain('content hidden (from a secret, or no_log)');
    expect(run.screen).toMatch(/a host that prints the secrets back in an error: FAILED \(ignored\): exit status 3: .*\*{8}/);
    expect(run.screen).toContain('a no_log step: FAILED (ignored): error hidden (no_log)');
    expect(run.screen).toContain('secret_app_token: (none) -> "********"');
    const steps = (JSON.parse(outputs.report) as { hosts: Record<string, { steps: Array<{ name: string; diff: unknown }> }> }).hosts[
      labHosts()[0]!.name
    ]!.steps;
    expect(steps.find((s) => s.name === 'password file (0600)')?.diff).toEqual([
      { type: 'file', path: '/root/.fj-pwfile', unified: 'content hidden (from a secret, or no_log)\n' },
    ]);
  });

  it("no process on the host had a secret on its command line, fleetjail's own included", () => {
    const lines = argvSeen.split('\n');
    // The consumer of the password file (as initdb --pwfile) was seen, with the file's path only.
    expect(lines.some((l) => l.includes('/root/.fj-pwfile') && l.startsWith('/bin/sh -c sleep 1;'))).toBe(true);
    // fleetjail's own scripts travel on stdin: nothing of them is in any process's arguments.
    const leaks = lines.filter((l) => [DB_PASSWORD, API_TOKEN, ...DERIVED].some((x) => l.includes(x)));
    expect(leaks).toEqual([]);
  });
});

describe("hosts cannot drive the operator's terminal", () => {
  const hostile = String.raw`printf 'x\033[2J\033]0;owned\007\rforged line\342\200\256 reversed\n'`;

  it('exec: every line the host printed is shown escaped', async () => {
    const r = await onTerminal(['exec', 'all', '-i', labPaths.inventory, '--', hostile]);
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).not.toMatch(/[\x1b\x07\r\u202e]/);
    for (const h of labHosts()) expect(r.screen).toContain(`${h.name} | x\\x1b[2J\\x1b]0;owned\\x07\\rforged line\\u202e reversed\n`);
  });

  it("run: a failing step's output (and the live view) reach the terminal escaped", async () => {
    const r = await onTerminal(['run', path.join(FIXTURES, 'escapes.yaml'), '-i', labPaths.inventory]);
    expect(r.code, r.screen).toBe(2);
    expect(withoutOwnEscapes(r.screen)).not.toMatch(/[\x1b\x07\r\u202e]/);
    expect(r.screen).toContain('FAILED: exit status 1: x\\x1b[2J\\x1b]0;owned\\x07\\rforged line\\u202e reversed');
  });
});
