/**
 * The operator's OpenSSH client config (ssh_config(5)), for the keywords fleetjail uses:
 * HostName, Port, User, IdentityFile, ProxyJump, UserKnownHostsFile. As OpenSSH: the first
 * value obtained for a keyword wins, IdentityFile accumulates, Host patterns take * ? and
 * !negation, `Match all` / `Match host` / `Match originalhost` are understood, Include is
 * followed (relative to ~/.ssh), and %h %p %r %u %d %% expand in IdentityFile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../util/errors.js';
import { globToRegExp } from './pattern.js';

interface Block {
  /** Decides whether the block applies to a host alias. */
  applies: (host: string) => boolean;
  settings: Array<{ key: string; value: string; file: string; line: number }>;
}

export interface SshConfig {
  blocks: Block[];
  /** Match criteria fleetjail cannot evaluate (exec, user, localuser...): those blocks are skipped. */
  skipped: string[];
}

export interface SshHostSettings {
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles: string[];
  proxyJump?: string;
  knownHostsFiles: string[];
}

export function loadSshConfig(file: string): SshConfig {
  const config: SshConfig = { blocks: [{ applies: () => true, settings: [] }], skipped: [] };
  readInto(config, file, 0);
  return config;
}

export function parseSshConfig(text: string, file = 'ssh_config'): SshConfig {
  const config: SshConfig = { blocks: [{ applies: () => true, settings: [] }], skipped: [] };
  parseText(config, text, file, 0);
  return config;
}

function readInto(config: SshConfig, file: string, depth: number): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ssh config: ${(e as Error).message}`, file);
  }
  parseText(config, text, file, depth);
}

function parseText(config: SshConfig, text: string, file: string, depth: number): void {
  if (depth > 16) throw new ConfigError('ssh config: Include nested too deeply', file);
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) return;
    const key = (m[1] as string).toLowerCase();
    const args = splitArgs(m[2] as string);
    if (key === 'host') {
      config.blocks.push({ applies: hostMatcher(args), settings: [] });
    } else if (key === 'match') {
      const applies = matchMatcher(args);
      if (!applies) config.skipped.push(`${file}:${i + 1}: Match ${args.join(' ')}`);
      config.blocks.push({ applies: applies ?? (() => false), settings: [] });
    } else if (key === 'include') {
      for (const pattern of args) {
        const full = pattern.startsWith('~') ? path.join(os.homedir(), pattern.slice(1)) : path.isAbsolute(pattern) ? pattern : path.join(os.homedir(), '.ssh', pattern);
        for (const f of expandGlob(full)) readInto(config, f, depth + 1);
      }
    } else {
      const block = config.blocks[config.blocks.length - 1] as Block;
      block.settings.push({ key, value: args.join(' '), file, line: i + 1 });
    }
  });
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push((m[1] ?? m[2]) as string);
  return out;
}

function hostMatcher(patterns: string[]): (host: string) => boolean {
  return (host) => {
    let matched = false;
    for (const p of patterns) {
      const negated = p.startsWith('!');
      if (globToRegExp(negated ? p.slice(1) : p).test(host)) {
        if (negated) return false;
        matched = true;
      }
    }
    return matched;
  };
}

/** `Match all`, `Match host A,B`, `Match originalhost A` (and their combinations); undefined for others. */
function matchMatcher(args: string[]): ((host: string) => boolean) | undefined {
  const tests: Array<(host: string) => boolean> = [];
  for (let i = 0; i < args.length; i++) {
    const word = (args[i] as string).toLowerCase();
    if (word === 'all') tests.push(() => true);
    else if (word === 'host' || word === 'originalhost') {
      const list = (args[++i] ?? '').split(',');
      tests.push(hostMatcher(list));
    } else return undefined;
  }
  return (host) => tests.every((t) => t(host));
}

function expandGlob(pattern: string): string[] {
  if (!/[*?[]/.test(path.basename(pattern))) return fs.existsSync(pattern) ? [pattern] : [];
  const dir = path.dirname(pattern);
  const re = globToRegExp(path.basename(pattern));
  try {
    return fs.readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

export function resolveSshConfig(config: SshConfig, alias: string, localUser = os.userInfo().username): SshHostSettings {
  const first = new Map<string, string>();
  const identities: string[] = [];
  const knownHosts: string[] = [];
  for (const block of config.blocks) {
    if (!block.applies(alias)) continue;
    for (const s of block.settings) {
      if (s.key === 'identityfile') identities.push(s.value);
      else if (s.key === 'userknownhostsfile') {
        if (knownHosts.length === 0) knownHosts.push(...s.value.split(/\s+/));
      } else if (!first.has(s.key)) first.set(s.key, s.value);
    }
  }
  const hostName = first.get('hostname')?.replace(/%h/g, alias);
  const port = first.has('port') ? Number(first.get('port')) : undefined;
  const user = first.get('user');
  const tokens = (v: string) => v.replace(/%(.)/g, (_, c: string) => ({
    h: hostName ?? alias, p: String(port ?? 22), r: user ?? localUser, u: localUser, d: os.homedir(), '%': '%',
  } as Record<string, string>)[c] ?? `%${c}`);
  const home = (v: string) => (v.startsWith('~/') ? path.join(os.homedir(), v.slice(2)) : v);
  const proxyJump = first.get('proxyjump');
  return {
    ...(hostName ? { hostName } : {}),
    ...(port ? { port } : {}),
    ...(user ? { user } : {}),
    identityFiles: identities.map((f) => home(tokens(f))),
    ...(proxyJump && proxyJump.toLowerCase() !== 'none' ? { proxyJump } : {}),
    knownHostsFiles: knownHosts.map((f) => home(tokens(f))),
  };
}
