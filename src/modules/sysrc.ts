/**
 * sysrc: a variable of an rc.conf-family file (default /etc/rc.conf; /boot/loader.conf
 * works the same way) set to a value, removed, or with an item present or absent in a
 * list value. The file is read (not one sysrc run per variable) and parsed here; changes go
 * through sysrc(8) so the file stays in FreeBSD's canonical form. Inside a jail, sysrc -R
 * works on the jail's root.
 */
import { z } from 'zod';
import { sh } from '../transport/quote.js';
import { parseRcConf } from '../facts/rc-conf.js';
import type { FileState } from '../facts/file-state.js';
import { fileStateQuery, textContent } from './file-facts.js';
import { jailRootQuery, rcVariableTouches } from './target.js';
import { defineModule, type Change, type Target } from './types.js';

const rcValue = z.union([z.string(), z.number(), z.boolean()])
  .transform((v) => (typeof v === 'boolean' ? (v ? 'YES' : 'NO') : String(v)));

export const sysrcArgs = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an sh variable name').describe('variable name, e.g. sshd_enable'),
  value: rcValue.optional().describe('the value (true/false are written YES/NO)'),
  item: rcValue.optional().describe('an item of a list value (with delimiter), instead of the whole value'),
  delimiter: z.string().min(1).default(' ').describe('separates the items of a list value'),
  state: z.enum(['present', 'absent']).default('present'),
  file: z.string().startsWith('/').default('/etc/rc.conf').describe('the file to edit, e.g. /boot/loader.conf'),
}).superRefine((a, ctx) => {
  if (a.value !== undefined && a.item !== undefined) ctx.addIssue({ code: 'custom', message: 'give value or item, not both', path: ['item'] });
  if (a.state === 'present' && a.value === undefined && a.item === undefined) {
    ctx.addIssue({ code: 'custom', message: 'state present needs a value (or an item)', path: ['value'] });
  }
});

export type SysrcArgs = z.output<typeof sysrcArgs>;

interface SysrcFacts {
  file: FileState;
  root?: string;
}

export const sysrc = defineModule<SysrcArgs, SysrcFacts>({
  name: 'sysrc',
  summary: 'a variable in rc.conf, loader.conf or another rc.conf-family file',
  args: sysrcArgs,
  jailAware: true,
  describe: (a) => (a.item !== undefined ? `sysrc ${a.name} item ${a.item}` : `sysrc ${a.name}`),
  facts(a, ctx) {
    // One fact per variable (the same read of the file): setting one variable leaves the
    // facts of the others fresh, so consecutive sysrc steps need no re-read.
    const file = fileStateQuery(ctx.target, a.file, { content: true, metadata: false, aspect: `var=${a.name}` });
    return ctx.target.kind === 'jail' ? { file, root: jailRootQuery(ctx.target.name) } : { file };
  },
  plan(a, facts, ctx) {
    const current = currentValue(facts.file, a.file, a.name);
    const desired = desiredValue(a, current);
    if (desired === current) return [];
    return [rcVariableChange({ target: ctx.target, name: a.name, before: current, after: desired, file: a.file, ...(facts.root !== undefined ? { root: facts.root } : {}) })];
  },
});

function currentValue(file: FileState, path: string, name: string): string | undefined {
  if (file.type === 'absent') return undefined;
  if (file.type !== 'file') throw new Error(`${path} is a ${file.type}, not a file`);
  return parseRcConf(textContent(file, path)).get(name)?.value;
}

/** The value the variable must have; undefined: not set at all. */
export function desiredValue(a: SysrcArgs, current: string | undefined): string | undefined {
  if (a.item === undefined) return a.state === 'present' ? a.value : undefined;
  const items = (current ?? '').split(a.delimiter).filter((i) => i !== '');
  if (a.state === 'present') return items.includes(a.item) ? current : [...items, a.item].join(a.delimiter);
  return items.includes(a.item) ? items.filter((i) => i !== a.item).join(a.delimiter) : current;
}

export interface RcVariableEdit {
  target: Target;
  name: string;
  before: string | undefined;
  /** undefined: remove the variable (sysrc -x). */
  after: string | undefined;
  /** Omitted: sysrc(8)'s default file, /etc/rc.conf. */
  file?: string;
  /** A jail's root, for sysrc -R (the jail's root as the host sees it). */
  root?: string;
  /** Appended to the summary: why a module other than sysrc sets it. */
  why?: string;
}

/**
 * The change that sets one rc.conf-family variable through sysrc(8): what every module that
 * edits rc.conf sends (sysrc, jail's jail_list, interface's ifconfig_*), so such changes
 * look, invalidate and batch alike. sysrc takes several variables at once: consecutive
 * steps' changes with the same command become one run (the `merge` of the action).
 */
export function rcVariableChange(e: RcVariableEdit): Change {
  const file = e.file ?? '/etc/rc.conf';
  const command = [
    'sysrc',
    ...(e.target.kind === 'jail' ? [sh`-R ${e.root ?? ''}`] : []),
    ...(e.file !== undefined ? [sh`-f ${e.file}`] : []),
    ...(e.after === undefined ? ['-x'] : []),
  ].join(' ');
  const arg = e.after === undefined ? sh`${e.name}` : sh`${`${e.name}=${e.after}`}`;
  const show = (v: string | undefined) => (v === undefined ? '(unset)' : JSON.stringify(v));
  return {
    summary: `${e.name}: ${show(e.before)} -> ${show(e.after)}${file === '/etc/rc.conf' ? '' : ` in ${file}`}${e.why ?? ''}`,
    action: { kind: 'script', script: `${command} ${arg}`, merge: { command, arg } },
    touches: rcVariableTouches(e.target, file, e.name),
    diff: [{ type: 'value', name: `${file}: ${e.name}`, before: e.before ?? null, after: e.after ?? null }],
  };
}
