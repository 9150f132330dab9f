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
    expect(inventoryGraph(inv)).toBe(
      ['@all:', '  |--@jailhosts:', '  |  |--@ams:', '  |  |  |--jh1', '  |  |  |--jh2', '  |--lone', ''].join('\n'),
    );
    expect(() => inventoryGraph(inv, 'jailhost')).toThrow("no group named 'jailhost'; did you mean 'jailhosts'?");
  });

  it('--list gives the ansible-inventory --list shape with merged host vars', () => {
    expect(inventoryList(inv)).toEqual({
      _meta: {
        hostvars: {
          jh1: { site: 'ams', jail_root: '/usr/jails', zpool: 'zroot' },
          jh2: { site: 'ams', jail_root: '/usr/jails' },
          lone: { site: 'ams' },
        },
      },
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

describe('inventory views of a deeper tree', () => {
  const deep = parseInventory(`
defaults: { user: root }
hosts:
  bastion: { address: 198.51.100.7 }
  web1: { address: 10.0.0.1, proxy_jump: bastion, identity_file: /keys/web, become: doas, vars: { role: override } }
  web2: {}
  db1: {}
groups:
  prod: { children: [web, dbs], vars: { env: production } }
  web: { hosts: [web2, web1], children: [canary], vars: { role: http } }
  canary: { hosts: [web2] }
  dbs: { hosts: [db1] }
`);

  it('--graph nests children before hosts, in inventory order, and can start at a group', () => {
    expect(inventoryGraph(deep)).toBe(
      [
        '@all:',
        '  |--@prod:',
        '  |  |--@web:',
        '  |  |  |--@canary:',
        '  |  |  |  |--web2',
        '  |  |  |--web2',
        '  |  |  |--web1',
        '  |  |--@dbs:',
        '  |  |  |--db1',
        '  |--bastion',
        '',
      ].join('\n'),
    );
    expect(inventoryGraph(deep, 'web')).toBe('@web:\n  |--@canary:\n  |  |--web2\n  |--web2\n  |--web1\n');
  });

  it('--list leaves out empty keys and merges host variables', () => {
    const list = inventoryList(deep) as Record<string, unknown> & { _meta: { hostvars: Record<string, unknown> } };
    expect(list.all).toEqual({ children: ['prod'] });
    expect(list.prod).toEqual({ children: ['web', 'dbs'], vars: { env: 'production' } });
    expect(list.web).toEqual({ hosts: ['web2', 'web1'], children: ['canary'], vars: { role: 'http' } });
    expect(list._meta.hostvars).toEqual({
      bastion: {},
      web1: { env: 'production', role: 'override' },
      web2: { env: 'production', role: 'http' },
      db1: { env: 'production' },
    });
  });

  it('--host adds the resolved connection, jump hosts included', () => {
    expect(inventoryHost(deep, 'web1', undefined, {}, { user: 'me', identityFiles: [] })).toEqual({
      env: 'production',
      role: 'override',
      fleetjail_connection: {
        address: '10.0.0.1',
        port: 22,
        user: 'root',
        become: 'doas',
        identity_files: ['/keys/web'],
        proxy_jump: ['root@198.51.100.7:22'],
      },
    });
  });
});
