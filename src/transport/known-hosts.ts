/**
 * OpenSSH known_hosts: reading, checking an offered host key, recording a new one.
 * Lines: `[@revoked|@cert-authority] HOSTS KEYTYPE BASE64 [comment]`, where HOSTS is a
 * comma-separated list of patterns (`*`, `?`, `!negation`; `[host]:port` for ports other
 * than 22) or one hashed name `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface KnownHostEntry {
  marker: 'revoked' | 'cert-authority' | undefined;
  /** Does this entry's host field name `name` (lowercase `host` or `[host]:port`)? */
  matches(name: string): boolean;
  keyType: string;
  key: Buffer;
}

export interface KnownHostsDb {
  entries: KnownHostEntry[];
  /** Remember a key accepted during this run. */
  add(host: string, port: number, keyType: string, key: Buffer): void;
}

export type HostKeyCheck =
  | { status: 'match' }
  /** `expected`: fingerprints of the keys of the offered type on file for the host. */
  | { status: 'mismatch'; expected: string[] }
  | { status: 'unknown' }
  | { status: 'revoked' };

/** Entries of a known_hosts text; malformed lines and unknown markers are skipped, as OpenSSH does. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const line of text.split('\n')) {
    const entry = parseLine(line.trim());
    if (entry) entries.push(entry);
  }
  return entries;
}

function parseLine(line: string): KnownHostEntry | undefined {
  if (line === '' || line.startsWith('#')) return undefined;
  const fields = line.split(/\s+/);
  let marker: KnownHostEntry['marker'];
  if (fields[0]?.startsWith('@')) {
    const word = fields.shift();
    if (word === '@revoked') marker = 'revoked';
    else if (word === '@cert-authority') marker = 'cert-authority';
    else return undefined;
  }
  const [hosts, keyType, keyBase64] = fields;
  if (!hosts || !keyType || !keyBase64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(keyBase64)) return undefined;
  const key = Buffer.from(keyBase64, 'base64');
  if (blobKeyType(key) !== keyType) return undefined;
  const matches = hosts.startsWith('|') ? hashedNameMatcher(hosts) : patternListMatcher(hosts);
  return matches && { marker, matches, keyType, key };
}

/** `|1|salt|hash`, both 20 bytes (SHA-1); any other form is not a name OpenSSH wrote. */
function hashedNameMatcher(field: string): ((name: string) => boolean) | undefined {
  const [, magic, saltB64, hashB64] = field.split('|');
  if (magic !== '1' || !saltB64 || !hashB64) return undefined;
  const salt = Buffer.from(saltB64, 'base64');
  const hash = Buffer.from(hashB64, 'base64');
  if (salt.length !== 20 || hash.length !== 20) return undefined;
  return (name) => crypto.timingSafeEqual(hmacSha1(salt, name), hash);
}

/** As OpenSSH's match_hostname: some pattern matches and no negated one does, case-insensitively. */
function patternListMatcher(field: string): (name: string) => boolean {
  const patterns = field
    .split(',')
    .filter(Boolean)
    .map((p) => ({
      negated: p.startsWith('!'),
      glob: globRegExp(p.startsWith('!') ? p.slice(1) : p),
    }));
  return (name) => {
    let matched = false;
    for (const { negated, glob } of patterns) {
      if (!glob.test(name)) continue;
      if (negated) return false;
      matched = true;
    }
    return matched;
  };
}

/** known_hosts globs know only `*` and `?`; everything else, `[` included, is literal. */
function globRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

export function loadKnownHosts(files: string[]): KnownHostsDb {
  const entries: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    entries.push(...parseKnownHosts(text));
  }
  return {
    entries,
    add(host, port, keyType, key) {
      const name = hostField(host, port);
      entries.push({ marker: undefined, matches: (n) => n === name, keyType, key });
    },
  };
}

/** How OpenSSH names a host in known_hosts: the lowercase host for port 22, else [host]:port. */
export function hostField(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/**
 * Check an offered host key, as OpenSSH does: a key marked @revoked for the host is
 * refused; a key on file for the host is a match; another key of the same type on file
 * is a mismatch. Keys on file of other types only leave the offered one "unknown" (OpenSSH
 * then asks, noting other key types are known): a host may hold several keys, and which
 * type it offers depends on algorithm negotiation. @cert-authority lines are not host keys.
 */
export function checkHostKey(db: KnownHostsDb, host: string, port: number, keyType: string, key: Buffer): HostKeyCheck {
  const name = hostField(host, port);
  const type = keyFamily(keyType);
  const forHost = db.entries.filter((e) => e.marker !== 'cert-authority' && e.matches(name));
  if (forHost.some((e) => e.marker === 'revoked' && e.key.equals(key))) return { status: 'revoked' };
  const sameType = forHost.filter((e) => e.marker === undefined && e.keyType === type);
  if (sameType.some((e) => e.key.equals(key))) return { status: 'match' };
  if (sameType.length > 0) return { status: 'mismatch', expected: [...new Set(sameType.map((e) => fingerprint(e.key)))] };
  return { status: 'unknown' };
}

/** RSA keys are stored as ssh-rsa whichever signature algorithm (rsa-sha2-256/512) was negotiated. */
function keyFamily(keyType: string): string {
  return keyType === 'rsa-sha2-256' || keyType === 'rsa-sha2-512' ? 'ssh-rsa' : keyType;
}

/** OpenSSH's fingerprint form, as ssh-keygen -l prints it: SHA256:<base64 without padding>. */
export function fingerprint(key: Buffer): string {
  return 'SHA256:' + crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/**
 * Record a host key as one line, written with a single O_APPEND write so concurrent
 * writers cannot interleave within it. The file is created 0600 (its directory 0700).
 */
export function appendKnownHost(
  file: string,
  host: string,
  port: number,
  keyType: string,
  key: Buffer,
  opts: { hash?: boolean } = {},
): void {
  // Anything that could end the host field or read as a pattern would corrupt the entry.
  if (!/^[^\s,#!*?|[\]]+$/.test(host)) throw new Error(`known_hosts: not a host name: ${JSON.stringify(host)}`);
  const type = keyFamily(keyType);
  if (blobKeyType(key) !== type) throw new Error(`known_hosts: the key is not a ${type} key`);
  const name = hostField(host, port);
  const field = opts.hash ? hashedName(name) : name;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(file, 'a+', 0o600);
  try {
    const line = Buffer.from(`${endsWithoutNewline(fd) ? '\n' : ''}${field} ${type} ${key.toString('base64')}\n`);
    if (fs.writeSync(fd, line) !== line.length) throw new Error(`known_hosts: short write to ${file}`);
  } finally {
    fs.closeSync(fd);
  }
}

function endsWithoutNewline(fd: number): boolean {
  const { size } = fs.fstatSync(fd);
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

/** A name hashed as ssh-keygen -H and HashKnownHosts do. */
function hashedName(name: string): string {
  const salt = crypto.randomBytes(20);
  return `|1|${salt.toString('base64')}|${hmacSha1(salt, name).toString('base64')}`;
}

function hmacSha1(salt: Buffer, name: string): Buffer {
  return crypto.createHmac('sha1', salt).update(name).digest();
}

/** The key type named inside an SSH public key blob (its first string), or undefined. */
function blobKeyType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || 4 + length > blob.length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}
