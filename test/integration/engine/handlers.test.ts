/**
 * Handlers on the lab: a handler runs once per host at the end of its steps, however many
 * changed steps notified it, only where a notifying step changed something, and never in
 * check mode. The handler appends a line to a log on the host, read with the OpenSSH client.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHosts } from '../../support/lab.js';
import { onHost, runPlaybook, scratchDir, stepsByName, writeFile } from './engine-lab.js';

const hosts = labHosts();
const DIR = '/var/tmp/fleetjail-engine-handlers';
const dir = scratchDir();
const playbook = writeFile(
  dir,
  'handlers.yaml',
  `
hosts: all
vars:
  content: one
steps:
  - name: directory
    file: { path: ${DIR}, state: directory }
  - name: first file
    file: { path: ${DIR}/a, content: "a {{ content }}\\n" }
    notify: log it
  - name: second file
    file: { path: ${DIR}/b, content: "b {{ content }}\\n" }
    notify: [log it]
  - name: file without notify
    file: { path: ${DIR}/c, content: "c\\n" }
handlers:
  - name: log it
    command: { cmd: "echo fired >> ${DIR}/log" }
  - name: never notified
    command: { cmd: "echo wrong >> ${DIR}/log" }
`,
);

/** Each host's handler log: how many times the handler ran there. */
const fired = () =>
  Promise.all(hosts.map(async (h) => (await onHost(h, `cat ${DIR}/log 2>/dev/null || true`)).split('\n').filter(Boolean)));
const handlerSteps = (r: Awaited<ReturnType<typeof runPlaybook>>, host: string) =>
  r.report.hosts[host]?.steps.filter((s) => s.handler) ?? [];

describe('handlers on every lab host', () => {
  beforeAll(async () => {
    await Promise.all(hosts.map((h) => onHost(h, `rm -rf ${DIR}`)));
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => onHost(h, `rm -rf ${DIR}`)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('two changed steps notify one handler: it runs once per host, after the steps', async () => {
    const r = await runPlaybook(playbook);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await fired()).toEqual(hosts.map(() => ['fired']));
    for (const h of hosts) {
      const steps = r.report.hosts[h.name]?.steps ?? [];
      expect(steps.map((s) => `${s.handler ? 'handler ' : ''}${s.name}:${s.status}`)).toEqual([
        'directory:changed',
        'first file:changed',
        'second file:changed',
        'file without notify:changed',
        'handler log it:changed',
      ]);
    }
  });

  it('nothing changed: no handler runs', async () => {
    const r = await runPlaybook(playbook);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.report.summary.changed).toBe(0);
    expect(await fired()).toEqual(hosts.map(() => ['fired']));
    for (const h of hosts) expect(handlerSteps(r, h.name)).toEqual([]);
  });

  it('a change that notifies nothing runs no handler', async () => {
    const host = hosts[0]!;
    await onHost(host, `rm ${DIR}/c`);
    const r = await runPlaybook(playbook);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(stepsByName(r, host.name).get('file without notify')?.status).toBe('changed');
    expect(handlerSteps(r, host.name)).toEqual([]);
    expect(await fired()).toEqual(hosts.map(() => ['fired']));
  });

  it('a notifying change on one host runs the handler on that host only', async () => {
    const host = hosts[hosts.length - 1]!;
    await onHost(host, `echo edited > ${DIR}/b`);
    const r = await runPlaybook(playbook);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(handlerSteps(r, host.name).map((s) => `${s.name}:${s.status}`)).toEqual(['log it:changed']);
    expect(await fired()).toEqual(hosts.map((h) => (h === host ? ['fired', 'fired'] : ['fired'])));
    for (const h of hosts.filter((x) => x !== host)) expect(handlerSteps(r, h.name)).toEqual([]);
  });

  it('check mode: notified handlers are reported as skipped and do not run', async () => {
    const before = await fired();
    const r = await runPlaybook(playbook, ['--check', '-e', 'content=two']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of hosts) {
      expect(handlerSteps(r, h.name)).toMatchObject([{ name: 'log it', status: 'skipped', changed: false }]);
      expect(await onHost(h, `cat ${DIR}/a`)).toBe('a one\n');
    }
    expect(await fired()).toEqual(before);
    expect(r.stdout).toMatch(/handler log it: skipped \(notified; handlers do not run in check mode\)/);
  });

  it('a host whose step fails runs no handler, though an earlier step notified it', async () => {
    const host = hosts[0]!;
    // b becomes a directory on this host: writing the file b fails after a was changed.
    await onHost(host, `rm -f ${DIR}/b && mkdir ${DIR}/b`);
    const before = await fired();
    const r = await runPlaybook(playbook, ['-e', 'content=three']);
    expect(r.code).toBe(2);
    expect(r.report.hosts[host.name]).toMatchObject({ status: 'failed', failed: 1 });
    expect(stepsByName(r, host.name).get('first file')?.status).toBe('changed');
    expect(handlerSteps(r, host.name)).toEqual([]);
    const after = await fired();
    for (const [i, h] of hosts.entries()) {
      expect(after[i]).toEqual(h === host ? before[i] : [...(before[i] ?? []), 'fired']);
    }
    await onHost(host, `rmdir ${DIR}/b`);
  });
});
