/**
 * The hostile corpus, layer (a): every string argument of every module in the registry (found
 * by walking each module's zod schema, nested objects, arrays and records included, so a new
 * module or argument is covered without touching this file) is set to each hostile value.
 * Each case must either fail validation, or plan changes whose scripts (facts and changes, for
 * the host and, for modules that take `jail:`, inside a jail), run by a real sh in a sandbox
 * (test/support/sandbox-sh.ts), never run the marker command and create no file outside the
 * paths the arguments name. What the jail module writes is read back by the lab's jail.conf(5)
 * parser: one block, the jail's own, and its exec.* commands run in the sandbox as jail(8)
 * runs them; its fstab keeps six fields a line.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { MODULES } from '../../../src/modules/registry.js';
import { sh } from '../../../src/shell/quote.js';
import type { AnyModule, Change, Target } from '../../../src/modules/kit/contract.js';
import { HOSTILE_CORPUS, MARKER } from '../../support/hostile-strings.js';
import { runInSandbox, sandboxAvailable } from '../../support/sandbox-sh.js';
import { BASELINES } from './baselines.js';
import { stringLeaves, withValue } from './corpus-cases.js';

const require = createRequire(import.meta.url);
const jailLib = path.resolve(__dirname, '../../lab/userland/lib/jail');
const { parseText } = require(path.join(jailLib, 'conf-parse.cjs'));
const { resolveJails } = require(path.join(jailLib, 'conf-resolve.cjs'));

/**
 * Arguments that are shell text by design, run as the playbook's author wrote them (the author
 * can run any command as root anyway): command lines, probes, validate commands. Layer (b) and
 * the probe tests check that they run as one `sh -c` of their own.
 */
const SHELL_TEXT: Record<string, string[]> = {
  command: ['', 'cmd', 'unless', 'onlyif'],
  'jail.exec': ['cmd', 'unless', 'onlyif'],
  file: ['validate'],
};

function absoluteStrings(v: unknown): string[] {
  if (typeof v === 'string') return v.startsWith('/') ? [v] : [];
  if (Array.isArray(v)) return v.flatMap(absoluteStrings);
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(absoluteStrings);
  return [];
}

const ctx = (target: Target) => ({ host: 'h1', target, check: false, diff: false });

interface Outcome {
  scripts: string[];
  files: Array<{ path: string; content: string }>;
  paths: string[];
}

/** The jail root the baselines' facts give (and the sandbox's jls prints). */
const JAIL_ROOT = '/fj-jails/www';
const escapes = (p: string) =>
  p.includes(JAIL_ROOT) && !`${path.posix.normalize(p.slice(p.indexOf(JAIL_ROOT)))}/`.startsWith(`${JAIL_ROOT}/`);

/**
 * Calls where an argument carrying a hostile option (-fjopt, --fjmark) comes before any `--`
 * and is not the argument of an option (`-o NAME=VALUE`, `-c SCRIPT`). `sh -c -x` is one too.
 */
function optionInjections(calls: Array<{ id: string; argv: string[] }>): string[] {
  const takesArgument = new Set(['-o', '-U', '-j', '-C', '-b', '-d', '-f']);
  return calls
    .filter((c) => {
      const end = c.argv.indexOf('--');
      const args = c.argv.slice(1, end < 0 ? undefined : end);
      return args.some((a, i) => a.startsWith('-') && (a.includes('fjopt') || a.includes(MARKER)) && !takesArgument.has(args[i - 1] ?? ''));
    })
    .map((c) => `${c.id}: ${c.argv.join(' ')}`);
}

/** Calls with a path under the jail's root whose .. leads out of it. */
function jailEscapes(calls: Array<{ id: string; argv: string[] }>): string[] {
  return calls.filter((c) => c.argv.some(escapes)).map((c) => `${c.id}: ${c.argv.join(' ')}`);
}

/** The fact and change scripts of ARGS on TARGET; an Error from the module (a refusal) gives none. */
function scriptsOf(m: AnyModule, args: unknown, target: Target, facts: Record<string, unknown>): Outcome {
  const out: Outcome = { scripts: [], files: [], paths: [] };
  try {
    for (const q of Object.values(m.facts(args, ctx(target)) as Record<string, { script: string }>)) out.scripts.push(q.script);
    const changes: Change[] = m.plan(args, facts, ctx(target));
    for (const c of changes) {
      const a = c.action;
      if (a.kind === 'write' || a.kind === 'edit') out.paths.push(a.path);
      if (a.kind === 'script') out.scripts.push(a.script);
      else if (a.kind === 'confirmed') out.scripts.push(a.apply, a.commit, a.rollback);
      else if (a.kind === 'write' && typeof a.content === 'string') out.files.push({ path: a.path, content: a.content });
    }
  } catch (e) {
    if (!(e instanceof Error)) throw e;
  }
  return out;
}

/** NAME.conf as jail(8) reads it: one block, the jail's; its exec.* commands (shell text jail(8) runs). */
function checkJailConf(name: string, text: string, where: string): string[] {
  const jails = resolveJails(parseText(text, 'NAME.conf', () => [])) as Array<{
    name: string;
    params: Array<{ name: string; values: string[] }>;
    errors: string[];
  }>;
  expect(
    jails.map((j) => j.name),
    `${where}: blocks of ${name}.conf`,
  ).toEqual([name]);
  // A value whose $variable does not resolve stays in parts (jail(8) refuses it: "variable not found"): not run.
  return (jails[0]?.params ?? [])
    .filter((p) => p.name.startsWith('exec.'))
    .flatMap((p) => p.values)
    .filter((v): v is string => typeof v === 'string');
}

/** An fstab: every line a comment or six blank-separated fields. */
function checkFstab(text: string, where: string): void {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    expect(line.split(/[ \t]+/).length, `${where}: fstab line ${JSON.stringify(line)}`).toBe(6);
  }
}

const canRun = sandboxAvailable();

describe('hostile corpus: every string argument of every module', () => {
  it('every module in the registry has a baseline that plans changes', () => {
    const problems: string[] = [];
    for (const m of MODULES) {
      const bases = BASELINES[m.name];
      if (!bases) problems.push(`test/unit/security/baselines.ts: add a baseline for module ${m.name}`);
      for (const [i, b] of (bases ?? []).entries()) {
        try {
          const args = m.args.parse(b.args);
          const targets: Target[] = m.jailAware ? [{ kind: 'host' }, { kind: 'jail', name: 'www' }] : [{ kind: 'host' }];
          for (const t of targets)
            if (m.plan(args, b.facts(args, t), ctx(t)).length === 0) problems.push(`${m.name}#${i} on ${t.kind}: plans nothing`);
        } catch (e) {
          problems.push(`${m.name}#${i}: ${(e as Error).message.slice(0, 300)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it.skipIf(!canRun)('the sandbox sees a marker that runs and a file that appears', () => {
    const run = runInSandbox(
      new Map([
        ['quiet', sh`echo ${`$(${MARKER})`}`],
        ['injected', `echo $(${MARKER})`],
        ['writes', 'echo x > /fj-stray'],
      ]),
    );
    expect(run.hits).toEqual(['injected']);
    expect(run.newFiles).toEqual(['/fj-stray']);
  });

  it('finds the string arguments by walking the schemas', () => {
    const file = MODULES.find((m) => m.name === 'file') as AnyModule;
    expect(stringLeaves(file.args).map((l) => l.path.join('.'))).toEqual(expect.arrayContaining(['path', 'owner', 'group', 'target']));
    const jail = MODULES.find((m) => m.name === 'jail') as AnyModule;
    expect(stringLeaves(jail.args).map((l) => l.path.join('.'))).toEqual(
      expect.arrayContaining(['template', 'mounts.0.source', 'vnet.bridge', 'params.*', 'params.*.0']),
    );
  });

  for (const m of MODULES) {
    it.skipIf(!canRun)(
      `${m.name}: hostile values are refused or stay data`,
      () => {
        // Case id by script: a script many cases share (a fact query, say) runs once.
        const byText = new Map<string, string>();
        const add = (id: string, text: string) => {
          if (!byText.has(text)) byText.set(text, id);
        };
        const namedPaths = new Set<string>();
        const escapedWrites: string[] = [];
        let accepted = 0;
        let refused = 0;
        const leaves = stringLeaves(m.args).filter((l) => !(SHELL_TEXT[m.name] ?? []).includes(String(l.path[0] ?? '')));
        for (const [bi, base] of (BASELINES[m.name] ?? []).entries()) {
          for (const leaf of leaves) {
            for (const hostile of HOSTILE_CORPUS) {
              for (const value of [hostile, `/fj/${hostile}`]) {
                const parsed = m.args.safeParse(withValue(base.args, leaf, value));
                if (!parsed.success) {
                  refused++;
                  continue;
                }
                accepted++;
                const args = parsed.data;
                absoluteStrings(args).forEach((p) => namedPaths.add(p));
                const targets: Target[] = m.jailAware ? [{ kind: 'host' }, { kind: 'jail', name: 'www' }] : [{ kind: 'host' }];
                for (const target of targets) {
                  const id = `${m.name}#${bi} ${leaf.path.join('.')}${leaf.recordKey ? ' (key)' : ''}=${JSON.stringify(value).slice(0, 60)} on ${target.kind}`;
                  const out = scriptsOf(m, args, target, base.facts(args, target));
                  out.scripts.forEach((s, i) => add(`${id} [${i}]`, s));
                  if (target.kind === 'jail') escapedWrites.push(...out.paths.filter(escapes).map((p) => `${id}: ${p}`));
                  for (const f of out.files) {
                    if (f.path.startsWith('/etc/jail.conf.d/')) {
                      const execs = checkJailConf(path.basename(f.path, '.conf'), f.content, id);
                      execs.forEach((s, i) => add(`${id} [exec ${i}]`, s));
                    }
                    if (f.path.endsWith('.fstab')) checkFstab(f.content, id);
                  }
                }
              }
            }
          }
        }
        expect(accepted + refused).toBeGreaterThan(0);
        const run = runInSandbox(new Map([...byText].map(([text, id]) => [id, text])));
        expect(run.hits, `${MARKER} ran`).toEqual([]);
        if (byText.size > 0) expect(run.calls.length, 'the stubs were called: the scripts ran').toBeGreaterThan(0);
        expect(optionInjections(run.calls), 'a hostile value read as an option').toEqual([]);
        expect(jailEscapes(run.calls), 'a path under the jail root that leads out of it').toEqual([]);
        expect(escapedWrites, 'a write or edit outside the jail root').toEqual([]);
        // Tools the sandbox lacks (a name, not a value used as a command: argv[0], a template's binary).
        const tools = run.missing.filter((n) => /^[a-z][a-z0-9_.-]*$/.test(n) && !n.includes(MARKER));
        expect(tools, 'commands the sandbox lacks (add stubs in test/support/sandbox-sh.ts)').toEqual([]);
        const named = [...namedPaths].map((p) => path.posix.normalize(p));
        const outside = run.newFiles.filter((f) => !named.some((p) => f.startsWith(p)));
        expect(outside, 'files created outside the paths the arguments name').toEqual([]);
      },
      600_000,
    );
  }
});
