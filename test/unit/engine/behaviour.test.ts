import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../src/engine/run.js';
import { INLINE_FILE_MAX } from '../../../src/engine/apply.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { ConnectError, ConnectionLostError } from '../../../src/transport/errors.js';
import type { HostSession } from '../../../src/transport/types.js';
import type { PrepareOptions } from '../../../src/playbook/prepare.js';
import { LocalHost } from './support/local-host.js';
import { shq } from '../../../src/shell/quote.js';
import { prepare } from './support/playbook.js';

async function runOn(
  yaml: string,
  names: string[],
  opts: {
    vars?: (h: LocalHost) => Record<string, unknown>;
    connect?: (h: LocalHost) => Promise<HostSession>;
    prepare?: PrepareOptions;
    check?: boolean;
  } = {},
) {
  const hosts = names.map((n) => new LocalHost(n));
  const { preparer, plans } = prepare(
    yaml,
    hosts.map((h) => ({ name: h.host, vars: { root: h.root, ...opts.vars?.(h) } })),
    opts.prepare,
  );
  const events: RunEvent[] = [];
  const result = await runPlaybook({
    playbook: preparer.playbook,
    runtime: preparer.runtimeRenderer(),
    plans,
    forks: 10,
    check: opts.check ?? false,
    connect: async (name) => {
      const h = hosts.find((x) => x.host === name) as LocalHost;
      return opts.connect ? opts.connect(h) : h;
    },
    onEvent: (e) => events.push(e),
  });
  return { hosts, result, events, host: (n: string) => result.hosts.find((h) => h.name === n) };
}

/** Per call to the host, how many atomic writes of ROOT/NAME it made. */
function writesTo(h: LocalHost, name: string): number[] {
  // The atomic write works in the file's directory: its rename names the file relatively.
  const target = `mv -f -h -- "$tmp" ${shq(`./${name}`)}`;
  return h.calls.map((c) => c.script.split(target).length - 1);
}

describe('engine behaviour', () => {
  it('re-reads a file changed by an earlier step before a later step edits it', async () => {
    const { hosts, host } = await runOn(
      `
hosts: all
steps:
  - line: { path: "{{ root }}/f", line: first, create: true }
  - line: { path: "{{ root }}/f", line: second }
`,
      ['h1'],
    );
    const h = hosts[0] as LocalHost;
    expect(fs.readFileSync(h.p('f'), 'utf8')).toBe('first\nsecond\n');
    // facts, write (inline, in a batch), facts again (stale after the write), write
    expect(h.calls.map((c) => c.kind)).toEqual(['run', 'run', 'run', 'run']);
    expect(host('h1')?.roundTrips).toBe(4);
  });

  it('consecutive steps that need nothing from each other go to the host as one script', async () => {
    const sysrcs = Array.from({ length: 10 }, (_, i) => `  - sysrc: { name: v${i}, value: "${i}", file: "{{ root }}/rc.conf" }`).join('\n');
    const yaml = `hosts: all\nsteps:\n${sysrcs}\n  - file: { path: "{{ root }}/f", content: "x" }\n  - command: { cmd: "touch {{ root }}/done", creates: "{{ root }}/done" }\n`;
    const first = await runOn(yaml, ['h1']);
    const h = first.hosts[0] as LocalHost;
    // facts, then the ten sysrc steps, the file write and the command as one script
    expect(h.calls.map((c) => c.kind)).toEqual(['run', 'run']);
    expect(first.host('h1')?.changed).toBe(12);
    expect(fs.readFileSync(h.p('rc.conf'), 'utf8')).toBe(Array.from({ length: 10 }, (_, i) => `v${i}="${i}"\n`).join(''));
    // ... and the ten sysrc steps are one write of rc.conf.
    expect(writesTo(h, 'rc.conf')).toEqual([0, 1]);
    expect(
      first
        .host('h1')
        ?.steps.slice(0, 10)
        .every((s) => s.status === 'changed'),
    ).toBe(true);
  });

  it('files go inline in the batch script byte for byte; a large one on its own stdin', async () => {
    const tricky = 'it\'s \\ "q" $HOME `x` !! ünï 🚀\n\nno newline at the end';
    const big = 'x'.repeat(INLINE_FILE_MAX + 1);
    const { hosts, host } = await runOn(
      `
hosts: all
vars:
  tricky: ${JSON.stringify(tricky)}
  big: ${big}
steps:
  - file: { path: "{{ root }}/tricky", content: "{{ tricky }}", mode: "0600" }
  - command: "touch {{ root }}/between"
  - file: { path: "{{ root }}/big", content: "{{ big }}" }
`,
      ['h1'],
    );
    const h = hosts[0] as LocalHost;
    expect(fs.readFileSync(h.p('tricky'), 'utf8')).toBe(tricky);
    expect(fs.statSync(h.p('tricky')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(h.p('big'), 'utf8')).toBe(big);
    // facts, the first two steps as one script, facts again (the command may have changed
    // anything), the large file on its own
    expect(h.calls.map((c) => c.kind)).toEqual(['run', 'run', 'run', 'write']);
    expect(host('h1')?.changed).toBe(3);
    expect(fs.readdirSync(h.root).filter((f) => f.includes('fleetjail'))).toEqual([]);
  });

  it('sysrc steps share one write only when consecutive, on the same file, and not ignoring errors', async () => {
    const { hosts, host } = await runOn(
      `
hosts: all
steps:
  - sysrc: { name: a, value: "1", file: "{{ root }}/rc.conf" }
  - sysrc: { name: b, value: "2", file: "{{ root }}/rc.conf" }
  - sysrc: { name: c, value: "3", file: "{{ root }}/other.conf" }
  - sysrc: { name: d, value: "4", file: "{{ root }}/rc.conf" }
    ignore_errors: true
  - sysrc: { name: e, value: "5", file: "{{ root }}/rc.conf" }
  - sysrc: { name: a, state: absent, file: "{{ root }}/rc.conf" }
`,
      ['h1'],
    );
    const h = hosts[0] as LocalHost;
    // a+b, d, e in the first batch (each planned from the first read, applied to what the
    // writes before it made of the file); removing a needs a to be read again.
    expect(writesTo(h, 'rc.conf')).toEqual([0, 3, 0, 1]);
    expect(writesTo(h, 'other.conf')).toEqual([0, 1, 0, 0]);
    expect(fs.readFileSync(h.p('rc.conf'), 'utf8')).toBe('b="2"\nd="4"\ne="5"\n');
    expect(host('h1')?.changed).toBe(6);
  });

  it('a shared write that fails fails each of its steps, and the host stops there', async () => {
    const { hosts, host } = await runOn(
      `
hosts: all
steps:
  - sysrc: { name: a, value: "1", file: "{{ root }}/missing-dir/rc.conf" }
  - sysrc: { name: b, value: "2", file: "{{ root }}/missing-dir/rc.conf" }
  - command: "touch {{ root }}/after"
`,
      ['h1'],
    );
    const h = hosts[0] as LocalHost;
    const steps = host('h1')?.steps ?? [];
    expect(steps.map((s) => s.status)).toEqual(['failed', 'failed']);
    expect(steps[0]?.error).toMatch(/^exit status 2: .*cd: .*missing-dir/);
    expect(steps[1]?.error).toBe(steps[0]?.error);
    expect(host('h1')?.status).toBe('failed');
    expect(fs.existsSync(h.p('after'))).toBe(false);
  });

  it('an edit lands only on the file it was planned from: a file changed in between is left alone', async () => {
    const { hosts, host } = await runOn(
      `
hosts: all
steps:
  - sysrc: { name: a, value: "1", file: "{{ root }}/rc.conf" }
`,
      ['h1'],
      {
        connect: async (h) => {
          fs.writeFileSync(h.p('rc.conf'), 'x=1\n');
          // Someone edits the file after fleetjail's read, before its write.
          const run = h.run.bind(h);
          let calls = 0;
          h.run = async (script, opts) => {
            if (calls++ === 1) fs.appendFileSync(h.p('rc.conf'), 'y=2\n');
            return run(script, opts);
          };
          return h;
        },
      },
    );
    const h = hosts[0] as LocalHost;
    expect(fs.readFileSync(h.p('rc.conf'), 'utf8')).toBe('x=1\ny=2\n');
    expect(host('h1')?.steps[0]?.error).toMatch(/rc\.conf changed on the host after fleetjail read it; nothing was written/);
    expect(fs.readdirSync(h.root).filter((f) => f.includes('fleetjail'))).toEqual([]);
  });

  it('a failure inside a batch stops the host there; earlier steps of the batch count, later ones did not run', async () => {
    const { host, hosts } = await runOn(
      `
hosts: all
steps:
  - command: "echo a >> {{ root }}/log"
  - command: "echo failing >&2; exit 5"
    ignore_errors: true
  - command: "echo b >> {{ root }}/log; exit 6"
  - command: "echo c >> {{ root }}/log"
`,
      ['h1'],
    );
    const h = hosts[0] as LocalHost;
    expect(h.calls).toHaveLength(1);
    expect(fs.readFileSync(h.p('log'), 'utf8')).toBe('a\nb\n');
    expect(host('h1')?.steps.map((s) => [s.status, s.error])).toEqual([
      ['changed', null],
      ['failed', 'exit status 5: failing'],
      ['failed', 'exit status 6'],
    ]);
    expect(host('h1')?.status).toBe('failed');
  });

  it('a failing host stops only its own steps; the others finish', async () => {
    const { host, hosts } = await runOn(
      `
hosts: all
steps:
  - command: { cmd: "echo 'no such thing' >&2; exit {{ code }}" }
  - command: "touch {{ root }}/after"
`,
      ['good', 'bad'],
      { vars: (h) => ({ code: h.host === 'bad' ? 3 : 0 }) },
    );
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
    const { host } = await runOn(
      `
hosts: all
steps:
  - command: "exit 1"
    ignore_errors: true
  - command: "true"
`,
      ['h1'],
    );
    expect(host('h1')?.status).toBe('changed');
    expect(host('h1')?.steps.map((s) => [s.status, s.ignored])).toEqual([
      ['failed', true],
      ['changed', false],
    ]);
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
          writeScript: (p, c, o) => h.writeScript(p, c, o),
          lock: (s, o) => h.lock(s, o),
          close: () => h.close(),
        };
      },
    });
    expect(host('h1')).toMatchObject({ status: 'unreachable', error: 'h1: connection lost: reset' });
  });

  it('serial with max_fail_percentage stops the run and says so', async () => {
    const { result, events } = await runOn(
      `
hosts: all
serial: 1
max_fail_percentage: 0
steps:
  - command: "exit {{ code }}"
`,
      ['h1', 'h2', 'h3', 'h4'],
      { vars: (h) => ({ code: h.host === 'h2' ? 1 : 0 }) },
    );
    expect(result.hosts.map((h) => [h.name, h.status])).toEqual([
      ['h1', 'changed'],
      ['h2', 'failed'],
    ]);
    expect(result.notRun).toEqual(['h3', 'h4']);
    expect(result.aborted).toBe('run stopped after batch 2 of 4: 1 of 1 hosts in the batch failed (100% > max_fail_percentage 0%)');
    expect(events.filter((e) => e.type === 'batch-start')).toHaveLength(2);
    expect(events.find((e) => e.type === 'run-aborted')).toMatchObject({ notRun: ['h3', 'h4'] });
  });

  it('registered results feed later steps at run time', async () => {
    const { hosts, host } = await runOn(
      `
hosts: all
steps:
  - command: "echo v1.2"
    register: version
  - command: "echo '{{ version.stdout }}' > {{ root }}/version"
    when: version.rc == 0
  - command: "echo never"
    when: version.stdout == "nope"
`,
      ['h1'],
    );
    expect(fs.readFileSync((hosts[0] as LocalHost).p('version'), 'utf8')).toBe('v1.2\n');
    expect(host('h1')?.steps.map((s) => s.status)).toEqual(['changed', 'changed', 'skipped']);
  });

  it('handlers run once at the end, in their order, only when notified by a change', async () => {
    const { hosts, host } = await runOn(
      `
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
`,
      ['h1'],
    );
    expect(fs.readFileSync((hosts[0] as LocalHost).p('log'), 'utf8')).toBe('first\nsecond\n');
    expect(
      host('h1')
        ?.steps.filter((s) => s.handler)
        .map((s) => s.name),
    ).toEqual(['first', 'second']);
  });

  it('check mode: notified handlers do not run, and their skipped results reach the reporters', async () => {
    const { hosts, host, events } = await runOn(
      `
hosts: all
steps:
  - file: { path: "{{ root }}/a", content: "a" }
    notify: h
handlers:
  - name: h
    command: "echo ran >> {{ root }}/log"
`,
      ['h1'],
      { check: true },
    );
    expect(fs.existsSync((hosts[0] as LocalHost).p('log'))).toBe(false);
    expect(host('h1')?.steps.map((s) => [s.name, s.status, s.handler])).toEqual([
      ['file ' + (hosts[0] as LocalHost).p('a'), 'changed', false],
      ['h', 'skipped', true],
    ]);
    const ends = events.filter((e) => e.type === 'step-end').map((e) => (e as { result: { name: string; status: string } }).result);
    expect(ends.map((r) => r.status)).toEqual(['changed', 'skipped']);
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
    const { host, hosts } = await runOn(
      `
hosts: all
steps:
  - command: { cmd: "mkdir {{ root }}/d", creates: "{{ root }}/d" }
  - line: { path: "{{ root }}/d/conf", line: x, create: true }
  - line: { path: "{{ root }}/d/other", line: x }
`,
      ['h1'],
      { check: true },
    );
    expect(fs.existsSync((hosts[0] as LocalHost).p('d'))).toBe(false);
    const steps = host('h1')?.steps ?? [];
    // Facts as they are now: d/conf is absent, so it would be created.
    expect(steps.map((s) => s.status)).toEqual(['changed', 'changed', 'skipped']);
    expect(steps[2]?.skipReason).toMatch(/^depends on what earlier steps would change \(.*does not exist/);
    expect(host('h1')?.status).toBe('changed');
  });

  it("a step whose fact query fails fails alone, with the host's message", async () => {
    const { host } = await runOn(
      `
hosts: all
steps:
  - service: { name: nginx, state: running }
    ignore_errors: true
  - command: "true"
`,
      ['h1'],
    );
    const svc = host('h1')?.steps[0];
    expect(svc?.status).toBe('failed');
    expect(svc?.error).toMatch(/service nginx rcvar|no service nginx/);
    expect(host('h1')?.steps[1]?.status).toBe('changed');
  });
});
