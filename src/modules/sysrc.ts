/**
 * sysrc: a variable of the rc.conf family set to a value, removed, or with an item present
 * or absent in a list value, as sysrc(8) would change it. Without `file`, the variable is
 * what rc(8) sees (/etc/defaults/rc.conf, then rc_conf_files) and a change goes where
 * sysrc(8) puts it (src/modules/rc-chain.ts); with `file` (/boot/loader.conf...), that file
 * (after /etc/defaults/rc.conf for an rc.conf file, as `sysrc -f` reads it). The files are read
 * in the facts round trip, edited here (src/modules/rc-conf-edit.ts) and written back
 * atomically (one write for consecutive sysrc steps), after the host's own sh accepts the
 * new text and reads the variable back from it. Inside a jail, the jail's files are edited
 * through the jail's root.
 */
import { z } from 'zod';
import { absolutePath } from './names.js';
import type { RcAssignment } from '../facts/rc-conf.js';
import type { FileState } from '../facts/file-state.js';
import { fileStateQuery, fileText } from './file-facts.js';
import { RC_CONF_FILES, RC_DEFAULTS, rcConfFiles, rcView, type RcFile } from './rc-chain.js';
import { editRcVariable, rcValidation, rcValueProblem } from './rc-conf-edit.js';
import { confinement, hostPath, isRcConfFile, jailRootQuery, rcVariableTouches } from './target.js';
import { defineModule, type Change, type FactQuery, type Target } from './types.js';

/** A value sh can hold (no NUL byte, valid Unicode), as the YAML gives it; true/false become YES/NO. */
export const rcValue = z.union([z.string(), z.number(), z.boolean()])
  .transform((v) => (typeof v === 'boolean' ? (v ? 'YES' : 'NO') : String(v)))
  .superRefine((v, ctx) => {
    const problem = rcValueProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: `an rc.conf value ${problem}` });
  });

/** sysrc(8) splits a list on any whitespace when the delimiter is the default (a blank). */
const isBlankDelimiter = (d: string) => /^[ \t\n]+$/.test(d);

export const sysrcArgs = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an sh variable name').describe('variable name, e.g. sshd_enable'),
  value: rcValue.optional().describe('the value (true/false are written YES/NO)'),
  item: rcValue.optional().describe('an item of a list value (with delimiter), instead of the whole value'),
  delimiter: z.string().min(1).default(' ').describe('separates the items of a list value (default: any whitespace, as sysrc(8))'),
  state: z.enum(['present', 'absent']).default('present'),
  file: absolutePath.optional()
    .describe('the file to edit, e.g. /boot/loader.conf (default: where sysrc(8) would write, in /etc/rc.conf or /etc/rc.conf.local)'),
}).superRefine((a, ctx) => {
  if (a.value !== undefined && a.item !== undefined) ctx.addIssue({ code: 'custom', message: 'give value or item, not both', path: ['item'] });
  if (a.state === 'present' && a.value === undefined && a.item === undefined) {
    ctx.addIssue({ code: 'custom', message: 'state present needs a value (or an item)', path: ['value'] });
  }
  if (a.item !== undefined) {
    const splits = isBlankDelimiter(a.delimiter) ? /[ \t\n]/.test(a.item) : a.item.includes(a.delimiter);
    if (a.item === '' || splits) ctx.addIssue({ code: 'custom', message: 'an item must be non-empty and must not contain the delimiter (or whitespace, with the default delimiter)', path: ['item'] });
  }
});

export type SysrcArgs = z.output<typeof sysrcArgs>;

interface SysrcFacts {
  /** With `file`: that file. */
  file?: FileState;
  defaults?: FileState;
  rc?: FileState;
  rcLocal?: FileState;
  root?: string;
}

export const sysrc = defineModule<SysrcArgs, SysrcFacts>({
  name: 'sysrc',
  summary: 'a variable in rc.conf, loader.conf or another rc.conf-family file',
  args: sysrcArgs,
  jailAware: true,
  describe: (a) => (a.item !== undefined ? `sysrc ${a.name} item ${a.item}` : `sysrc ${a.name}`),
  facts(a, ctx) {
    // The edited file: one fact per variable (the same read of the file), so setting one
    // variable leaves the facts of the others fresh and consecutive sysrc steps need no
    // re-read. The defaults (never edited) and rc.conf.local (rarely there): one read per host.
    const read = (path: string, perVariable: boolean) => fileStateQuery(ctx.target, path, { content: true, metadata: false, ...(perVariable ? { aspect: `var=${a.name}` } : {}) });
    const files: Record<string, FactQuery<FileState>> = a.file === undefined
      ? { defaults: read(RC_DEFAULTS, false), rc: read(RC_CONF_FILES[0], true), rcLocal: read(RC_CONF_FILES[1], false) }
      : { file: read(a.file, true), ...(readsDefaults(a.file) ? { defaults: read(RC_DEFAULTS, false) } : {}) };
    return ctx.target.kind === 'jail' ? { ...files, root: jailRootQuery(ctx.target.name) } : files;
  },
  plan(a, facts, ctx) {
    const text = (state: FileState | undefined, path: string): RcFile => ({ path, text: state ? fileText(state, path) : null });
    const defaults = text(facts.defaults, RC_DEFAULTS);
    const base = defaults.text === null ? [] : [defaults];
    let editable: RcFile[];
    if (a.file !== undefined) editable = [text(facts.file, a.file)];
    else {
      const read = new Map<string, RcFile>([[RC_CONF_FILES[0], text(facts.rc, RC_CONF_FILES[0])], [RC_CONF_FILES[1], text(facts.rcLocal, RC_CONF_FILES[1])]]);
      editable = rcConfFiles(defaults).map((p) => read.get(p) as RcFile);
    }
    const view = rcView(a.name, base, editable);
    const edit = (file: string, after: string | undefined, shown: string | undefined): Change => rcVariableChange({
      target: ctx.target, name: a.name, before: view.value, after, shownAfter: shown, file,
      base: editable.find((f) => f.path === file)?.text ?? null, ...(facts.root !== undefined ? { root: facts.root } : {}),
    });
    if (a.item === undefined && a.state === 'absent') {
      // As `sysrc -x`: out of every file that assigns it; a default value stays.
      return view.assignedIn.map((file) => edit(file, undefined, view.underneath));
    }
    if (a.item !== undefined && view.unknown !== undefined) {
      throw new Error(`${view.unknown}: the value of ${a.name} needs running sh, so fleetjail cannot add or remove an item of it; edit it by hand`);
    }
    const desired = desiredValue(a, view.value);
    if (view.unknown === undefined && desired === view.value) return [];
    return [edit(view.target, desired, desired)];
  },
});

/** `sysrc -f FILE` reads the defaults before an rc.conf-family FILE, as rc(8) does. */
function readsDefaults(file: string): boolean {
  return isRcConfFile(file) && file !== RC_DEFAULTS;
}

/**
 * The value the variable must have; undefined: not set at all. An item is added and removed
 * as sysrc(8)'s `+=` and `-=` do: the items are the value split on the delimiter (on any
 * whitespace for the default blank); adding appends DELIMITER ITEM to the value as it is,
 * removing rejoins the other items with the delimiter.
 */
export function desiredValue(a: Pick<SysrcArgs, 'value' | 'item' | 'delimiter' | 'state'> & { name?: string; file?: string }, current: string | undefined): string | undefined {
  if (a.item === undefined) return a.state === 'present' ? a.value : undefined;
  const blank = isBlankDelimiter(a.delimiter);
  const delim = blank ? ' ' : a.delimiter;
  const items = (current ?? '').split(blank ? /[ \t\n]+/ : a.delimiter).filter((i) => i !== '');
  const has = items.includes(a.item);
  if (a.state === 'present') {
    if (has) return current;
    const next = `${current ?? ''}${delim}${a.item}`;
    return next.startsWith(delim) ? next.slice(delim.length) : next;
  }
  return has ? items.filter((i) => i !== a.item).join(delim) : current;
}

/**
 * The current value of a list variable read from one file (jail_list, cloned_interfaces), for
 * desiredValue: an error naming the line when the value needs running sh to be known.
 */
export function listValue(vars: ReadonlyMap<string, Pick<RcAssignment, 'value'> & Partial<RcAssignment>>, name: string, file = '/etc/rc.conf'): string | undefined {
  const a = vars.get(name);
  if (a?.dynamic !== undefined) {
    throw new Error(`${file}:${a.line ?? '?'}: ${a.dynamic}: the value of ${name} needs running sh, so fleetjail cannot add or remove an item of it; edit it by hand`);
  }
  return a?.value;
}

export interface RcVariableEdit {
  target: Target;
  name: string;
  before: string | undefined;
  /** undefined: remove the variable from the file. */
  after: string | undefined;
  /** The value rc(8) sees after the change, when not `after` (a default that stays after a removal). */
  shownAfter?: string | undefined;
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
 * edits rc.conf sends (sysrc, jail's jail_list, interface's ifconfig_*, pf's pf_enable), so
 * such changes look, invalidate and batch alike. It is an edit of the file's text
 * (editRcVariable, with sysrc(8)'s results), not a run of sysrc(8): consecutive changes of one
 * file become one atomic write of it, and a host pays for no sysrc processes (a 500-line sh
 * script, run once per variable). The host replaces the file only after its /bin/sh accepts
 * the new text and reads the variable back with the intended value (rcValidation).
 */
export function rcVariableChange(e: RcVariableEdit): Change {
  const file = e.file ?? '/etc/rc.conf';
  const problem = e.after === undefined ? undefined : rcValueProblem(e.after);
  if (problem) throw new Error(`${e.name}: the value ${JSON.stringify(e.after)} ${problem}`);
  // Fails now, at plan time, when the variable is written in a form that cannot be edited safely.
  if (e.base !== null) {
    try {
      editRcVariable(e.base, e.name, e.after);
    } catch (err) {
      const m = /^line (\d+): ([^]*)$/.exec((err as Error).message);
      throw new Error(m ? `${file}:${m[1]}: ${m[2]}` : `${file}: ${(err as Error).message}`);
    }
  }
  const shown = 'shownAfter' in e ? e.shownAfter : e.after;
  const show = (v: string | undefined) => (v === undefined ? '(unset)' : JSON.stringify(v));
  return {
    summary: `${e.name}: ${show(e.before)} -> ${show(shown)}${file === '/etc/rc.conf' ? '' : ` in ${file}`}${e.why ?? ''}`,
    action: {
      kind: 'edit', path: hostPath(e.target, e.root, file), base: e.base, edit: (text) => editRcVariable(text, e.name, e.after),
      validate: rcValidation(e.name, e.after, e.target.kind === 'jail' ? { name: e.target.name, root: e.root ?? '' } : undefined),
      ...confinement(e.target, e.root),
    },
    touches: rcVariableTouches(e.target, file, e.name),
    diff: [{ type: 'value', name: `${file}: ${e.name}`, before: e.before ?? null, after: shown ?? null }],
  };
}
