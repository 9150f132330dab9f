/**
 * The release module on the lab fleet (#5 point 2), through the CLI as an operator runs it:
 * a template on a ZFS dataset (snapshot per patch level) and one in a plain directory (with
 * lib32), on every host; a second run changes nothing; a new patch on the update server
 * (setUpdatePatchLevel) is seen by --check without touching the hosts, then applied and
 * snapshotted, and a further run changes nothing. Also: a corrupted set on a mirror is
 * refused, and an extraction that did not finish is done again. Host state is checked
 * over plain ssh.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpdatePatchLevel } from '../../lab/mirror/server.js';
import { fleetjail, type CliResult } from '../../support/cli.js';
import { labHosts, labLayout, labPaths, sshRun } from '../../support/lab.js';
import type { JsonReportV1 } from '../../../src/report/json-report.js';

const MIRROR = 'http://mirror.lab/pub/FreeBSD/releases';
const RELEASE_URL = `${MIRROR}/amd64/amd64/14.2-RELEASE`;
const ZFS_PATH = '/usr/rt-templates/14.2-RELEASE';
const DATASET = 'zroot/usr/rt-templates/14.2-RELEASE';
const DIR_PATH = '/usr/local/rt-ufs/14.2-RELEASE';
const BAD_PATH = '/usr/local/rt-bad/14.2-RELEASE';
const BAD_MIRROR = '/var/tmp/rt-bad-mirror';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-release-'));
const PLAYBOOK = path.join(tmp, 'templates.yaml');
fs.writeFileSync(
  PLAYBOOK,
  `
name: release templates
hosts: all
vars:
  mirror: ${MIRROR}
steps:
  - name: zfs template
    release:
      version: 14.2-RELEASE
      path: ${ZFS_PATH}
      dataset: ${DATASET}
      mirror: "{{ mirror }}"
      snapshot: patch
  - name: ufs template
    release: { version: 14.2-RELEASE, path: ${DIR_PATH}, mirror: "{{ mirror }}", sets: [base, lib32] }
`,
);

/** Runs sh -c SCRIPT on HOST (some lab hosts log in with tcsh). */
const sh = (host: ReturnType<typeof labHosts>[number], script: string) => sshRun(host, `sh -c '${script.replace(/'/g, `'\\''`)}'`);

async function run(playbook: string, ...extra: string[]): Promise<{ cli: CliResult; report: JsonReportV1 }> {
  const reportFile = path.join(tmp, `report-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const cli = await fleetjail(['run', playbook, '-i', labPaths.inventory, '--report', reportFile, ...extra]);
  if (!fs.existsSync(reportFile)) throw new Error(`no report (exit ${cli.code}):\n${cli.stdout}\n${cli.stderr}`);
  return { cli, report: JSON.parse(fs.readFileSync(reportFile, 'utf8')) as JsonReportV1 };
}

/** The change summaries that the text output printed for HOST's step NAME. */
function changesOf(cli: CliResult, host: string, step: string): string[] {
  const line = cli.stdout.split('\n').find((l) => l.startsWith(`${host} | ${step}: `) && /: (would change|changed): /.test(l));
  return line ? line.replace(/^.*?: (would change|changed): /, '').split('; ') : [];
}

async function cleanHosts(): Promise<void> {
  await Promise.all(
    labHosts().map((h) =>
      sh(
        h,
        [
          `zfs destroy -r zroot/usr/rt-templates >/dev/null 2>&1`,
          // only this test's templates and their freebsd-update working directories
          `rm -rf /usr/rt-templates /usr/local/rt-ufs /usr/local/rt-bad ${BAD_MIRROR} /var/db/freebsd-update/fleetjail/usr_rt-templates_* /var/db/freebsd-update/fleetjail/usr_local_rt-*`,
          'rm -rf /var/tmp/fleetjail-release.*',
          'true',
        ].join('; '),
      ),
    ),
  );
}

beforeAll(async () => {
  setUpdatePatchLevel(labLayout, '14.2-RELEASE', undefined);
  await cleanHosts();
});

afterAll(async () => {
  setUpdatePatchLevel(labLayout, '14.2-RELEASE', undefined);
  await cleanHosts();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('release: templates on ZFS and in a plain directory', () => {
  it('first run: extracts the verified sets, copies resolv.conf and localtime, updates to -p3, snapshots @p3', async () => {
    const { cli, report } = await run(PLAYBOOK);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    const hosts = labHosts();
    expect(report.summary.changed).toBe(hosts.length);
    for (const h of hosts) {
      expect(changesOf(cli, h.name, 'zfs template')).toEqual([
        `create dataset ${DATASET} (mountpoint ${ZFS_PATH})`,
        'extract base.txz 14.2-RELEASE',
        `copy /etc/resolv.conf into ${ZFS_PATH}`,
        `copy /etc/localtime into ${ZFS_PATH}`,
        'freebsd-update 14.2-RELEASE -> latest patch level',
        `snapshot ${DATASET}@pN (the patch level reached)`,
      ]);
      expect(changesOf(cli, h.name, 'ufs template')).toEqual([
        `create directory ${DIR_PATH}`,
        'extract base.txz 14.2-RELEASE',
        'extract lib32.txz 14.2-RELEASE',
        `copy /etc/resolv.conf into ${DIR_PATH}`,
        `copy /etc/localtime into ${DIR_PATH}`,
        'freebsd-update 14.2-RELEASE -> latest patch level',
      ]);
    }

    // The host's own view, independently of fleetjail.
    const manifest = (await sh(hosts[0]!, `fetch -q -o - ${RELEASE_URL}/MANIFEST`)).stdout;
    const sum = (file: string) =>
      manifest
        .split('\n')
        .find((l) => l.startsWith(`${file}\t`))
        ?.split('\t')[1];
    expect(sum('base.txz')).toMatch(/^[0-9a-f]{64}$/);
    for (const h of hosts) {
      const r = await sh(
        h,
        [
          `${ZFS_PATH}/bin/freebsd-version -u`,
          `${DIR_PATH}/bin/freebsd-version -u`,
          `zfs list -H -o name -t snapshot -d 1 ${DATASET}`,
          `zfs get -H -o value mountpoint ${DATASET}`,
          `cat ${ZFS_PATH}/.fleetjail-release ${DIR_PATH}/.fleetjail-release`,
          `cmp /etc/resolv.conf ${ZFS_PATH}/etc/resolv.conf && cmp /etc/localtime ${DIR_PATH}/etc/localtime && echo copied`,
          `ls -d ${DIR_PATH}/usr/lib32 && ls /var/tmp | grep -c fleetjail-release || true`,
        ].join('; '),
      );
      expect(r.stdout.split('\n')).toEqual([
        '14.2-RELEASE-p3',
        '14.2-RELEASE-p3',
        `${DATASET}@p3`,
        ZFS_PATH,
        `base.txz 14.2-RELEASE ${sum('base.txz')}`,
        `base.txz 14.2-RELEASE ${sum('base.txz')}`,
        `lib32.txz 14.2-RELEASE ${sum('lib32.txz')}`,
        'copied',
        `${DIR_PATH}/usr/lib32`,
        '0',
        '',
      ]);
    }
  });

  it('second run: 0 changed', async () => {
    const { cli, report } = await run(PLAYBOOK);
    expect(cli.code).toBe(0);
    expect(report.summary.changed).toBe(0);
    for (const h of Object.values(report.hosts)) expect(h.steps.map((s) => s.status)).toEqual(['ok', 'ok']);
  });

  it('a new patch level: --check --diff shows it and changes nothing; a run updates to -p4 and snapshots @p4; then 0 changed', async () => {
    setUpdatePatchLevel(labLayout, '14.2-RELEASE', 4);
    const hosts = labHosts();
    const check = await run(PLAYBOOK, '--check', '--diff');
    expect(check.cli.code).toBe(0);
    for (const h of hosts) {
      expect(changesOf(check.cli, h.name, 'zfs template')).toEqual([
        'freebsd-update 14.2-RELEASE-p3 -> 14.2-RELEASE-p4',
        `snapshot ${DATASET}@p4`,
      ]);
      expect(changesOf(check.cli, h.name, 'ufs template')).toEqual(['freebsd-update 14.2-RELEASE-p3 -> 14.2-RELEASE-p4']);
      expect(check.report.hosts[h.name]?.steps[0]?.diff).toContainEqual({
        type: 'value',
        name: `${ZFS_PATH}: freebsd-version -u`,
        before: '14.2-RELEASE-p3',
        after: '14.2-RELEASE-p4',
      });
      const r = await sh(
        h,
        `${ZFS_PATH}/bin/freebsd-version -u; ${DIR_PATH}/bin/freebsd-version -u; zfs list -H -o name -t snapshot -d 1 ${DATASET}`,
      );
      expect(r.stdout).toBe(`14.2-RELEASE-p3\n14.2-RELEASE-p3\n${DATASET}@p3\n`);
    }

    const update = await run(PLAYBOOK);
    expect(update.cli.code, update.cli.stdout).toBe(0);
    expect(update.report.summary.changed).toBe(hosts.length);
    for (const h of hosts) {
      expect(changesOf(update.cli, h.name, 'zfs template')).toEqual([
        'freebsd-update 14.2-RELEASE-p3 -> 14.2-RELEASE-p4',
        `snapshot ${DATASET}@p4`,
      ]);
      const r = await sh(
        h,
        `${ZFS_PATH}/bin/freebsd-version -u; ${DIR_PATH}/bin/freebsd-version -u; zfs list -H -o name -t snapshot -d 1 ${DATASET}`,
      );
      expect(r.stdout).toBe(`14.2-RELEASE-p4\n14.2-RELEASE-p4\n${DATASET}@p3\n${DATASET}@p4\n`);
    }

    const again = await run(PLAYBOOK);
    expect(again.report.summary.changed).toBe(0);
  });

  it("update_check_every: within the interval a run reuses the update server's last answer", async () => {
    const cached = path.join(tmp, 'cached.yaml');
    fs.writeFileSync(
      cached,
      `hosts: all\nsteps:\n  - name: ufs template\n    release: { version: 14.2-RELEASE, path: ${DIR_PATH}, mirror: ${MIRROR}, sets: [base, lib32], update_check_every: 1h }\n`,
    );
    expect((await run(cached)).report.summary.changed).toBe(0); // asks, and keeps the answer (no update past -p4)
    setUpdatePatchLevel(labLayout, '14.2-RELEASE', 5);
    try {
      // Within the hour: the kept answer, so -p5 is not seen yet ...
      expect((await run(cached)).report.summary.changed).toBe(0);
      // ... while the same template without the option asks again and sees it.
      const fresh = await run(PLAYBOOK, '--check');
      for (const h of labHosts())
        expect(changesOf(fresh.cli, h.name, 'ufs template')).toEqual(['freebsd-update 14.2-RELEASE-p4 -> 14.2-RELEASE-p5']);
    } finally {
      setUpdatePatchLevel(labLayout, '14.2-RELEASE', 4);
    }
  });

  it('an extraction that did not finish is done again, and brought back to the patch level', async () => {
    const h = labHosts()[0]!;
    // What an interrupted run leaves: the "extracting" marker, a partly written tree.
    await sh(h, `printf 'base.txz\\n' > ${DIR_PATH}/.fleetjail-extracting && rm -rf ${DIR_PATH}/usr/share`);
    const { cli } = await run(PLAYBOOK, '-l', h.name);
    expect(cli.code, cli.stdout).toBe(0);
    expect(changesOf(cli, h.name, 'ufs template')).toEqual([
      'extract base.txz 14.2-RELEASE',
      `copy /etc/resolv.conf into ${DIR_PATH}`,
      `copy /etc/localtime into ${DIR_PATH}`,
      'freebsd-update 14.2-RELEASE -> latest patch level',
    ]);
    const r = await sh(
      h,
      `${DIR_PATH}/bin/freebsd-version -u; ls -d ${DIR_PATH}/usr/share; ls ${DIR_PATH}/.fleetjail-extracting 2>&1 >/dev/null | wc -l`,
    );
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['14.2-RELEASE-p4', `${DIR_PATH}/usr/share`]);
    expect(r.stdout.split('\n')[2]?.trim()).toBe('1'); // the marker is gone
    expect((await run(PLAYBOOK, '-l', h.name)).report.summary.changed).toBe(0);
  });
});

describe('release: a set that does not match the MANIFEST', () => {
  it('is refused, deleted, and nothing is extracted', async () => {
    const h = labHosts()[0]!;
    const dir = `${BAD_MIRROR}/amd64/amd64/14.2-RELEASE`;
    // A mirror with the true MANIFEST and a base.txz that was corrupted in transit.
    const prep = await sh(
      h,
      `mkdir -p ${dir} && cd ${dir} && fetch -q ${RELEASE_URL}/MANIFEST && fetch -q ${RELEASE_URL}/base.txz && printf x >> base.txz`,
    );
    expect(prep.code, prep.stderr).toBe(0);
    const pb = path.join(tmp, 'bad.yaml');
    fs.writeFileSync(
      pb,
      `hosts: ${h.name}\nsteps:\n  - release: { version: 14.2-RELEASE, path: ${BAD_PATH}, mirror: "file://${BAD_MIRROR}" }\n`,
    );
    const { cli, report } = await run(pb);
    expect(cli.code).toBe(2);
    const step = report.hosts[h.name]?.steps[0];
    expect(step?.status).toBe('failed');
    expect(step?.error).toMatch(
      /base\.txz: sha256 does not match the MANIFEST \([0-9a-f]{64}\); the download was deleted and nothing was extracted \(got [0-9a-f]{64}\)/,
    );
    const r = await sh(h, `ls -A ${BAD_PATH} | wc -l; ls /var/tmp | grep -c fleetjail-release`);
    expect(r.stdout.split('\n').map((l) => l.trim())).toEqual(['0', '0', '']);
  });
});
