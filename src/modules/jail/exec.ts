/**
 * jail.exec: a command inside a running jail (jexec), with command's guards (creates /
 * removes are paths inside the jail; unless / onlyif probes run in the jail too). It is the
 * command module aimed at the jail, plus `user` (jexec -U).
 */
import { z } from 'zod';
import { sh } from '../../shell/quote.js';
import { argvWord, command, shOperand, type CommandArgs } from '../system/command.js';
import { absolutePath, accountName, jailName } from '../kit/names.js';
import { defineModule, type StepContext } from '../kit/contract.js';

export const jailExecArgs = z
  .strictObject({
    jail: jailName.describe('the running jail'),
    cmd: z.string().min(1).optional().describe('a shell command line (sh -c, inside the jail)'),
    argv: z.array(argvWord).min(1).optional().describe('a command and its arguments (quoted words), instead of `cmd`'),
    user: accountName.optional().describe('run as this user of the jail (jexec -U)'),
    chdir: absolutePath.optional().describe('the directory it runs in, inside the jail'),
    creates: absolutePath.optional().describe('skip when this path exists in the jail'),
    removes: absolutePath.optional().describe('skip when this path does not exist in the jail'),
    unless: z.string().min(1).optional().describe('skip when this probe command exits 0 in the jail'),
    onlyif: z.string().min(1).optional().describe('skip when this probe command exits non-zero in the jail'),
  })
  .refine((a) => (a.cmd === undefined) !== (a.argv === undefined), { message: 'give cmd or argv (one of them)', path: ['cmd'] });

export type JailExecArgs = z.output<typeof jailExecArgs>;

function asCommand(a: JailExecArgs): CommandArgs {
  const { jail: _j, user: _u, ...rest } = a;
  return rest as CommandArgs;
}

function inJail(a: JailExecArgs, ctx: StepContext): StepContext {
  return { ...ctx, target: { kind: 'jail', name: a.jail } };
}

export const jailExec = defineModule<JailExecArgs, Record<string, boolean | undefined>>({
  name: 'jail.exec',
  summary: 'a command inside a running jail (jexec), with creates / removes / unless / onlyif guards',
  docs: { does: "The guards are `command`'s, evaluated inside the jail.", inJail: '(is one)' },
  args: jailExecArgs,
  jailAware: false,
  describe: (a) => {
    const text = a.cmd ?? (a.argv as string[]).join(' ');
    return `jail.exec ${a.jail}: ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
  },
  facts: (a, ctx) => command.facts(asCommand(a), inJail(a, ctx)),
  plan(a, facts, ctx) {
    const changes = command.plan(asCommand(a), facts, inJail(a, ctx));
    if (a.user === undefined) return changes;
    // The same command line, as that user: jexec -U USER NAME /bin/sh -c LINE.
    const text = a.cmd ?? sh`${a.argv as string[]}`;
    const line = a.chdir !== undefined ? `cd ${sh`${a.chdir}`} && ${text}` : text;
    return changes.map((c) => ({
      ...c,
      summary: `${c.summary} (as ${a.user})`,
      action: { kind: 'script' as const, script: sh`jexec -U ${a.user as string} ${a.jail} /bin/sh -c ${shOperand(line)}` },
    }));
  },
});
