/**
 * ifconfig(8)'s listing (`ifconfig -a`, FreeBSD 13-15): one block per interface, a header
 * `NAME: flags=HEX<FLAG,...> metric N mtu N` and tab-indented detail lines. Read here: the
 * flags (UP), IPv4 addresses (netmask in hex, dotted or CIDR form), IPv6 addresses, bridge
 * members, groups and the description. Other lines (ether, media, nd6, options, STP
 * settings) are skipped.
 */

export interface IfAddress {
  addr: string;
  prefix?: number;
}

export interface IfState {
  name: string;
  flags: string[];
  up: boolean;
  inet: IfAddress[];
  inet6: IfAddress[];
  members: string[];
  groups: string[];
  description?: string;
}

const HEADER = /^([A-Za-z0-9_.-]+): flags=[0-9a-fA-F]+<([^>]*)>/;

export function maskToPrefix(mask: string): number | undefined {
  let n: number;
  if (/^0x[0-9a-fA-F]{1,8}$/.test(mask)) n = parseInt(mask, 16);
  else if (/^\d{1,3}(\.\d{1,3}){3}$/.test(mask)) n = mask.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  else return undefined;
  let bits = 0;
  while (bits < 32 && (n & (0x80000000 >>> bits)) !== 0) bits++;
  return bits;
}

export function parseIfconfig(text: string): Map<string, IfState> {
  const out = new Map<string, IfState>();
  let cur: IfState | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const h = HEADER.exec(line);
    if (h) {
      const flags = (h[2] as string).split(',').filter((f) => f !== '');
      cur = { name: h[1] as string, flags, up: flags.includes('UP'), inet: [], inet6: [], members: [], groups: [] };
      out.set(cur.name, cur);
      continue;
    }
    if (!/^\s/.test(line)) throw new Error(`unexpected ifconfig line: ${JSON.stringify(line)}`);
    if (!cur) throw new Error(`ifconfig output starts without an interface: ${JSON.stringify(line)}`);
    const w = line.trim().split(/\s+/);
    switch (w[0]) {
      case 'inet': {
        const [addr, cidr] = (w[1] ?? '').split('/');
        const nm = w.indexOf('netmask');
        const prefix = cidr !== undefined ? Number(cidr) : nm > 0 ? maskToPrefix(w[nm + 1] ?? '') : undefined;
        cur.inet.push(prefix === undefined ? { addr: addr as string } : { addr: addr as string, prefix });
        break;
      }
      case 'inet6': {
        const [addr, cidr] = (w[1] ?? '').split('/');
        const pl = w.indexOf('prefixlen');
        const prefix = cidr !== undefined ? Number(cidr) : pl > 0 ? Number(w[pl + 1]) : undefined;
        const a = (addr as string).replace(/%.*$/, '').toLowerCase();
        cur.inet6.push(prefix === undefined || Number.isNaN(prefix) ? { addr: a } : { addr: a, prefix });
        break;
      }
      case 'member:':
        if (w[1]) cur.members.push(w[1]);
        break;
      case 'groups:':
        cur.groups.push(...w.slice(1));
        break;
      case 'description:':
        cur.description = line.trim().slice('description:'.length).trim();
        break;
      default:
        break;
    }
  }
  return out;
}
