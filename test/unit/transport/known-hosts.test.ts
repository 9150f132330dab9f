import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendKnownHost, checkHostKey, fingerprint, loadKnownHosts, parseKnownHosts } from '../../../src/transport/known-hosts.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-kh-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Key {
  type: string;
  b64: string;
  blob: Buffer;
  pubFile: string;
}
const keys = {} as Record<'a' | 'b' | 'p256' | 'p384' | 'p521' | 'rsa', Key>;

/** A real key pair from ssh-keygen; the tests use its public half. */
function makeKey(name: string, args: string[]): Key {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-C', name, '-f', file]);
  const pubFile = `${file}.pub`;
  const [type, b64] = fs.readFileSync(pubFile, 'utf8').trim().split(' ') as [string, string];
  return { type, b64, blob: Buffer.from(b64, 'base64'), pubFile };
}

beforeAll(() => {
  keys.a = makeKey('a', ['-t', 'ed25519']);
  keys.b = makeKey('b', ['-t', 'ed25519']);
  keys.p256 = makeKey('p256', ['-t', 'ecdsa', '-b', '256']);
  keys.p384 = makeKey('p384', ['-t', 'ecdsa', '-b', '384']);
  keys.p521 = makeKey('p521', ['-t', 'ecdsa', '-b', '521']);
  keys.rsa = makeKey('rsa', ['-t', 'rsa', '-b', '2048']);
});

const line = (hosts: string, k: Key) => `${hosts} ${k.type} ${k.b64}`;
let fileCounter = 0;
function writeFile(text: string): string {
  const f = path.join(dir, `known_hosts.${fileCounter++}`);
  fs.writeFileSync(f, text);
  return f;
}
const db = (text: string) => loadKnownHosts([writeFile(text)]);
const status = (d: ReturnType<typeof db>, host: string, port: number, k: Key) => checkHostKey(d, host, port, k.type, k.blob).status;

/** Does OpenSSH itself find NAME in FILE? */
function sshKeygenFinds(file: string, name: string): boolean {
  return spawnSync('ssh-keygen', ['-F', name, '-f', file], { stdio: 'ignore' }).status === 0;
}

describe('fingerprint', () => {
  it('is what ssh-keygen -l prints, for every key type', () => {
    for (const k of Object.values(keys)) {
      const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', k.pubFile], { encoding: 'utf8' });
      expect(out.split(' ')[1], k.type).toBe(fingerprint(k.blob));
    }
  });
});

describe('parseKnownHosts', () => {
  it('reads every key type and skips comments, blank lines and malformed lines', () => {
    const text = [
      '# a comment',
      '',
      '   ',
      ...Object.values(keys).map((k) => `${line('h1', k)} trailing comment`),
      `h2 ${keys.a.type}`, // no key
      `h3 ${keys.a.type} not*base64`,
      `h4 ${keys.rsa.type} ${keys.a.b64}`, // the blob is not the type it claims
      `@bogus h5 ${keys.a.type} ${keys.a.b64}`,
      `|1|c2FsdA==|aGFzaA== ${keys.a.type} ${keys.a.b64}`, // salt and hash not 20 bytes
      `${line('h6', keys.b)}\r`,
    ].join('\n');
    const entries = parseKnownHosts(text);
    expect(entries.map((e) => e.keyType)).toEqual([...Object.values(keys).map((k) => k.type), keys.b.type]);
    expect(entries.at(-1)?.matches('h6')).toBe(true);
  });
});

describe('checkHostKey', () => {
  it('matches host lists and [host]:port entries, where port 22 is a different host', () => {
    const d = db(`${line('web1,10.0.0.1', keys.a)}\n${line('[10.0.0.2]:2222', keys.b)}\n`);
    expect(status(d, 'web1', 22, keys.a)).toBe('match');
    expect(status(d, '10.0.0.1', 22, keys.a)).toBe('match');
    expect(status(d, '10.0.0.2', 2222, keys.b)).toBe('match');
    expect(status(d, '10.0.0.2', 22, keys.b)).toBe('unknown');
    expect(status(d, '10.0.0.1', 2222, keys.a)).toBe('unknown');
  });

  it('compares host names case-insensitively, as OpenSSH lowercases them', () => {
    expect(status(db(line('Web1.Example.ORG', keys.a)), 'WEB1.example.org', 22, keys.a)).toBe('match');
  });

  it('reports another key of the same type as a mismatch, with the fingerprints on file', () => {
    const d = db([line('10.0.0.1', keys.a), line('10.0.0.*', keys.a), line('10.0.0.1', keys.p256)].join('\n'));
    expect(checkHostKey(d, '10.0.0.1', 22, keys.b.type, keys.b.blob)).toEqual({ status: 'mismatch', expected: [fingerprint(keys.a.blob)] });
  });

  it('treats a key whose type is not on file as unknown, even when other types are', () => {
    const d = db([line('h', keys.a), line('h', keys.p256)].join('\n'));
    expect(status(d, 'h', 22, keys.rsa)).toBe('unknown');
    // Each ECDSA curve is a key type of its own.
    expect(status(d, 'h', 22, keys.p384)).toBe('unknown');
    expect(status(d, 'h', 22, keys.p256)).toBe('match');
  });

  it('finds ssh-rsa entries whichever RSA signature algorithm was negotiated', () => {
    const d = db(line('h', keys.rsa));
    expect(checkHostKey(d, 'h', 22, 'rsa-sha2-512', keys.rsa.blob).status).toBe('match');
  });

  it('reads names hashed by ssh-keygen -H, plain and [host]:port', () => {
    const f = writeFile([line('10.9.8.7', keys.a), line('[10.9.8.7]:2200', keys.b), line('web.example.org', keys.rsa)].join('\n') + '\n');
    execFileSync('ssh-keygen', ['-q', '-H', '-f', f], { stdio: 'ignore' });
    const text = fs.readFileSync(f, 'utf8');
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .every((l) => l.startsWith('|1|')),
    ).toBe(true);
    expect(text).not.toContain('10.9.8.7');
    const d = loadKnownHosts([f]);
    expect(status(d, '10.9.8.7', 22, keys.a)).toBe('match');
    expect(status(d, '10.9.8.7', 2200, keys.b)).toBe('match');
    expect(status(d, 'WEB.example.org', 22, keys.rsa)).toBe('match');
    expect(status(d, '10.9.8.7', 2200, keys.a)).toBe('mismatch');
    expect(status(d, '10.9.8.6', 22, keys.a)).toBe('unknown');
  });

  it('agrees with ssh-keygen -F on wildcards and negation', () => {
    const f = writeFile([line('*.prod,!db.prod', keys.a), line('web?.lab,[10.0.0.*]:2222', keys.b)].join('\n') + '\n');
    const d = loadKnownHosts([f]);
    const cases: Array<[string, number, Key]> = [
      ['web.prod', 22, keys.a],
      ['db.prod', 22, keys.a],
      ['x.db.prod', 22, keys.a],
      ['prod', 22, keys.a],
      ['web1.lab', 22, keys.b],
      ['web12.lab', 22, keys.b],
      ['10.0.0.5', 2222, keys.b],
      ['10.0.0.5', 22, keys.b],
    ];
    for (const [host, port, k] of cases) {
      const name = port === 22 ? host : `[${host}]:${port}`;
      expect(status(d, host, port, k) === 'match', name).toBe(sshKeygenFinds(f, name));
    }
  });

  it('refuses a key marked @revoked for the host, even one also listed as valid', () => {
    const d = db([line('web.prod', keys.b), `@revoked * ${keys.b.type} ${keys.b.b64}`].join('\n'));
    expect(status(d, 'web.prod', 22, keys.b)).toBe('revoked');
    expect(status(d, 'any', 2222, keys.b)).toBe('revoked');
  });

  it('does not treat @cert-authority keys as host keys', () => {
    const d = db([`@cert-authority *.prod ${keys.p256.type} ${keys.p256.b64}`, line('web.prod', keys.a)].join('\n'));
    expect(status(d, 'web.prod', 22, keys.p256)).toBe('unknown');
    expect(status(d, 'web.prod', 22, keys.a)).toBe('match');
  });

  it('skips missing files and remembers keys added during the run', () => {
    const d = loadKnownHosts([path.join(dir, 'no-such-file')]);
    expect(status(d, 'new', 2222, keys.a)).toBe('unknown');
    d.add('new', 2222, keys.a.type, keys.a.blob);
    expect(status(d, 'new', 2222, keys.a)).toBe('match');
    expect(status(d, 'new', 22, keys.a)).toBe('unknown');
  });
});

describe('appendKnownHost', () => {
  it('creates the file 0600 in a new 0700 directory, with entries OpenSSH finds, plain and hashed', () => {
    const f = path.join(dir, 'new-home', '.ssh', 'known_hosts');
    appendKnownHost(f, '10.1.1.1', 22, keys.a.type, keys.a.blob);
    appendKnownHost(f, 'Host.Example', 2222, keys.b.type, keys.b.blob, { hash: true });
    appendKnownHost(f, '::1', 22, keys.p521.type, keys.p521.blob);
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(f)).mode & 0o777).toBe(0o700);
    const text = fs.readFileSync(f, 'utf8');
    expect(text).toMatch(/^10\.1\.1\.1 ssh-ed25519 /);
    expect(text).not.toContain('example');
    expect(sshKeygenFinds(f, '10.1.1.1')).toBe(true);
    expect(sshKeygenFinds(f, '[host.example]:2222')).toBe(true);
    expect(sshKeygenFinds(f, '::1')).toBe(true);
    const d = loadKnownHosts([f]);
    expect(status(d, 'host.example', 2222, keys.b)).toBe('match');
    expect(d.entries).toHaveLength(3);
  });

  it('starts on a new line when the file does not end with one', () => {
    const f = writeFile(line('old', keys.a));
    appendKnownHost(f, 'new', 22, keys.rsa.type, keys.rsa.blob);
    expect(fs.readFileSync(f, 'utf8')).toBe(`${line('old', keys.a)}\n${line('new', keys.rsa)}\n`);
  });

  it('writes RSA keys as ssh-rsa and refuses names or keys that would corrupt the file', () => {
    const f = writeFile('');
    appendKnownHost(f, 'r', 22, 'rsa-sha2-256', keys.rsa.blob);
    expect(fs.readFileSync(f, 'utf8')).toBe(`${line('r', keys.rsa)}\n`);
    for (const bad of ['', 'a b', 'a,b', 'a\nb', '*', '[a]:22', '!a', '#a']) {
      expect(() => appendKnownHost(f, bad, 22, keys.a.type, keys.a.blob), JSON.stringify(bad)).toThrow(/not a host name/);
    }
    expect(() => appendKnownHost(f, 'h', 22, keys.rsa.type, keys.a.blob)).toThrow(/not a ssh-rsa key/);
    expect(fs.readFileSync(f, 'utf8')).toBe(`${line('r', keys.rsa)}\n`);
  });
});
