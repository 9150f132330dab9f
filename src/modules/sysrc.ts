/**
 * sysrc: a variable of an rc.conf-family file (default /etc/rc.conf; /boot/loader.conf
 * works the same way) set to a value, removed, or with an item present or absent in a
 * list value. The file is read in the facts round trip, parsed and edited here as sysrc(8)
 * would edit it, and written back atomically (one write for consecutive sysrc steps).
 * Inside a jail, the jail's file is edited through the jail's root.
 */
import { z } from 'zod';
import { parseRcConf } from '../facts/rc-conf.js';
import type { FileState } from '../facts/file-state.js';
import { fileStateQuery, fileText } from './file-facts.js';
import { editRcVariable } from './rc-conf-edit.js';
import { confinement, hostPath, jailRootQuery, rcVariableTouches } from './target.js';
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
    const base = fileText(facts.file, a.file);
    const current = base === null ? undefined : parseRcConf(base).get(a.name)?.value;
    const desired = desiredValue(a, current);
    if (desired === current) return [];
    return [rcVariableChange({ target: ctx.target, name: a.name, before: current, after: desired, base, file: a.file, ...(facts.root !== undefined ? { root: facts.root } : {}) })];
  },
});

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
  /** undefined: remove the variable. */
  after: string | undefined;
  /** The file's text as the plan read it; null when there is no file. */
  base: string | null;
  /** Omitted: /etc/rc.conf. */
  file?: string;
  /** A jail's root (the jail's root as the host sees it), for a file inside the jail. */
  root?: string;
  /** Appended to the summary: why a module other than sysrc sets it. */
  why?: string;
}

/**
 * The change that sets (or removes) one rc.conf-family variable: what every module that
 * edits rc.conf sends (sysrc, jail's jail_list, interface's ifconfig_*), so such changes
 * look, invalidate and batch alike. It is an edit of the file's text (editRcVariable, with
 * sysrc(8)'s results), not a run of sysrc(8): consecutive changes of one file become one
 * atomic write of it, and a host pays for no sysrc processes (a 500-line sh script, run
 * once per variable).
 */
export function rcVariableChange(e: RcVariableEdit): Change {
  const file = e.file ?? '/etc/rc.conf';
  // Fails now, at plan time, when the variable is written in a form that cannot be edited safely.
  if (e.base !== null) editRcVariable(e.base, e.name, e.after);
  const show = (v: string | undefined) => (v === undefined ? '(unset)' : JSON.stringify(v));
  return {
    summary: `${e.name}: ${show(e.before)} -> ${show(e.after)}${file === '/etc/rc.conf' ? '' : ` in ${file}`}${e.why ?? ''}`,
    action: { kind: 'edit', path: hostPath(e.target, e.root, file), base: e.base, edit: (text) => editRcVariable(text, e.name, e.after), ...confinement(e.target, e.root) },
    touches: rcVariableTouches(e.target, file, e.name),
    diff: [{ type: 'value', name: `${file}: ${e.name}`, before: e.before ?? null, after: e.after ?? null }],
  };
}
