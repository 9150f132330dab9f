/**
 * OpenSSH known_hosts: plain and hashed (|1|salt|hmac) host patterns, [host]:port for
 * ports other than 22, wildcards and negation, @revoked and @cert-authority markers.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

interface Entry {
  marker: 'revoked' | 'cert-authority' | undefined;
  /** Plain patterns (may hold * ? and !negation) or one hashed entry. */
  patterns: string[];
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  key: Buffer;
}

export interface KnownHostsDb {
  entries: Entry[];
  /** Remember a key accepted during this run. */
  add(host: string, port: number, keyType: string, key: Buffer): void;
}

export type HostKeyCheck =
  | { status: 'match' }
  | { status: 'mismatch'; expected: string[] }
  | { status: 'unknown' }
  | { status: 'revoked' };

export function parseKnownHosts(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: Entry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue;
    }
    const [hosts, keyType, keyB64] = fields;
    if (!hosts || !keyType || !keyB64) continue;
    const key = Buffer.from(keyB64, 'base64');
    if (hosts.startsWith('|1|')) {
      const [, , salt, hash] = hosts.split('|');
      if (!salt || !hash) continue;
      entries.push({ marker, patterns: [], hashed: { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') }, keyType, key });
    } else {
      entries.push({ marker, patterns: hosts.split(','), keyType, key });
    }
  }
  return entries;
}

export function loadKnownHosts(files: string[]): KnownHostsDb {
  const entries: Entry[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    entries.push(...parseKnownHosts(text));
  }
  return {
    entries,
    add(host, port, keyType, key) {
      entries.push({ marker: undefined, patterns: [hostField(host, port)], keyType, key });
    },
  };
}

/** How OpenSSH names a host in known_hosts: the bare host for port 22, else [host]:port. */
export function hostField(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  return re.test(text);
}

function entryMatches(entry: Entry, name: string): boolean {
  if (entry.hashed) {
    const mac = crypto.createHmac('sha1', entry.hashed.salt).update(name).digest();
    return mac.length === entry.hashed.hash.length && crypto.timingSafeEqual(mac, entry.hashed.hash);
  }
  let matched = false;
  for (const p of entry.patterns) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * Check an offered key. As OpenSSH: a revoked key is refused outright; a known key of the
 * same type must match; a host known only with keys of other types is "unknown" for this
 * type (OpenSSH then warns and asks), never silently trusted.
 */
export function checkHostKey(db: KnownHostsDb, host: string, port: number, keyType: string, key: Buffer): HostKeyCheck {
  const name = hostField(host, port);
  const relevant = db.entries.filter((e) => e.marker !== 'cert-authority' && entryMatches(e, name));
  if (relevant.some((e) => e.marker === 'revoked' && e.key.equals(key))) return { status: 'revoked' };
  const sameType = relevant.filter((e) => e.marker === undefined && e.keyType === keyType);
  if (sameType.some((e) => e.key.equals(key))) return { status: 'match' };
  if (sameType.length > 0) return { status: 'mismatch', expected: sameType.map((e) => `${e.keyType} ${fingerprint(e.key)}`) };
  return { status: 'unknown' };
}

/** OpenSSH's fingerprint form: SHA256:<base64 without padding>. */
export function fingerprint(key: Buffer): string {
  return 'SHA256:' + crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** Record a key: one line appended (O_APPEND), the file created 0600 with its directory if needed. */
export function appendKnownHost(file: string, host: string, port: number, keyType: string, key: Buffer, opts: { hash?: boolean } = {}): void {
  let field = hostField(host, port);
  if (opts.hash) {
    const salt = crypto.randomBytes(20);
    field = `|1|${salt.toString('base64')}|${crypto.createHmac('sha1', salt).update(field).digest('base64')}`;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const text = fs.readFileSync(file, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) prefix = '\n';
  } catch {
    // new file
  }
  fs.appendFileSync(file, `${prefix}${field} ${keyType} ${key.toString('base64')}\n`, { mode: 0o600 });
}
