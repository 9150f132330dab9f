/**
 * What the jail module writes: the jail's block in /etc/jail.conf.d/NAME.conf, its fstab,
 * and /etc/jail.conf's `.include`. Rendering is deterministic (same arguments, same bytes)
 * so that comparing the file's content is the whole "did the configuration change" test.
 */
import { DEFAULT_SHARED, SKELETON_DIRS, fstabPath, linuxMounts, skeletonPath, startStampPath, type JailArgs, type ParamValue } from './jail-args.js';

export const INCLUDE_LINE = '.include "/etc/jail.conf.d/*.conf";';

/** /etc/jail.conf when there is none: the common block of seed 002, without site-specific networking. */
export const DEFAULT_JAIL_CONF = `# Settings common to every jail; each jail's own block is in /etc/jail.conf.d/NAME.conf.
# (Written by fleetjail because the file was missing; edit freely: only the .include line is kept.)
exec.start = "/bin/sh /etc/rc";
exec.stop = "/bin/sh /etc/rc.shutdown";
exec.consolelog = "/var/log/jail_console_\${name}.log";
exec.clean;

${INCLUDE_LINE}
`;

/**
 * A jail.conf(5) string: double-quoted, with \\ \" and control characters escaped.
 * `$` is left alone on purpose: "${name}" and other jail.conf variables expand as in a
 * hand-written file (write \\$ for a literal dollar sign).
 */
export function confString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** One parameter as jail.conf writes it: `name;`, `allow.noX;`, `name = 1;`, `name = "a", "b";`. */
export function confParam(name: string, value: ParamValue): string {
  if (value === true) return `${name};`;
  if (value === false) {
    const dot = name.lastIndexOf('.');
    return `${name.slice(0, dot + 1)}no${name.slice(dot + 1)};`;
  }
  const word = (v: string | number) => (typeof v === 'number' ? String(v) : confString(v));
  return `${name} = ${Array.isArray(value) ? value.map(word).join(', ') : word(value)};`;
}

/** Lines appended to a list parameter (after the common block's own, e.g. exec.start = "/bin/sh /etc/rc"). */
function appended(name: string, values: string[]): string[] {
  return values.map((v) => `${name} += ${confString(v)};`);
}

/** The jail's block, as /etc/jail.conf.d/NAME.conf holds it. */
export function renderJailConf(a: JailArgs): string {
  const lines: string[] = [
    confParam('path', a.path),
    confParam('host.hostname', a.hostname ?? a.name),
    confParam('mount.devfs', a.devfs),
  ];
  if (a.devfs_ruleset !== undefined) lines.push(confParam('devfs_ruleset', a.devfs_ruleset));
  if (a.enforce_statfs !== undefined) lines.push(confParam('enforce_statfs', a.enforce_statfs));
  if (a.interface !== undefined) lines.push(confParam('interface', a.interface));
  if (a.ip4) lines.push(confParam('ip4.addr', a.ip4));
  if (a.ip6) lines.push(confParam('ip6.addr', a.ip6));
  if (renderFstab(a) !== undefined) lines.push(confParam('mount.fstab', fstabPath(a)));
  // Sorted: the file does not depend on the order of keys in the playbook.
  for (const k of Object.keys(a.params).sort()) lines.push(confParam(k, a.params[k] as ParamValue));
  if (a.vnet) {
    const { epair, bridge, address, gateway } = a.vnet;
    const e = `epair${epair}`;
    lines.push(confParam('vnet', true), confParam('vnet.interface', `${e}b`));
    lines.push(...appended('exec.prestart', [`/sbin/ifconfig ${e} create up`, `/sbin/ifconfig ${e}a up descr jail:${a.name}`, `/sbin/ifconfig ${bridge} addm ${e}a up`]));
    const start: string[] = [];
    if (address !== undefined) start.push(`/sbin/ifconfig ${e}b ${address.includes(':') ? 'inet6 ' : ''}${address} up`);
    if (gateway !== undefined) start.push(`/sbin/route add ${gateway.includes(':') ? '-inet6 ' : ''}default ${gateway}`);
    lines.push(...appended('exec.start', start));
    lines.push(...appended('exec.poststop', [`/sbin/ifconfig ${bridge} deletem ${e}a`, `/sbin/ifconfig ${e}a destroy`]));
  }
  if (a.type === 'thin-nullfs' && a.template !== undefined) {
    // The template's version at each start, however the jail is started: tells a later run
    // that the template moved on under a running jail (its daemons still run the old binaries).
    lines.push(...appended('exec.prestart', [`/bin/cp ${a.template}/bin/freebsd-version ${startStampPath(a.name)}`]));
  }
  return `# Jail ${a.name}, managed by fleetjail: changes made here are overwritten.\n${a.name} {\n${lines.map((l) => `  ${l}\n`).join('')}}\n`;
}

/** An fstab(5) field: blanks and backslashes octal-escaped. */
function fstabField(v: string): string {
  return v.replace(/[\\ \t]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

function inJail(root: string, target: string): string {
  return target === '/' ? root : `${root}${target}`;
}

/** The jail's fstab (mount.fstab), or undefined when it mounts nothing. */
export function renderFstab(a: JailArgs): string | undefined {
  const rows: Array<[string, string, string, string]> = [];
  if (a.type === 'thin-nullfs' && a.template !== undefined) {
    rows.push([a.template, a.path, 'nullfs', 'ro']);
    const skel = skeletonPath(a);
    for (const d of SKELETON_DIRS) rows.push([`${skel}/${d}`, `${a.path}/${d}`, 'nullfs', 'rw']);
  }
  if (a.type === 'classic' && a.template !== undefined) {
    for (const d of a.shared ?? DEFAULT_SHARED) rows.push([`${a.template}/${d}`, `${a.path}/${d}`, 'nullfs', 'ro']);
  }
  for (const [src, target, type, opts] of linuxMounts(a)) rows.push([src, inJail(a.path, target), type, opts]);
  for (const m of a.mounts) rows.push([m.source, inJail(a.path, m.target), m.type, m.options]);
  if (rows.length === 0) return undefined;
  return `# Mounts of jail ${a.name}, managed by fleetjail.\n${rows.map((r) => `${r.map(fstabField).join('\t')}\t0\t0\n`).join('')}`;
}

/** Strips jail.conf comments (#, //, /* *\/) outside strings, to look for a statement. */
function stripComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"' || c === "'") {
      const end = findClose(text, i, c);
      out += text.slice(i, end + 1);
      i = end;
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      out += ' ';
    } else out += c;
  }
  return out;
}

function findClose(text: string, from: number, quote: string): number {
  for (let j = from + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === quote) return j;
  }
  return text.length - 1;
}

/** Whether /etc/jail.conf includes every /etc/jail.conf.d/*.conf (a statement, not a comment). */
export function hasConfDInclude(text: string): boolean {
  return /(^|[;{}\s])\.include\s+"\/etc\/jail\.conf\.d\/\*\.conf"\s*;/.test(stripComments(text));
}

/** /etc/jail.conf as it must be: unchanged when it has the include, else with the include appended. */
export function jailConfWithInclude(current: string | undefined): string {
  if (current === undefined) return DEFAULT_JAIL_CONF;
  if (hasConfDInclude(current)) return current;
  return `${current}${current === '' || current.endsWith('\n') ? '' : '\n'}\n${INCLUDE_LINE}\n`;
}
