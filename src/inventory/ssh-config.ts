/**
 * The operator's OpenSSH client config (ssh_config(5)), for the keywords fleetjail uses:
 * HostName, Port, User, IdentityFile, ProxyJump, UserKnownHostsFile. As OpenSSH reads it:
 *  - keywords are case-insensitive, written `Key value` or `Key=value`, values may be quoted,
 *    and `#` starts a comment;
 *  - `Host` takes patterns with * and ?, and !negations; `Match all`, `Match [!]host`,
 *    `[!]originalhost`, `[!]user` and `[!]localuser` are evaluated, other criteria make the
 *    block be skipped, with a warning;
 *  - `Include` (relative to ~/.ssh, with globs) reads files in place; inside a Host or Match
 *    block, the included lines apply only when the block does;
 *  - the first value obtained for a keyword wins, except IdentityFile, which accumulates;
 *  - IdentityFile takes ~ and the tokens %d %h %i %k %L %l %n %p %r %u %%.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../util/errors.js';
import { expandGlob, globToRegExp } from './glob.js';

/** What Match criteria and tokens are evaluated against, as resolution goes. */
interface MatchState {
  alias: string;
  hostName: string;
  user: string;
  localUser: string;
}

type Condition = (s: MatchState) => boolean;

interface Setting {
  key: string;
  args: string[];
  file: string;
  line: number;
}

interface Block {
  /** All must hold: the block's own Host/Match line and those of the blocks it was included from. */
  conditions: Condition[];
  settings: Setting[];
}

export interface SshConfig {
  blocks: Block[];
  /** Lines fleetjail cannot honour (Match exec, ...): "file:line: why". Their blocks are skipped. */
  warnings: string[];
}

export interface SshConfigOptions {
  /** Home directory for ~ and for Include's relative paths (~/.ssh/...). Default: the user's. */
  home?: string;
}

/** Values obtained before the config is read, as OpenSSH's command-line options are: they win. */
export interface SshResolveContext {
  hostName?: string;
  port?: number;
  user?: string;
  /** The local user name (%u, Match localuser, the default for %r). Default: the current user. */
  localUser?: string;
  home?: string;
}

/** The effective settings for one host alias: the context's values, else the config's. */
export interface SshHostSettings {
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles: string[];
  /** Absent when none is configured or the first value is `none`. */
  proxyJump?: string;
  knownHostsFiles: string[];
}

const MAX_INCLUDE_DEPTH = 16;

export function loadSshConfig(file: string, opts: SshConfigOptions = {}): SshConfig {
  const config: SshConfig = { blocks: [], warnings: [] };
  readFile(config, file, [], 0, opts);
  return config;
}

/** A config from text (FILE only names it in messages). */
export function parseSshConfig(text: string, file = 'ssh_config', opts: SshConfigOptions = {}): SshConfig {
  const config: SshConfig = { blocks: [], warnings: [] };
  parseText(config, text, file, [], 0, opts);
  return config;
}

function readFile(config: SshConfig, file: string, inherited: Condition[], depth: number, opts: SshConfigOptions): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ssh config: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  parseText(config, text, file, inherited, depth, opts);
}

/** INHERITED: the conditions of the block an Include appeared in. */
function parseText(config: SshConfig, text: string, file: string, inherited: Condition[], depth: number, opts: SshConfigOptions): void {
  let current: Block = { conditions: inherited, settings: [] };
  config.blocks.push(current);
  text.split(/\r?\n/).forEach((raw, i) => {
    const lineNo = i + 1;
    const m = /^\s*([^\s=#]+)(?:\s*=\s*|\s+|$)(.*)$/.exec(raw);
    if (!m) return;
    const key = (m[1] as string).toLowerCase();
    const args = splitArgs(m[2] as string, file, lineNo);
    if (key === 'host') {
      current = { conditions: [...inherited, hostCondition(args)], settings: [] };
      config.blocks.push(current);
    } else if (key === 'match') {
      const cond = matchCondition(args);
      if (typeof cond === 'string') config.warnings.push(`${file}:${lineNo}: Match ${args.join(' ')}: ${cond}; block skipped`);
      current = { conditions: [...inherited, typeof cond === 'string' ? () => false : cond], settings: [] };
      config.blocks.push(current);
    } else if (key === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH) throw new ConfigError(`Include nested more than ${MAX_INCLUDE_DEPTH} deep`, file, lineNo);
      for (const pattern of args) {
        for (const f of expandGlob(includePath(pattern, opts))) readFile(config, f, current.conditions, depth + 1, opts);
      }
      // The rest of this block goes on after the included lines.
      current = { conditions: current.conditions, settings: [] };
      config.blocks.push(current);
    } else if (args.length > 0) {
      if (key === 'port') checkPort(args[0] as string, file, lineNo);
      current.settings.push({ key, args, file, line: lineNo });
    }
  });
}

/** Words as OpenSSH splits them: whitespace-separated, "double" or 'single' quoted, \-escapes, # starts a comment. */
function splitArgs(s: string, file: string, line: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i] as string)) i++;
    if (i >= s.length || s[i] === '#') break;
    let word = '';
    let quote: string | undefined;
    for (; i < s.length; i++) {
      const c = s[i] as string;
      if (!quote && /\s/.test(c)) break;
      const next = s[i + 1];
      if (c === '\\' && next !== undefined && (quote ? next === quote || next === '\\' : /[\s"'\\]/.test(next))) {
        word += next;
        i++;
      } else if (quote) {
        if (c === quote) quote = undefined;
        else word += c;
      } else if (c === '"' || c === "'") {
        quote = c;
      } else {
        word += c;
      }
    }
    if (quote) throw new ConfigError('unterminated quoted string', file, line);
    out.push(word);
  }
  return out;
}

function checkPort(v: string, file: string, line: number): void {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new ConfigError(`Port must be a number from 1 to 65535, got '${v}'`, file, line);
}

/** OpenSSH's pattern lists: a matching !pattern rejects outright, otherwise any pattern matching accepts. */
function matchesPatternList(name: string, patterns: string[]): boolean {
  let matched = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    if (globToRegExp(negated ? p.slice(1) : p, { classes: false, ignoreCase: true }).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function hostCondition(patterns: string[]): Condition {
  return (s) => matchesPatternList(s.alias, patterns);
}

/** A condition for a Match line, or why it cannot be evaluated. */
function matchCondition(args: string[]): Condition | string {
  const tests: Condition[] = [];
  if (args.length === 0) return 'no criteria';
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    const negated = word.startsWith('!');
    const criterion = (negated ? word.slice(1) : word).toLowerCase();
    if (criterion === 'all') {
      tests.push(() => !negated);
      continue;
    }
    const subject: ((s: MatchState) => string) | undefined = {
      host: (s: MatchState) => s.hostName,
      originalhost: (s: MatchState) => s.alias,
      user: (s: MatchState) => s.user,
      localuser: (s: MatchState) => s.localUser,
    }[criterion];
    if (!subject) return `criterion '${criterion}' is not supported`;
    const list = args[++i];
    if (list === undefined) return `criterion '${criterion}' needs an argument`;
    const patterns = list.split(',');
    tests.push((s) => matchesPatternList(subject(s), patterns) !== negated);
  }
  return (s) => tests.every((t) => t(s));
}

function includePath(pattern: string, opts: SshConfigOptions): string {
  const home = opts.home ?? os.homedir();
  if (pattern === '~' || pattern.startsWith('~/')) return path.join(home, pattern.slice(1));
  return path.isAbsolute(pattern) ? pattern : path.join(home, '.ssh', pattern);
}

export function resolveSshConfig(config: SshConfig, alias: string, ctx: SshResolveContext = {}): SshHostSettings {
  const localUser = ctx.localUser ?? os.userInfo().username;
  const home = ctx.home ?? os.homedir();
  const lower = alias.toLowerCase();
  const first = new Map<string, Setting>();
  const identities: Setting[] = [];
  const state = (): MatchState => ({
    alias: lower,
    hostName: ctx.hostName ?? (first.has('hostname') ? expandHostName(first.get('hostname')!, lower) : lower),
    user: ctx.user ?? first.get('user')?.args[0] ?? localUser,
    localUser,
  });
  for (const block of config.blocks) {
    if (block.settings.length === 0) continue;
    const s = state();
    if (!block.conditions.every((c) => c(s))) continue;
    for (const setting of block.settings) {
      if (setting.key === 'identityfile') identities.push(setting);
      else if (!first.has(setting.key)) first.set(setting.key, setting);
    }
  }
  const final = state();
  const portSetting = first.get('port');
  const port = ctx.port ?? (portSetting ? Number(portSetting.args[0]) : undefined);
  const user = ctx.user ?? first.get('user')?.args[0];
  const hostName = ctx.hostName ?? (first.has('hostname') ? final.hostName : undefined);
  const tokens: Record<string, string> = {
    '%': '%',
    d: home,
    h: final.hostName,
    k: lower,
    n: alias,
    p: String(port ?? 22),
    r: final.user,
    u: localUser,
    l: os.hostname(),
    L: os.hostname().split('.')[0] as string,
    i: String(process.getuid?.() ?? ''),
  };
  const expandFile = (f: string, setting: Setting) => expandTilde(expandTokens(f, tokens, setting), home);
  const proxyJump = first.get('proxyjump')?.args[0];
  const knownHosts = first.get('userknownhostsfile');
  return {
    ...(hostName !== undefined ? { hostName } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(user !== undefined ? { user } : {}),
    identityFiles: identities.map((s) => expandFile(s.args[0] as string, s)),
    ...(proxyJump !== undefined && proxyJump.toLowerCase() !== 'none' ? { proxyJump } : {}),
    knownHostsFiles: knownHosts ? knownHosts.args.map((f) => expandFile(f, knownHosts)) : [],
  };
}

/** HostName takes %h (the alias) and %%. */
function expandHostName(setting: Setting, alias: string): string {
  return (setting.args[0] as string).replace(/%([%h])/g, (_, c: string) => (c === 'h' ? alias : '%'));
}

function expandTokens(value: string, tokens: Record<string, string>, where: Setting): string {
  return value.replace(/%(.?)/g, (_, c: string) => {
    const v = tokens[c];
    if (v === undefined)
      throw new ConfigError(
        `${where.key === 'identityfile' ? 'IdentityFile' : 'UserKnownHostsFile'}: unknown token '%${c}'`,
        where.file,
        where.line,
      );
    return v;
  });
}

function expandTilde(p: string, home: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(home, p.slice(1)) : p;
}
