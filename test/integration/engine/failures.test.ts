/**
 * Failures on the lab. A failing host stops only its own steps (exit 2); an unreachable
 * host is reported as such and the others finish (exit 4; both: 6). Problems in the
 * playbook (an undefined variable, misspelled keys and module names) fail before any host
 * is contacted, with file:line:column and exit 1: proven with an inventory whose only host
 * is a TCP listener that counts connections (and would hang an SSH client).
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labHosts, labPaths } from '../../support/lab.js';
import { fleetjail } from '../../support/cli.js';
import { onHost, runPlaybook, scratchDir, stepsByName, unusedLabAddress, writeFile } from './engine-lab.js';

const hosts = labHosts();
const names = hosts.map((h) => h.name);
const MARKER = '/var/tmp/fleetjail-engine-failures';
const dir = scratchDir();

const playbook = writeFile(
  dir,
  'fail-one.yaml',
  `
hosts: all
steps:
  - name: before
    command: { cmd: "echo before-{{ run_id }} > ${MARKER}" }
  - name: fails on one host
    command: { cmd: "test {{ inventory_hostname }} != {{ bad_host }}" }
  - name: after
    command: { cmd: "echo after-{{ run_id }} >> ${MARKER}" }
`,
);
const ghost = writeFile(dir, 'ghost.yaml', `hosts:\n  ghost:\n    address: ${unusedLabAddress()}\n`);

let runs = 0;
async function run(args: string[]) {
  const id = `r${++runs}-${process.pid}`;
  const r = await runPlaybook(playbook, ['-e', `run_id=${id}`, '--connect-timeout', '3', ...args]);
  const markers = await Promise.all(hosts.map(async (h) => (await onHost(h, `cat ${MARKER} 2>/dev/null || true`)).replaceAll(id, 'ID')));
  return { ...r, markers };
}

describe('a failing host and an unreachable host', () => {
  afterAll(async () => {
    await Promise.all(hosts.map((h) => onHost(h, `rm -f ${MARKER}`)));
  });

  it('one failing host stops there; every other host finishes; exit 2', async () => {
    const bad = names[1] ?? names[0]!;
    const r = await run(['-e', `bad_host=${bad}`]);
    expect(r.code).toBe(2);
    for (const [i, n] of names.entries()) {
      if (n === bad) {
        expect(r.markers[i]).toBe('before-ID\n');
        expect(r.report.hosts[n]).toMatchObject({ status: 'failed', changed: 1, failed: 1 });
        expect(r.report.hosts[n]?.steps.map((s) => s.name)).toEqual(['before', 'fails on one host']);
        expect(stepsByName(r, n).get('fails on one host')?.error).toMatch(/^exit status 1/);
        expect(r.report.hosts[n]?.error).toMatch(/^step 'fails on one host' failed: exit status 1/);
      } else {
        expect(r.markers[i]).toBe('before-ID\nafter-ID\n');
        expect(r.report.hosts[n]).toMatchObject({ status: 'changed', changed: 3, failed: 0 });
      }
    }
    expect(r.report.summary).toMatchObject({ hosts: hosts.length, failed: 1, changed: hosts.length - 1, unreachable: 0 });
    expect(r.stdout).toMatch(new RegExp(`^${bad} ! fails on one host: FAILED: exit status 1`, 'm'));
  });

  it('an unreachable host is reported and the others finish; exit 4', async () => {
    const r = await run(['-i', ghost, '-e', 'bad_host=none']);
    expect(r.code).toBe(4);
    expect(r.markers).toEqual(hosts.map(() => 'before-ID\nafter-ID\n'));
    expect(r.report.hosts.ghost).toMatchObject({ status: 'unreachable', steps: [] });
    expect(r.report.hosts.ghost?.error).toContain(unusedLabAddress());
    expect(r.report.summary).toMatchObject({ hosts: hosts.length + 1, unreachable: 1, changed: hosts.length });
    expect(r.stdout).toMatch(/^ghost ! UNREACHABLE: /m);
    expect(r.stdout).toMatch(/^ghost +unreachable +0 +0 +0 +0 +1 /m);
  });

  it('a failing host and an unreachable one: exit 6', async () => {
    const r = await run(['-i', ghost, '-e', `bad_host=${names[0]}`]);
    expect(r.code).toBe(6);
    expect(r.report.summary).toMatchObject({ failed: 1, unreachable: 1, changed: hosts.length - 1 });
  });
});

describe('playbook errors fail before any host is contacted', () => {
  let server: net.Server;
  let connections = 0;
  const sockets: net.Socket[] = [];
  let inventory = '';

  beforeAll(async () => {
    // Accepts and never answers: an SSH client would wait for the banner.
    server = net.createServer((socket) => {
      connections++;
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.on('end', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    inventory = writeFile(
      dir,
      'trap.yaml',
      `defaults:\n  user: root\n  identity_file: ${labPaths.clientKey}\n  known_hosts: ${labPaths.knownHosts}\nhosts:\n  trap:\n    address: 127.0.0.1\n    port: ${port}\n`,
    );
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function runTrap(file: string) {
    connections = 0;
    const r = await fleetjail(['run', file, '-i', inventory, '--connect-timeout', '2']);
    return { ...r, connections };
  }

  it('the trap works: a valid playbook does connect to it (and fails as unreachable, after one retry)', async () => {
    const ok = writeFile(dir, 'valid.yaml', 'hosts: all\nsteps:\n  - command: "true"\n');
    const r = await runTrap(ok);
    // A handshake timeout is transient: one more attempt, and the report says so.
    expect(r.connections).toBe(2);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/UNREACHABLE: .*\(tried twice\)/);
  });

  it('an undefined variable: file:line:column and the variable, exit 1', async () => {
    const file = writeFile(
      dir,
      'undefined.yaml',
      [
        'hosts: all',
        'vars:',
        '  known: yes',
        'steps:',
        '  - name: set it',
        '    sysrc: { name: engine_test, value: "{{ knwon }}" }',
        '',
      ].join('\n'),
    );
    const r = await runTrap(file);
    expect(r.code).toBe(1);
    expect(r.connections).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`${escape(file)}:6:\\d+: undefined variable 'knwon'`));
    expect(r.stdout).not.toContain('RUN ');
  });

  it('an undefined variable in a template file names the template', async () => {
    writeFile(dir, 'templates/bad.liquid', 'line one\nhello {{ nobody_set_this }}\n');
    const file = writeFile(dir, 'template.yaml', 'hosts: all\nsteps:\n  - file: { path: /tmp/x, template: templates/bad.liquid }\n');
    const r = await runTrap(file);
    expect(r.code).toBe(1);
    expect(r.connections).toBe(0);
    expect(r.stderr).toContain('nobody_set_this');
    expect(r.stderr).toMatch(/bad\.liquid:2\b/);
  });

  it('misspelled keys and module names: each with its position and the nearest valid name, exit 1', async () => {
    const file = writeFile(
      dir,
      'typos.yaml',
      [
        'hosts: all',
        'serail: 2',
        'steps:',
        '  - name: a',
        '    sysrc: { name: engine_test, valeu: x }',
        '    notfiy: nobody',
        '  - name: b',
        '    servcie: { name: sshd, state: running }',
        '',
      ].join('\n'),
    );
    const r = await runTrap(file);
    expect(r.code).toBe(1);
    expect(r.connections).toBe(0);
    const f = escape(file);
    expect(r.stderr).toMatch(new RegExp(`${f}:2:1: unknown key 'serail'.*did you mean 'serial'`));
    expect(r.stderr).toMatch(new RegExp(`${f}:5:33: unknown key 'valeu' in sysrc arguments; did you mean 'value'\\?`));
    expect(r.stderr).toMatch(new RegExp(`${f}:6:5: unknown key 'notfiy'.*did you mean 'notify'`));
    expect(r.stderr).toMatch(new RegExp(`${f}:8:5: .*'servcie'.*did you mean 'service'`));
  });

  it('fleetjail check reports the same, offline', async () => {
    connections = 0;
    const r = await fleetjail(['check', `${dir}/typos.yaml`, '-i', inventory]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("did you mean 'value'");
    expect(connections).toBe(0);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
