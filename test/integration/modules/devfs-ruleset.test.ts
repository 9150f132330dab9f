/**
 * devfs.ruleset on every lab host (#5 point 4), through the CLI: seed 003's ruleset added to
 * an /etc/devfs.rules that already has a section and comments of its own, loaded by `service
 * devfs restart` (a devfs mounted with the ruleset shows bpf, mem, kmem and zfs), idempotent,
 * --check changes nothing, --diff shows the file's diff, a number already taken is refused,
 * and state absent gives the file back byte for byte.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectChangedOnAll, onAllHosts as onAll, runWithReport as run } from '../../support/playbook.js';
import { labHosts } from '../../support/lab.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-devfs-'));
const SITE =
  '# Site rules (hand-written; fleetjail must leave them alone)\n[devfsrules_site=900]\nadd include $devfsrules_jail\nadd path pf unhide\n';
const SEED003 = [
  'add include $devfsrules_hide_all',
  'add include $devfsrules_unhide_basic',
  'add include $devfsrules_unhide_login',
  'add path zfs unhide',
  'add path mem unhide',
  'add path kmem unhide',
  "add path 'bpf*' unhide",
];

function playbook(opts: { number?: number; bpf?: 'unhide' | 'hide'; state?: 'present' | 'absent' } = {}): string {
  const rules = [...SEED003.slice(0, -1), `add path 'bpf*' ${opts.bpf ?? 'unhide'}`];
  const file = path.join(tmp, `devfs-${opts.number ?? 1000}-${opts.bpf ?? 'unhide'}-${opts.state ?? 'present'}.yaml`);
  fs.writeFileSync(
    file,
    `
name: devfs rules
hosts: all
steps:
  - name: jailnet ruleset
    devfs.ruleset:
      name: devfsrules_jailnet
      number: ${opts.number ?? 1000}
      state: ${opts.state ?? 'present'}
      rules:
${rules.map((r) => `        - ${JSON.stringify(r)}`).join('\n')}
`,
  );
  return file;
}

/** The device names a devfs mounted with ruleset 1000 shows (independent of fleetjail: the lab kernel's loaded rules). */
const VISIBLE = `d=$(mktemp -d /tmp/fj-devfs.XXXXXX) && mount -t devfs -o ruleset=1000 devfs "$d" && ls "$d" | tr '\\n' ' '; umount "$d"; rmdir "$d"`;

beforeAll(async () => {
  const r = await onAll(`set -e
if [ -e /etc/devfs.rules ]; then cp -p /etc/devfs.rules /var/tmp/fj-devfs.rules.saved; else rm -f /var/tmp/fj-devfs.rules.saved; fi
printf '%s' '${SITE}' > /etc/devfs.rules
service devfs restart`);
  for (const x of r) expect(x.stderr).toBe('');
});

afterAll(async () => {
  await onAll(
    `if [ -e /var/tmp/fj-devfs.rules.saved ]; then mv /var/tmp/fj-devfs.rules.saved /etc/devfs.rules; else rm -f /etc/devfs.rules; fi; service devfs restart`,
  );
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('devfs.ruleset on the lab fleet', () => {
  it("first run adds the section after the site's own, and the kernel has it", async () => {
    for (const r of await onAll(`${VISIBLE}; echo`)) expect(r.stderr).toMatch(/No such process/);
    const { cli, report } = await run(playbook());
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expectChangedOnAll(report, 1);
    for (const r of await onAll(`cat /etc/devfs.rules; echo ---; ${VISIBLE}`)) {
      const [file, visible] = r.stdout.split('---\n');
      expect(file).toBe(`${SITE}\n[devfsrules_jailnet=1000]\n${SEED003.join('\n')}\n`);
      const names = (visible ?? '').trim().split(' ');
      for (const n of ['bpf', 'bpf0', 'mem', 'kmem', 'zfs', 'null', 'ptmx']) expect(names).toContain(n);
      expect(names).not.toContain('pf');
    }
  });

  it('second run: 0 changed', async () => {
    const { cli, report } = await run(playbook());
    expect(cli.code).toBe(0);
    expectChangedOnAll(report, 0);
  });

  it('--check reports the change and changes nothing', async () => {
    const before = await onAll(`sha256 -q /etc/devfs.rules; ${VISIBLE}`);
    const { cli, report } = await run(playbook({ bpf: 'hide' }), '--check');
    expect(cli.code).toBe(0);
    expectChangedOnAll(report, 1);
    expect(cli.stdout).toContain(
      'would change: /etc/devfs.rules: update [devfsrules_jailnet=1000]; service devfs restart (load the rulesets)',
    );
    expect(await onAll(`sha256 -q /etc/devfs.rules; ${VISIBLE}`)).toEqual(before);
  });

  it("--diff shows the file's diff; the new rule is loaded", async () => {
    const { cli, report } = await run(playbook({ bpf: 'hide' }), '--diff');
    expect(cli.code).toBe(0);
    expectChangedOnAll(report, 1);
    for (const h of labHosts()) {
      expect(cli.stdout).toContain(`${h.name} |   -add path 'bpf*' unhide`);
      expect(cli.stdout).toContain(`${h.name} |   +add path 'bpf*' hide`);
    }
    for (const r of await onAll(VISIBLE)) {
      expect(r.stdout.split(' ')).not.toContain('bpf');
      expect(r.stdout.split(' ')).toContain('mem');
    }
    expectChangedOnAll((await run(playbook({ bpf: 'hide' }))).report, 0);
  });

  it('refuses a number used by another section, and changes nothing', async () => {
    const before = await onAll('sha256 -q /etc/devfs.rules');
    const { cli, report } = await run(playbook({ number: 900 }));
    expect(cli.code).toBe(2);
    for (const h of labHosts()) {
      expect(report.hosts[h.name]?.status).toBe('failed');
      expect(report.hosts[h.name]?.steps[0]?.error).toContain(
        'ruleset number 900 is already used by [devfsrules_site=900] in /etc/devfs.rules',
      );
    }
    const defaults = await run(playbook({ number: 4 }), '--check');
    expect(defaults.report.hosts[labHosts()[0]!.name]?.steps[0]?.error).toContain('[devfsrules_jail=4] in /etc/defaults/devfs.rules');
    expect(await onAll('sha256 -q /etc/devfs.rules')).toEqual(before);
  });

  it("state absent gives the site's file back byte for byte; again: 0 changed", async () => {
    const { cli, report } = await run(playbook({ state: 'absent' }));
    expect(cli.code).toBe(0);
    expectChangedOnAll(report, 1);
    for (const r of await onAll(`cat /etc/devfs.rules; ${VISIBLE}`)) {
      expect(r.stdout).toBe(SITE);
      expect(r.stderr).toMatch(/No such process/);
    }
    expectChangedOnAll((await run(playbook({ state: 'absent' }))).report, 0);
  });
});
