/** `fleetjail check` through commander, in process: it never connects anywhere. */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerRunCommands } from '../../../src/cli/run.js';
import { writePlaybook } from '../engine/support/playbook.js';

async function fleetjail(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((t) => (out.push(String(t)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((t) => (err.push(String(t)), true));
  const program = new Command('fleetjail').exitOverride();
  registerRunCommands(program);
  process.exitCode = undefined;
  await program.parseAsync(['node', 'fleetjail', ...args]);
  vi.restoreAllMocks();
  const code = process.exitCode;
  process.exitCode = undefined;
  return { code, stdout: out.join(''), stderr: err.join('') };
}

afterEach(() => vi.restoreAllMocks());

describe('fleetjail check', () => {
  const good = writePlaybook('hosts: web\nsteps:\n  - sysrc: { name: hostname, value: "{{ inventory_hostname }}.{{ domain }}" }\n');
  const inventory = path.join(path.dirname(good), 'inventory.yaml');
  fs.writeFileSync(
    inventory,
    'vars: { domain: example.org }\nhosts: { web1: {}, web2: {}, db1: {} }\ngroups: { web: { hosts: [web1, web2] } }\n',
  );

  it('validates playbooks against the inventory, offline', async () => {
    const r = await fleetjail(['check', good, '-i', inventory]);
    expect(r).toMatchObject({ code: 0, stdout: `${good}: ok (1 steps, 0 handlers; 2 hosts)\n` });
  });

  it('reports each broken playbook with positions and exits 1', async () => {
    const typo = writePlaybook('hosts: web\nsteps:\n  - sysrcc: { name: a, value: b }\n');
    const undef = writePlaybook('hosts: web\nsteps:\n  - sysrc: { name: a, value: "{{ nope }}" }\n');
    const r = await fleetjail(['check', good, typo, undef, '-i', inventory]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${good}: ok`);
    expect(r.stderr).toContain(`${typo}:3:5: unknown module 'sysrcc'; did you mean 'sysrc'?`);
    expect(r.stderr).toContain(`${undef}:3:30: undefined variable 'nope' in sysrc arguments (all 2 hosts)`);
  });

  it('checks a playbook whose secrets come from the environment without them (a stand-in value)', async () => {
    const secret = writePlaybook(
      'hosts: web\nvars_from_env: { pw: FJ_UNSET_FOR_CHECK }\nsteps:\n  - file: { path: /etc/x, content: "{{ pw }}", mode: "0600" }\n',
    );
    delete process.env.FJ_UNSET_FOR_CHECK;
    const r = await fleetjail(['check', secret, '-i', inventory]);
    expect(r).toMatchObject({ code: 0, stdout: `${secret}: ok (1 steps, 0 handlers; 2 hosts)\n` });
  });

  it('without an inventory, checks the structure only', async () => {
    const cwd = process.cwd();
    process.chdir(path.dirname(good));
    fs.renameSync(inventory, `${inventory}.off`);
    try {
      const r = await fleetjail(['check', good]);
      expect(r.stdout).toBe(`${good}: ok (1 steps, 0 handlers; no inventory: variables not checked)\n`);
    } finally {
      fs.renameSync(`${inventory}.off`, inventory);
      process.chdir(cwd);
    }
  });
});
