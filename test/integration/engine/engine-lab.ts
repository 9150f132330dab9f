/**
 * Shared by the engine's lab tests: run a playbook through the CLI on the lab with a JSON
 * report, write throw-away playbooks, and read a host's state with the OpenSSH client
 * (independently of fleetjail's transport).
 */
import type { LabHost } from '../../lab/fleet.js';
import { labLayout, shRun } from '../../support/lab.js';
import type { PlaybookRun } from '../../support/playbook.js';
import type { JsonReportV1 } from '../../../src/report/json-report.js';

export const SITE = 'playbooks/site.yaml';

// The generic helpers live in test/support/playbook.ts; the engine's tests import them from here too.
export { runPlaybook, scratchDir, writeFile, type PlaybookRun } from '../../support/playbook.js';

/** An address in the lab's range that no host uses: nothing listens there (connection refused). */
export function unusedLabAddress(): string {
  return `${labLayout.subnet}.200.1`;
}

/**
 * Run an sh script on a host as root; fails the test when it fails. The script goes on
 * stdin (shRun): half the lab's hosts have tcsh as root's login shell.
 */
export async function onHost(host: LabHost, command: string): Promise<string> {
  const r = await shRun(host, command);
  if (r.code !== 0) throw new Error(`${host.name}: '${command}' failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout;
}

const SITE_FILES = [
  '/etc/rc.conf',
  '/boot/loader.conf',
  '/usr/local/etc/nginx/nginx.conf',
  '/etc/motd.template',
  '/etc/ntp.conf',
  '/var/db/fleetjail/configured',
];

/**
 * What playbooks/site.yaml manages on a host, as text: each file's checksum, mode and owner,
 * the jail root's mode, the installed packages, and nginx's state and pid (a restart shows).
 */
export function siteFingerprint(host: LabHost): Promise<string> {
  return onHost(
    host,
    [
      `for f in ${SITE_FILES.join(' ')}; do`,
      '  if [ -e "$f" ]; then echo "$f $(sha256 -q "$f") $(stat -f "%Lp %Su:%Sg" "$f")"; else echo "$f absent"; fi',
      'done',
      'echo "/usr/jails $(stat -f %Lp /usr/jails)"',
      'pkg info -q | sort',
      'if service nginx status >/dev/null 2>&1; then echo "nginx running $(cat /var/run/nginx.pid)"; else echo "nginx not running"; fi',
    ].join('\n'),
  );
}

/**
 * Undo playbooks/site.yaml on a host (its rc.conf back to the lab's: hostname and sshd_enable).
 * With `unconverged`, the hostname line goes too and the jail root gets another mode, so that
 * every step of site.yaml has something to change.
 */
export async function undoSite(host: LabHost, opts: { unconverged?: boolean } = {}): Promise<void> {
  await onHost(
    host,
    [
      'service nginx onestop >/dev/null 2>&1',
      'pkg delete -y nginx pcre2 tmux libevent vim-tiny >/dev/null 2>&1',
      'sysrc -x clear_tmp_enable cloned_interfaces sendmail_enable nginx_enable >/dev/null 2>&1',
      'sysrc -f /boot/loader.conf -x tmpfs_load >/dev/null 2>&1; [ -s /boot/loader.conf ] || rm -f /boot/loader.conf',
      'rm -rf /usr/local/etc/nginx /etc/motd.template /etc/ntp.conf /var/db/fleetjail',
      // Unconverged: sendmail enabled, since its default ("NONE") is what site.yaml asks for.
      opts.unconverged
        ? 'sysrc -x hostname >/dev/null; sysrc sendmail_enable=YES >/dev/null; chmod 0700 /usr/jails'
        : `sysrc hostname=${host.name} >/dev/null; chmod 0755 /usr/jails`,
      'grep -q "^sshd_enable=\\"YES\\"" /etc/rc.conf',
    ].join('\n'),
  );
}

/** The steps of one host in the report, by name. */
export function stepsByName(run: PlaybookRun, host: string): Map<string, JsonReportV1['hosts'][string]['steps'][number]> {
  const h = run.report.hosts[host];
  if (!h) throw new Error(`no host ${host} in the report: ${Object.keys(run.report.hosts).join(' ')}`);
  return new Map(h.steps.map((s) => [`${s.handler ? 'handler ' : ''}${s.name}`, s]));
}
