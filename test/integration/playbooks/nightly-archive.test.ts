/**
 * playbooks/nightly-archive.yaml on every lab host (real ZFS): the dated recursive snapshot
 * of each jail dataset in the `jails` variable and a tar archive of a jail without one, the
 * rotations keeping the newest seven (other snapshots and files untouched), nothing changed
 * by a second run the same day, and the next night's run rotating one more out.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectChangedOnAll, onAllHosts as onAll, runWithReport as run, scratchDir, writeFile } from '../../support/playbook.js';

const dir = scratchDir();
const vars = writeFile(
  dir,
  'jails.yaml',
  'archive_dir: /var/tmp/fj-archive\njails:\n  - { name: fjsnap, dataset: zroot/fjsnap }\n  - { name: fjplain, path: /var/tmp/fj-plain }\n',
);
const PLAYBOOK = 'playbooks/nightly-archive.yaml';
const night = (date: string) => run(PLAYBOOK, '-e', `@${vars}`, '-e', `today=${date}`);
const SNAPSHOTS = 'zfs list -H -o name -t snapshot -r zroot/fjsnap | sort';
const names = (ds: string, days: string[]) => days.map((d) => `${ds}@nightly-2026-01-${d}`);

beforeAll(async () => {
  // Eight older nightlies and a snapshot outside the rotation.
  for (const r of await onAll(`set -e
zfs destroy -r zroot/fjsnap >/dev/null 2>&1 || true
zfs create -p zroot/fjsnap/child
for d in 01 02 03 04 05 06 07 08; do zfs snapshot -r zroot/fjsnap@nightly-2026-01-$d; done
zfs snapshot zroot/fjsnap@base
rm -rf /var/tmp/fj-plain /var/tmp/fj-archive; mkdir -p /var/tmp/fj-plain/etc /var/tmp/fj-archive
echo 'hostname="fjplain"' > /var/tmp/fj-plain/etc/rc.conf
for d in 01 02 03 04 05 06 07 08; do : > /var/tmp/fj-archive/fjplain.2026-01-$d.txz; done
: > /var/tmp/fj-archive/other.txz; : > /var/tmp/fj-archive/fjplain-old.2026-01-01.txz`))
    expect(r.stderr).toBe('');
});

afterAll(async () => {
  await onAll('zfs destroy -r zroot/fjsnap; rm -rf /var/tmp/fj-plain /var/tmp/fj-archive');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('nightly-archive.yaml on the lab fleet', () => {
  it('snapshots the ZFS jail (every dataset below it), archives the other, and keeps the newest seven of each', async () => {
    const { cli, report } = await night('2026-01-09');
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expectChangedOnAll(report, 2);
    const kept = ['03', '04', '05', '06', '07', '08', '09'];
    const want = [...names('zroot/fjsnap', kept), 'zroot/fjsnap@base', ...names('zroot/fjsnap/child', kept)].sort();
    const files = ['fjplain-old.2026-01-01.txz', ...kept.map((d) => `fjplain.2026-01-${d}.txz`), 'other.txz'];
    for (const r of await onAll(
      `${SNAPSHOTS}; ls -a /var/tmp/fj-archive | grep txz | LC_ALL=C sort; stat -f %Mp%Lp /var/tmp/fj-archive/fjplain.2026-01-09.txz; tar -tJf /var/tmp/fj-archive/fjplain.2026-01-09.txz ./etc/rc.conf`,
    )) {
      expect(r.stdout).toBe(`${want.join('\n')}\n${files.join('\n')}\n0600\n./etc/rc.conf\n`);
    }
  });

  it('a second run the same night changes nothing; the next night rotates one more out', async () => {
    expectChangedOnAll((await night('2026-01-09')).report, 0);
    expectChangedOnAll((await night('2026-01-10')).report, 2);
    for (const r of await onAll(
      `${SNAPSHOTS} | grep -c nightly; ${SNAPSHOTS} | grep -c 2026-01-03; ls /var/tmp/fj-archive | grep -c '^fjplain\\.'; ls /var/tmp/fj-archive | grep -c 2026-01-03`,
    )) {
      expect(r.stdout).toBe('14\n0\n7\n0\n');
    }
  });
});
