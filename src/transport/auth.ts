/**
 * The authentication methods tried for a host, in OpenSSH's order: the agent's keys
 * first, then each identity file. Encrypted keys are unlocked with a passphrase from
 * FLEETJAIL_SSH_PASSPHRASE or, on a TTY, a prompt (asked once per key file per run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2, { type AnyAuthMethod } from 'ssh2';

const { utils } = ssh2;

export interface AuthOptions {
  /** ssh-agent socket; default SSH_AUTH_SOCK. Empty string disables the agent. */
  agentSocket?: string;
  /** Asked for an encrypted key's passphrase (returns undefined to skip the key). */
  passphrase?: (keyFile: string) => Promise<string | undefined>;
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** Identity files OpenSSH would try when none is configured. */
export function defaultIdentityFiles(): string[] {
  const dir = path.join(os.homedir(), '.ssh');
  return DEFAULT_IDENTITIES.map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
}

type ParsedKey = Exclude<ReturnType<typeof utils.parseKey>, Error | unknown[]>;

export class KeyStore {
  private readonly keys = new Map<string, Promise<{ key: ParsedKey } | { error: string }>>();
  constructor(private readonly opts: AuthOptions) {}

  /** Load (once) and decrypt (once) an identity file. */
  load(file: string): Promise<{ key: ParsedKey } | { error: string }> {
    let p = this.keys.get(file);
    if (!p) {
      p = this.read(file);
      this.keys.set(file, p);
    }
    return p;
  }

  private async read(file: string): Promise<{ key: ParsedKey } | { error: string }> {
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      return { error: `cannot read identity file ${file}: ${(e as Error).message}` };
    }
    let parsed = utils.parseKey(data);
    if (parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message)) {
      const passphrase = await this.opts.passphrase?.(file);
      if (passphrase === undefined) return { error: `identity file ${file} is encrypted and no passphrase was given` };
      parsed = utils.parseKey(data, passphrase);
      if (parsed instanceof Error) return { error: `cannot decrypt identity file ${file}: wrong passphrase?` };
    }
    if (parsed instanceof Error) return { error: `cannot parse identity file ${file}: ${parsed.message}` };
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key) return { error: `identity file ${file} holds no key` };
    return { key: key as ParsedKey };
  }

  async methods(user: string, identityFiles: string[]): Promise<{ methods: AnyAuthMethod[]; problems: string[] }> {
    const methods: AnyAuthMethod[] = [];
    const problems: string[] = [];
    const agent = this.opts.agentSocket ?? process.env.SSH_AUTH_SOCK ?? '';
    if (agent) methods.push({ type: 'agent', username: user, agent });
    for (const file of identityFiles) {
      const loaded = await this.load(file);
      if ('key' in loaded) methods.push({ type: 'publickey', username: user, key: loaded.key });
      else problems.push(loaded.error);
    }
    return { methods, problems };
  }
}

/** FLEETJAIL_SSH_PASSPHRASE, else a prompt on the controlling TTY, else nothing. */
export function passphraseFromEnvOrTty(): (keyFile: string) => Promise<string | undefined> {
  return async (keyFile) => {
    const fromEnv = process.env.FLEETJAIL_SSH_PASSPHRASE;
    if (fromEnv !== undefined) return fromEnv;
    if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
    return promptHidden(`Enter passphrase for key '${keyFile}': `);
  };
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    // Echo off before the prompt shows, or fast typing would be echoed.
    stdin.setRawMode(true);
    process.stderr.write(question);
    stdin.resume();
    let answer = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(answer);
          return;
        }
        if (ch === '\u0003') process.exit(130);
        if (ch === '\u007f') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}
