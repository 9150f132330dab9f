/**
 * fleetjail ping / exec end to end against the lab fleet: real sshd hosts, real host
 * key checking, real login shells (sh and tcsh), doas become, hostile values.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetjail, parseJson } from '../support/cli.js';
import { labHosts, labPaths, sshRun } from '../support/lab.js';
import { HOSTILE_STRINGS } from '../support/hostile-strings.js';

interface HostJson {
  name: string;
  status: 'ok' | 'failed' | 'unreachable';
  exitCode: number | null;
  stdout: string;
  stderr: string;
  error: string | null;
  durationMs: number;
}
type Report = { hosts: HostJson[] };

const inv = ['-i', labPaths.inventory];

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fleetjail-test-'));
}

/** An inventory with the lab's hosts plus extra hand-written hosts (for down / unknown cases). */
function inventoryWith(extraHosts: string, extraDefaults = ''): string {
  const file = path.join(tmpDir(), 'inventory.yaml');
  const hosts = labHosts()
    .map((h) => `  ${h.name}: { address: ${h.address} }`)
    .join('\n');
  fs.writeFileSync(
    file,
    [
      'defaults:',
      '  user: root',
      `  identity_file: ${labPaths.clientKey}`,
      `  known_hosts: ${labPaths.knownHosts}`,
      extraDefaults,
      'hosts:',
      hosts,
      extraHosts,
      '',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );
  return file;
}

describe('fleetjail ping', () => {
  it('reaches every lab host and reports FreeBSD-style uname in JSON', async () => {
    const r = await fleetjail(['ping', 'all', ...inv, '--json']);
    const report = parseJson<Report>(r);
    expect(r.code).toBe(0);
    expect(report.hosts.map((h) => h.name).sort()).toEqual(
      labHosts()
        .map((h) => h.name)
        .sort(),
    );
    for (const h of report.hosts) {
      expect(h).toMatchObject({ status: 'ok', exitCode: 0, error: null });
      expect(h.stdout.trim()).not.toBe('');
      expect(typeof h.durationMs).toBe('number');
    }
  });

  it('reports a host with no sshd as unreachable (exit 4) while the others succeed', async () => {
    const file = inventoryWith('  gone: { address: 127.254.254.254 }\n  nodns: { address: host.invalid }');
    const r = await fleetjail(['ping', 'all', '-i', file, '--json']);
    const report = parseJson<Report>(r);
    expect(r.code).toBe(4);
    const byName = new Map(report.hosts.map((h) => [h.name, h]));
    expect(byName.get('gone')).toMatchObject({ status: 'unreachable' });
    expect(byName.get('gone')?.error).toMatch(/refused/);
    expect(byName.get('nodns')?.error).toMatch(/resolve/);
    for (const h of labHosts()) expect(byName.get(h.name)?.status).toBe('ok');
  });
});

describe('host keys', () => {
  it('refuses a host whose key changed, naming both fingerprints', async () => {
    const [a, b] = labHosts();
    const dir = tmpDir();
    const known = path.join(dir, 'known_hosts');
    // Claim that host a has host b's key.
    const bKey = fs
      .readFileSync(labPaths.knownHosts, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${b!.address} `))!;
    fs.writeFileSync(known, bKey.replace(b!.address, a!.address) + '\n');
    const r = await fleetjail(['ping', a!.name, ...inv, '--known-hosts', known, '--json']);
    const report = parseJson<Report>(r);
    expect(r.code).toBe(4);
    expect(report.hosts[0]?.status).toBe('unreachable');
    expect(report.hosts[0]?.error).toMatch(/HOST KEY MISMATCH/);
    expect(report.hosts[0]?.error?.match(/SHA256:[A-Za-z0-9+/]{43}/g)?.length).toBe(2);
  });

  it('refuses an unknown host unless --accept-new-host-keys, which records it', async () => {
    const [a] = labHosts();
    const known = path.join(tmpDir(), 'known_hosts');
    fs.writeFileSync(known, '');
    const refused = await fleetjail(['ping', a!.name, ...inv, '--known-hosts', known, '--json']);
    expect(refused.code).toBe(4);
    expect(parseJson<Report>(refused).hosts[0]?.error).toMatch(/not in known_hosts.*--accept-new-host-keys/);
    expect(fs.readFileSync(known, 'utf8')).toBe('');

    const accepted = await fleetjail(['ping', a!.name, ...inv, '--known-hosts', known, '--accept-new-host-keys', '--json']);
    expect(accepted.code).toBe(0);
    expect(fs.readFileSync(known, 'utf8')).toContain(a!.address);

    const again = await fleetjail(['ping', a!.name, ...inv, '--known-hosts', known, '--json']);
    expect(again.code).toBe(0);
  });
});

describe('fleetjail exec', () => {
  it('runs a command on every host and streams output with a host prefix', async () => {
    const r = await fleetjail(['exec', 'all', ...inv, '--', 'echo $((6 * 7)) from $(hostname)']);
    expect(r.code).toBe(0);
    for (const h of labHosts()) expect(r.stdout).toContain(`${h.name} | 42 from ${h.name}`);
  });

  it('reports a failing command per host with exit code 2', async () => {
    const r = await fleetjail(['exec', 'all', ...inv, '--json', '--', 'test "$(hostname)" != h01']);
    const report = parseJson<Report>(r);
    expect(r.code).toBe(2);
    expect(report.hosts.find((h) => h.name === 'h01')).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(report.hosts.filter((h) => h.status === 'ok')).toHaveLength(labHosts().length - 1);
  });

  it('kills a command that outlives --timeout and reports it', async () => {
    const [a] = labHosts();
    const r = await fleetjail(['exec', a!.name, ...inv, '--timeout', '1', '--json', '--', 'sleep 37; echo never']);
    const report = parseJson<Report>(r);
    expect(r.code).toBe(2);
    expect(report.hosts[0]?.error).toMatch(/timed out after 1 s; the command was stopped on the host/);
    // The remote command does not linger after the timeout.
    await new Promise((res) => setTimeout(res, 500));
    const ps = await sshRun(a!, 'ps -e -o args= | grep -c "^sleep 37" || true');
    expect(ps.stdout.trim()).toBe('0');
  });

  it('runs POSIX sh scripts whatever the login shell (tcsh hosts included)', async () => {
    const r = await fleetjail([
      'exec',
      'tcsh_login',
      ...inv,
      '--json',
      '--',
      'for i in 1 2 3; do printf "%s," "$i"; done; echo "${SHELL##*/}"',
    ]);
    const report = parseJson<Report>(r);
    expect(r.code).toBe(0);
    expect(report.hosts.length).toBeGreaterThan(0);
    for (const h of report.hosts) expect(h.stdout).toBe('1,2,3,tcsh\n');
  });

  it('becomes root with doas from an unprivileged user', async () => {
    const r = await fleetjail(['exec', 'all', ...inv, '-u', 'ops', '--become', 'doas', '--json', '--', 'id -u; echo "$(id -un)"']);
    const report = parseJson<Report>(r);
    expect(r.code).toBe(0);
    for (const h of report.hosts) expect(h.stdout).toBe('0\nroot\n');
    const plain = parseJson<Report>(await fleetjail(['exec', 'canary', ...inv, '-u', 'ops', '--json', '--', 'id -u']));
    expect(plain.hosts[0]?.stdout).toBe('1001\n');
  });

  it('passes every hostile value through unchanged, on sh and tcsh hosts', async () => {
    for (const value of HOSTILE_STRINGS) {
      const r = await fleetjail(['exec', 'h01,h02', ...inv, '--json', '--', 'printf', '%s', value]);
      const report = parseJson<Report>(r);
      expect(r.code, JSON.stringify(value)).toBe(0);
      for (const h of report.hosts) expect(h.stdout, `${h.name} ${JSON.stringify(value)}`).toBe(value);
    }
  });
});
