/**
 * Choosing what runs, on the lab: --tags, --skip-tags, --limit, `when` on host variables,
 * and register + when at run time. Each step appends its name to a log on the host,
 * read back with the OpenSSH client.
 */
import fs from 'node:fs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { labHosts } from '../../support/lab.js';
import { onHost, runPlaybook, scratchDir, writeFile } from './engine-lab.js';

const hosts = labHosts();
const names = hosts.map((h) => h.name);
const DIR = '/var/tmp/fleetjail-engine-selection';
const dir = scratchDir();

const playbook = writeFile(
  dir,
  'selection.yaml',
  `
hosts: all
steps:
  - name: setup
    command: { cmd: "mkdir -p ${DIR}" }
    tags: [always]
  - name: web
    command: { cmd: "echo web >> ${DIR}/log" }
    tags: [web]
  - name: db
    command: { cmd: "echo db >> ${DIR}/log" }
    tags: [db, data]
  - name: untagged
    command: { cmd: "echo untagged >> ${DIR}/log" }
  - name: first host only
    command: { cmd: "echo first >> ${DIR}/log" }
    when: "inventory_hostname == '${names[0]}'"
  - name: probe
    command: { cmd: "cat ${DIR}/flag 2>/dev/null || echo none" }
    register: probe
    tags: [always]
  - name: flagged
    command: { cmd: "echo flagged-{{ probe.stdout }}-rc{{ probe.rc }} >> ${DIR}/log" }
    when: "probe.stdout == 'yes'"
    tags: [always]
`,
);

/** Each host's log, one entry per step that ran there ('' when nothing ran). */
const logs = () =>
  Promise.all(hosts.map(async (h) => (await onHost(h, `cat ${DIR}/log 2>/dev/null || true`)).trim().split('\n').filter(Boolean).join(',')));

describe('--tags, --skip-tags, --limit, when and register on every lab host', () => {
  beforeEach(async () => {
    await Promise.all(hosts.map((h) => onHost(h, `rm -rf ${DIR}`)));
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => onHost(h, `rm -rf ${DIR}`)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('no selection: every step whose `when` holds; register feeds a later `when` on the host that has the flag', async () => {
    const flagged = hosts[hosts.length - 1]!;
    await onHost(flagged, `mkdir -p ${DIR} && echo yes > ${DIR}/flag`);
    const r = await runPlaybook(playbook);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await logs()).toEqual(
      hosts.map((h, i) =>
        ['web', 'db', 'untagged', ...(i === 0 ? ['first'] : []), ...(h === flagged ? ['flagged-yes-rc0'] : [])].join(','),
      ),
    );
    for (const h of hosts) {
      const steps = r.report.hosts[h.name]?.steps ?? [];
      expect(steps.find((s) => s.name === 'flagged')?.status).toBe(h === flagged ? 'changed' : 'skipped');
      expect(steps.find((s) => s.name === 'first host only')?.status).toBe(h === hosts[0] ? 'changed' : 'skipped');
    }
  });

  it('--tags: only steps with one of the tags (and `always`)', async () => {
    const r = await runPlaybook(playbook, ['--tags', 'data']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await logs()).toEqual(hosts.map(() => 'db'));
    expect(r.report.hosts[names[0]!]?.steps.map((s) => s.name)).toEqual(['setup', 'db', 'probe', 'flagged']);
  });

  it('--tags given twice and comma-separated adds up', async () => {
    const r = await runPlaybook(playbook, ['--tags', 'web', '--tags', 'db,nothing']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await logs()).toEqual(hosts.map(() => 'web,db'));
  });

  it('--skip-tags: every step but those', async () => {
    const r = await runPlaybook(playbook, ['--skip-tags', 'web,db']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await logs()).toEqual(hosts.map((_, i) => ['untagged', ...(i === 0 ? ['first'] : [])].join(',')));
  });

  it('--limit: the other hosts are not touched and not in the report', async () => {
    const only = names.slice(1, 3);
    const r = await runPlaybook(playbook, ['--limit', only.join(','), '--tags', 'web']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(Object.keys(r.report.hosts).sort()).toEqual(only);
    expect(await logs()).toEqual(names.map((n) => (only.includes(n) ? 'web' : '')));
  });

  it('--limit with an exclusion', async () => {
    const r = await runPlaybook(playbook, ['--limit', `all:!${names[0]}`, '--tags', 'db']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(Object.keys(r.report.hosts).sort()).toEqual(names.slice(1));
    expect(await logs()).toEqual(names.map((n, i) => (i === 0 ? '' : 'db')));
  });

  it('--limit that matches no host of the play: exit 1, nothing run', async () => {
    const r = await runPlaybook(playbook, ['--limit', 'nosuchhost']).catch((e: Error) => e);
    expect(r).toBeInstanceOf(Error);
    expect((r as Error).message).toMatch(/exit 1/);
    expect((r as Error).message).toMatch(/nosuchhost/);
    expect(await logs()).toEqual(names.map(() => ''));
  });
});
