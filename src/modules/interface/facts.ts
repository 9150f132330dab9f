/**
 * The interface module's facts: the host's interfaces (`ifconfig -a`), and which of them
 * must not be taken down or lose addresses because the SSH session runs over it. One query
 * shared by every interface step of a host; any live interface change re-reads it.
 */
import { parseIfconfig, type IfState } from '../../facts/ifconfig.js';
import type { FileState } from '../../facts/file-state.js';
import { fileStateQuery } from '../kit/file-facts.js';
import { HOST, requireSuccess } from '../kit/target.js';
import { factKey, res } from '../../facts/resources.js';
import type { FactQueries, FactQuery } from '../kit/contract.js';

export interface NetFacts {
  ifaces: Map<string, IfState>;
  /** The local address of the SSH connection (SSH_CONNECTION's third field), when the environment has it (doas/sudo may clear it). */
  sshAddress?: string;
  /** The interface of the default route, if any. */
  defaultInterface?: string;
}

export const NET_RESOURCE = res.network();

const SCRIPT = `printf 'ssh %s\\n' "\${SSH_CONNECTION:-}"
fj_d=$(route -n get default 2>/dev/null | sed -n 's/^ *interface: *//p' | head -n 1)
printf 'defaultif %s\\n' "$fj_d"
echo '%ifconfig'
ifconfig -a || exit 1
`;

export function parseNetFacts(stdout: string): NetFacts {
  const cut = stdout.indexOf('%ifconfig\n');
  if (cut < 0) throw new Error(`unexpected network facts: ${JSON.stringify(stdout.slice(0, 200))}`);
  const facts: NetFacts = { ifaces: parseIfconfig(stdout.slice(cut + '%ifconfig\n'.length)) };
  for (const line of stdout.slice(0, cut).split('\n')) {
    const [key, ...rest] = line.split(' ');
    const v = rest.join(' ').trim();
    if (key === 'ssh' && v !== '') {
      const local = v.split(/\s+/)[2];
      if (local) facts.sshAddress = local.replace(/%.*$/, '').toLowerCase();
    }
    if (key === 'defaultif' && v !== '') facts.defaultInterface = v;
  }
  return facts;
}

export function netQuery(): FactQuery<NetFacts> {
  return {
    key: factKey(HOST, 'net', 'ifconfig'),
    script: SCRIPT,
    resources: [NET_RESOURCE],
    parse(out) {
      requireSuccess(out, 'reading the network interfaces (ifconfig -a)');
      return parseNetFacts(out.stdout);
    },
  };
}

/**
 * The interfaces that carry the SSH session: those holding its local address; without it,
 * the default route's interface; without that, every interface that is neither a loopback
 * nor a cloned one. Bridges with a protected member are protected too (the host's address
 * is often on the bridge, its uplink a member).
 */
export function protectedInterfaces(f: NetFacts, clonable: RegExp): Set<string> {
  const out = new Set<string>();
  const all = [...f.ifaces.values()];
  if (f.sshAddress !== undefined) {
    for (const i of all) if ([...i.inet, ...i.inet6].some((a) => a.addr === f.sshAddress)) out.add(i.name);
  }
  if (out.size === 0 && f.defaultInterface !== undefined) out.add(f.defaultInterface);
  if (out.size === 0)
    for (const i of all) if (!/^lo[0-9]/.test(i.name) && !clonable.test(i.name) && !/^epair/.test(i.name)) out.add(i.name);
  for (const i of all) if (i.members.some((m) => out.has(m))) out.add(i.name);
  return out;
}

export type InterfaceFacts = { net: NetFacts; rcConf: FileState };

export function interfaceFactQueries(): FactQueries<InterfaceFacts> {
  return { net: netQuery(), rcConf: fileStateQuery(HOST, '/etc/rc.conf', { content: true, metadata: false }) };
}
