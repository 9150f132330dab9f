/**
 * zfs.dataset never unmounts a file system in use without `force: true`: a running jail with
 * its root under a dataset, a dataset with a mounted child. On every lab host (real ZFS,
 * zfs-fuse), through the CLI; host state read with the OpenSSH client.
 *
 * The lab's zfs-fuse moves a mount even under a running jail (Linux detaches it; the jail's
 * root is left behind), where FreeBSD's zfs fails with "Device busy": the refusal is what
 * keeps the jail whole on both. With force, the lab shows the change reaching zfs.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHost } from '../../lab/fleet.js';
import { labHosts } from '../../support/lab.js';
import { onHost, runPlaybook, scratchDir, writeFile } from '../engine/engine-lab.js';

const ROOT = 'zroot/fjzb';
const JAILS = `${ROOT}/jails`;
const JAIL = 'fjzb';
const JAIL_ROOT = `/zroot/fjzb/jails/${JAIL}`;
const BOX = `${ROOT}/box`;
const dir = scratchDir();

const setup = [
  `zfs create -p ${JAILS}`,
  `zfs create -p ${BOX}/inner`,
  `sh /.sys/userland/lib/jail/mini-root.sh ${JAIL_ROOT} >/dev/null`,
  `jail -c name=${JAIL} path=${JAIL_ROOT} persist >/dev/null`,
].join('\n');

const cleanup = () =>
  Promise.all(
    labHosts().map((h) =>
      onHost(
        h,
        `jail -r ${JAIL} >/dev/null 2>&1; zfs destroy -r ${ROOT} 2>/dev/null; rmdir /fjzb-moved /fjzb-box 2>/dev/null; ! zfs list ${ROOT} 2>/dev/null`,
      ),
    ),
  );

const state = (h: LabHost, ds: string) => onHost(h, `zfs get -H -o property,value mountpoint,mounted ${ds}`);
const jailRunning = (h: LabHost) => onHost(h, `jls -j ${JAIL} path && jexec ${JAIL} /bin/sh -c 'echo alive'`);

const step = (name: string, extra = '') =>
  writeFile(
    dir,
    `${name.replace(/\W/g, '_')}${extra ? '-f' : ''}.yaml`,
    `name: ${name}
hosts: all
steps:
  - zfs.dataset: { name: ${name}, properties: { mountpoint: ${name === JAILS ? '/fjzb-moved' : '/fjzb-box'} }${extra} }
`,
  );

beforeAll(async () => {
  await cleanup();
  await Promise.all(labHosts().map((h) => onHost(h, setup)));
});
afterAll(async () => {
  await cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('zfs.dataset and file systems in use, on the lab', () => {
  it('a mountpoint change of the dataset holding a running jail is refused on every host, naming the jail; nothing is unmounted', async () => {
    for (const mode of [['--check'], []]) {
      const r = await runPlaybook(step(JAILS), mode);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      for (const h of labHosts()) {
        const err = r.report.hosts[h.name]!.steps[0]!.error ?? '';
        expect(err).toContain(`refusing to set mountpoint /zroot/fjzb/jails (inherited from zroot) -> /fjzb-moved on ${JAILS}`);
        expect(err).toContain(`running jail ${JAIL} (root ${JAIL_ROOT})`);
        expect(err).toContain(`stop jail ${JAIL} first, or set force: true on the step`);
        expect(await state(h, JAILS)).toBe('mountpoint\t/zroot/fjzb/jails\nmounted\tyes\n');
        expect(await jailRunning(h)).toBe(`${JAIL_ROOT}\nalive\n`);
      }
    }
  });

  it('destroying the parent, even recursive, is refused while the jail runs', async () => {
    const r = await runPlaybook(
      writeFile(
        dir,
        'destroy.yaml',
        `name: destroy
hosts: all
steps:
  - zfs.dataset: { name: ${ROOT}, state: absent, recursive: true }
`,
      ),
    );
    expect(r.code, r.stdout + r.stderr).toBe(2);
    for (const h of labHosts()) {
      expect(r.report.hosts[h.name]!.steps[0]!.error).toMatch(
        new RegExp(`^refusing to destroy ${ROOT}: zfs would unmount ${ROOT}, .*running jail ${JAIL} \\(root ${JAIL_ROOT}\\)`),
      );
      expect(await onHost(h, `zfs list -H -o name -r ${ROOT}`)).toBe(`${ROOT}\n${BOX}\n${BOX}/inner\n${JAILS}\n`);
    }
  });

  it('a dataset with a mounted child: refused naming the child; force: true has zfs move both', async () => {
    const refused = await runPlaybook(step(BOX));
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    for (const h of labHosts()) {
      expect(refused.report.hosts[h.name]!.steps[0]!.error).toContain(
        `in use by mounted dataset ${BOX}/inner (/zroot/fjzb/box/inner). To proceed: set force: true on the step to have zfs unmount and remount them`,
      );
      expect(await state(h, `${BOX}/inner`)).toBe('mountpoint\t/zroot/fjzb/box/inner\nmounted\tyes\n');
    }
    const forced = await runPlaybook(step(BOX, ', force: true'));
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    for (const h of labHosts()) {
      expect(forced.report.hosts[h.name]).toMatchObject({ changed: 1 });
      expect(await state(h, `${BOX}/inner`)).toBe('mountpoint\t/fjzb-box/inner\nmounted\tyes\n');
    }
    const again = await runPlaybook(step(BOX, ', force: true'));
    for (const h of labHosts()) expect(again.report.hosts[h.name]).toMatchObject({ changed: 0, ok: 1 });
  });

  it('force: true under the running jail reaches zfs and the report says what zfs did', async () => {
    const r = await runPlaybook(step(JAILS, ', force: true'));
    for (const h of labHosts()) {
      const host = r.report.hosts[h.name]!;
      // zfs-fuse moves the mount (FreeBSD's zfs would fail "Device busy"): either way the report follows zfs.
      const mountpoint = await onHost(h, `zfs get -H -o value mountpoint ${JAILS}`);
      if (mountpoint === '/fjzb-moved\n') expect(host).toMatchObject({ status: 'changed', changed: 1 });
      else expect(host.steps[0]!.error).toMatch(/busy/i);
      expect(host.steps[0]!.changes).toEqual([`${JAILS}: mountpoint /zroot/fjzb/jails (inherited from zroot) -> /fjzb-moved`]);
    }
  });
});
