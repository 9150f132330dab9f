/**
 * What the jail module writes: the jail's block in /etc/jail.conf.d/NAME.conf, its fstab,
 * and /etc/jail.conf's `.include`. Rendering is deterministic (same arguments, same bytes)
 * so that comparing the file's content is the whole "did the configuration change" test.
 */
import { sh } from '../../shell/quote.js';
import { fstabPath, linuxMounts, type JailArgs, type ParamValue } from './args.js';
import { jailKind } from './kinds/index.js';
import type { FstabRow } from './kinds/kind.js';

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
 * A jail.conf(5) string: double-quoted, with \\ \" and control characters escaped (jaillex.l
 * reads \\ followed by any character as that character, \\n \\t and \\NNN octal). With
 * `literal`, `$` is escaped too: jail.conf expands "$name" / "${name}" inside double quotes,
 * so every value fleetjail writes from its own arguments is literal. The `params` a playbook
 * gives are written with `$` alone, so that "${name}" expands as in a hand-written file.
 * A NUL cannot be written (jail(8) would cut the string there).
 */
export function confString(value: string, literal = false): string {
  if (value.includes('\0')) throw new Error('a jail.conf string cannot contain a NUL byte');
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\' || ch === '"' || (literal && ch === '$')) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** One parameter as jail.conf writes it: `name;`, `allow.noX;`, `name = 1;`, `name = "a", "b";` (`literal`: see confString). */
export function confParam(name: string, value: ParamValue, literal = true): string {
  if (value === true) return `${name};`;
  if (value === false) {
    const dot = name.lastIndexOf('.');
    return `${name.slice(0, dot + 1)}no${name.slice(dot + 1)};`;
  }
  const word = (v: string | number) => (typeof v === 'number' ? String(v) : confString(v, literal));
  return `${name} = ${Array.isArray(value) ? value.map(word).join(', ') : word(value)};`;
}

/**
 * Lines appended to an exec.* parameter (after the common block's own, e.g. exec.start =
 * "/bin/sh /etc/rc"). Each command is shell text (jail(8) runs it with sh -c, or splits it
 * on blanks when it has no shell character), built with sh`` so every value in it is
 * shell-quoted, then written as a literal jail.conf string.
 */
function appended(name: string, commands: string[]): string[] {
  return commands.map((c) => `${name} += ${confString(c, true)};`);
}

/** The jail's block, as /etc/jail.conf.d/NAME.conf holds it. */
export function renderJailConf(a: JailArgs): string {
  const lines: string[] = [confParam('path', a.path), confParam('host.hostname', a.hostname ?? a.name), confParam('mount.devfs', a.devfs)];
  if (a.devfs_ruleset !== undefined) lines.push(confParam('devfs_ruleset', a.devfs_ruleset));
  if (a.enforce_statfs !== undefined) lines.push(confParam('enforce_statfs', a.enforce_statfs));
  if (a.interface !== undefined) lines.push(confParam('interface', a.interface));
  if (a.ip4) lines.push(confParam('ip4.addr', a.ip4));
  if (a.ip6) lines.push(confParam('ip6.addr', a.ip6));
  if (renderFstab(a) !== undefined) lines.push(confParam('mount.fstab', fstabPath(a)));
  // Sorted: the file does not depend on the order of keys in the playbook.
  for (const k of Object.keys(a.params).sort()) lines.push(confParam(k, a.params[k] as ParamValue, false));
  if (a.vnet) {
    const { epair, bridge, address, gateway } = a.vnet;
    const e = `epair${epair}`;
    lines.push(confParam('vnet', true), confParam('vnet.interface', `${e}b`));
    const [ea, eb] = [`${e}a`, `${e}b`];
    lines.push(
      ...appended('exec.prestart', [
        sh`/sbin/ifconfig ${e} create up`,
        sh`/sbin/ifconfig ${ea} up descr ${`jail:${a.name}`}`,
        sh`/sbin/ifconfig ${bridge} addm ${ea} up`,
      ]),
    );
    const start: string[] = [];
    if (address !== undefined)
      start.push(address.includes(':') ? sh`/sbin/ifconfig ${eb} inet6 ${address} up` : sh`/sbin/ifconfig ${eb} ${address} up`);
    if (gateway !== undefined)
      start.push(gateway.includes(':') ? sh`/sbin/route add -inet6 default ${gateway}` : sh`/sbin/route add default ${gateway}`);
    lines.push(...appended('exec.start', start));
    lines.push(...appended('exec.poststop', [sh`/sbin/ifconfig ${bridge} deletem ${ea}`, sh`/sbin/ifconfig ${ea} destroy`]));
  }
  lines.push(...appended('exec.prestart', jailKind(a.type).prestart(a)));
  return `# Jail ${a.name}, managed by fleetjail: changes made here are overwritten.\n${a.name} {\n${lines.map((l) => `  ${l}\n`).join('')}}\n`;
}

/**
 * An fstab(5) field: blanks and backslashes octal-escaped (\\040), as fstab(5) reads them.
 * jail(8)'s mount.fstab does not decode them: the arguments refuse blanks (jail-args.ts), so
 * this only keeps a field from ever becoming two. Control characters are an error, never a
 * second line.
 */
export function fstabField(v: string): string {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(v) || v === '') throw new Error(`not an fstab field: ${JSON.stringify(v)}`);
  return v.replace(/[\\ \t]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

function inJail(root: string, target: string): string {
  return target === '/' ? root : `${root}${target}`;
}

/** The jail's fstab (mount.fstab), or undefined when it mounts nothing. */
export function renderFstab(a: JailArgs): string | undefined {
  const rows: FstabRow[] = [...jailKind(a.type).fstabRows(a)];
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
