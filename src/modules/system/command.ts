/**
 * command: run a command (a shell command line, or an argv whose words are quoted), guarded
 * by creates / removes (a path exists / does not) and unless / onlyif (a probe command's
 * exit status, run in the facts round trip, also in check mode). Changed only when it ran.
 */
import { z } from 'zod';
import { sh } from '../../shell/quote.js';
import { rootedPath, rootPrelude, requireSuccess } from '../kit/target.js';
import { factKey, res } from '../../facts/resources.js';
import { absolutePath } from '../kit/names.js';
import { defineModule, type FactQuery, type Target } from '../kit/contract.js';

/** One word of an argv: any text but a NUL (no command argument can hold one). */
export const argvWord = z.string().refine((w) => !w.includes('\0'), 'no NUL byte (no command argument can hold one)');

const full = z
  .strictObject({
    cmd: z.string().min(1).optional().describe('a shell command line (sh -c)'),
    argv: z.array(argvWord).min(1).optional().describe('a command and its arguments (quoted words), instead of `cmd`'),
    chdir: absolutePath.optional().describe('the directory it runs in'),
    creates: absolutePath.optional().describe('skip when this path exists'),
    removes: absolutePath.optional().describe('skip when this path does not exist'),
    unless: z.string().min(1).optional().describe('skip when this probe command exits 0'),
    onlyif: z.string().min(1).optional().describe('skip when this probe command exits non-zero'),
  })
  .refine((a) => (a.cmd === undefined) !== (a.argv === undefined), { message: 'give cmd or argv (one of them)', path: ['cmd'] });

export const commandArgs = z.union([z.string().min(1), full]);

export type CommandArgs = z.output<typeof full>;

interface CommandFacts {
  creates?: boolean;
  removes?: boolean;
  unless?: boolean;
  onlyif?: boolean;
}

function normalise(a: z.output<typeof commandArgs>): CommandArgs {
  return typeof a === 'string' ? { cmd: a } : a;
}

/** A probe: does PATH exist in the target? */
function existsQuery(t: Target, path: string): FactQuery<boolean> {
  return {
    key: factKey(t, 'exists', path),
    script: `${rootPrelude(t)}${sh`if [ -e ${rootedPath(t, path)} ] || [ -L ${rootedPath(t, path)} ]; then echo yes; else echo no; fi`}`,
    resources: [res.file(t, path)],
    parse(out) {
      requireSuccess(out, `checking ${path}`);
      return out.stdout.trim() === 'yes';
    },
  };
}

/**
 * A probe command's success. Not shared between steps: it may depend on anything. The probe
 * runs as its own `sh -c` and its status is read outside it, so nothing in it (a trailing
 * `# comment`, an `exit`, an unclosed quote) can change how that status is read.
 */
function succeedsQuery(t: Target, command: string, step: string): FactQuery<boolean> {
  return {
    key: factKey(t, 'probe', step, command),
    script: `${inTarget(t, sh`/bin/sh -c ${shOperand(command)}`, true)} >/dev/null 2>&1; echo $?`,
    resources: [res.volatile],
    parse: (out) => out.stdout.trim() === '0',
  };
}

/**
 * Shell text as the operand of `sh -c`: sh reads an operand that starts with - or + as its
 * own options (`sh -c -x` would not run "-x"); a leading blank changes nothing else.
 */
export function shOperand(text: string): string {
  return /^[-+]/.test(text) ? ` ${text}` : text;
}

/** COMMAND (shell text) run in the target: as is on the host, through jexec in a jail (`own`: it is one sh -c already). */
function inTarget(t: Target, command: string, own = false): string {
  if (t.kind === 'host') return command;
  // jexec NAME COMMAND...: the name is validated (jailName: never an option), the command is its own argv.
  return own ? `${sh`jexec ${t.name}`} ${command}` : sh`jexec ${t.name} /bin/sh -c ${shOperand(command)}`;
}

export const command = defineModule<z.output<typeof commandArgs>, CommandFacts>({
  name: 'command',
  summary: 'a command, with creates / removes / unless / onlyif guards',
  docs: {
    does:
      '`creates` and `removes` are paths; `unless` and `onlyif` are probe commands, run in the facts round trip, also in check mode, ' +
      'each as its own `sh -c` whose exit status is read outside it. Changed only when it ran. `command: LINE` is short for `cmd: LINE`.',
    inJail: '`jexec`',
  },
  args: commandArgs,
  jailAware: true,
  describe: (raw) => {
    const a = normalise(raw);
    const text = a.cmd ?? (a.argv as string[]).join(' ');
    return `command ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
  },
  facts(raw, ctx) {
    const a = normalise(raw);
    const step = a.cmd ?? JSON.stringify(a.argv);
    return {
      ...(a.creates !== undefined ? { creates: existsQuery(ctx.target, a.creates) } : {}),
      ...(a.removes !== undefined ? { removes: existsQuery(ctx.target, a.removes) } : {}),
      ...(a.unless !== undefined ? { unless: succeedsQuery(ctx.target, a.unless, step) } : {}),
      ...(a.onlyif !== undefined ? { onlyif: succeedsQuery(ctx.target, a.onlyif, step) } : {}),
    };
  },
  plan(raw, facts, ctx) {
    const a = normalise(raw);
    if (facts.creates === true || facts.removes === false || facts.unless === true || facts.onlyif === false) return [];
    const text = a.cmd ?? sh`${a.argv as string[]}`;
    const line = a.chdir !== undefined ? `cd ${sh`${a.chdir}`} && ${text}` : text;
    return [
      {
        summary: `run: ${a.cmd ?? (a.argv as string[]).join(' ')}`,
        action: { kind: 'script', script: inTarget(ctx.target, line) },
        // A command may change anything in its target (on the host: in its jails too).
        touches: [ctx.target.kind === 'host' ? res.everything : res.everythingIn(ctx.target)],
      },
    ];
  },
});
