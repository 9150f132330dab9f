/**
 * sysrc: a variable of the rc.conf family set to a value, removed, or with an item present
 * or absent in a list value, as sysrc(8) would change it. Without `file`, the variable is
 * what rc(8) sees (/etc/defaults/rc.conf, then rc_conf_files) and a change goes where
 * sysrc(8) puts it (src/modules/kit/rc-chain.ts); with `file` (/boot/loader.conf...), that file
 * (after /etc/defaults/rc.conf for an rc.conf file, as `sysrc -f` reads it). The files are read
 * in the facts round trip, edited here (src/modules/kit/rc-conf-edit.ts) and written back
 * atomically (one write for consecutive sysrc steps), after the host's own sh accepts the
 * new text and reads the variable back from it. Inside a jail, the jail's files are edited
 * through the jail's root.
 */
import { z } from 'zod';
import { absolutePath } from '../kit/names.js';
import type { FileState } from '../../facts/file-state.js';
import { fileStateQuery, fileText } from '../kit/file-facts.js';
import { RC_CONF_FILES, RC_DEFAULTS, rcConfFiles, rcView, type RcFile } from '../kit/rc-chain.js';
import { rcValueProblem } from '../kit/rc-conf-edit.js';
import { desiredValue, isBlankDelimiter, rcVariableChange } from '../kit/rc-variable.js';
import { isRcConfFile, jailRootQuery } from '../kit/target.js';
import { defineModule, type Change, type FactQuery } from '../kit/contract.js';

/** A value sh can hold (no NUL byte, valid Unicode), as the YAML gives it; true/false become YES/NO. */
export const rcValue = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((v) => (typeof v === 'boolean' ? (v ? 'YES' : 'NO') : String(v)))
  .superRefine((v, ctx) => {
    const problem = rcValueProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: `an rc.conf value ${problem}` });
  });

export const sysrcArgs = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an sh variable name')
      .describe('variable name, e.g. sshd_enable'),
    value: rcValue
      .optional()
      .describe('the value (true/false become YES/NO; a value with a NUL byte is refused before any host is contacted)'),
    item: rcValue
      .optional()
      .describe(
        'an item present or absent in a list value (with `delimiter`), instead of the whole value; an item added to a variable only the defaults set starts from the default (`syslogd_flags` + `-c` is `-s -c`)',
      ),
    delimiter: z
      .string()
      .min(1)
      .default(' ')
      .describe('separates the items of a list value (the default splits on any whitespace, as `sysrc +=`/`-=`)'),
    state: z
      .enum(['present', 'absent'])
      .default('present')
      .describe('`absent` removes the variable (or the item) from every file that sets it, as `sysrc -x`; a default stays'),
    file: absolutePath
      .optional()
      .describe(
        'that file alone, e.g. `/boot/loader.conf` (after the defaults for an rc.conf file); default: the rc.conf files, as rc(8) reads them and sysrc(8) writes them',
      ),
  })
  .superRefine((a, ctx) => {
    if (a.value !== undefined && a.item !== undefined)
      ctx.addIssue({ code: 'custom', message: 'give value or item, not both', path: ['item'] });
    if (a.state === 'present' && a.value === undefined && a.item === undefined) {
      ctx.addIssue({ code: 'custom', message: 'state present needs a value (or an item)', path: ['value'] });
    }
    if (a.item !== undefined) {
      const splits = isBlankDelimiter(a.delimiter) ? /[ \t\n]/.test(a.item) : a.item.includes(a.delimiter);
      if (a.item === '' || splits)
        ctx.addIssue({
          code: 'custom',
          message: 'an item must be non-empty and must not contain the delimiter (or whitespace, with the default delimiter)',
          path: ['item'],
        });
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
  docs: {
    does:
      'Without `file`, the value is what rc(8) sees (`/etc/defaults/rc.conf`, then `rc_conf_files`: `/etc/rc.conf`, `/etc/rc.conf.local`) ' +
      'and a change goes where `sysrc(8)` puts it: the last of those files that sets it, else `/etc/rc.conf`. ' +
      "Files are read in the facts round trip by sh's lexical rules (comments, all quoting forms, `$(...)`, backquotes, `$((...))`, `${...}`, " +
      "continuations, multi-line values) and edited on the controller with `sysrc(8)`'s results (the last assignment replaced in place, " +
      'comments kept; a new one appended as `NAME="VALUE"`). Refused with file and line: a variable also set where it cannot be placed exactly ' +
      '(inside `if`/`case`/a function, before a command, by `export`/`unset`/`read`, by `${x:=y}`), an item of a value only sh can compute ' +
      '(`$(...)`), a here-document, `rc_conf_files` naming other files. The host writes the file only when its own `/bin/sh -n` accepts ' +
      'the new text and sourcing it gives the variable its intended value; otherwise the old file stays and the step fails (so a value ' +
      'that a file it sources, `. FILE`, sets again is caught there: the reader does not follow `.` or `eval`). Consecutive steps on one ' +
      "file are one atomic write, which lands only if the host's file is still what was read.",
    inJail: "the jail's files",
  },
  args: sysrcArgs,
  jailAware: true,
  describe: (a) => (a.item !== undefined ? `sysrc ${a.name} item ${a.item}` : `sysrc ${a.name}`),
  facts(a, ctx) {
    // The edited file: one fact per variable (the same read of the file), so setting one
    // variable leaves the facts of the others fresh and consecutive sysrc steps need no
    // re-read. The defaults (never edited) and rc.conf.local (rarely there): one read per host.
    const read = (path: string, perVariable: boolean) =>
      fileStateQuery(ctx.target, path, { content: true, metadata: false, ...(perVariable ? { aspect: `var=${a.name}` } : {}) });
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
      const read = new Map<string, RcFile>([
        [RC_CONF_FILES[0], text(facts.rc, RC_CONF_FILES[0])],
        [RC_CONF_FILES[1], text(facts.rcLocal, RC_CONF_FILES[1])],
      ]);
      editable = rcConfFiles(defaults).map((p) => read.get(p) as RcFile);
    }
    const view = rcView(a.name, base, editable);
    const edit = (file: string, after: string | undefined, shown: string | undefined): Change =>
      rcVariableChange({
        target: ctx.target,
        name: a.name,
        before: view.value,
        after,
        shownAfter: shown,
        file,
        base: editable.find((f) => f.path === file)?.text ?? null,
        ...(facts.root !== undefined ? { root: facts.root } : {}),
      });
    if (a.item === undefined && a.state === 'absent') {
      // As `sysrc -x`: out of every file that assigns it; a default value stays.
      return view.assignedIn.map((file) => edit(file, undefined, view.underneath));
    }
    if (a.item !== undefined && view.unknown !== undefined) {
      throw new Error(
        `${view.unknown}: the value of ${a.name} needs running sh, so fleetjail cannot add or remove an item of it; edit it by hand`,
      );
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
