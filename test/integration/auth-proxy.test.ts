/**
 * Authentication (ssh-agent, encrypted keys) and ProxyJump against the lab fleet.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, fleetjail, parseJson } from '../support/cli.js';
import { labHosts, labPaths } from '../support/lab.js';

type Report = { hosts: Array<{ name: string; status: string; stdout: string; error: string | null }> };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-auth-'));

function inventory(defaults: string, hosts: string): string {
  const f = path.join(dir, `inv-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(f, `defaults:\n  user: root\n  known_hosts: ${labPaths.knownHosts}\n${defaults}hosts:\n${hosts}`);
  return f;
}
const hostLines = (n = 3) =>
  labHosts()
    .slice(0, n)
    .map((h) => `  ${h.name}: { address: ${h.address} }\n`)
    .join('');

describe('authentication', () => {
  let agent: { pid: number; sock: string } | undefined;

  beforeAll(async () => {
    const sock = path.join(dir, 'agent.sock');
    const child = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    for (let i = 0; i < 50 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
    execFileSync('ssh-add', ['-q', labPaths.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
    agent = { pid: child.pid!, sock };
  });
  afterAll(() => {
    if (agent) process.kill(agent.pid);
  });

  it('logs in with keys from ssh-agent when no identity file is configured', async () => {
    const inv = inventory('', hostLines());
    const env = { SSH_AUTH_SOCK: agent!.sock, HOME: dir };
    const r = await fleetjail(['ping', 'all', '-i', inv, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    // Without the agent there is nothing to authenticate with.
    const none = await fleetjail(['ping', 'all', '-i', inv, '--json'], { env: { SSH_AUTH_SOCK: '', HOME: dir } });
    expect(none.code).toBe(4);
    expect(parseJson<Report>(none).hosts[0]?.error).toMatch(/no usable credentials/);
  });

  it('unlocks an encrypted key with FLEETJAIL_SSH_PASSPHRASE, and keeps the passphrase out of the log', async () => {
    const key = path.join(dir, 'encrypted_key');
    fs.copyFileSync(labPaths.clientKey, key);
    fs.chmodSync(key, 0o600);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'correct horse', '-f', key]);
    const inv = inventory(`  identity_file: ${key}\n`, hostLines());
    const log = path.join(dir, 'run.log');
    const ok = await fleetjail(['ping', 'all', '-i', inv, '--json', '--log', log], { env: { FLEETJAIL_SSH_PASSPHRASE: 'correct horse' } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(fs.readFileSync(log, 'utf8')).toContain('"msg":"host done"');
    expect(fs.readFileSync(log, 'utf8')).not.toContain('correct horse');

    const wrong = await fleetjail(['ping', 'all', '-i', inv, '--json'], { env: { FLEETJAIL_SSH_PASSPHRASE: 'wrong' } });
    expect(wrong.code).toBe(4);
    expect(parseJson<Report>(wrong).hosts[0]?.error).toMatch(/cannot decrypt identity file .*encrypted_key/);
  });

  it('asks for the passphrase on a terminal when the environment has none', async () => {
    const key = path.join(dir, 'tty_key');
    fs.copyFileSync(labPaths.clientKey, key);
    fs.chmodSync(key, 0o600);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'typed at the prompt', '-f', key]);
    const inv = inventory(`  identity_file: ${key}\n`, hostLines(1));
    // script(1) gives the CLI a pseudo-terminal; the passphrase is typed once the prompt is up.
    const out = await new Promise<string>((resolve) => {
      const child = spawn('script', ['-qec', `${process.execPath} ${CLI} ping all -i ${inv}`, '/dev/null'], {
        env: { ...process.env, SSH_AUTH_SOCK: '', FLEETJAIL_SSH_PASSPHRASE: undefined } as NodeJS.ProcessEnv,
      });
      let text = '';
      child.stdout.on('data', (c: Buffer) => {
        text += c.toString();
        if (text.includes('Enter passphrase for key') && !text.includes('\u0000sent')) {
          text += '\u0000sent';
          child.stdin.write('typed at the prompt\r');
        }
      });
      child.on('close', () => resolve(text));
    });
    expect(out).toContain(`Enter passphrase for key '${key}'`);
    expect(out).toMatch(/1 ok, 0 failed, 0 unreachable/);
    expect(out).not.toContain('typed at the prompt');
  });

  it('reports a key the host does not accept as an authentication failure', async () => {
    const other = path.join(dir, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const r = await fleetjail(['ping', 'all', '-i', inventory(`  identity_file: ${other}\n`, hostLines(1)), '--json']);
    expect(r.code).toBe(4);
    expect(parseJson<Report>(r).hosts[0]?.error).toMatch(/authentication failed/);
  });
});

describe('ProxyJump', () => {
  it('reaches hosts through a bastion, sharing one bastion connection', async () => {
    const [bastion, ...rest] = labHosts();
    const hosts = [
      `  ${bastion!.name}: { address: ${bastion!.address} }\n`,
      ...rest.slice(0, 4).map((h) => `  ${h.name}: { address: ${h.address}, proxy_jump: ${bastion!.name} }\n`),
    ].join('');
    const inv = inventory(`  identity_file: ${labPaths.clientKey}\n`, hosts);
    const bastionLog = path.join(labPaths.hostRoot(bastion!.name), 'var/log/sshd.log');
    const logins = () =>
      fs
        .readFileSync(bastionLog, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('Accepted publickey')).length;
    const before = logins();
    const r = await fleetjail(['exec', `all:!${bastion!.name}`, '-i', inv, '--json', '--', 'hostname'], { env: { HOME: dir } });
    const report = parseJson<Report>(r);
    expect(r.code, r.stderr).toBe(0);
    expect(report.hosts.map((h) => h.stdout.trim())).toEqual(rest.slice(0, 4).map((h) => h.name));
    expect(logins() - before).toBe(1);
  });

  it('reports a host behind an unreachable bastion as unreachable, naming the bastion', async () => {
    const [target] = labHosts();
    const inv = inventory(
      `  identity_file: ${labPaths.clientKey}\n`,
      `  deadjump: { address: 127.254.254.253 }\n  ${target!.name}: { address: ${target!.address}, proxy_jump: deadjump }\n`,
    );
    const r = await fleetjail(['ping', target!.name, '-i', inv, '--json']);
    expect(r.code).toBe(4);
    expect(parseJson<Report>(r).hosts[0]?.error).toMatch(/deadjump.*jump host unreachable.*refused/);
  });
});
