/**
 * The transport API the engine builds on, against lab hosts: one connection reused for
 * many commands, stdin, streaming, atomic file writes with mode and owner, and a
 * connect timeout against a server that never speaks SSH.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { resolveTarget } from '../../src/inventory/resolve.js';
import { Connector } from '../../src/transport/connector.js';
import { HostKeyPolicy } from '../../src/transport/host-key-policy.js';
import type { HostSession } from '../../src/transport/types.js';
import { sh } from '../../src/shell/quote.js';
import { labHosts, labPaths, sshRun } from '../support/lab.js';

function connector(connectTimeoutMs = 10_000): Connector {
  return new Connector({
    hostKeys: new HostKeyPolicy({ files: [labPaths.knownHosts], acceptNew: false }),
    connectTimeoutMs,
    agentSocket: '',
  });
}
function target(name: string, address: string, extra = '') {
  const inv = parseInventory(`hosts:\n  ${name}: { address: ${address}, user: root, identity_file: ${labPaths.clientKey}${extra} }\n`);
  return resolveTarget(inv, name, undefined);
}

describe('HostSession', () => {
  let session: HostSession;
  const c = connector();
  const host = () => labHosts()[1]!; // a tcsh host

  beforeAll(async () => {
    session = await c.connect(target(host().name, host().address));
  });
  afterAll(async () => {
    await session.close();
    await c.closeAll();
  });

  it('runs many commands over one connection', async () => {
    const logins = () =>
      fs
        .readFileSync(path.join(labPaths.hostRoot(host().name), 'var/log/sshd.log'), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('Accepted')).length;
    const before = logins();
    for (let i = 0; i < 5; i++) expect((await session.run(`echo ${i}`)).stdout).toBe(`${i}\n`);
    expect(logins()).toBe(before);
  });

  it('feeds stdin and streams stdout and stderr as they come', async () => {
    const chunks: string[] = [];
    const r = await session.run('tr a-z A-Z; echo warn >&2; exit 3', { stdin: 'hello\nworld\n', onStdout: (c) => chunks.push(c) });
    expect(r).toMatchObject({ exitCode: 3, stdout: 'HELLO\nWORLD\n', stderr: 'warn\n' });
    expect(chunks.join('')).toBe('HELLO\nWORLD\n');
  });

  it('writes a file atomically with mode and owner, replacing the old one whole', async () => {
    const file = '/usr/local/etc/fleetjail-test.conf';
    const content = `# test\nvalue="${'x'.repeat(200_000)}"\n`;
    await session.writeFileAtomic(file, 'old\n', { mode: '0600' });
    await session.writeFileAtomic(file, content, { mode: '0640', owner: 'ops', group: 'wheel' });
    const onHost = path.join(labPaths.hostRoot(host().name), file);
    expect(fs.readFileSync(onHost, 'utf8')).toBe(content);
    const st = fs.statSync(onHost);
    expect(st.mode & 0o777).toBe(0o640);
    expect([st.uid, st.gid]).toEqual([1001, 0]);
    // No temp file left next to it.
    expect(fs.readdirSync(path.dirname(onHost)).filter((f) => f.includes('fleetjail.'))).toEqual([]);
  });

  it('reports a failed write and leaves the old file in place', async () => {
    const file = '/usr/local/etc/fleetjail-keep.conf';
    await session.writeFileAtomic(file, 'keep\n');
    await expect(session.writeFileAtomic(file, 'lost\n', { owner: 'nosuchuser' })).rejects.toThrow(
      /writing \/usr\/local\/etc\/fleetjail-keep.conf failed/,
    );
    const r = await sshRun(host(), sh`cat ${file}; ls -a /usr/local/etc`);
    expect(r.stdout).toMatch(/^keep\n/);
    expect(r.stdout).not.toMatch(/fleetjail-keep\.conf\.fleetjail\./);
  });
});

describe('connect timeout', () => {
  let server: net.Server;
  const address = '127.254.0.9';
  let port = 0;

  beforeAll(async () => {
    // Accepts TCP but never sends an SSH banner: a host whose sshd hangs.
    server = net.createServer(() => {});
    await new Promise<void>((r) => server.listen(0, address, r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => {
    server.close();
  });

  it('gives up after the connect timeout with a clear error', async () => {
    const started = Date.now();
    await expect(connector(1000).connect(target('silent', address, `, port: ${port}`))).rejects.toThrow(
      /silent: no SSH handshake from 127\.254\.0\.9:\d+ within the connect timeout/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
