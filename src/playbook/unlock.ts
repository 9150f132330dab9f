/**
 * Encrypted vars files (*.age, in vars_files or -e @FILE.age) are decrypted here, before any
 * host is prepared: loading stays synchronous, decryption is not.
 */
import { YamlFile } from '../util/yaml.js';
import { ConfigError } from '../util/errors.js';
import { decryptAgeFile, readIdentities } from '../util/age.js';
import { varsFromYaml } from './load.js';
import type { VarSource } from './model.js';

/** SOURCES with every encrypted file decrypted (its variables secret); the others as they were. */
export async function unlockVarSources(sources: VarSource[], identityFiles: string[]): Promise<VarSource[]> {
  if (!sources.some((s) => s.encrypted)) return sources;
  const identities = identityFiles.length ? readIdentities(identityFiles) : [];
  return Promise.all(
    sources.map(async (s) => {
      if (!s.encrypted) return s;
      const { file, from } = s.encrypted;
      try {
        // Error messages name the encrypted file; positions are those of the plaintext.
        return varsFromYaml(YamlFile.parse(file, await decryptAgeFile(file, identities)), true);
      } catch (e) {
        if (e instanceof ConfigError && from) throw new ConfigError(`${from.file}:${from.line}:${from.col}: ${e.message}`);
        throw e;
      }
    }),
  );
}
