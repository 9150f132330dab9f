/**
 * interface: a host network interface in rc.conf and on the running system: a cloned
 * interface (lo1, bridge0, tap0, ...) in cloned_interfaces, its address, its aliases
 * (address ranges such as "inet 192.168.1.0-9", seed 000) and a bridge's members, created
 * and configured live too, so jails that use it can start later in the same run. Never
 * cuts the SSH session. Arguments: interface-args.ts; facts: interface-facts.ts; plan:
 * interface-plan.ts.
 */
import { interfaceArgs, type InterfaceArgs } from './args.js';
import { interfaceFactQueries, type InterfaceFacts } from './facts.js';
import { planInterface } from './plan.js';
import { defineModule } from '../kit/contract.js';

export const networkInterface = defineModule<InterfaceArgs, InterfaceFacts>({
  name: 'interface',
  summary: 'a network interface: cloned_interfaces, address, aliases (ranges), bridge members; in rc.conf and live',
  docs: { does: 'Anything that would cut the SSH session is refused.' },
  args: interfaceArgs,
  jailAware: false,
  describe: (a) => `interface ${a.name}${a.state === 'absent' ? ' absent' : ''}`,
  facts: () => interfaceFactQueries(),
  plan: (a, facts) => planInterface(a, facts),
});
