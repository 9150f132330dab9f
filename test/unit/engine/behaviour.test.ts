import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../src/engine/run.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { ConnectError, ConnectionLostError } from '../../../src/transport/errors.js';
import type { HostSession } from '../../../src/transport/types.js';
import type { PrepareOptions } from '../../../src/playbook/prepare.js';
import { LocalHost } from './support/local-host.js';
import { prepare } from './support/playbook.js';

async function runOn(yaml: string, names: string[], opts: {
  vars?: (h: LocalHost) => Record<string, unknown>;
  connect?: (h: LocalHost) => Promise<HostSession>;
  prepare?: PrepareOptions;
  check?: boolean;
} = {}) {
  const hosts = names.map((n) => new LocalHost(n));
  const { preparer, plans } = prepare(yaml, hosts.map((h) => ({ name: h.host, vars: { root: h.root, ...opts.vars?.(h) } })), opts.prepare);
  const events: RunEvent[] = [];
  const result = await runPlaybook({
    preparer, plans, forks: 10, check: opts.check ?? false,
    connect: async (name) => {
      const h = hosts.find((x) => x.host === name) as LocalHost;
      return opts.connect ? opts.connect(h) : h;
    },
    onEvent: (e) => events.push(e),
  });
  return { hosts, result, events, host: (n: string) => result.hosts.find((h) => h.name === n) };
}

describe('engine behaviour', () => {
  it('re-reads a file changed by an earlier step before a later step edits it', async () => {
    const { hosts, host } = await runOn(`
hosts: all
steps:
  - line: { path: "{{ root }}/f", line: first, create: true }
  - line: { path: "{{ root }}/f", line: second }
`, ['h1']);
    const h = hosts[0] as LocalHost;
    expect(fs.readFileSync(h.p('f'), 'utf8')).toBe('first\nsecond\n');
    // facts, write, facts again (stale after the write), write
    expect(h.calls.map((c) => c.kind)).toEqual(['run', 'write', 'run', 'write']);
    expect(host('h1')?.roundTrips).toBe(4);
  });

  it('consecutive steps that need nothing from each other go to the host as one script', async () => {
    const sysrcs = Array.from({ length: 10 }, (_, i) => `  - sysrc: { name: v${i}, value: "${i}", file: "{{ root }}/rc.conf" }`).join('\n');
    const yaml = `hosts: all\nsteps:\n${sysrcs}\n  - file: { path: "{{ root }}/f", content: "x" }\n  - command: { cmd: "touch {{ root }}/done", creates: "{{ root }}/done" }\n`;
    const first = await runOn(yaml, ['h1']);
    const h = first.hosts[0] as LocalHost;
    // facts, the ten sysrc steps, the file write, the command
    expect(h.calls.map((c) => c.kind)).toEqual(['run', 'run', 'write', 'run']);
    expect(first.host('h1')?.changed).toBe(12);
    expect(fs.readFileSync(h.p('rc.conf'), 'utf8')).toBe(Array.from({ length: 10 }, (_, i) => `v${i}="${i}"\n`).join(''));
  });

  it('a failure inside a batch stops the host there; earlier steps of the batch count, later ones did not run', async () => {
    const { host, hosts } = await runOn(`
hosts: all
steps:
  - command: "echo a >> {{ root }}/log"
  - command: "echo failing >&2; exit 5"
    ignore_errors: true
  - command: "echo b >> {{ root }}/log; exit 6"
  - command: "echo c >> {{ root }}/log"
`, ['h1']);
    const h = hosts[0] as LocalHost;
    expect(h.calls).toHaveLength(1);
    expect(fs.readFileSync(h.p('log'), 'utf8')).toBe('a\nb\n');
    expect(host('h1')?.steps.map((s) => [s.status, s.error])).toEqual([
      ['changed', null], ['failed', 'exit status 5: failing'], ['failed', 'exit status 6'],
    ]);
    expect(host('h1')?.status).toBe('failed');
  });

  it('a failing host stops only its own steps; the others finish', async () => {
    const { host, hosts } = await runOn(`
hosts: all
steps:
  - command: { cmd: "echo 'no such thing' >&2; exit {{ code }}" }
  - command: "touch {{ root }}/after"
`, ['good', 'bad'], { vars: (h) => ({ code: h.host === 'bad' ? 3 : 0 }) });
    expect(host('good')?.status).toBe('changed');
    expect(fs.existsSync((hosts[0] as LocalHost).p('after'))).toBe(true);
    const bad = host('bad');
    expect(bad?.status).toBe('failed');
    expect(bad?.steps).toHaveLength(1);
    expect(bad?.steps[0]?.error).toBe('exit status 3: no such thing');
    expect(bad?.error).toMatch(/^step 'command .*' failed: exit status 3: no such thing$/);
    expect(fs.existsSync((hosts[1] as LocalHost).p('after'))).toBe(false);
  });

  it('ignore_errors lets the host go on', async () => {
    const { host } = await runOn(`
hosts: all
steps:
  - command: "exit 1"
    ignore_errors: true
  - command: "true"
`, ['h1']);
    expect(host('h1')?.status).toBe('changed');
    expect(host('h1')?.steps.map((s) => [s.status, s.ignored])).toEqual([['failed', true], ['changed', false]]);
    expect(host('h1')?.failed).toBe(0);
  });

  it('an unreachable host is reported as such, the others run', async () => {
    const { host } = await runOn('hosts: all\nsteps:\n  - command: "true"\n', ['up', 'down'], {
      connect: async (h) => {
        if (h.host === 'down') throw new ConnectError('refused', 'down', 'connection refused by 10.0.0.9:22');
        return h;
      },
    });
    expect(host('up')?.status).toBe('changed');
    expect(host('down')).toMatchObject({ status: 'unreachable', error: 'down: connection refused by 10.0.0.9:22', steps: [] });
  });

  it('a connection lost mid-run makes the host unreachable, not failed', async () => {
    // The second step reads the first one's result, so it is a second round trip.
    const { host } = await runOn('hosts: all\nsteps:\n  - command: "true"\n    register: r\n  - command: "echo {{ r.rc }}"\n', ['h1'], {
      connect: async (h) => {
        let calls = 0;
        return {
          host: h.host,
          run: (script, o) => (++calls === 2 ? Promise.reject(new ConnectionLostError(h.host, 'reset')) : h.run(script, o)),
          writeFileAtomic: (p, c, o) => h.writeFileAtomic(p, c, o),
          close: () => h.close(),
        };
      },
    });
    expect(host('h1')).toMatchObject({ status: 'unreachable', error: 'h1: connection lost: reset' });
  });

  it('serial with max_fail_percentage stops the run and says so', async () => {
    const { result, events } = await runOn(`
hosts: all
serial: 1
max_fail_percentage: 0
steps:
  - command: "exit {{ code }}"
`, ['h1', 'h2', 'h3', 'h4'], { vars: (h) => ({ code: h.host === 'h2' ? 1 : 0 }) });
    expect(result.hosts.map((h) => [h.name, h.status])).toEqual([['h1', 'changed'], ['h2', 'failed']]);
    expect(result.notRun).toEqual(['h3', 'h4']);
    expect(result.aborted).toBe('run stopped after batch 2 of 4: 1 of 1 hosts in the batch failed (100% > max_fail_percentage 0%)');
    expect(events.filter((e) => e.type === 'batch-start')).toHaveLength(2);
    expect(events.find((e) => e.type === 'run-aborted')).toMatchObject({ notRun: ['h3', 'h4'] });
  });

  it('registered results feed later steps at run time', async () => {
    const { hosts, host } = await runOn(`
hosts: all
steps:
  - command: "echo v1.2"
    register: version
  - command: "echo '{{ version.stdout }}' > {{ root }}/version"
    when: version.rc == 0
  - command: "echo never"
    when: version.stdout == "nope"
`, ['h1']);
    expect(fs.readFileSync((hosts[0] as LocalHost).p('version'), 'utf8')).toBe('v1.2\n');
    expect(host('h1')?.steps.map((s) => s.status)).toEqual(['changed', 'changed', 'skipped']);
  });

  it('handlers run once at the end, in their order, only when notified by a change', async () => {
    const { hosts, host } = await runOn(`
hosts: all
steps:
  - file: { path: "{{ root }}/a", content: "a" }
    notify: [second, first]
  - file: { path: "{{ root }}/b", content: "b" }
    notify: first
  - command: { cmd: "true", creates: "{{ root }}" }
    notify: unused
handlers:
  - name: first
    command: "echo first >> {{ root }}/log"
  - name: second
    command: "echo second >> {{ root }}/log"
  - name: unused
    command: "echo unused >> {{ root }}/log"
`, ['h1']);
    expect(fs.readFileSync((hosts[0] as LocalHost).p('log'), 'utf8')).toBe('first\nsecond\n');
    expect(host('h1')?.steps.filter((s) => s.handler).map((s) => s.name)).toEqual(['first', 'second']);
  });

  it('--tags and --skip-tags choose steps; always runs unless skipped', async () => {
    const yaml = `
hosts: all
steps:
  - { command: "echo a >> {{ root }}/log", tags: [a] }
  - { command: "echo b >> {{ root }}/log", tags: [b] }
  - { command: "echo always >> {{ root }}/log", tags: [always] }
  - { command: "echo none >> {{ root }}/log" }
`;
    const only = await runOn(yaml, ['h1'], { prepare: { tags: ['a'] } });
    expect(fs.readFileSync((only.hosts[0] as LocalHost).p('log'), 'utf8')).toBe('a\nalways\n');
    const skip = await runOn(yaml, ['h1'], { prepare: { skipTags: ['a', 'always'] } });
    expect(fs.readFileSync((skip.hosts[0] as LocalHost).p('log'), 'utf8')).toBe('b\nnone\n');
  });

  it('check mode: a step whose facts depend on an earlier change is skipped, not failed', async () => {
    const { host, hosts } = await runOn(`
hosts: all
steps:
  - command: { cmd: "mkdir {{ root }}/d", creates: "{{ root }}/d" }
  - line: { path: "{{ root }}/d/conf", line: x, create: true }
  - line: { path: "{{ root }}/d/other", line: x }
`, ['h1'], { check: true });
    expect(fs.existsSync((hosts[0] as LocalHost).p('d'))).toBe(false);
    const steps = host('h1')?.steps ?? [];
    // Facts as they are now: d/conf is absent, so it would be created.
    expect(steps.map((s) => s.status)).toEqual(['changed', 'changed', 'skipped']);
    expect(steps[2]?.skipReason).toMatch(/^depends on what earlier steps would change \(.*does not exist/);
    expect(host('h1')?.status).toBe('changed');
  });

  it('a step whose fact query fails fails alone, with the host\'s message', async () => {
    const { host } = await runOn(`
hosts: all
steps:
  - service: { name: nginx, state: running }
    ignore_errors: true
  - command: "true"
`, ['h1']);
    const svc = host('h1')?.steps[0];
    expect(svc?.status).toBe('failed');
    expect(svc?.error).toMatch(/service nginx rcvar|no service nginx/);
    expect(host('h1')?.steps[1]?.status).toBe('changed');
  });
});
