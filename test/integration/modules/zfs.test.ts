/**
 * zfs.dataset, zfs.snapshot and zfs.clone through the CLI on the lab's real ZFS (zfs-fuse,
 * one daemon per host): creation with properties, idempotence, drift found by --check
 * --diff, refusals, recursive destroy, absent. Host state is read with the OpenSSH client.
 * Everything lives under zroot/fjzt, removed before and after.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHost } from '../../lab/fleet.js';
import { labHosts } from '../../support/lab.js';
import { onHost, runPlaybook, scratchDir, writeFile } from '../engine/engine-lab.js';

const ROOT = 'zroot/fjzt';
const WWW = `${ROOT}/jails/data/www`;
const CLONE = `${ROOT}/clones/www2`;
const dir = scratchDir();

const PLAYBOOK = writeFile(
  dir,
  'zfs.yaml',
  `name: zfs modules
hosts: all
steps:
  - name: jails root
    zfs.dataset: { name: ${ROOT}/jails, properties: { compression: "on", "com.example:role": jails } }
  - name: www data
    zfs.dataset:
      name: ${WWW}
      properties: { quota: 10G, recordsize: 64K, atime: false, "com.example:owner": "web team's" }
  - name: base snapshot
    zfs.snapshot: { name: ${ROOT}/jails@base, recursive: true }
  - name: www2 clone
    zfs.clone: { name: ${CLONE}, origin: ${WWW}@base, properties: { quota: 1g, "com.example:role": clone } }
`,
);

const cleanup = () => Promise.all(labHosts().map((h) => onHost(h, `zfs destroy -R ${ROOT} 2>/dev/null; ! zfs list ${ROOT} 2>/dev/null`)));

/** property, value and source (tab-separated lines) of some properties of one dataset. */
const props = (host: LabHost, names: string, ds: string) => onHost(host, `zfs get -Hp -o property,value,source ${names} ${ds}`);

beforeAll(cleanup);
afterAll(async () => {
  await cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('zfs modules on the lab', () => {
  it('--check on a fresh host changes nothing: the steps after the first wait for what it would create', async () => {
    const r = await runPlaybook(PLAYBOOK, ['--check']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of labHosts()) {
      expect(r.report.hosts[h.name]).toMatchObject({ changed: 2, skipped: 2, failed: 0 });
      expect(await onHost(h, `zfs list ${ROOT} 2>&1 || true`)).toBe(`cannot open '${ROOT}': dataset does not exist\n`);
    }
  });

  it('first run creates nested datasets with properties, a recursive snapshot and a clone on every host', async () => {
    const r = await runPlaybook(PLAYBOOK);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of labHosts()) {
      expect(r.report.hosts[h.name]).toMatchObject({ status: 'changed', changed: 4, failed: 0 });
      expect(await props(h, 'quota,recordsize,atime,com.example:owner,compression', WWW)).toBe(
        [
          'quota\t10737418240\tlocal',
          'recordsize\t65536\tlocal',
          'atime\toff\tlocal',
          "com.example:owner\tweb team's\tlocal",
          `compression\ton\tinherited from ${ROOT}/jails`,
          '',
        ].join('\n'),
      );
      expect(await onHost(h, `zfs list -H -o name -t snapshot -r ${ROOT}`)).toBe(
        `${ROOT}/jails@base\n${ROOT}/jails/data@base\n${WWW}@base\n`,
      );
      expect(await props(h, 'origin,quota,com.example:role', CLONE)).toBe(
        `origin\t${WWW}@base\t-\nquota\t1073741824\tlocal\ncom.example:role\tclone\tlocal\n`,
      );
    }
  });

  it('second run changes nothing, in one round trip per host', async () => {
    const r = await runPlaybook(PLAYBOOK);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of labHosts()) expect(r.report.hosts[h.name]).toMatchObject({ status: 'ok', ok: 4, changed: 0, roundTrips: 1 });
  });

  it('--check --diff shows exactly a hand-made drift on one host, changes nothing; a run fixes it', async () => {
    const [h1, h2] = labHosts();
    await onHost(h2!, `zfs set quota=5G ${WWW}`);
    const check = await runPlaybook(PLAYBOOK, ['--check', '--diff']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.report.hosts[h1!.name]).toMatchObject({ changed: 0 });
    expect(check.report.hosts[h2!.name]).toMatchObject({ changed: 1, ok: 3 });
    const drifted = check.report.hosts[h2!.name]!.steps.filter((s) => s.changed);
    expect(drifted.map((s) => [s.name, s.diff])).toEqual([
      ['www data', [{ type: 'value', name: `${WWW} quota`, before: '5G', after: '10G' }]],
    ]);
    expect(check.stdout).toContain(`${WWW} quota: "5G" -> "10G"`);
    expect(await props(h2!, 'quota', WWW)).toBe('quota\t5368709120\tlocal\n');

    const fix = await runPlaybook(PLAYBOOK);
    expect(fix.report.hosts[h2!.name]).toMatchObject({ changed: 1 });
    expect(await props(h2!, 'quota', WWW)).toBe('quota\t10737418240\tlocal\n');
  });

  it('refuses a non-recursive destroy of a dataset with children, and a clone target that is not that clone', async () => {
    const refuse = writeFile(
      dir,
      'refuse.yaml',
      `name: refusals
hosts: all
steps:
  - zfs.dataset: { name: ${ROOT}/jails, state: absent }
`,
    );
    const r = await runPlaybook(refuse);
    expect(r.code).toBe(2);
    for (const h of labHosts()) {
      const err = r.report.hosts[h.name]!.steps[0]!.error ?? '';
      expect(err).toContain(`refusing to destroy ${ROOT}/jails: it has children ${ROOT}/jails/data, ${WWW}`);
      expect(err).toContain(`dependent clones ${CLONE}`);
      expect(err).toContain('recursive: true');
      expect(await onHost(h, `zfs list -H -o name ${ROOT}/jails; zfs list -H -o name ${CLONE}`)).toBe(`${ROOT}/jails\n${CLONE}\n`);
    }
    const notClone = writeFile(
      dir,
      'not-clone.yaml',
      `name: not a clone
hosts: all
steps:
  - zfs.clone: { name: ${WWW}, origin: ${ROOT}/jails@base }
`,
    );
    const c = await runPlaybook(notClone);
    expect(c.code).toBe(2);
    expect(c.report.hosts[labHosts()[0]!.name]!.steps[0]!.error).toContain(
      `${WWW} exists but is not a clone of ${ROOT}/jails@base (it is not a clone)`,
    );
  });

  it('recursive destroy takes children, snapshots and the dependent clone elsewhere (zfs destroy -R), on one host only', async () => {
    const [h1, h2] = labHosts();
    const destroy = writeFile(
      dir,
      'destroy.yaml',
      `name: recursive destroy
hosts: all
steps:
  - zfs.dataset: { name: ${ROOT}/jails, state: absent, recursive: true }
`,
    );
    const check = await runPlaybook(destroy, ['--check', '--diff', '-l', h1!.name]);
    expect(check.report.hosts[h1!.name]!.steps[0]!.diff?.map((d) => (d.type === 'value' ? d.name : d.path))).toEqual([
      `${ROOT}/jails`,
      `${ROOT}/jails@base`,
      `${ROOT}/jails/data`,
      `${ROOT}/jails/data@base`,
      WWW,
      `${WWW}@base`,
      CLONE,
    ]);
    expect(await onHost(h1!, `zfs list -H -o name ${CLONE}`)).toBe(`${CLONE}\n`);
    const r = await runPlaybook(destroy, ['-l', h1!.name]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await onHost(h1!, `zfs list -H -o name -r -t all ${ROOT}`)).toBe(`${ROOT}\n${ROOT}/clones\n`);
    expect(await onHost(h2!, `zfs list -H -o name ${CLONE}`)).toBe(`${CLONE}\n`);
  });

  it('absent: clone, snapshots and datasets go; a second run changes nothing', async () => {
    const absent = writeFile(
      dir,
      'absent.yaml',
      `name: zfs absent
hosts: all
steps:
  - zfs.clone: { name: ${CLONE}, origin: ${WWW}@base, state: absent }
  - zfs.snapshot: { name: ${ROOT}/jails@base, recursive: true, state: absent }
  - zfs.dataset: { name: ${ROOT}/jails/data/www, state: absent }
  - zfs.dataset: { name: ${ROOT}, state: absent, recursive: true }
`,
    );
    const r = await runPlaybook(absent, ['--diff']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [h1, ...others] = labHosts();
    expect(r.report.hosts[h1!.name]).toMatchObject({ changed: 1, ok: 3 }); // only zroot/fjzt/clones was left there
    for (const h of others) {
      expect(r.report.hosts[h.name]).toMatchObject({ changed: 4 });
      expect(r.report.hosts[h.name]!.steps[1]!.diff?.map((d) => (d.type === 'value' ? d.name : d.path))).toEqual([
        `${ROOT}/jails@base`,
        `${ROOT}/jails/data@base`,
        `${WWW}@base`,
      ]);
    }
    for (const h of labHosts())
      expect(await onHost(h, `zfs list -H -o name -r ${ROOT} 2>&1 || true`)).toBe(`cannot open '${ROOT}': dataset does not exist\n`);
    const again = await runPlaybook(absent);
    for (const h of labHosts()) expect(again.report.hosts[h.name]).toMatchObject({ changed: 0, ok: 4, roundTrips: 1 });
  });
});
