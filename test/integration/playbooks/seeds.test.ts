/**
 * The seed workflows as playbooks (#5 point 5), on every lab host, through the CLI as an
 * operator runs them: the first run brings the jails up (jls lists them, jexec NAME
 * freebsd-version prints the template's patch level), the second run changes nothing, and
 * after a new patch appears on the mirror a re-run moves the template and every jail to it.
 * Seed 002's teardown playbook (state: absent) removes everything again, and is idempotent
 * too; the other seeds' leftovers are removed by a shell script, so each seed starts clean.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetjail, parseJson, type CliResult } from '../../support/cli.js';
import { labHosts, labLayout, labPaths, shRun, sshRun } from '../../support/lab.js';
import { setUpdatePatchLevel } from '../../lab/mirror/server.js';
import { PROJECT_ROOT } from '../../lab/layout.js';
import type { JsonReportV1 } from '../../../src/report/json-report.js';

const playbook = (name: string) => path.join(PROJECT_ROOT, 'playbooks', name);
const fixture = (name: string) => path.join(PROJECT_ROOT, 'test', 'integration', 'playbooks', 'fixtures', name);

async function run(file: string, ...extra: string[]): Promise<{ cli: CliResult; report: JsonReportV1 }> {
  const cli = await fleetjail(['run', file, '-i', labPaths.inventory, '--json', ...extra]);
  return { cli, report: parseJson<JsonReportV1>(cli) };
}

function expectAllOk(r: { cli: CliResult; report: JsonReportV1 }, changed: 'none' | 'some'): void {
  const hosts = Object.entries(r.report.hosts);
  expect(hosts).toHaveLength(labHosts().length);
  for (const [name, h] of hosts) {
    const failed = h.steps.filter((s) => s.status === 'failed').map((s) => `${s.name}: ${s.error}`);
    expect(failed, name).toEqual([]);
    expect(h.status, `${name}: ${h.error ?? ''}`).toBe(changed === 'none' ? 'ok' : 'changed');
    if (changed === 'none') expect(h.changed, name).toBe(0);
  }
  expect(r.cli.code, r.cli.stderr).toBe(0);
}

/** On every host: `jexec NAME freebsd-version` for each jail, and the jails jls lists. */
async function jailVersions(jails: string[]): Promise<Array<{ host: string; listed: string[]; versions: string[] }>> {
  return Promise.all(
    labHosts().map(async (h) => {
      const listed = (await sshRun(h, 'jls name')).stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const versions = await Promise.all(jails.map(async (j) => (await sshRun(h, `jexec ${j} freebsd-version`)).stdout.trim()));
      return { host: h.name, listed, versions };
    }),
  );
}

describe('seed 002: VNET thin jails on ZFS', () => {
  afterAll(async () => {
    setUpdatePatchLevel(labLayout, '14.2-RELEASE', undefined);
    await fleetjail(['run', fixture('vnet-thin-jails-absent.yaml'), '-i', labPaths.inventory]);
  });

  it("first run: template at the feed's patch level, both jails up on VNET", async () => {
    expectAllOk(await run(playbook('vnet-thin-jails.yaml')), 'some');
    for (const h of await jailVersions(['dev', 'web'])) {
      expect(h.listed.sort(), h.host).toEqual(['dev', 'web']);
      expect(h.versions, h.host).toEqual(['14.2-RELEASE-p3', '14.2-RELEASE-p3']);
    }
    for (const h of labHosts()) {
      const r = await sshRun(h, 'jexec web ifconfig epair254b; zfs get -H -o value origin zroot/jails/containers/dev; sysrc -n jail_list');
      expect(r.stdout, h.name).toMatch(/inet 192\.168\.7\.254 netmask 0xffffff00/);
      expect(r.stdout, h.name).toContain('zroot/jails/templates/14.2-RELEASE-base@base\n');
      expect(r.stdout.trim().split('\n').pop(), h.name).toBe('dev web');
    }
  });

  it('second run: 0 changed on every host', async () => {
    expectAllOk(await run(playbook('vnet-thin-jails.yaml')), 'none');
  });

  it('a new patch on the mirror: a re-run updates the template and moves both jails to it', async () => {
    setUpdatePatchLevel(labLayout, '14.2-RELEASE', 4);
    const r = await run(playbook('vnet-thin-jails.yaml'));
    expectAllOk(r, 'some');
    for (const h of await jailVersions(['dev', 'web'])) expect(h.versions, h.host).toEqual(['14.2-RELEASE-p4', '14.2-RELEASE-p4']);
    for (const h of labHosts()) {
      expect((await sshRun(h, '/usr/local/jails/templates/14.2-RELEASE-base/bin/freebsd-version -u')).stdout.trim(), h.name).toBe(
        '14.2-RELEASE-p4',
      );
    }
    expectAllOk(await run(playbook('vnet-thin-jails.yaml')), 'none');
  });

  it('release-update.yaml (templates and jails from inventory variables): the next patch reaches every jail', async () => {
    const vars = ['-e', `@${fixture('seed-002-fleet-vars.yaml')}`];
    expectAllOk(await run(playbook('release-update.yaml'), ...vars), 'none');
    setUpdatePatchLevel(labLayout, '14.2-RELEASE', 5);
    const plan = await run(playbook('release-update.yaml'), ...vars, '--check');
    expect(plan.cli.code).toBe(0);
    // --check plans each step against the host as it is: the jails' template is not updated yet.
    for (const h of Object.values(plan.report.hosts)) expect(h.steps.map((s) => s.changed)).toEqual([true, false, false]);
    for (const h of await jailVersions(['dev', 'web'])) expect(h.versions, h.host).toEqual(['14.2-RELEASE-p4', '14.2-RELEASE-p4']);
    expectAllOk(await run(playbook('release-update.yaml'), ...vars), 'some');
    for (const h of await jailVersions(['dev', 'web'])) expect(h.versions, h.host).toEqual(['14.2-RELEASE-p5', '14.2-RELEASE-p5']);
    expectAllOk(await run(playbook('release-update.yaml'), ...vars), 'none');
    expectAllOk(await run(playbook('vnet-thin-jails.yaml')), 'none');
  });

  it('the teardown playbook removes jails and datasets, and a second teardown changes nothing', async () => {
    expectAllOk(await run(fixture('vnet-thin-jails-absent.yaml')), 'some');
    for (const h of labHosts()) {
      // No 2>&1: even hosts' login shell is tcsh.
      const r = await sshRun(h, 'jls name; ls /etc/jail.conf.d; zfs list -H -o name zroot/jails');
      expect(r.stdout, h.name).toBe('');
      expect(r.stderr, h.name).toBe("cannot open 'zroot/jails': dataset does not exist\n");
    }
    expectAllOk(await run(fixture('vnet-thin-jails-absent.yaml')), 'none');
  });
});

/** Everything the seed playbooks leave on a host, removed (run before and after each seed). */
const CLEANUP = `jail -r '*' >/dev/null 2>&1
rm -f /etc/jail.conf.d/*.conf /etc/jail.conf
zfs destroy -r zroot/jails >/dev/null 2>&1
rm -rf /usr/local/jails /usr/jails/sharedfs /usr/jails/postgres /home/jail /usr/ports
for v in jail_enable jail_list jail_parallel_start cloned_interfaces ifconfig_lo1_alias0 pf_enable linux_enable; do sysrc -x $v >/dev/null 2>&1; done
ifconfig lo1 destroy >/dev/null 2>&1; ifconfig bridge0 destroy >/dev/null 2>&1
pfctl -d >/dev/null 2>&1; kldunload pf >/dev/null 2>&1; rm -f /etc/pf.conf
rm -f /etc/devfs.rules; service devfs restart >/dev/null 2>&1
pkg delete -y debootstrap >/dev/null 2>&1
true`;
const cleanup = () => Promise.all(labHosts().map((h) => shRun(h, CLEANUP)));

/** One seed playbook: a clean start, a first run that changes every host, a converged second run. */
function seed(
  title: string,
  file: string,
  jails: string[],
  check: (h: ReturnType<typeof labHosts>[number]) => Promise<void>,
  extra: string[] = [],
): void {
  describe(title, () => {
    beforeAll(cleanup);
    afterAll(cleanup);

    it(`first run: ${jails.join(', ')} up at the template's patch level`, async () => {
      expectAllOk(await run(playbook(file), ...extra), 'some');
      for (const h of await jailVersions(jails)) {
        expect(h.listed.sort(), h.host).toEqual([...jails].sort());
        expect(h.versions, h.host).toEqual(jails.map(() => '14.2-RELEASE-p3'));
      }
      for (const h of labHosts()) await check(h);
    });

    it('second run: 0 changed on every host', async () => {
      expectAllOk(await run(playbook(file), ...extra), 'none');
    });
  });
}

// Seed 000's superuser password comes from the environment (a secret); the inventory names the clients pf lets reach 5432.
const PG_PASSWORD = 'lab-Superuser-pw';
process.env.FLEETJAIL_PG_SUPERUSER_PASSWORD = PG_PASSWORD;
const hex = (s: string) => Buffer.from(s).toString('hex');

seed(
  'seed 000: PostgreSQL jail on lo1 with SysV IPC, pf in front',
  'postgres-jail.yaml',
  ['postgres'],
  async (h) => {
    const r = await shRun(
      h,
      'ifconfig lo1 | grep -c "inet 192.168.1."; service -j postgres postgresql status; jls -j postgres allow.sysvipc; pfctl -s nat',
    );
    expect(r.stdout, h.name).toMatch(/^10\npostgresql is running as pid \d+\.\ntrue\n/);
    expect(r.stdout, h.name).toContain(
      'rdr pass on em0 inet proto tcp from <pg_clients> to (em0) port = postgresql -> 192.168.1.3 port 5432',
    );
    // initdb as the seed runs it: scram-sha-256 for every connection, the password read from a file that is gone.
    const pg = await shRun(
      h,
      'd=/usr/jails/postgres/var/db/postgres; grep -c "scram-sha-256$" $d/data16/pg_hba.conf; cat $d/data16/global/pg_authid; ls -A $d; pfctl -t pg_clients -T show',
    );
    expect(pg.stdout, h.name).toBe(`3\npostgres scram-sha-256 ${hex(PG_PASSWORD)}\ndata16\n   192.0.2.0/24\n   198.51.100.7\n`);
  },
  ['-e', `@${fixture('seed-000-postgres-clients.yaml')}`],
);

seed('seed 003: classic nullfs jails on UFS with a custom devfs ruleset', 'classic-jails.yaml', ['jail_01', 'jail_02'], async (h) => {
  const r = await shRun(
    h,
    'mount | grep -c " on /home/jail/jail_01/.* (nullfs, local, read-only)"; ls /home/jail/jail_02/dev | grep -c -E "^(mem|kmem|bpf|zfs)$"; jexec jail_01 touch /bin/x 2>/dev/null || echo read-only; jexec jail_01 touch /usr/ports/distfiles/x && echo distfiles writable',
  );
  expect(r.stdout, h.name).toBe('11\n4\nread-only\ndistfiles writable\n');
});

seed('seed 004: Linux jail with a Debian userland', 'linux-jail.yaml', ['d2l'], async (h) => {
  const r = await shRun(
    h,
    'sysrc -n linux_enable; kldstat -q -n linux64 && echo linux64; jexec d2l chroot /compat/debian /bin/sh -c "cat /etc/debian_version; test -r /proc/version && echo linprocfs"; mount | grep -c " on /usr/local/jails/containers/d2l/compat/debian/"',
  );
  expect(r.stdout, h.name).toBe('YES\nlinux64\n12.8\nlinprocfs\n6\n');
});

describe('all four seed playbooks on one host (vars/jail-layout.yaml)', () => {
  beforeAll(cleanup);
  afterAll(cleanup);
  const ALL = ['d2l', 'dev', 'jail_01', 'jail_02', 'postgres', 'web'];

  it('run one after the other, 004 first: every jail up, the shared datasets as the layout says', async () => {
    for (const file of ['linux-jail.yaml', 'vnet-thin-jails.yaml', 'classic-jails.yaml', 'postgres-jail.yaml'])
      expectAllOk(await run(playbook(file)), 'some');
    for (const h of await jailVersions(ALL)) {
      expect(h.listed.sort(), h.host).toEqual(ALL);
      expect(h.versions, h.host).toEqual(ALL.map(() => '14.2-RELEASE-p3'));
    }
    for (const h of labHosts()) {
      const r = await shRun(h, 'zfs get -H -o name,value,source -r mountpoint zroot/jails | grep -v @ | LC_ALL=C sort');
      expect(r.stdout, h.name).toBe(
        [
          'zroot/jails\t/usr/local/jails\tlocal',
          'zroot/jails/containers\t/usr/local/jails/containers\tinherited from zroot/jails',
          'zroot/jails/containers/d2l\t/usr/local/jails/containers/d2l\tlocal',
          'zroot/jails/containers/dev\t/usr/local/jails/containers/dev\tlocal',
          'zroot/jails/containers/web\t/usr/local/jails/containers/web\tlocal',
          'zroot/jails/media\t/usr/local/jails/media\tinherited from zroot/jails',
          'zroot/jails/templates\t/usr/local/jails/templates\tinherited from zroot/jails',
          'zroot/jails/templates/14.2-RELEASE-base\t/usr/local/jails/templates/14.2-RELEASE-base\tlocal',
          '',
        ].join('\n'),
      );
    }
  });

  it('then each of them again, in the other order: 0 changed on every host', async () => {
    for (const file of ['postgres-jail.yaml', 'classic-jails.yaml', 'vnet-thin-jails.yaml', 'linux-jail.yaml'])
      expectAllOk(await run(playbook(file)), 'none');
  });

  it('a playbook that disagrees on the mountpoint is refused, naming the jails on it; nothing moves', async () => {
    const r = await run(playbook('vnet-thin-jails.yaml'), '-e', 'jails_root=/zroot/jails');
    expect(r.cli.code).toBe(2);
    for (const h of labHosts()) {
      const step = r.report.hosts[h.name]!.steps[0]!;
      expect(step.status, h.name).toBe('failed');
      expect(step.error, h.name).toContain('refusing to set mountpoint /usr/local/jails -> /zroot/jails on zroot/jails');
      for (const j of [
        'd2l (root /usr/local/jails/containers/d2l)',
        'dev (root /usr/local/jails/containers/dev)',
        'web (root /usr/local/jails/web-nullfs-base)',
      ])
        expect(step.error, h.name).toContain(j);
      expect(step.error, h.name).not.toContain('postgres');
      expect((await shRun(h, 'zfs get -H -o value mountpoint,mounted zroot/jails; jls name | sort | tr "\\n" " "')).stdout, h.name).toBe(
        `/usr/local/jails\nyes\n${ALL.join(' ')} `,
      );
    }
  });
});
