import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { PlaybookPreparer } from '../../../src/playbook/prepare.js';
import { messageOf, writePlaybook } from '../engine/support/playbook.js';

function preparer(
  yaml: string,
  files: Record<string, string> = {},
  extra: Record<string, unknown> = {},
  tags: { tags?: string[]; skipTags?: string[] } = {},
) {
  const file = writePlaybook(yaml, files);
  return { file, p: new PlaybookPreparer(loadPlaybook(file), { extraVars: [{ vars: extra, locate: (n) => `-e ${n}` }], ...tags }) };
}
const host = (name: string, vars: Record<string, unknown> = {}) => ({ name, inventoryVars: vars, groups: ['all', 'web'] });

describe('preparing hosts before the run', () => {
  it("renders, validates and prepares each step with the host's variables", () => {
    const { p } = preparer(
      `
hosts: all
vars: { greeting: "hello {{ inventory_hostname }}" }
steps:
  - file: { path: /etc/motd, template: motd.liquid, mode: "{{ motd_mode }}" }
  - sysrc: { name: hostname, value: "{{ inventory_hostname }}" }
    when: group_names contains "db"
  - sysrc: { name: x, value: "{{ undefined_but_skipped }}" }
    when: false
`,
      { 'motd.liquid': '{{ greeting }}, groups: {{ group_names | join: "," }}\n' },
    );
    const [plan] = p.prepareAll([host('web1', { motd_mode: '0640' })]);
    expect(plan?.steps.map((s) => s.when)).toEqual([true, false, false]);
    expect(plan?.steps[0]?.rendered?.args).toMatchObject({ path: '/etc/motd', content: 'hello web1, groups: web\n', mode: '0640' });
    expect(plan?.steps[2]?.rendered).toBeUndefined();
  });

  it('an undefined variable fails before any host is contacted, with file:line and the variable', () => {
    const { p, file } = preparer('hosts: all\nsteps:\n  - sysrc: { name: x, value: "{{ jail_ip }}" }\n');
    expect(messageOf(() => p.prepareAll([host('h1'), host('h2')]))).toBe(
      `${file}:3:30: undefined variable 'jail_ip' in sysrc arguments (all 2 hosts)`,
    );
  });

  it('a step reading a variable registered only by a step that --tags leaves out fails before the run', () => {
    const yaml = `hosts: all
steps:
  - name: probe
    command: "true"
    register: probe
    tags: [probe]
  - sysrc: { name: x, value: "1" }
    when: probe.changed
    tags: [conf]
`;
    const { p, file } = preparer(yaml, {}, {}, { tags: ['conf'] });
    expect(messageOf(() => p.prepareAll([host('h1')]))).toBe(
      `${file}:7:5: this step reads 'probe', registered by 'probe', which --tags/--skip-tags leaves out; select that step too (or tag it \`always\`) (host h1)`,
    );
    expect(preparer(yaml, {}, {}, { tags: ['conf', 'probe'] }).p.prepareAll([host('h1')])[0]?.steps).toHaveLength(2);
    expect(preparer(yaml, {}, {}, { skipTags: ['conf'] }).p.prepareAll([host('h1')])[0]?.steps).toHaveLength(1);
  });

  it('names the hosts a problem affects', () => {
    const { p } = preparer('hosts: all\nsteps:\n  - pkg: { name: "{{ pkgs }}" }\n');
    expect(messageOf(() => p.prepareAll([host('h1', { pkgs: ['a'] }), host('h2'), host('h3', { pkgs: 'b' })]))).toMatch(
      /undefined variable 'pkgs' .*\(host h2\)$/,
    );
  });

  it('arguments are validated after rendering', () => {
    const { p, file } = preparer('hosts: all\nsteps:\n  - service: { name: sshd, enabled: "{{ flag }}" }\n');
    expect(messageOf(() => p.prepareAll([host('h1', { flag: 'perhaps' })]))).toBe(
      `${file}:3:37: 'enabled': expected boolean, got string (after templating) (host h1)`,
    );
    expect(p.prepareAll([host('h1', { flag: true })])[0]?.steps[0]?.rendered?.args).toEqual({ name: 'sshd', enabled: true });
  });

  it('errors in template files name the template, its line and column', () => {
    const { p, file } = preparer('hosts: all\nsteps:\n  - file: { path: /x, template: t.liquid }\n', { 't.liquid': 'ok\n{{ oops }}\n' });
    expect(messageOf(() => p.prepareAll([host('h1')]))).toBe(
      `${file}:3:11: template ${path.join(path.dirname(file), 't.liquid')}:2:4: undefined variable 'oops' (host h1)`,
    );
  });

  it('a missing src file is an error at the step', () => {
    const { p, file } = preparer('hosts: all\nsteps:\n  - file: { path: /x, src: files/nope }\n');
    expect(messageOf(() => p.prepareAll([host('h1')]))).toMatch(new RegExp(`^${file}:3:11: cannot read .*files/nope: ENOENT`));
  });

  it('steps that use registered variables wait for the run', () => {
    const { p } = preparer(`
hosts: all
steps:
  - command: uname -r
    register: kernel
  - command: "echo {{ kernel.stdout }}"
  - command: "echo {{ undefined_guarded }}"
    when: kernel.rc == 0
`);
    const plan = p.prepareHost(host('h1'));
    expect(plan.steps.map((s) => [s.when, s.rendered !== undefined])).toEqual([
      [true, true],
      [true, false],
      ['runtime', false],
    ]);
    expect(plan.steps[2]?.pendingError?.message).toMatch(/undefined variable 'undefined_guarded'/);
    const scope = p.runtimeScope(plan.vars, { kernel: { rc: 0, stdout: '14.2-RELEASE' } });
    expect(p.renderer.render(plan.steps[1]!.decl, scope).args).toBe('echo 14.2-RELEASE');
  });

  it('precedence: inventory < playbook vars < vars_files < -e', () => {
    const { p } = preparer(
      'hosts: all\nvars: { a: play, b: play }\nvars_files: [v.yaml]\nsteps:\n  - command: "echo {{ a }} {{ b }} {{ c }}"\n',
      { 'v.yaml': 'b: file\n' },
      { a: 'extra' },
    );
    const plan = p.prepareHost(host('h1', { a: 'inv', b: 'inv', c: 'inv' }));
    expect(plan.steps[0]?.rendered?.args).toBe('echo extra file inv');
  });

  it('a bad when is an error at the when', () => {
    const { p, file } = preparer('hosts: all\nsteps:\n  - command: x\n    when: nosuch == 1\n');
    expect(messageOf(() => p.prepareHost(host('h1')))).toBe(`${file}:4:11: undefined variable 'nosuch' in when`);
    expect(fs.existsSync(file)).toBe(true);
  });
});
