/**
 * A variable as rc(8) sees it, and where sysrc(8) would change it. rc.subr's load_rc_config
 * sources /etc/defaults/rc.conf, then each file of its rc_conf_files (default
 * "/etc/rc.conf /etc/rc.conf.local"; absent files skipped, a file named twice read once);
 * without the defaults file, /etc/rc.conf alone. sysrc(8) (f_sysrc_find, f_sysrc_set) writes
 * to the last file of rc_conf_files that assigns the variable, else to the first file of
 * rc_conf_files, and `sysrc -x` removes it from every file of rc_conf_files.
 */
import { type RcAssignment, type RcEnv, type RcScan } from '../../facts/rc-conf.js';
import { scanOrExplain } from './rc-conf-edit.js';

export const RC_DEFAULTS = '/etc/defaults/rc.conf';
/** The files fleetjail reads for rc_conf_files: FreeBSD's default list. */
export const RC_CONF_FILES = ['/etc/rc.conf', '/etc/rc.conf.local'] as const;

export interface RcFile {
  path: string;
  /** null: no such file. */
  text: string | null;
}

export interface RcView {
  /** The value rc(8) gets; undefined: unset. */
  value: string | undefined;
  /** Where the value needs running sh to be known ("/etc/rc.conf:3: $(hostname)"), when it does. */
  unknown?: string;
  /** The value with every assignment of the edited files removed: what the files read before them give. */
  underneath: string | undefined;
  /** The file a new value goes to. */
  target: string;
  /** The edited files that assign the variable (those a removal edits). */
  assignedIn: string[];
}

/**
 * NAME as rc(8) sees it after reading BASE (read only: /etc/defaults/rc.conf) and then
 * EDITABLE in order (the files a change may edit). A file that may set NAME in a way the
 * reader cannot place exactly, or that cannot be read as sh, is an error naming file and line.
 */
export function rcView(name: string, base: RcFile[], editable: RcFile[]): RcView {
  const env = new Map<string, RcAssignment & { file: string }>();
  let underneath: (RcAssignment & { file: string }) | undefined;
  const assignedIn: string[] = [];
  base.concat(editable).forEach((f, index) => {
    if (f.text === null) return;
    const scan = scanIn(f, env);
    const u = scan.unplaceable.find((x) => x.name === name);
    if (u) throw new Error(`${f.path}:${u.line}: ${name} cannot be edited exactly: ${u.why}; edit it by hand`);
    for (const a of scan.assignments) env.set(a.name, { ...a, file: f.path });
    for (const x of scan.unplaceable) env.delete(x.name);
    if (index === base.length - 1) underneath = env.get(name);
    if (index >= base.length && scan.assignments.some((a) => a.name === name)) assignedIn.push(f.path);
  });
  if (base.length === 0) underneath = undefined;
  const current = env.get(name);
  const target = assignedIn[assignedIn.length - 1] ?? editable[0]?.path;
  if (target === undefined) throw new Error('rc_conf_files names no file: there is nowhere to write');
  return {
    value: current?.value,
    ...(current?.dynamic !== undefined ? { unknown: `${current.file}:${current.line}: ${current.dynamic}` } : {}),
    underneath: underneath?.value,
    target,
    assignedIn,
  };
}

function scanIn(f: RcFile, env: RcEnv): RcScan {
  try {
    return scanOrExplain(f.text ?? '', env);
  } catch (e) {
    const m = /^line (\d+): ([^]*)$/.exec((e as Error).message);
    throw new Error(m ? `${f.path}:${m[1]}: ${m[2]}` : `${f.path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * rc_conf_files as rc(8) reads it from the defaults file; an error when it names files
 * fleetjail does not read, or is not plain text.
 */
export function rcConfFiles(defaults: RcFile): string[] {
  if (defaults.text === null) return ['/etc/rc.conf'];
  const scan = scanIn(defaults, new Map());
  const u = scan.unplaceable.find((x) => x.name === 'rc_conf_files');
  if (u) throw new Error(`${defaults.path}:${u.line}: rc_conf_files cannot be read exactly: ${u.why}; give the step a file`);
  const a = new Map(scan.assignments.map((x) => [x.name, x])).get('rc_conf_files');
  if (!a) return [];
  const list = [...new Set(a.value.split(/[ \t\n]+/).filter((f) => f !== ''))];
  const unread = list.filter((f) => !(RC_CONF_FILES as readonly string[]).includes(f));
  if (a.dynamic !== undefined || unread.length > 0) {
    throw new Error(
      `${defaults.path}:${a.line}: rc_conf_files is ${JSON.stringify(a.value)}; fleetjail reads ${RC_CONF_FILES.join(' and ')} only: give the step a file`,
    );
  }
  return list;
}
