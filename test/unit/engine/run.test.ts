import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../src/engine/run.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { LocalHost } from './support/local-host.js';
import { prepare } from './support/playbook.js';
import { jsonReport } from '../../../src/report/json-report.js';

const SITE = `
hosts: all
vars:
  motd: "Welcome to {{ inventory_hostname }}"
steps:
  - name: rc.conf hostname
    sysrc: { name: hostname, value: "{{ inventory_hostname }}.example.org", file: "{{ root }}/etc/rc.conf" }
  - sysrc: { name: sshd_enable, value: true, file: "{{ root }}/etc/rc.conf" }
    notify: reload sshd
  - file: { path: "{{ root }}/etc/motd", content: "{{ motd }}\\n", mode: "0640" }
    notify: [reload sshd]
  - line: { path: "{{ root }}/etc/hosts", line: "10.0.0.1 mirror", regexp: " mirror$" }
  - command: { cmd: "echo built > {{ root }}/built", creates: "{{ root }}/built" }
    register: build
  - command: "echo ran after build"
    when: build.changed
handlers:
  - name: reload sshd
    command: "echo reloaded >> {{ root }}/reloads"
`;

function setup(hostNames = ['h1']) {
  const hosts = hostNames.map((n) => new LocalHost(n));
  for (const h of hosts) {
    fs.mkdirSync(h.p('etc'));
    fs.writeFileSync(h.p('etc/rc.conf'), 'sshd_enable="NO"\n');
    fs.writeFileSync(h.p('etc/hosts'), '127.0.0.1 localhost\n10.0.0.9 mirror\n');
  }
  const { preparer, plans } = prepare(
    SITE,
    hosts.map((h) => ({ name: h.host, vars: { root: h.root } })),
  );
  const byName = new Map(hosts.map((h) => [h.host, h]));
  const run = (opts: { check?: boolean; diff?: boolean; events?: RunEvent[] } = {}) => {
    const fresh = new Map<string, LocalHost>();
    return {
      result: runPlaybook({
        playbook: preparer.playbook,
        runtime: preparer.runtimeRenderer(),
        plans,
        forks: 4,
        check: opts.check ?? false,
        diff: opts.diff ?? false,
        connect: async (name) => {
          const h = byName.get(name) as LocalHost;
          fresh.set(name, h);
          return h;
        },
        onEvent: (e) => opts.events?.push(e),
      }),
      sessions: fresh,
    };
  };
  return { hosts, run };
}

describe('running a playbook on hosts', () => {
  it('converges on the first run, reports each change, and fires the handler once', async () => {
    const { hosts, run } = setup();
    const h = hosts[0] as LocalHost;
    const r = await run().result;
    const host = r.hosts[0];
    expect(host?.status).toBe('changed');
    expect(host?.steps.map((s) => [s.module, s.status])).toEqual([
      ['sysrc', 'changed'],
      ['sysrc', 'changed'],
      ['file', 'changed'],
      ['line', 'changed'],
      ['command', 'changed'],
      ['command', 'changed'],
      ['command', 'changed'],
    ]);
    expect(host?.steps.map((s) => s.name).filter((n) => !n.startsWith('command'))).toEqual([
      'rc.conf hostname',
      'sysrc sshd_enable',
      `file ${h.p('etc/motd')}`,
      `line ${h.p('etc/hosts')}`,
      'reload sshd',
    ]);
    expect(host?.steps[6]?.handler).toBe(true);
    expect(fs.readFileSync(h.p('etc/rc.conf'), 'utf8')).toBe('sshd_enable="YES"\nhostname="h1.example.org"\n');
    expect(fs.readFileSync(h.p('etc/motd'), 'utf8')).toBe('Welcome to h1\n');
    expect(fs.statSync(h.p('etc/motd')).mode & 0o7777).toBe(0o640);
    expect(fs.readFileSync(h.p('etc/hosts'), 'utf8')).toBe('127.0.0.1 localhost\n10.0.0.1 mirror\n');
    expect(fs.readFileSync(h.p('reloads'), 'utf8')).toBe('reloaded\n');
  });

  it('a converged host costs one round trip and reports 0 changed; the handler does not fire', async () => {
    const { hosts, run } = setup();
    const h = hosts[0] as LocalHost;
    await run().result;
    h.calls.length = 0;
    const r = await run().result;
    expect(r.hosts[0]?.status).toBe('ok');
    expect(r.hosts[0]?.changed).toBe(0);
    expect(r.hosts[0]?.skipped).toBe(1); // the step whose when reads build.changed
    expect(h.calls).toHaveLength(1);
    expect(r.hosts[0]?.roundTrips).toBe(1);
    expect(fs.readFileSync(h.p('reloads'), 'utf8')).toBe('reloaded\n');
  });

  it('check mode changes nothing, reports what would change, and skips handlers', async () => {
    const { hosts, run } = setup();
    const h = hosts[0] as LocalHost;
    const before = fs.readFileSync(h.p('etc/rc.conf'), 'utf8');
    const r = await run({ check: true, diff: true }).result;
    expect(fs.readFileSync(h.p('etc/rc.conf'), 'utf8')).toBe(before);
    expect(fs.existsSync(h.p('etc/motd'))).toBe(false);
    expect(fs.existsSync(h.p('built'))).toBe(false);
    expect(h.calls.every((c) => c.kind === 'run')).toBe(true);
    expect(h.calls).toHaveLength(1);
    const steps = r.hosts[0]?.steps ?? [];
    expect(steps.find((s) => s.name === 'sysrc sshd_enable')?.diff).toEqual([
      { type: 'value', name: `${h.p('etc/rc.conf')}: sshd_enable`, before: 'NO', after: 'YES' },
    ]);
    const line = steps.find((s) => s.module === 'line');
    expect(line?.diff?.[0]).toMatchObject({ type: 'file' });
    expect(line?.diff?.[0]?.type === 'file' && line.diff[0].unified).toContain('-10.0.0.9 mirror\n+10.0.0.1 mirror\n');
    expect(steps.find((s) => s.handler)).toMatchObject({ status: 'skipped', name: 'reload sshd' });
  });

  it('steps carry diffs only with --diff (check or apply), and so does the JSON report', async () => {
    for (const check of [true, false]) {
      const plain = await setup().run({ check }).result;
      const steps = plain.hosts[0]?.steps ?? [];
      expect(steps.filter((s) => s.changed).length, `check ${check}`).toBeGreaterThan(3);
      expect(
        steps.map((s) => s.diff),
        `check ${check}`,
      ).toEqual(steps.map(() => null));
      expect(
        Object.values(jsonReport(plain).hosts)
          .flatMap((h) => h.steps.map((s) => s.diff))
          .every((d) => d === null),
      ).toBe(true);
      const { hosts, run } = setup();
      const withDiff = (await run({ check, diff: true }).result).hosts[0]?.steps ?? [];
      const motd = withDiff.find((s) => s.module === 'file');
      expect(motd?.diff, `check ${check}`).toEqual([
        { type: 'file', path: (hosts[0] as LocalHost).p('etc/motd'), unified: expect.stringContaining('@@ -0,0 +1 @@\n+Welcome to h1\n') },
      ]);
      expect(withDiff.find((s) => s.name === 'sysrc sshd_enable')?.diff).toHaveLength(1);
    }
  });
});
