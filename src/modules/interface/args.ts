/**
 * The `interface` module's arguments and what they mean in rc.conf: cloned_interfaces,
 * ifconfig_NAME ("inet ADDR addm em0 up") and ifconfig_NAME_aliasN ("inet 192.168.1.0-9"),
 * plus the addresses those lines put on the interface, as rc(8)'s network.subr expands them.
 */
import { z } from 'zod';

/** Interfaces `ifconfig NAME create` makes (epairs come in pairs: the jail module's vnet option makes them). */
export const CLONABLE = /^(lo[1-9][0-9]*|bridge[0-9]+|tap[0-9]+|tun[0-9]+|vlan[0-9]+|gif[0-9]+|gre[0-9]+|wg[0-9]+|lagg[0-9]+)$/;

const ip4 = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;
const ADDRESS = new RegExp(String.raw`^(?:${ip4}(?:/\d{1,2})?|[0-9a-fA-F:]*:[0-9a-fA-F:.]*(?:/\d{1,3})?)$`);
/** `inet A[-N][/P] [netmask M|prefixlen P|broadcast B]...` as rc.conf writes an alias (the family word is optional here). */
const ALIAS = new RegExp(
  String.raw`^(?:(inet6?)\s+)?(${ip4}(?:-\d{1,3})?(?:/\d{1,2})?|[0-9a-fA-F:]*:[0-9a-fA-F:.]*(?:/\d{1,3})?)((?:\s+(?:netmask|prefixlen|broadcast)\s+[0-9A-Fa-fx:.]+)*)$`,
);

const family = (addr: string) => (addr.includes(':') ? 'inet6' : 'inet');

/** An alias as rc.conf holds it: the family word always written ("inet 192.168.1.0-9"). */
export function normaliseAlias(spec: string): string {
  const m = ALIAS.exec(spec.trim().replace(/\s+/g, ' '));
  if (!m) throw new Error(`not an alias: ${spec}`);
  const addr = m[2] as string;
  return `${m[1] ?? family(addr)} ${addr}${m[3] ?? ''}`;
}

export const interfaceArgs = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*[0-9]$/, 'an interface name such as lo1, bridge0 or em0')
      .refine((n) => !/^epair/.test(n), 'epair interfaces are made by the jail module (vnet: {epair: N, bridge: ...})')
      .refine((n) => n !== 'lo0', 'lo0 is the system loopback; give another lo (lo1, lo2, ...)')
      .describe('the interface: a cloned one (lo1, bridge0, tap0, vlan0, ...) or an existing one (em0)'),
    state: z.enum(['present', 'absent']).default('present'),
    cloned: z
      .boolean()
      .optional()
      .describe(
        'listed in cloned_interfaces and created with `ifconfig NAME create` (default: true for lo1.., bridge, tap, tun, vlan, gif, gre, wg, lagg)',
      ),
    address: z
      .string()
      .regex(ADDRESS, 'an address with its prefix length, e.g. 192.168.7.1/24 or fd00::1/64')
      .optional()
      .describe('the primary address, written as "inet ADDR" in ifconfig_NAME'),
    aliases: z
      .array(
        z
          .string()
          .regex(ALIAS, 'an alias such as "inet 192.168.1.0-9", "192.168.1.20/32" or "inet6 fd00::2/64"')
          .refine((v) => !v.includes('\0'), 'an rc.conf value cannot contain a NUL byte')
          .transform(normaliseAlias),
      )
      .optional()
      .describe(
        'ifconfig_NAME_alias0, alias1, ... in this order (address ranges such as "inet 192.168.1.0-9" allowed); other aliasN variables are removed',
      ),
    addm: z
      .array(z.string().regex(/^[A-Za-z][A-Za-z0-9_.]*[0-9a-z]$/, 'an interface name'))
      .optional()
      .describe('bridge members: "addm M" in ifconfig_NAME, and added live'),
    up: z.boolean().optional().describe('true: "up" in ifconfig_NAME and the interface up; false: no "up", and brought down'),
    live: z.boolean().default(true).describe('also apply to the running system (create, add addresses and members, up), not only rc.conf'),
  })
  .superRefine((a, ctx) => {
    if (a.addm !== undefined && !/^bridge/.test(a.name))
      ctx.addIssue({ code: 'custom', path: ['addm'], message: 'addm is for bridges (bridge0, ...)' });
    if (a.addm?.includes(a.name)) ctx.addIssue({ code: 'custom', path: ['addm'], message: 'a bridge cannot be its own member' });
    if (a.state === 'absent' && (a.address !== undefined || a.aliases !== undefined || a.addm !== undefined || a.up !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['state'], message: 'state absent takes no address, aliases, addm or up' });
    }
    for (const spec of a.aliases ?? []) {
      const bad = checkAliasRange(spec);
      if (bad) ctx.addIssue({ code: 'custom', path: ['aliases'], message: bad });
    }
    if (a.cloned === true && !CLONABLE.test(a.name))
      ctx.addIssue({
        code: 'custom',
        path: ['cloned'],
        message: `${a.name} is not a cloned interface type (lo1, bridge0, tap0, vlan0, ...)`,
      });
  });

export type InterfaceArgs = z.output<typeof interfaceArgs>;

export const isCloned = (a: InterfaceArgs) => a.cloned ?? CLONABLE.test(a.name);

/** rc.subr's variable name for an interface: ifconfig_em0_100 for em0.100. */
export const rcName = (ifname: string) => `ifconfig_${ifname.replace(/[^A-Za-z0-9]/g, '_')}`;

/** The value of ifconfig_NAME the arguments ask for; undefined: the module leaves the variable alone. */
export function ifconfigValue(a: InterfaceArgs): string | undefined {
  if (a.address === undefined && a.addm === undefined && a.up === undefined) return undefined;
  const words: string[] = [];
  if (a.address !== undefined) words.push(family(a.address), a.address);
  for (const m of a.addm ?? []) words.push('addm', m);
  if (a.up === true) words.push('up');
  return words.join(' ');
}

/** One address a config line puts on the interface, and the ifconfig words that add it. */
export interface LiveAddress {
  family: 'inet' | 'inet6';
  addr: string;
  /** Words after `ifconfig NAME` (without `alias`). */
  words: string[];
}

/**
 * The addresses of an alias line, as network.subr's ifalias_expand_addr does it: a range
 * a.b.c.X-Y is one address per number, the first with the given prefix, the others /32.
 */
export function expandAlias(spec: string): LiveAddress[] {
  const m = ALIAS.exec(spec.trim().replace(/\s+/g, ' '));
  if (!m) return [];
  const addrSpec = m[2] as string;
  const fam = (m[1] ?? family(addrSpec)) as 'inet' | 'inet6';
  const extra = (m[3] ?? '')
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const range = /^(\d+\.\d+\.\d+\.)(\d+)-(\d+)(\/\d+)?$/.exec(addrSpec);
  if (!range) return [{ family: fam, addr: addrSpec.replace(/\/\d+$/, '').toLowerCase(), words: [fam, addrSpec, ...extra] }];
  const [, head, lo, hi, plen] = range as unknown as [string, string, string, string, string | undefined];
  const out: LiveAddress[] = [];
  for (let k = Number(lo); k <= Number(hi); k++) {
    const addr = `${head}${k}`;
    out.push(
      k === Number(lo)
        ? { family: 'inet', addr, words: ['inet', `${addr}${plen ?? ''}`, ...extra] }
        : { family: 'inet', addr, words: ['inet', `${addr}/32`] },
    );
  }
  return out;
}

/** The addresses of an ifconfig_NAME value ("inet 10.0.0.1/24 up", "inet 10.0.0.1 netmask 255.255.255.0"). */
export function primaryAddresses(value: string | undefined): LiveAddress[] {
  if (value === undefined) return [];
  const w = value.trim().split(/\s+/);
  const out: LiveAddress[] = [];
  for (let i = 0; i < w.length - 1; i++) {
    if (w[i] === 'inet' || w[i] === 'inet6') {
      const spec = w[i + 1] as string;
      if (!ADDRESS.test(spec)) continue;
      out.push({ family: w[i] as 'inet' | 'inet6', addr: spec.replace(/\/\d+$/, '').toLowerCase(), words: [w[i] as string, spec] });
    }
  }
  return out;
}

/** The bridge members of an ifconfig_NAME value. */
export function membersOf(value: string | undefined): string[] {
  if (value === undefined) return [];
  const w = value.trim().split(/\s+/);
  return w.flatMap((x, i) => (x === 'addm' && w[i + 1] !== undefined ? [w[i + 1] as string] : []));
}

/** Validates a range's bounds (the regex cannot): 192.168.1.0-9, not 1.2.3.9-2 or .0-300. */
export function checkAliasRange(spec: string): string | undefined {
  const r = /(\d+\.\d+\.\d+\.)(\d+)-(\d+)/.exec(spec);
  if (!r) return undefined;
  const [lo, hi] = [Number(r[2]), Number(r[3])];
  if (lo > hi || hi > 255) return `${spec}: a range a.b.c.X-Y needs X <= Y <= 255`;
  return undefined;
}
