import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendKnownHost, checkHostKey, fingerprint, loadKnownHosts, parseKnownHosts } from '../../../src/transport/known-hosts.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-kh-'));
interface Key { type: string; b64: string; blob: Buffer; line: string }
const keys: Record<string, Key> = {};

function makeKey(name: string, type: 'ed25519' | 'ecdsa' | 'rsa'): Key {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', file]);
  const line = fs.readFileSync(`${file}.pub`, 'utf8').trim();
  const [t, b64] = line.split(' ') as [string, string];
  return { type: t, b64, blob: Buffer.from(b64, 'base64'), line };
}

beforeAll(() => {
  keys.a = makeKey('a', 'ed25519');
  keys.b = makeKey('b', 'ed25519');
  keys.c = makeKey('c', 'ecdsa');
});

function db(text: string) {
  const f = path.join(dir, `kh-${Math.random()}`);
  fs.writeFileSync(f, text);
  return loadKnownHosts([f]);
}

describe('known_hosts', () => {
  it('matches plain entries, host lists and [host]:port entries', () => {
    const d = db(`# comment\n\nweb1,10.0.0.1 ${keys.a!.type} ${keys.a!.b64}\n[10.0.0.2]:2222 ${keys.b!.type} ${keys.b!.b64}\n`);
    expect(checkHostKey(d, '10.0.0.1', 22, keys.a!.type, keys.a!.blob).status).toBe('match');
    expect(checkHostKey(d, '10.0.0.2', 2222, keys.b!.type, keys.b!.blob).status).toBe('match');
    // The same address on port 22 is another host as far as known_hosts is concerned.
    expect(checkHostKey(d, '10.0.0.2', 22, keys.b!.type, keys.b!.blob).status).toBe('unknown');
  });

  it('reports a changed key of the same type as a mismatch, with the expected fingerprint', () => {
    const d = db(`10.0.0.1 ${keys.a!.type} ${keys.a!.b64}\n`);
    const r = checkHostKey(d, '10.0.0.1', 22, keys.b!.type, keys.b!.blob);
    expect(r).toEqual({ status: 'mismatch', expected: [`ssh-ed25519 ${fingerprint(keys.a!.blob)}`] });
  });

  it('treats a key of a type not on file as unknown, not as a match', () => {
    const d = db(`10.0.0.1 ${keys.a!.type} ${keys.a!.b64}\n`);
    expect(checkHostKey(d, '10.0.0.1', 22, keys.c!.type, keys.c!.blob).status).toBe('unknown');
  });

  it('reads entries hashed by ssh-keygen -H', () => {
    const f = path.join(dir, 'hashed');
    fs.writeFileSync(f, `10.9.8.7 ${keys.a!.type} ${keys.a!.b64}\n[10.9.8.7]:2200 ${keys.b!.type} ${keys.b!.b64}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', f]);
    const text = fs.readFileSync(f, 'utf8');
    expect(text).toMatch(/^\|1\|/);
    expect(text).not.toContain('10.9.8.7');
    const d = loadKnownHosts([f]);
    expect(checkHostKey(d, '10.9.8.7', 22, keys.a!.type, keys.a!.blob).status).toBe('match');
    expect(checkHostKey(d, '10.9.8.7', 2200, keys.b!.type, keys.b!.blob).status).toBe('match');
    expect(checkHostKey(d, '10.9.8.6', 22, keys.a!.type, keys.a!.blob).status).toBe('unknown');
  });

  it('honours wildcards, negation, @revoked and skips @cert-authority lines', () => {
    const d = db([
      `*.prod,!db.prod ${keys.a!.type} ${keys.a!.b64}`,
      `@revoked * ${keys.b!.type} ${keys.b!.b64}`,
      `@cert-authority *.prod ${keys.c!.type} ${keys.c!.b64}`,
    ].join('\n'));
    expect(checkHostKey(d, 'web.prod', 22, keys.a!.type, keys.a!.blob).status).toBe('match');
    expect(checkHostKey(d, 'db.prod', 22, keys.a!.type, keys.a!.blob).status).toBe('unknown');
    expect(checkHostKey(d, 'any', 22, keys.b!.type, keys.b!.blob).status).toBe('revoked');
    expect(checkHostKey(d, 'web.prod', 22, keys.c!.type, keys.c!.blob).status).toBe('unknown');
  });

  it('prints fingerprints exactly as ssh-keygen -l does', () => {
    const out = execFileSync('ssh-keygen', ['-l', '-f', path.join(dir, 'a.pub')], { encoding: 'utf8' });
    expect(out.split(' ')[1]).toBe(fingerprint(keys.a!.blob));
  });

  it('appends entries that OpenSSH itself finds, plain and hashed, creating the file 0600', () => {
    const f = path.join(dir, 'sub', 'known_hosts');
    appendKnownHost(f, '10.1.1.1', 22, keys.a!.type, keys.a!.blob);
    appendKnownHost(f, '10.1.1.2', 2222, keys.b!.type, keys.b!.blob, { hash: true });
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    expect(execFileSync('ssh-keygen', ['-F', '10.1.1.1', '-f', f], { encoding: 'utf8' })).toContain(keys.a!.b64);
    expect(execFileSync('ssh-keygen', ['-F', '[10.1.1.2]:2222', '-f', f], { encoding: 'utf8' })).toContain(keys.b!.b64);
    expect(parseKnownHosts(fs.readFileSync(f, 'utf8'))).toHaveLength(2);
  });
});
