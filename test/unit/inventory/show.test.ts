import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/load.js';
import { inventoryGraph, inventoryHost, inventoryList } from '../../../src/inventory/show.js';

const inv = parseInventory(`
vars: { site: ams }
hosts:
  jh1: { address: 10.0.0.1, vars: { zpool: zroot } }
  jh2: {}
  lone: {}
groups:
  jailhosts: { children: [ams], vars: { jail_root: /usr/jails } }
  ams: { hosts: [jh1, jh2] }
`);

describe('inventory views', () => {
  it('--graph draws the group tree with ungrouped hosts under all', () => {
    expect(inventoryGraph(inv)).toBe([
      '@all:', '  |--@jailhosts:', '  |  |--@ams:', '  |  |  |--jh1', '  |  |  |--jh2', '  |--lone', '',
    ].join('\n'));
    expect(() => inventoryGraph(inv, 'jailhost')).toThrow("no group named 'jailhost'; did you mean 'jailhosts'?");
  });

  it('--list gives the ansible-inventory --list shape with merged host vars', () => {
    expect(inventoryList(inv)).toEqual({
      _meta: { hostvars: {
        jh1: { site: 'ams', jail_root: '/usr/jails', zpool: 'zroot' },
        jh2: { site: 'ams', jail_root: '/usr/jails' },
        lone: { site: 'ams' },
      } },
      all: { children: ['jailhosts'], vars: { site: 'ams' } },
      jailhosts: { children: ['ams'], vars: { jail_root: '/usr/jails' } },
      ams: { hosts: ['jh1', 'jh2'] },
    });
  });

  it('--host shows variables and the resolved connection', () => {
    const h = inventoryHost(inv, 'jh1') as { fleetjail_connection: Record<string, unknown> };
    expect(h).toMatchObject({ zpool: 'zroot', site: 'ams' });
    expect(h.fleetjail_connection).toMatchObject({ address: '10.0.0.1', port: 22, become: 'none', proxy_jump: [] });
    expect(() => inventoryHost(inv, 'jh3')).toThrow(/did you mean 'jh1'/);
  });
});
