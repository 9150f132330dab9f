import { describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { PlaybookPreparer } from '../../../src/playbook/prepare.js';
import { messageOf, writePlaybook } from '../engine/support/playbook.js';

const host = (name: string, vars: Record<string, unknown> = {}) => ({ name, inventoryVars: vars, groups: ['all'] });
const prepare = (yaml: string, vars: Record<string, unknown> = {}) => {
  const file = writePlaybook(yaml, {});
  return { file, plan: () => new PlaybookPreparer(loadPlaybook(file)).prepareAll([host('h1', vars)])[0]! };
};

describe('loop', () => {
  it("runs a step once per item of a list from the host's variables, with item and loop_index", () => {
    const { plan } = prepare(
      `
hosts: all
steps:
  - name: "{{ item.name }} enabled"
    sysrc: { name: "{{ item.name }}_enable", value: "{{ item.on }}" }
    loop: "{{ services }}"
  - sysrc: { name: "v{{ loop_index }}", value: "{{ item }}" }
    loop: [a, b]
    when: item != "a"
`,
      {
        services: [
          { name: 'sshd', on: true },
          { name: 'ntpd', on: false },
        ],
      },
    );
    const steps = plan().steps;
    expect(steps.map((s) => s.decl.id)).toEqual(['steps[0][0]', 'steps[0][1]', 'steps[1][0]', 'steps[1][1]']);
    expect(steps.map((s) => s.rendered?.name)).toEqual(['sshd enabled', 'ntpd enabled', undefined, 'sysrc v1 (b)']);
    expect(steps.map((s) => s.when)).toEqual([true, true, false, true]);
    expect(steps[0]?.rendered?.args).toMatchObject({ name: 'sshd_enable', value: 'YES' });
    expect(steps[1]?.rendered?.args).toMatchObject({ name: 'ntpd_enable', value: 'NO' });
    expect(steps[3]?.loopScope).toEqual({ item: 'b', loop_index: 1 });
  });

  it('an empty list runs nothing; a value that is not a list is an error at the loop', () => {
    expect(
      prepare('hosts: all\nsteps:\n  - sysrc: { name: x, value: "{{ item }}" }\n    loop: "{{ none }}"\n', { none: [] }).plan().steps,
    ).toEqual([]);
    const { file, plan } = prepare('hosts: all\nsteps:\n  - sysrc: { name: x, value: "{{ item }}" }\n    loop: "{{ one }}"\n', {
      one: 'x',
    });
    expect(messageOf(plan)).toBe(`${file}:4:11: loop needs a list, got string "x" (host h1)`);
  });

  it('refuses a loop over a registered result, register on a looped step, and a looped handler', () => {
    const reg = prepare(`
hosts: all
steps:
  - command: { cmd: "ls /" }
    register: listing
  - sysrc: { name: x, value: "{{ item }}" }
    loop: "{{ listing.stdout_lines }}"
`);
    expect(messageOf(reg.plan)).toBe(
      `${reg.file}:7:11: loop reads 'listing', a registered result: the items of a loop are decided before the run (host h1)`,
    );
    const file = writePlaybook('hosts: all\nsteps:\n  - sysrc: { name: x, value: "{{ item }}" }\n    loop: [a]\n    register: r\n', {});
    expect(messageOf(() => loadPlaybook(file))).toContain('5:5: a looped step cannot register a result');
  });

  it('`jail: "{{ item }}"` alone on a step is the jail module, with its arguments from the item', () => {
    const { plan } = prepare(
      `
hosts: all
steps:
  - jail: "{{ item }}"
    loop: "{{ jails }}"
`,
      { jails: [{ name: 'www', type: 'thick', path: '/usr/jails/www', template: '/usr/jails/t' }] },
    );
    const [step] = plan().steps;
    expect(step?.decl.module.name).toBe('jail');
    expect(step?.rendered?.args).toMatchObject({ name: 'www', type: 'thick', path: '/usr/jails/www' });
    expect(step?.rendered?.target).toEqual({ kind: 'host' });
  });
});
