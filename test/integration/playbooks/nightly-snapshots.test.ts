/**
 * playbooks/nightly-snapshots.yaml on every lab host (real ZFS): the dated recursive snapshot
 * of each jail dataset in the `jails` variable, the rotation keeping the newest seven of the
 * prefix (other snapshots untouched), nothing changed by a second run the same day, and the
 * next night's run rotating one more out.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectChangedOnAll, onAllHosts as onAll, runWithReport as run, scratchDir, writeFile } from '../../support/playbook.js';

const dir = scratchDir();
const vars = writeFile(dir, 'jails.yaml', 'jails:\n  - { name: fjsnap, dataset: zroot/fjsnap }\n  - { name: plain, path: /usr/jails/plain }\n');
const PLAYBOOK = 'playbooks/nightly-snapshots.yaml';
const night = (date: string) => run(PLAYBOOK, '-e', `@${vars}`, '-e', `today=${date}`);
const SNAPSHOTS = 'zfs list -H -o name -t snapshot -r zroot/fjsnap | sort';
const names = (ds: string, days: string[]) => days.map((d) => `${ds}@nightly-2026-01-${d}`);

beforeAll(async () => {
  // Eight older nightlies and a snapshot outside the rotation.
  for (const r of await onAll(`set -e
zfs destroy -r zroot/fjsnap >/dev/null 2>&1 || true
zfs create -p zroot/fjsnap/child
for d in 01 02 03 04 05 06 07 08; do zfs snapshot -r zroot/fjsnap@nightly-2026-01-$d; done
zfs snapshot zroot/fjsnap@base`)) expect(r.stderr).toBe('');
});

afterAll(async () => {
  await onAll('zfs destroy -r zroot/fjsnap');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('nightly-snapshots.yaml on the lab fleet', () => {
  it('takes the night\'s snapshot of every dataset below the jail\'s and keeps the newest seven', async () => {
    const { cli, report } = await night('2026-01-09');
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expectChangedOnAll(report, 1);
    const kept = ['03', '04', '05', '06', '07', '08', '09'];
    const want = [...names('zroot/fjsnap', kept), 'zroot/fjsnap@base', ...names('zroot/fjsnap/child', kept)].sort();
    for (const r of await onAll(SNAPSHOTS)) expect(r.stdout).toBe(`${want.join('\n')}\n`);
  });

  it('a second run the same night changes nothing; the next night rotates one more out', async () => {
    expectChangedOnAll((await night('2026-01-09')).report, 0);
    expectChangedOnAll((await night('2026-01-10')).report, 1);
    for (const r of await onAll(`${SNAPSHOTS} | grep -c nightly; ${SNAPSHOTS} | grep -c 2026-01-03`)) expect(r.stdout).toBe('14\n0\n');
  });
});
