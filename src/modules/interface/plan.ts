/**
 * The interface module's plan: rc.conf first (cloned_interfaces, ifconfig_NAME,
 * ifconfig_NAME_aliasN, edited as sysrc would), then the running system: create the cloned
 * interface, add the missing addresses and bridge members, bring it up, and remove only
 * what the old rc.conf lines had put there and the new ones no longer ask for (addresses
 * jail(8) adds for its jails are left alone). Nothing that would cut the SSH session
 * (taking down, destroying or removing an address of the interface it runs over) is done:
 * the step fails and says why.
 */
import { sh } from '../../shell/quote.js';
import type { IfState } from '../../facts/ifconfig.js';
import { parseRcConf } from '../../facts/rc-conf.js';
import { fileText } from '../kit/file-facts.js';
import { desiredValue, listValue, rcVariableChange } from '../kit/rc-variable.js';
import { HOST } from '../kit/target.js';
import {
  CLONABLE,
  expandAlias,
  ifconfigValue,
  isCloned,
  membersOf,
  primaryAddresses,
  rcName,
  type InterfaceArgs,
  type LiveAddress,
} from './args.js';
import { NET_RESOURCE, protectedInterfaces, type InterfaceFacts } from './facts.js';
import type { Change } from '../kit/contract.js';

const RC = '/etc/rc.conf';

/** rc.conf's text as read (null: no file): what each variable's edit was planned from. */
type RcBase = string | null;

function rcChange(base: RcBase, name: string, before: string | undefined, after: string | undefined): Change {
  return rcVariableChange({ target: HOST, name, before, after, base });
}

function live(summary: string, lines: string[], diff?: { name: string; before: string | null; after: string | null }): Change {
  return {
    summary,
    action: { kind: 'script', script: lines.join('\n') },
    touches: [NET_RESOURCE],
    ...(diff ? { diff: [{ type: 'value' as const, ...diff }] } : {}),
  };
}

/** ifconfig_NAME_aliasN variables set in rc.conf, by N. */
function aliasVars(vars: Map<string, { value: string }>, base: string): Map<number, string> {
  const out = new Map<number, string>();
  const re = new RegExp(`^${base}_alias([0-9]+)$`);
  for (const [k, v] of vars) {
    const m = re.exec(k);
    if (m) out.set(Number(m[1]), v.value);
  }
  return out;
}

/** The rc.conf half: the variables, in order, each as its own sysrc change. */
function rcChanges(a: InterfaceArgs, vars: Map<string, { value: string }>, rc: RcBase): Change[] {
  const out: Change[] = [];
  const get = (n: string) => vars.get(n)?.value;
  const base = rcName(a.name);
  const present = a.state === 'present';
  if (isCloned(a)) {
    const cur = listValue(vars, 'cloned_interfaces');
    const want = desiredValue({ item: a.name, delimiter: ' ', state: present ? 'present' : 'absent' }, cur);
    if (want !== cur) out.push(rcChange(rc, 'cloned_interfaces', cur, want));
  }
  const value = present ? ifconfigValue(a) : undefined;
  if ((value !== undefined || !present) && get(base) !== value) out.push(rcChange(rc, base, get(base), value));
  if (present && a.aliases === undefined) return out;
  const have = aliasVars(vars, base);
  const want = present ? (a.aliases ?? []) : [];
  want.forEach((spec, n) => {
    const name = `${base}_alias${n}`;
    if (have.get(n) !== spec) out.push(rcChange(rc, name, have.get(n), spec));
  });
  for (const n of [...have.keys()].sort((x, y) => x - y))
    if (n >= want.length) out.push(rcChange(rc, `${base}_alias${n}`, have.get(n), undefined));
  return out;
}

/** The addresses rc.conf's lines for the interface put on it (ifconfig_NAME, then the aliases in rc.subr's order). */
function configuredAddresses(vars: Map<string, { value: string }>, base: string): LiveAddress[] {
  const aliases = [...aliasVars(vars, base).entries()].sort(([x], [y]) => x - y).map(([, v]) => v);
  return [...primaryAddresses(vars.get(base)?.value), ...aliases.flatMap(expandAlias)];
}

function wantedAddresses(a: InterfaceArgs, vars: Map<string, { value: string }>): LiveAddress[] {
  const primary = primaryAddresses(ifconfigValue(a) ?? vars.get(rcName(a.name))?.value);
  const aliases = a.aliases ?? [...aliasVars(vars, rcName(a.name)).entries()].sort(([x], [y]) => x - y).map(([, v]) => v);
  return [...primary, ...aliases.flatMap(expandAlias)];
}

const holds = (i: IfState, x: LiveAddress) => (x.family === 'inet' ? i.inet : i.inet6).some((y) => y.addr === x.addr);

/** "192.168.1.0, 192.168.1.1, ... (10)" for summaries. */
function listAddrs(xs: LiveAddress[]): string {
  return xs.length <= 4 ? xs.map((x) => x.addr).join(', ') : `${xs[0]?.addr} ... ${xs[xs.length - 1]?.addr} (${xs.length} addresses)`;
}

function refuseIfProtected(name: string, prot: Set<string>, what: string): void {
  if (prot.has(name)) throw new Error(`refusing to ${what}: the SSH connection runs over ${name}; change it from the console`);
}

function liveChanges(a: InterfaceArgs, f: InterfaceFacts, vars: Map<string, { value: string }>): Change[] {
  const iface = f.net.ifaces.get(a.name);
  const prot = protectedInterfaces(f.net, CLONABLE);
  const out: Change[] = [];
  const base = rcName(a.name);
  const old = configuredAddresses(vars, base);

  if (a.state === 'absent') {
    if (!iface) return out;
    if (isCloned(a)) {
      refuseIfProtected(a.name, prot, `destroy ${a.name}`);
      out.push(live(`destroy ${a.name}`, [sh`ifconfig ${a.name} destroy`], { name: a.name, before: 'present', after: null }));
      return out;
    }
    const gone = old.filter((x) => holds(iface, x));
    if (gone.length > 0) {
      refuseIfProtected(a.name, prot, `remove addresses from ${a.name}`);
      out.push(
        live(
          `${a.name}: remove ${listAddrs(gone)}`,
          gone.map((x) => sh`ifconfig ${a.name} ${x.family} ${x.addr} -alias`),
        ),
      );
    }
    return out;
  }

  const want = wantedAddresses(a, vars);
  if (!iface) {
    if (!isCloned(a))
      throw new Error(`interface ${a.name} does not exist on the host (and is not a cloned interface fleetjail can create)`);
    // Everything after create acts on the new interface: all addresses, members and up.
    const lines = [sh`ifconfig ${a.name} create`];
    lines.push(...want.map((x) => sh`ifconfig ${a.name} ${x.words} alias`));
    for (const m of a.addm ?? []) lines.push(sh`ifconfig ${a.name} addm ${m}`);
    if (a.up === true) lines.push(sh`ifconfig ${a.name} up`);
    const extra = [
      want.length ? listAddrs(want) : '',
      (a.addm ?? []).length ? `members ${(a.addm ?? []).join(', ')}` : '',
      a.up === true ? 'up' : '',
    ].filter(Boolean);
    out.push(
      live(`create ${a.name}${extra.length ? `: ${extra.join('; ')}` : ''}`, lines, { name: a.name, before: null, after: 'present' }),
    );
    return out;
  }

  const missing = want.filter((x) => !holds(iface, x));
  const key = (x: LiveAddress) => `${x.family} ${x.addr}`;
  const wanted = new Set(want.map(key));
  const stale = old.filter((x) => !wanted.has(key(x)) && holds(iface, x));
  if (stale.length > 0) {
    refuseIfProtected(a.name, prot, `remove ${listAddrs(stale)} from ${a.name}`);
    out.push(
      live(
        `${a.name}: remove ${listAddrs(stale)}`,
        stale.map((x) => sh`ifconfig ${a.name} ${x.family} ${x.addr} -alias`),
      ),
    );
  }
  if (missing.length > 0) {
    out.push(
      live(
        `${a.name}: add ${listAddrs(missing)}`,
        missing.map((x) => sh`ifconfig ${a.name} ${x.words} alias`),
        {
          name: `${a.name} addresses`,
          before: [...iface.inet, ...iface.inet6].map((x) => x.addr).join(' ') || null,
          after: [...iface.inet, ...iface.inet6]
            .map((x) => x.addr)
            .concat(missing.map((x) => x.addr))
            .join(' '),
        },
      ),
    );
  }
  if (a.addm !== undefined) {
    const oldMembers = membersOf(vars.get(base)?.value);
    const drop = iface.members.filter((m) => oldMembers.includes(m) && !(a.addm ?? []).includes(m));
    const add = a.addm.filter((m) => !iface.members.includes(m));
    if (drop.length > 0) {
      for (const m of drop) refuseIfProtected(prot.has(a.name) ? a.name : m, prot, `remove ${m} from ${a.name}`);
      out.push(
        live(
          `${a.name}: deletem ${drop.join(', ')}`,
          drop.map((m) => sh`ifconfig ${a.name} deletem ${m}`),
        ),
      );
    }
    if (add.length > 0) {
      out.push(
        live(
          `${a.name}: addm ${add.join(', ')}`,
          add.map((m) => sh`ifconfig ${a.name} addm ${m}`),
          { name: `${a.name} members`, before: iface.members.join(' ') || null, after: [...iface.members, ...add].join(' ') },
        ),
      );
    }
  }
  if (a.up === true && !iface.up)
    out.push(live(`${a.name}: up`, [sh`ifconfig ${a.name} up`], { name: `${a.name} state`, before: 'down', after: 'up' }));
  if (a.up === false && iface.up) {
    refuseIfProtected(a.name, prot, `bring ${a.name} down`);
    out.push(live(`${a.name}: down`, [sh`ifconfig ${a.name} down`], { name: `${a.name} state`, before: 'up', after: 'down' }));
  }
  return out;
}

export function planInterface(a: InterfaceArgs, f: InterfaceFacts): Change[] {
  const base = fileText(f.rcConf, RC);
  const vars = parseRcConf(base ?? '');
  // Live changes are computed from the rc.conf lines as they were, so they know what the old lines had added.
  const liveOnes = a.live ? liveChanges(a, f, vars) : [];
  return [...rcChanges(a, vars, base), ...liveOnes];
}
