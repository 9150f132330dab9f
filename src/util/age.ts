/**
 * Decrypting age files (https://age-encryption.org/v1) with the `age-encryption` package:
 * binary or ASCII-armored files, X25519 (and hybrid) identities as `age-keygen` writes them.
 * Identities come from --age-identity FILE (repeatable) or FLEETJAIL_AGE_IDENTITY_FILE.
 */
import fs from 'node:fs';
import { armor, Decrypter } from 'age-encryption';
import { ConfigError } from './errors.js';

export const AGE_IDENTITY_ENV = 'FLEETJAIL_AGE_IDENTITY_FILE';

/** The identity files to use: the options', else the environment's. */
export function ageIdentityFiles(fromOptions: string[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (fromOptions?.length) return fromOptions;
  const fromEnv = env[AGE_IDENTITY_ENV];
  return fromEnv ? [fromEnv] : [];
}

/** The AGE-SECRET-KEY-... lines of identity files (comments and blank lines skipped). */
export function readIdentities(files: string[]): string[] {
  const keys: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read age identity file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const found = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(l));
    if (found.length === 0) throw new ConfigError(`${file}: no age identity (an AGE-SECRET-KEY-1... line, as age-keygen writes)`);
    keys.push(...found);
  }
  return keys;
}

/** The plaintext of an age-encrypted FILE. */
export async function decryptAgeFile(file: string, identities: string[]): Promise<string> {
  if (identities.length === 0) {
    throw new ConfigError(`${file} is encrypted with age: give its identity with --age-identity FILE or ${AGE_IDENTITY_ENV}`);
  }
  let data: Uint8Array = fs.readFileSync(file);
  const text = Buffer.from(data.subarray(0, 64)).toString('latin1');
  try {
    if (text.startsWith('-----BEGIN AGE ENCRYPTED FILE-----')) data = armor.decode(fs.readFileSync(file, 'latin1'));
    const d = new Decrypter();
    for (const id of identities) d.addIdentity(id);
    return await d.decrypt(data, 'text');
  } catch (e) {
    throw new ConfigError(`cannot decrypt ${file}: ${(e as Error).message}`);
  }
}
