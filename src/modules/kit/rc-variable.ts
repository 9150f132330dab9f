/**
 * One rc.conf-family variable as every module that sets one sees it (sysrc, jail's jail_list,
 * interface's ifconfig_* and cloned_interfaces, pf's pf_enable): the value it must have (a
 * whole value, or an item of a list as sysrc(8)'s `+=`/`-=`), and the change that edits it.
 */
import type { RcAssignment } from '../../facts/rc-conf.js';
import { editRcVariable, rcValidation, rcValueProblem } from './rc-conf-edit.js';
import { confinement, hostPath, rcVariableTouches } from './target.js';
import type { Change, Target } from './contract.js';

/** sysrc(8) splits a list on any whitespace when the delimiter is the default (a blank). */
export const isBlankDelimiter = (d: string) => /^[ \t\n]+$/.test(d);

/** What a variable must be: a whole value (or unset), or an item present in or absent from its list. */
export interface DesiredValue {
  value?: string | undefined;
  item?: string | undefined;
  delimiter: string;
  state: 'present' | 'absent';
}

/**
 * The value the variable must have; undefined: not set at all. An item is added and removed
 * as sysrc(8)'s `+=` and `-=` do: the items are the value split on the delimiter (on any
 * whitespace for the default blank); adding appends DELIMITER ITEM to the value as it is,
 * removing rejoins the other items with the delimiter.
 */
export function desiredValue(a: DesiredValue, current: string | undefined): string | undefined {
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
export function listValue(
  vars: ReadonlyMap<string, Pick<RcAssignment, 'value'> & Partial<RcAssignment>>,
  name: string,
  file = '/etc/rc.conf',
): string | undefined {
  const a = vars.get(name);
  if (a?.dynamic !== undefined) {
    throw new Error(
      `${file}:${a.line ?? '?'}: ${a.dynamic}: the value of ${name} needs running sh, so fleetjail cannot add or remove an item of it; edit it by hand`,
    );
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
      throw new Error(m ? `${file}:${m[1]}: ${m[2]}` : `${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  const shown = 'shownAfter' in e ? e.shownAfter : e.after;
  const show = (v: string | undefined) => (v === undefined ? '(unset)' : JSON.stringify(v));
  return {
    summary: `${e.name}: ${show(e.before)} -> ${show(shown)}${file === '/etc/rc.conf' ? '' : ` in ${file}`}${e.why ?? ''}`,
    action: {
      kind: 'edit',
      path: hostPath(e.target, e.root, file),
      base: e.base,
      edit: (text) => editRcVariable(text, e.name, e.after),
      validate: rcValidation(e.name, e.after, e.target.kind === 'jail' ? { name: e.target.name, root: e.root ?? '' } : undefined),
      ...confinement(e.target, e.root),
    },
    touches: rcVariableTouches(e.target, file, e.name),
    diff: [{ type: 'value', name: `${file}: ${e.name}`, before: e.before ?? null, after: shown ?? null }],
  };
}
