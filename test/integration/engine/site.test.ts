/**
 * playbooks/site.yaml (every module) on every lab host through `fleetjail run`: check mode
 * on unconverged hosts changes nothing, the first run converges, the second changes
 * nothing, and a hand edit on one host shows up as exactly that drift in --check --diff.
 * Host state is read with the OpenSSH client, not through fleetjail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHosts } from '../../support/lab.js';
import { PROJECT_ROOT } from '../../lab/layout.js';
import { onHost, runPlaybook, SITE, siteFingerprint, stepsByName, undoSite } from './engine-lab.js';

const hosts = labHosts();
const names = hosts.map((h) => h.name);
const fingerprints = () => Promise.all(hosts.map(siteFingerprint));

/** site.yaml's steps, in order; a host whose hostname line is missing changes all of them. */
const STEPS = [
  'hostname in rc.conf',
  'clear /tmp at boot',
  'lo1 for jail addresses',
  'no sendmail',
  'tmpfs module at boot',
  'admin tools',
  'web server',
  'nginx configuration',
  'nginx enabled and running',
  'message of the day',
  'jail root directory',
  'NTP server',
  'record the first configuration date',
];

describe('playbooks/site.yaml on every lab host', () => {
  beforeAll(async () => {
    await Promise.all(hosts.map((h) => undoSite(h, { unconverged: true })));
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => undoSite(h)));
  });

  it('--check on unconverged hosts changes nothing and reports what would change', async () => {
    const before = await fingerprints();
    const r = await runPlaybook(SITE, ['--check']);
    expect(r.code, r.stderr).toBe(0);
    expect(await fingerprints()).toEqual(before);
    expect(r.report.check).toBe(true);
    expect(Object.keys(r.report.hosts).sort()).toEqual(names);
    for (const name of names) {
      const steps = stepsByName(r, name);
      // Diffs only with --diff.
      expect(steps.get('no sendmail')).toMatchObject({
        status: 'changed',
        changed: true,
        changes: ['sendmail_enable: "YES" -> "NONE"'],
        diff: null,
      });
      expect(steps.get('web server')).toMatchObject({ status: 'changed' });
      expect(steps.get('nginx configuration')).toMatchObject({ status: 'changed' });
      // nginx is not installed yet: whether it would start cannot be known without installing it.
      expect(steps.get('nginx enabled and running')?.status).toBe('skipped');
      // Notified, but handlers never run in check mode.
      expect(steps.get('handler restart nginx')).toMatchObject({ status: 'skipped', changed: false });
      expect(r.report.hosts[name]).toMatchObject({ status: 'changed', failed: 0 });
    }
    expect(r.stdout).toContain('(check mode)');
    expect(r.stdout).toMatch(new RegExp(`^${names[0]} \\| no sendmail: would change: sendmail_enable: "YES" -> "NONE"$`, 'm'));
  });

  it('the first run converges every host and reports it in the JSON report, version 1', async () => {
    const r = await runPlaybook(SITE);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = r.report;
    expect(report).toMatchObject({ version: 1, playbook: SITE, check: false });
    expect(Number.isNaN(Date.parse(report.startedAt))).toBe(false);
    expect(report.summary).toMatchObject({
      hosts: hosts.length,
      ok: 0,
      changed: hosts.length,
      failed: 0,
      unreachable: 0,
      notRun: [],
      aborted: null,
    });
    expect(report.summary.durationMs).toBeGreaterThan(0);
    for (const name of names) {
      const h = report.hosts[name];
      expect(h).toMatchObject({ status: 'changed', ok: 0, changed: STEPS.length + 1, failed: 0, skipped: 0, error: null });
      expect(h?.durationMs).toBeGreaterThan(0);
      expect(h?.steps.map((s) => s.name)).toEqual([...STEPS, 'restart nginx']);
      for (const s of h?.steps ?? []) {
        expect(Object.keys(s).sort()).toEqual(['changed', 'changes', 'diff', 'durationMs', 'error', 'handler', 'module', 'name', 'status']);
        expect(s).toMatchObject({ status: 'changed', changed: true, error: null });
        expect(s.changes.length, s.name).toBeGreaterThan(0);
      }
      expect(h?.steps.map((s) => s.module)).toEqual([
        'sysrc',
        'sysrc',
        'sysrc',
        'sysrc',
        'sysrc',
        'pkg',
        'pkg',
        'file',
        'service',
        'file',
        'file',
        'line',
        'command',
        'service',
      ]);
      expect(h?.steps.filter((s) => s.handler)).toHaveLength(1);
    }

    // The hosts, read independently.
    const nginxConf = fs.readFileSync(path.join(PROJECT_ROOT, 'playbooks/files/nginx.conf'), 'utf8');
    for (const host of hosts) {
      const out = await onHost(
        host,
        [
          'sysrc -n hostname clear_tmp_enable cloned_interfaces sendmail_enable nginx_enable',
          'sysrc -f /boot/loader.conf -n tmpfs_load',
          'pkg info -e tmux vim-tiny nginx && echo pkgs',
          'service nginx status >/dev/null && echo nginx running',
          'stat -f %Lp /usr/jails /usr/local/etc/nginx/nginx.conf /etc/motd.template',
          'cat /etc/motd.template /etc/ntp.conf',
          'test -s /var/db/fleetjail/configured && echo configured',
        ].join('; '),
      );
      expect(out).toBe(
        [
          host.name,
          'YES',
          'lo1',
          'NONE',
          'YES',
          'YES',
          'pkgs',
          'nginx running',
          '755',
          '644',
          '644',
          `${host.name}: a FreeBSD jail host managed by fleetjail.`,
          'Jails live under /usr/jails. Questions: ops@example.org.',
          'server 0.freebsd.pool.ntp.org iburst',
          'configured',
          '',
        ].join('\n'),
      );
      expect(await onHost(host, 'cat /usr/local/etc/nginx/nginx.conf')).toBe(nginxConf);
    }
  });

  it('the second run changes nothing on any host, runs no handler, and costs one round trip', async () => {
    const before = await fingerprints();
    const r = await runPlaybook(SITE);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.report.summary).toMatchObject({ hosts: hosts.length, ok: hosts.length, changed: 0, failed: 0, unreachable: 0 });
    for (const name of names) {
      const h = r.report.hosts[name];
      expect(h).toMatchObject({ status: 'ok', ok: STEPS.length, changed: 0, skipped: 0, roundTrips: 1 });
      expect(h?.steps.map((s) => s.name)).toEqual(STEPS);
    }
    // Not even nginx's pid changed: no restart.
    expect(await fingerprints()).toEqual(before);
    expect(r.stdout).toMatch(new RegExp(`${hosts.length} hosts: ${hosts.length} ok, 0 changed, 0 failed, 0 unreachable`));
  });

  it('--check --diff after a hand edit on one host shows exactly that drift, there only', async () => {
    const drifted = hosts[1] ?? hosts[0]!;
    await onHost(drifted, "sysrc sendmail_enable=YES >/dev/null && printf '# hand edit\\n' >> /usr/local/etc/nginx/nginx.conf");
    const before = await fingerprints();
    const r = await runPlaybook(SITE, ['--check', '--diff']);
    expect(r.code, r.stderr).toBe(0);
    expect(await fingerprints()).toEqual(before);

    const steps = stepsByName(r, drifted.name);
    const changed = [...steps.values()].filter((s) => s.changed).map((s) => s.name);
    expect(changed).toEqual(['no sendmail', 'nginx configuration']);
    expect(steps.get('no sendmail')?.diff).toEqual([
      { type: 'value', name: '/etc/rc.conf: sendmail_enable', before: 'YES', after: 'NONE' },
    ]);
    const fileDiff = steps.get('nginx configuration')?.diff;
    expect(fileDiff).toHaveLength(1);
    expect(fileDiff?.[0]).toMatchObject({ type: 'file', path: '/usr/local/etc/nginx/nginx.conf' });
    const unified = (fileDiff?.[0] as { unified: string }).unified;
    expect(unified.split('\n').filter((l) => /^[-+][^-+]/.test(l) || l === '-' || l === '+')).toEqual(['-# hand edit']);
    expect(unified).toMatch(/^--- .*nginx\.conf.*\n\+\+\+ .*nginx\.conf.*\n@@ -\d+,\d+ \+\d+,\d+ @@/);
    expect(steps.get('handler restart nginx')).toMatchObject({ status: 'skipped' });
    expect(r.report.hosts[drifted.name]).toMatchObject({ status: 'changed', changed: 2 });

    for (const name of names.filter((n) => n !== drifted.name)) {
      expect(r.report.hosts[name]).toMatchObject({ status: 'ok', changed: 0 });
    }
    // The text output carries the same diff under the host's name.
    expect(r.stdout).toContain(`${drifted.name} |   /etc/rc.conf: sendmail_enable: "YES" -> "NONE"`);
    expect(r.stdout).toContain(`${drifted.name} |   -# hand edit`);
    expect(r.stdout).not.toMatch(new RegExp(`^(?!${drifted.name} )\\S+ \\| .*would change`, 'm'));
  });

  it('a real run then repairs the drift on that host only, and restarts its nginx only', async () => {
    const drifted = hosts[1] ?? hosts[0]!;
    const before = await fingerprints();
    const r = await runPlaybook(SITE);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = await fingerprints();
    for (const [i, host] of hosts.entries()) {
      if (host === drifted) {
        expect(r.report.hosts[host.name]).toMatchObject({ status: 'changed', changed: 3 });
        expect(r.report.hosts[host.name]?.steps.filter((s) => s.changed).map((s) => s.name)).toEqual([
          'no sendmail',
          'nginx configuration',
          'restart nginx',
        ]);
        expect(nginxPid(after[i]!)).not.toBe(nginxPid(before[i]!));
      } else {
        expect(r.report.hosts[host.name]).toMatchObject({ status: 'ok', changed: 0 });
        expect(after[i]).toBe(before[i]);
      }
    }
    expect(await onHost(drifted, 'sysrc -n sendmail_enable; grep -c "hand edit" /usr/local/etc/nginx/nginx.conf || true')).toBe(
      'NONE\n0\n',
    );
  });
});

function nginxPid(fingerprint: string): string | undefined {
  return /^nginx running (\d+)$/m.exec(fingerprint)?.[1];
}
