import { describe, expect, it } from 'vitest';
import { parsePlaybookText } from '../../../src/playbook/load.js';
import { ConfigError } from '../../../src/util/errors.js';

function errorOf(yaml: string): string {
  try {
    parsePlaybookText(yaml, 'site.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loading a playbook', () => {
  it('reads the play and its steps', () => {
    const p = parsePlaybookText(
      `
name: base
hosts: "jailhosts:!canary"
serial: 25%
max_fail_percentage: 10
vars: { a: 1 }
steps:
  - name: sshd on
    sysrc: { name: sshd_enable, value: "YES" }
    tags: ssh
    notify: restart sshd
    register: r
    when: "a == 1"
  - command: uptime
    jail: www
handlers:
  - name: restart sshd
    service: { name: sshd, state: restarted }
`,
      'site.yaml',
    );
    expect(p).toMatchObject({ name: 'base', hosts: 'jailhosts:!canary', serial: { percent: 25 }, maxFailPercentage: 10 });
    expect(p.steps[0]).toMatchObject({
      id: 'steps[0]',
      name: 'sshd on',
      tags: ['ssh'],
      notify: ['restart sshd'],
      register: 'r',
      when: ['a == 1'],
      ignoreErrors: false,
    });
    expect(p.steps[0]?.module.name).toBe('sysrc');
    expect(p.steps[1]).toMatchObject({ jail: 'www', rawArgs: 'uptime' });
    expect(p.handlers[0]).toMatchObject({ id: 'handlers[0]', handler: true, name: 'restart sshd' });
    expect(p.varSources[0]?.vars).toEqual({ a: 1 });
    expect(p.varSources[0]?.locate('a', [])).toBe('site.yaml:6:12');
  });

  it('a misspelled module: position and the nearest module name', () => {
    expect(errorOf('hosts: all\nsteps:\n  - name: x\n    sysrcc: { name: a, value: b }\n')).toBe(
      "site.yaml:4:5: unknown module 'sysrcc'; did you mean 'sysrc'?",
    );
  });

  it('a misspelled step keyword', () => {
    expect(errorOf('hosts: all\nsteps:\n  - command: "true"\n    notfy: x\n')).toBe(
      "site.yaml:4:5: unknown key 'notfy' in a step; did you mean 'notify'?",
    );
  });

  it('a misspelled module argument', () => {
    expect(errorOf('hosts: all\nsteps:\n  - sysrc: { name: a, valeu: b }\n')).toMatch(
      /^site\.yaml:3:23: unknown key 'valeu' in sysrc arguments; did you mean 'value'\?$/,
    );
  });

  it('a misspelled play key', () => {
    expect(errorOf('hosts: all\nstep:\n  - command: x\n')).toContain(
      "site.yaml:2:1: unknown key 'step' in playbook; did you mean 'steps'?",
    );
  });

  it('a wrong value type, at the value', () => {
    expect(errorOf('hosts: all\nsteps:\n  - service: { name: sshd, enabled: maybe }\n')).toBe(
      "site.yaml:3:37: 'enabled': expected boolean, got string",
    );
    expect(errorOf('hosts: all\nsteps:\n  - pkg: { name: x, state: gone }\n')).toBe(
      `site.yaml:3:28: 'state': must be one of "present", "absent", "latest"`,
    );
  });

  it('an unquoted mode says how to write it', () => {
    expect(errorOf('hosts: all\nsteps:\n  - file: { path: /x, content: y, mode: 0644 }\n')).toMatch(
      /site\.yaml:3:41: 'mode': .*in quotes, e\.g\. '0644'/,
    );
  });

  it('reports every problem at once', () => {
    const message = errorOf('hosts: all\nsteps:\n  - sysrcc: {}\n  - command: x\n    tgas: a\n');
    expect(message.split('\n')).toHaveLength(2);
  });

  it('templates stand in for values of any type until they are rendered', () => {
    expect(() =>
      parsePlaybookText(
        'hosts: all\nsteps:\n  - service: { name: sshd, enabled: "{{ on }}" }\n  - pkg: { name: "{{ pkgs }}" }\n',
        'site.yaml',
      ),
    ).not.toThrow();
  });

  it('steps: one module each, a module that supports jail:', () => {
    expect(errorOf('hosts: all\nsteps:\n  - { name: x }\n')).toMatch(/^site\.yaml:3:5: step has no module/);
    expect(errorOf('hosts: all\nsteps:\n  - { command: x, pkg: { name: y } }\n')).toMatch(
      /a step runs one module, this one has command and pkg/,
    );
  });

  it('notify names a handler; handlers have unique names', () => {
    expect(
      errorOf('hosts: all\nsteps:\n  - command: x\n    notify: restrat sshd\nhandlers:\n  - name: restart sshd\n    command: y\n'),
    ).toBe("site.yaml:4:13: no handler named 'restrat sshd'; did you mean 'restart sshd'?");
    expect(errorOf('hosts: all\nsteps:\n  - command: x\nhandlers:\n  - command: y\n')).toMatch(/a handler needs a name/);
    expect(errorOf('hosts: all\nsteps:\n  - command: x\nhandlers:\n  - { name: h, command: y }\n  - { name: h, command: z }\n')).toMatch(
      /two handlers are named 'h'/,
    );
  });

  it('the play itself', () => {
    expect(errorOf('- hosts: all\n')).toMatch(/a playbook is a mapping/);
    expect(errorOf('steps:\n  - command: x\n')).toMatch(/^site\.yaml:1:1: 'hosts': expected string/);
    expect(errorOf('hosts: all\nserial: 0\nsteps:\n  - command: x\n')).toMatch(/^site\.yaml:2:9: 'serial'/);
    expect(errorOf('hosts: all\nsteps:\n  - command: x\nvars_files: [nope.yaml]\n')).toMatch(
      /^site\.yaml:4:14: vars file not found: .*nope\.yaml$/,
    );
  });
});
